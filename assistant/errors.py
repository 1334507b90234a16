"""Every error the assistant raises on purpose.

One base class, `MentorError`, so callers can catch everything we mean to raise.
`InputError` is the user's to fix (the CLI exits 2); `ProviderError` is the
model's side (the CLI exits 1). Messages say what to do next and never carry
secrets.
"""

from __future__ import annotations


class MentorError(Exception):
    """Base class for every error the assistant raises deliberately."""

    exit_code = 1


class InputError(MentorError, ValueError):
    """Bad input from the user: the message says how to fix it."""

    exit_code = 2


class EmptyQuestionError(InputError):
    def __init__(self) -> None:
        super().__init__("the question is empty: type a question, e.g. \"How do I get out of a rut?\"")


class QuestionTooLongError(InputError):
    def __init__(self, length: int, limit: int) -> None:
        self.length = length
        self.limit = limit
        super().__init__(
            f"the question is {length:,} characters; the limit is {limit:,}. "
            "Shorten it to the situation and the question you want help with."
        )


class UndecodableInputError(InputError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"could not read the input as UTF-8 text ({detail}); pass plain UTF-8 text")


class KnowledgeFileError(InputError):
    """A knowledge file could not be parsed; the previous index is untouched."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(
            f"cannot parse knowledge file {path}: {problem}. "
            "Fix the file and run `mentor index` again; the previous index is still in use."
        )


class StoreError(MentorError):
    """The vector store could not be opened or written."""


class SetupError(MentorError):
    """The installation or its configuration is broken (MENTOR_HOME, model files): the
    user's to fix, so the CLI exits 2."""

    exit_code = 2


class SystemFailure(MentorError):
    """The machine failed us (disk full, I/O error): exit 1, nothing stored is lost."""


class StoreDamagedError(StoreError):
    """The embedded store's files are damaged: `mentor index --rebuild` moves them aside and rebuilds."""


class StoreUnavailableError(StoreError):
    """The Chroma server (MENTOR_CHROMA_URL) could not be reached."""


class ProviderError(MentorError):
    """The language model provider failed; the conversation is intact and the turn can be retried."""

    exit_code = 1


class ProviderAuthError(ProviderError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "the model provider rejected the credentials. Check OPENAI_API_KEY "
            "and OPENAI_BASE_URL" + (f" ({detail})" if detail else "")
        )


class ProviderUnavailableError(ProviderError):
    """Rate limits, server errors and timeouts that outlasted the retries."""


class ProviderResponseError(ProviderError):
    """A malformed or cut-off response from the model."""


class ProviderCause(Exception):
    """A provider library's exception as text with secrets redacted. It is chained as the
    `__cause__` of a ProviderError instead of the exception itself, whose message and
    response body can echo the API key, so a printed traceback still says what happened."""

    @classmethod
    def of(cls, exc: BaseException, secrets: tuple[str, ...] = ()) -> "ProviderCause":
        from .safety.redaction import redact

        kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
        return cls(f"{kind}: {redact(' '.join(str(exc).split())[:500], secrets)}")


_DISK_FULL = ("disk i/o error", "database or disk is full", "no space left", "file too large", "disk full",
              "quota exceeded")
_NOT_WRITABLE = ("readonly database", "read-only", "permission denied", "unable to open database")


