"""Offline eval suite for the Flywheel Mentor: datasets, scorers, runner, report, gate.

Everything goes through the public `assistant.Mentor` API. Run with `mentor eval`
or `python -m evals`; see evals/README.md.
"""

from pathlib import Path

EVALS_DIR = Path(__file__).resolve().parent
DATASETS_DIR = EVALS_DIR / "datasets"
DEFAULT_BASELINE = EVALS_DIR / "baseline.json"
DEFAULT_OUT = EVALS_DIR / "reports" / "latest"
