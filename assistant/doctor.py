"""`mentor doctor`: what this installation is using and whether each part works.

Two tables users can paste into a bug report:

* the settings in effect (every `Settings` field, its environment variable, and whether the
  value came from the environment or the default), with secrets masked: keys and tokens
  show only that they are set, URLs lose their credentials;
* the checks, in the order a turn needs them: the embedding model's files (which source,
  `assistant.model_files`), the index (`Mentor.index_status()`), the journal, and when a
  model is configured: a live `GET /models`, whether the configured model is listed, and a
  1-token completion with its latency.

`run()` returns the report; the first failing check is "the first thing to fix". Nothing
here fetches the model or builds the index: it only looks.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

from .settings import Settings

# Settings fields whose environment variable is not MENTOR_<FIELD>.
ENV_NAMES = {
    "home": "MENTOR_HOME",
    "knowledge_dir": "MENTOR_KNOWLEDGE_DIR",
    "api_key": "OPENAI_API_KEY",
    "base_url": "OPENAI_BASE_URL",
    "max_question_chars": None,  # fixed, not a setting users change
}
_SECRET_FIELD = re.compile(r"key|token|secret|password", re.I)
_URL_CREDENTIALS = re.compile(r"(//)[^/@\s]+@")
PROBE_TIMEOUT = 15.0  # seconds, for each live model check


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None  # what to do when not ok


@dataclass
class Report:
    settings: list[tuple[str, str, str]] = field(default_factory=list)  # (variable, value, source)
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def first_problem(self) -> Check | None:
        return next((check for check in self.checks if not check.ok), None)


def mask(name: str, value) -> str:
    """A setting's value as shown: secrets only as set/not set, URLs without credentials."""
    if value is None or value == "":
        return "not set"
    if _SECRET_FIELD.search(name):
        return f"set (hidden, {len(str(value))} characters)"
    return _URL_CREDENTIALS.sub(r"\1***@", str(value))


def settings_rows(settings: Settings, env=None) -> list[tuple[str, str, str]]:
    env = os.environ if env is None else env
    rows = []
    for f in fields(settings):
        variable = ENV_NAMES.get(f.name, f"MENTOR_{f.name.upper()}")
        if variable is None:
            continue
        source = "environment" if env.get(variable) else "default"
        rows.append((variable, mask(f.name, getattr(settings, f.name)), source))
    mode = "model (llm)" if settings.uses_llm else "offline"
    rows.append(("→ answers", mode, "from MENTOR_PROVIDER, OPENAI_API_KEY, OPENAI_BASE_URL"))
    return rows


def run(settings: Settings | None = None) -> Report:
    from .mentor import Mentor

    settings = settings or Settings.from_env()
    report = Report(settings=settings_rows(settings))
    model = _check_model_files(settings)
    report.checks.append(model)
    mentor = Mentor(settings)
    report.checks.append(_check_index(mentor) if model.ok else Check(
        "index", False, "not checked: the embedding model is missing", "fix the embedding model first"))
    report.checks.append(_check_journal(settings))
    if settings.uses_llm:
        report.checks.extend(_check_model_server(settings))
    else:
        report.checks.append(Check("language model", True,
                                   "none configured: answers are composed offline (set OPENAI_API_KEY or "
                                   "OPENAI_BASE_URL to use one)"))
    return report


def _check_model_files(settings: Settings) -> Check:
    from .errors import MentorError
    from .model_files import locate, not_found_message

    try:
        found = locate(settings.home, settings.embedding_model_dir)
    except MentorError as exc:
        return Check("embedding model", False, str(exc), str(exc))
    if found is None:
        return Check("embedding model", False, "not on this machine (it would be fetched on the first question)",
                     not_found_message(settings.home))
    return Check("embedding model", True, found.describe())


