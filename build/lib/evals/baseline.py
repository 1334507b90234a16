"""The regression gate: compare headline metrics with evals/baseline.json.

baseline.json maps each metric to the value it had when the baseline was last
updated and how far it may drop before the gate fails:

    {"metrics": {"retrieval.hit@4": {"value": 0.83, "tolerance": 0.03}, ...}, ...}

Every headline metric is higher-is-better. A metric fails when
`current < value - tolerance` or when it is missing from the run. Updating the
baseline is explicit (`mentor eval --update-baseline`); it keeps existing
tolerances and gives new metrics the default.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

DEFAULT_TOLERANCE = 0.03
# Answer-level metrics move in coarser steps on ~70 cases (one case ≈ 0.015-0.02).
TOLERANCES = {
    "step.accuracy": 0.03,
    "redirect.accuracy": 0.03,
}
EPS = 1e-9


class BaselineError(ValueError):
    pass


def load_baseline(path) -> dict | None:
    path = Path(path)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); fix it or run "
                            "`mentor eval --update-baseline`") from None
    metrics = data.get("metrics") if isinstance(data, dict) else None
    if not isinstance(metrics, dict):
        raise BaselineError(f"{path}: expected {{\"metrics\": {{name: {{\"value\": .., \"tolerance\": ..}}}}}}")
    for name, entry in metrics.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), (int, float)):
            raise BaselineError(f"{path}: metric {name!r} needs a numeric 'value'")
    return data


def compare(metrics: dict, baseline: dict | None) -> dict:
    """Gate result: status pass|fail|no-baseline, checks per metric, names of failed metrics."""
    if baseline is None:
        return {"status": "no-baseline", "checks": [], "failed": []}
    checks, failed = [], []
    for name, entry in sorted(baseline["metrics"].items()):
        value = float(entry["value"])
        tolerance = float(entry.get("tolerance", DEFAULT_TOLERANCE))
        current = metrics.get(name)
        if current is None:
            status = "missing"
        elif current < value - tolerance - EPS:
            status = "dropped"
        elif current > value + tolerance + EPS:
            status = "improved"
        else:
            status = "ok"
        if status in ("missing", "dropped"):
            failed.append(name)
        checks.append({"metric": name, "baseline": value, "tolerance": tolerance, "current": current, "status": status})
    return {"status": "fail" if failed else "pass", "checks": checks, "failed": failed}


def describe_failures(gate: dict) -> list[str]:
    out = []
    for c in gate["checks"]:
        if c["status"] == "dropped":
            out.append(f"{c['metric']}: {c['current']:.3f} < baseline {c['baseline']:.3f} - tolerance {c['tolerance']:.3f}")
        elif c["status"] == "missing":
            out.append(f"{c['metric']}: missing from this run (baseline {c['baseline']:.3f})")
    return out


def updated_baseline(metrics: dict, previous: dict | None, *, names, n_cases: int) -> dict:
    old = (previous or {}).get("metrics", {})
    new = {}
    for name in names:
        value = metrics.get(name)
        if value is None:
            continue
        tolerance = old.get(name, {}).get("tolerance", TOLERANCES.get(name, DEFAULT_TOLERANCE))
        new[name] = {"value": round(float(value), 4), "tolerance": tolerance}
    return {
        "_comment": "Headline offline eval metrics (higher is better). The gate fails when a metric drops below "
                    "value - tolerance. Regenerate with `mentor eval --update-baseline` and commit the diff.",
        "updated_at": time.strftime("%Y-%m-%d"),
        "n_cases": n_cases,
        "metrics": new,
    }


def write_baseline(path, data: dict) -> Path:
    path = Path(path)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path
