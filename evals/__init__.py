"""Offline eval suite for the Flywheel Mentor: datasets, scorers, runner, report, gate.

Everything goes through the public `assistant.Mentor` API. Run with `mentor eval`
or `python -m evals`; see the README's Evals section.
"""

from pathlib import Path

EVALS_DIR = Path(__file__).resolve().parent
DATASETS_DIR = EVALS_DIR / "datasets"
DEFAULT_BASELINE = EVALS_DIR / "baseline.json"  # read from the package; see baseline_target()
DEFAULT_OUT = Path("mentor-eval-report")  # relative to the working directory, never the installed package


def in_checkout() -> bool:
    """True when `evals` runs from a source checkout (editable install), where the baseline is a
    tracked file to update and commit; False when it is installed (site-packages)."""
    return (EVALS_DIR.parent / "pyproject.toml").is_file()


def baseline_target(explicit: Path | None, out_dir: Path) -> Path:
    """Where `--update-baseline` writes: `--baseline` if given, the tracked file in a checkout,
    else `<out>/baseline.json` (never into an installed package)."""
    if explicit is not None:
        return Path(explicit)
    return DEFAULT_BASELINE if in_checkout() else Path(out_dir) / "baseline.json"