def _check_index(mentor) -> Check:
    from .errors import MentorError

    try:
        status = mentor.index_status()
    except MentorError as exc:
        return Check("index", False, str(exc), str(exc))
    generation = status.get("generation")
    detail = (f"chroma ({'server' if status.get('backend') == 'http' else status.get('backend')}) at {mask('location', status.get('location'))}: {status.get('chunks')} chunks"
              + (f", generation {generation}" if generation is not None else ""))
    if status.get("healthy"):
        return Check("index", True, detail + ", healthy")
    problem = status.get("problem") or "unhealthy"
    if not status.get("chunks") and status.get("repairable"):
        fix = "the index is empty: run `mentor setup` (or ask a first question, which builds it)"
    elif status.get("repairable"):
        fix = f"{problem}: run `mentor index`, which repairs it from the knowledge files"
    else:
        fix = problem
    return Check("index", False, f"{detail}; {problem}", fix)


def _check_journal(settings: Settings) -> Check:
    path = Path(settings.journal_path)
    if path.exists():
        writable = os.access(path, os.W_OK)
        detail = f"{path} ({path.stat().st_size:,} bytes)"
    else:
        existing = next((p for p in path.parents if p.exists()), None)
        writable = existing is not None and os.access(existing, os.W_OK)
        detail = f"{path} (created on the first saved journey)"
    if writable:
        return Check("journal", True, detail)
    return Check("journal", False, f"{detail}: not writable", f"make {path.parent} writable, or set MENTOR_HOME")


def _check_model_server(settings: Settings) -> list[Check]:
    """GET /models, the configured model listed, a 1-token completion with its latency."""
    import openai

    from .errors import MentorError
    from .llm import OPENAI_URL, api_key_for, provider_error

    where = mask("url", settings.base_url or OPENAI_URL)
    try:
        client = openai.OpenAI(base_url=settings.base_url, api_key=api_key_for(settings),
                               timeout=min(settings.timeout, PROBE_TIMEOUT), max_retries=0)
    except MentorError as exc:
        return [Check("model server", False, str(exc), str(exc))]
    checks = []
    started = time.perf_counter()
    try:
        ids = sorted(m.id for m in client.models.list())
    except Exception as exc:  # noqa: BLE001 - mapped to the same messages a turn would show
        message = str(provider_error(exc, settings.replace(max_retries=0)))
        return [Check("model server", False, f"GET {where}/models failed: {message}", message)]
    ms = (time.perf_counter() - started) * 1000
    checks.append(Check("model server", True, f"GET {where}/models: {len(ids)} model(s) in {ms:.0f} ms"))
    if settings.model in ids:
        checks.append(Check("model listed", True, f"{settings.model!r} is served"))
    else:
        shown = ", ".join(ids[:8]) + (" …" if len(ids) > 8 else "")
        checks.append(Check("model listed", False, f"{settings.model!r} is not in the list ({shown or 'empty'})",
                            f"set MENTOR_MODEL to a model the server lists ({shown or 'none listed'})"
                            " (for Ollama, `ollama pull` it first)"))
    started = time.perf_counter()
    try:
        reply = client.chat.completions.create(model=settings.model, max_tokens=1,
                                               messages=[{"role": "user", "content": "Reply with OK."}])
    except Exception as exc:  # noqa: BLE001
        message = str(provider_error(exc, settings.replace(max_retries=0)))
        checks.append(Check("completion", False, f"a 1-token completion failed: {message}", message))
        return checks
    ms = (time.perf_counter() - started) * 1000
    text = (reply.choices[0].message.content or "").strip() if reply.choices else ""
    checks.append(Check("completion", True, f"1-token reply {text!r} in {ms:.0f} ms"))
    return checks


def render(report: Report) -> str:
    """The report as plain-text tables."""
    lines = ["settings in effect (secrets masked)"]
    width = max(len(row[0]) for row in report.settings)
    value_width = min(60, max(len(row[1]) for row in report.settings))
    for variable, value, source in report.settings:
        lines.append(f"  {variable.ljust(width)}  {value.ljust(value_width)}  {source}")
    lines.append("")
    lines.append("checks")
    width = max(len(check.name) for check in report.checks)
    for check in report.checks:
        lines.append(f"  {check.name.ljust(width)}  {'ok  ' if check.ok else 'FAIL'}  {check.detail}")
    lines.append("")
    problem = report.first_problem
    if problem is None:
        lines.append("all good")
    else:
        lines.append(f"first thing to fix ({problem.name}): {problem.fix or problem.detail}")
    return "\n".join(lines)
