"""`mentor eval` / `python -m evals`: run the eval suite, write the report, gate on the baseline.

Exit codes: 0 ok (and always in LLM mode), 1 a headline metric dropped beyond its
tolerance (or a provider failed), 2 bad input (dataset, baseline file, options).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import click

from . import DEFAULT_BASELINE, DEFAULT_OUT, baseline_target


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _settings(provider: str):
    """Offline unless asked: `openai`, or `auto` with OPENAI_API_KEY / OPENAI_BASE_URL set."""
    from assistant import Settings

    base = Settings.from_env()
    use_llm = provider == "openai" or (provider == "auto" and base.replace(provider="auto").uses_llm)
    return base.replace(provider="openai" if use_llm else "offline"), use_llm


def _print_headline(report: dict) -> None:
    from .report import headline_rows

    rows = headline_rows(report)
    width = max(len(r[0]) for r in rows)
    click.echo(f"{'metric'.ljust(width)}  {'value':>15}  {'baseline (tol)':>16}  {'delta':>7}  status")
    for metric, value, base, delta, status in rows:
        click.echo(f"{metric.ljust(width)}  {value:>15}  {base:>16}  {delta:>7}  {status}")


@click.command("eval", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--provider", type=click.Choice(["offline", "auto", "openai"]), default="offline", show_default=True,
              help="offline: the deterministic composer (gated). openai: the LLM provider from OPENAI_API_KEY / "
                   "OPENAI_BASE_URL / MENTOR_MODEL, plus judge metrics (never gated). auto: openai when either "
                   "variable is set.")
@click.option("--dataset", "datasets", multiple=True, type=click.Path(path_type=Path),
              help="Dataset YAML file or folder (repeatable). Default: evals/datasets/.")
@click.option("--category", "categories", multiple=True, help="Only cases of this category (repeatable).")
@click.option("--case", "case_ids", multiple=True, help="Only the case with this id (repeatable).")
@click.option("--limit", type=click.IntRange(min=1), help="Run only the first N cases.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Folder for report.json, report.md and report.html (relative to the working directory).")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path), default=None,
              help="Baseline file the offline run is gated on (default: the one shipped in evals/). "
                   "--update-baseline writes here; without it, to evals/baseline.json in a checkout, else "
                   "to OUT/baseline.json.")
@click.option("--no-gate", is_flag=True, help="Report only; do not fail on a metric drop.")
@click.option("--update-baseline", is_flag=True, help="Rewrite the baseline with this run's metrics (offline only).")
@click.option("--repeats", type=click.IntRange(min=1), default=1, show_default=True,
              help="LLM mode: run the suite N times and report mean ± sd.")
@click.option("--judge/--no-judge", default=True, show_default=True, help="LLM mode: score answers with the judge prompt.")
@click.option("--judge-model", envvar="MENTOR_JUDGE_MODEL", help="Judge model (default: MENTOR_MODEL).")
@click.option("--export-feedback", "export_path", type=click.Path(path_type=Path),
              help="Write thumbs-down answers from the journal to this YAML file as cases to review, then exit.")
@click.option("--journal", "journal_path", type=click.Path(path_type=Path),
              help="Journal file to export from (default: $MENTOR_HOME/journal.sqlite3).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def eval_command(provider, datasets, categories, case_ids, limit, out_dir, baseline_path, no_gate, update_baseline,
                 repeats, judge, judge_model, export_path, journal_path, quiet):
    """Run the eval suite through the Mentor and write an HTML/Markdown/JSON report.

    Offline (default) it is deterministic and gated: exit 1 when a headline metric
    drops below its baseline value minus tolerance (evals/baseline.json).
    """
    from assistant.errors import MentorError

    from .baseline import BaselineError
    from .datasets import DatasetError

    try:
        if export_path is not None:
            _export(export_path, journal_path)
            return
        code = _run(provider, datasets, categories, case_ids, limit, out_dir, baseline_path, no_gate,
                    update_baseline, repeats, judge, judge_model, quiet)
    except (DatasetError, BaselineError) as exc:
        _fail(str(exc), 2)
    except MentorError as exc:
        _fail(str(exc), getattr(exc, "exit_code", 1))
    except KeyboardInterrupt:
        click.echo("", err=True)
        sys.exit(130)
    if code:
        sys.exit(code)


def _export(export_path: Path, journal_path: Path | None) -> None:
    from assistant import Settings

    from .feedback import export_feedback

    journal = journal_path or Settings.from_env().journal_path
    if not Path(journal).exists():
        click.echo(f"no journal at {journal} (the page stores thumbs feedback there); nothing exported")
        return
    new, total, path = export_feedback(journal, export_path)
    if new:
        click.echo(f"exported {new} new thumbs-down case(s) ({total} in the journal) to {path}; "
                   "fill in the expected fields and set needs_review: false")
    else:
        click.echo(f"no new thumbs-down feedback ({total} in the journal); {path} unchanged")


def _run(provider, datasets, categories, case_ids, limit, out_dir, baseline_path, no_gate, update_baseline,
         repeats, judge, judge_model, quiet) -> int:
    from assistant import Mentor
    from assistant.errors import InputError

    from .baseline import compare, describe_failures, load_baseline, updated_baseline, write_baseline
    from .datasets import load_cases, validate_cases
    from .report import build_report, write_reports
    from .runner import HEADLINE, aggregate_repeats, run_suite

    settings, use_llm = _settings(provider)
    if importlib.util.find_spec("matplotlib") is None:
        raise InputError("mentor eval writes an HTML report with plots and needs the eval extra: "
                         "pip install 'flywheel-mentor[eval]'")
    if use_llm and update_baseline:
        raise InputError("--update-baseline works on offline runs only (the baseline gates the deterministic suite)")
    cases = load_cases(datasets or None, categories=categories or None, ids=case_ids or None)
    if limit:
        cases = cases[:limit]
    if not cases:
        raise InputError("no eval cases matched; check --dataset / --category / --case")
    for problem in validate_cases(cases, settings.knowledge_dir):
        click.echo(f"warning: {problem}", err=True)

    mentor = Mentor(settings)
    judge_obj = None
    if use_llm and judge:
        from .judge import Judge

        judge_obj = Judge(settings, model=judge_model)
    runs = repeats if use_llm else 1
    results = []
    for i in range(runs):
        desc = f"eval {mentor.mode}" + (f" {i + 1}/{runs}" if runs > 1 else "")
        results.append(run_suite(mentor, cases, judge=judge_obj, progress=not quiet, desc=desc))
    result = results[-1]
    mentoring = {}
    if not (datasets or categories or case_ids or limit):
        from .mentoring import gated_metrics, run_mentoring

        mentoring = run_mentoring(mentor)
        result.summary["metrics"].update(gated_metrics(mentoring))
    dataset_info = {"files": sorted({c.file for c in cases}), "n_cases": len(cases),
                    "filtered": bool(datasets or categories or case_ids or limit)}

    gate = None
    exit_code = 0
    if not use_llm:
        previous = load_baseline(baseline_path or DEFAULT_BASELINE)
        if update_baseline:
            from .mentoring import gated_names

            data = updated_baseline(result.summary["metrics"], previous, names=HEADLINE + gated_names(),
                                    n_cases=len(cases))
            target = baseline_target(baseline_path, out_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_baseline(target, data)
            click.echo(f"baseline updated: {target} ({len(data['metrics'])} metrics, {len(cases)} cases)")
        elif not no_gate:
            gate = compare(result.summary["metrics"], previous)
            if dataset_info["filtered"] and gate["status"] != "no-baseline":
                click.echo("note: gating a filtered subset against the full-suite baseline", err=True)
    report = build_report(
        result,
        gate=gate,
        repeats=[r.summary["metrics"] for r in results] if use_llm else None,
        aggregate=aggregate_repeats([r.summary for r in results]) if use_llm else None,
        dataset_info=dataset_info,
    )
    paths = write_reports(report, out_dir)
    _print_headline(report)
    if mentoring:
        from .mentoring import format_table, write_report

        mentoring_path = write_report(mentoring, paths["md"].parent)
        click.echo("\nmentoring suite (dev is tuned against; heldout never is):\n" + format_table(mentoring))
        click.echo(f"mentoring report: {mentoring_path}")
    extra = result.summary["extra"]
    click.echo(f"\n{len(cases)} cases, {mentor.mode} mode, {result.seconds:.1f}s "
               f"(index check {extra['index_seconds']:.1f}s, cases {extra['cases_seconds']:.1f}s). "
               f"Report: {paths['html']} (also {paths['md'].name}, {paths['json'].name})")
    click.echo(f"index: {result.meta.get('index')}")
    if gate is not None:
        if gate["status"] == "no-baseline":
            click.echo(f"no baseline at {baseline_path or DEFAULT_BASELINE}; run `mentor eval --update-baseline` to create one", err=True)
        elif gate["status"] == "fail":
            click.echo("eval gate FAILED: " + ", ".join(gate["failed"]), err=True)
            for line in describe_failures(gate):
                click.echo(f"  {line}", err=True)
            exit_code = 1
        else:
            click.echo("eval gate passed")
    if use_llm:
        extra = result.summary.get("extra", {})
        if judge_obj is not None and extra.get("judge.errors"):
            click.echo(f"warning: the judge returned malformed output for {extra['judge.errors']} case(s); "
                       "see report.json (cases[].judge.error)", err=True)
    return exit_code


def main(argv=None) -> None:
    eval_command.main(args=argv, prog_name=os.environ.get("EVALS_PROG", "python -m evals"))