def explain(exc: BaseException, settings=None, *, home=None, store_dir=None) -> MentorError | None:
    """A MentorError saying what to do, for a known setup or system failure that reached a front
    door (the CLI, the page) unconverted; None for anything else (a bug, to be reported).

    `settings` (for MENTOR_HOME and the knowledge folder) is read from the environment when
    not given, unless the caller knows `home` (and `store_dir`) itself, as the store does.
    Messages never carry secrets (the front doors redact them too)."""
    import errno as E

    if isinstance(exc, MentorError):
        return exc
    if isinstance(exc, UnicodeError):
        return UndecodableInputError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}")
    if home is None:
        home, store_dir = _home_of(settings)
    store_dir = store_dir or "the knowledge index"
    if isinstance(exc, OSError):
        path = exc.filename or ""
        why = exc.strerror or str(exc)
        under_home = bool(path) and home is not None and _under(path, home)
        space = space_problem(home) if exc.errno in (None, E.EIO, E.ENOSPC, E.EDQUOT, E.EFBIG) else None
        if space or exc.errno in (E.ENOSPC, E.EDQUOT, E.EFBIG):
            # errno None: a short write reported by a library (numpy: "N requested and M written")
            return SystemFailure(f"could not write {path or 'a file'} ({why}): "
                                 f"{space or 'the disk is full or a file-size limit was hit'}. Free some space (or "
                                 "lift the limit) and run the command again; what was stored before is kept")
        if under_home and exc.errno in (E.ENOTDIR, E.EEXIST):
            return SetupError(f"MENTOR_HOME={home} is not a folder ({_first_file(path, home)} is a file). Point "
                              "MENTOR_HOME at a folder (it is created if missing) or move that file away")
        if exc.errno in (E.EACCES, E.EPERM, E.EROFS):
            if under_home:
                return SetupError(f"MENTOR_HOME={home} is not writable ({path}: {why}). Make it writable, or set "
                                  "MENTOR_HOME to a folder you own")
            return SetupError(f"cannot use {path or 'a file'} ({why}): check its permissions")
        return SystemFailure(f"a system error on {path or 'a file'} ({why}); check the disk and try again")
    text = str(exc).lower()
    module = type(exc).__module__ or ""
    if module.startswith(("chromadb", "sqlite3")) or type(exc).__name__ in ("OperationalError", "DatabaseError"):
        where = store_dir if module.startswith("chromadb") else (home or "MENTOR_HOME")
        space = space_problem(home)
        if space or any(s in text for s in _DISK_FULL):
            return SystemFailure(f"could not write the data in {where} ({_first_line(exc)}): "
                                 f"{space or 'the disk may be full'}. Free some space (or lift the limit) and run "
                                 "the command again (`mentor index` finishes a first build); what was stored before "
                                 "is kept")
        if any(s in text for s in _NOT_WRITABLE):
            return SetupError(f"cannot write to {where} ({_first_line(exc)}): make MENTOR_HOME writable, or set it "
                              "to a folder you own")
        if module.startswith("chromadb"):
            return StoreError(f"the knowledge index in {where} failed ({_first_line(exc)}). If the disk is full, "
                              "free some space; then run `mentor index` (`mentor index --rebuild` if it fails again)")
    return None


def space_problem(home) -> str | None:
    """Why writes under `home` may be failing for lack of room: a file-size limit on this
    process (ulimit -f) or less than 20 MB free on its disk. None when neither."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
        if soft != resource.RLIM_INFINITY:
            return f"this process may not write files larger than {soft:,} bytes (ulimit -f)"
    except (ImportError, ValueError, OSError):  # not on this platform
        pass
    if home is not None:
        import shutil
        from pathlib import Path

        probe = Path(home)
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        try:
            free = shutil.disk_usage(probe).free
        except OSError:
            return None
        if free < 20 * 1024 * 1024:
            return f"the disk holding MENTOR_HOME is full ({free // 1024:,} KB free)"
    return None


def _home_of(settings):
    if settings is None:
        try:
            from .settings import Settings

            settings = Settings.from_env()
        except Exception:  # an invalid setting is reported on its own
            return None, "the knowledge index"
    return settings.home, settings.store_dir


def _under(path, root) -> bool:
    from pathlib import Path

    try:
        p, r = Path(path).absolute(), Path(root).absolute()
    except (OSError, ValueError):
        return False
    return p == r or r in p.parents


def _first_file(path, home) -> str:
    """The first existing non-folder on the way from MENTOR_HOME's parent down to `path`."""
    from pathlib import Path

    p = Path(path).absolute()
    for candidate in [*reversed(p.parents), p]:
        if candidate.exists() and not candidate.is_dir():
            return str(candidate)
    return str(home)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]
