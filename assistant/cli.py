"""The `mentor` command: index, ask, chat, bench (and eval/app when present).

Thin: every command calls `assistant.Mentor`. User mistakes print `error: …`
and exit 2, provider failures exit 1, never a traceback.
"""

from __future__ import annotations

import json
import sys
from functools import wraps

import click

from .errors import InputError, MentorError, UndecodableInputError


def handle_errors(func):
    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except MentorError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("", err=True)
            sys.exit(130)

    return wrapper


def _mentor():
    from .mentor import Mentor

    return Mentor()


def _announce_first_build(mentor) -> None:
    if mentor.store.count() == 0:
        click.echo(f"building the knowledge index in {mentor.store.location} (first run, a few seconds)…", err=True)
        mentor.index(progress=sys.stderr.isatty())


def _read_question(parts: tuple[str, ...]) -> str:
    if parts and parts != ("-",):
        return " ".join(parts)
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
        lines.append(f"  [{n}] {source.kind}: {where} (score {source.score:.2f})")
    return "\n".join(lines)


def render_footer(answer) -> str:
    out = []
    if answer.notice:
        out.append(f"note: {answer.notice}")
    if answer.clarifying_question and answer.options:
        out.append("reply with one of:\n" + "\n".join(f"  {i}) {o}" for i, o in enumerate(answer.options, 1)))
    elif answer.step is not None:
        line = f"step: {answer.step.label} ({answer.step.value}), confidence {answer.step_confidence:.2f}"
        if answer.alternatives:
            line += "; close: " + ", ".join(s.label for s in answer.alternatives)
        out.append(line)
    if answer.facts:
        out.append("what I know about you: " + ", ".join(answer.facts))
    if answer.sources:
        out.append("sources:\n" + render_sources(answer))
    return "\n".join(out)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="flywheel-mentor")
def cli():
    """Flywheel Mentor: career questions answered with the leadership-principle flywheel.

    Works offline by default (no key, no network). Set OPENAI_API_KEY (and
    optionally OPENAI_BASE_URL / MENTOR_MODEL) to have a language model write
    the answers. Data lives in MENTOR_HOME.
    """


@cli.command()
@click.option("--rebuild", is_flag=True, help="Re-chunk and re-embed every file, even unchanged ones; "
              "a damaged store is first moved aside (kept, never deleted).")
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
        click.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return
    stream = mentor.stream(text)
    for piece in stream:
        click.echo(piece, nl=False)
    click.echo("\n")
    click.echo(render_footer(stream.answer))


CHAT_HELP = """Commands: /commit [text] (commit to the last next action or to text), /done N, /spin (start next spin),
/status (also what I know about you), /forget FACT, /new (new conversation), /retry (repeat a failed question), /help,
/quit. When I ask a question with numbered options, type the number. Anything else is a question."""


@cli.command()
@click.option("--name", default=None, help="Save and restore your journey under this name (SQLite in MENTOR_HOME).")
@handle_errors
def chat(name: str | None):
    """A terminal conversation that keeps your spin, step and commitments."""
    from .session import Session

    mentor = _mentor()
    _announce_first_build(mentor)
    journal = None
    session = Session(name=name)
    if name:
        journal = _journal(mentor)
        session = journal.load(name) or session
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
            if _chat_command(line, session, last_answer) == "quit":
                break
        else:
            stream = None
            try:
                stream = mentor.stream(line, session=session)
                click.echo("\nmentor> ", nl=False)
                for piece in stream:
                    click.echo(piece, nl=False)
                last_answer, last_failed = stream.answer, None
                click.echo("\n")
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
        if journal is not None:
            journal.save(session)


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
        click.echo("new conversation (your spin, step and commitments are kept)")
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
@handle_errors
def bench(only: str, rounds: int):
    """Print speed numbers (p50/p95 latencies, cold start, index build)."""
    from . import bench as bench_module

    if only == "chunking":
        bench_module.chunking_report()
    else:
        bench_module.speed_report(rounds=rounds)


def _register_commands() -> None:
    # Both modules are light to import; the heavy work in them is lazy.
    from evals.cli import eval_command

    from .app_command import app_command

    cli.add_command(eval_command, "eval")
    cli.add_command(app_command, "app")


def main() -> None:
    _register_commands()
    cli(prog_name="mentor")


if __name__ == "__main__":
    main()
