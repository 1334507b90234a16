"""Write the eval report: report.json, report.md and a self-contained report.html.

The HTML embeds its plots as base64 PNGs (matplotlib, Agg backend) and its CSS
inline, so the one file can be attached to a CI run or opened from disk.
"""

from __future__ import annotations

import base64
import html
import io
import json
import time
from pathlib import Path

from .runner import ANSWER_K, CATEGORY_TABLE, HEADLINE, JUDGE_METRICS, K_MAX

WORST_N = 10

METRIC_HELP = {
    "retrieval.hit@1": "a passage with gold evidence is ranked first",
    "retrieval.hit@4": "gold evidence in the top 4 (what the answer is built from)",
    "retrieval.recall@4": "share of a case's evidence phrases found in the top 4",
    "retrieval.recall@10": "share of evidence phrases found in the top 10",
    "retrieval.mrr": "mean reciprocal rank of the first relevant passage (top 10)",
    "retrieval.ndcg@10": "binary-relevance nDCG over the top 10",
    "answer.context_hit": "the answer's own sources contain gold evidence",
    "step.accuracy": "diagnosed flywheel step equals the expected one (or none)",
    "redirect.accuracy": "redirected exactly the out-of-scope / injection cases",
    "answer.citation_resolution": "every [n] points at a returned source",
    "answer.quote_verbatim": "quoted text before [n] appears verbatim in that source",
    "answer.groundedness": "claim sentences that cite a passage they overlap with (>= 0.5)",
    "answer.must_mention": "required phrases present",
    "answer.must_not_mention": "forbidden phrases absent",
    "answer.shape": "length within bounds and a next action where one is due",
    "judge.faithfulness": "judge: answer supported by its sources (1-5 scaled)",
    "judge.relevance": "judge: answers the mentee's question",
    "judge.actionable": "judge: gives a concrete next step",
    "judge.on_the_wheel": "judge: places the mentee on the flywheel correctly",
    "judge.kind": "judge: tone is kind and encouraging",
}


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


# --------------------------------------------------------------------------- JSON

def build_report(result, *, gate: dict | None = None, repeats: list | None = None, aggregate: dict | None = None,
                 dataset_info: dict | None = None) -> dict:
    return {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "mode": result.mode,
        "model": result.model,
        "seconds": result.seconds,
        "dataset": dataset_info or {},
        "summary": result.summary,
        "gate": gate,
        "repeats": repeats,
        "aggregate": aggregate,
        "cases": result.cases,
    }


def worst_cases(cases: list[dict], n: int = WORST_N) -> list[dict]:
    return sorted(cases, key=lambda c: (c["score"], c["id"]))[:n]


# --------------------------------------------------------------------------- Markdown

def headline_rows(report: dict) -> list[tuple[str, str, str, str, str]]:
    """(metric, value, baseline, delta, status) for the headline table."""
    metrics = report["summary"]["metrics"]
    aggregate = report.get("aggregate") or {}
    gate = report.get("gate") or {}
    checks = {c["metric"]: c for c in gate.get("checks", [])}
    rows = []
    for name in list(HEADLINE) + [m for m in JUDGE_METRICS if m in metrics]:
        if aggregate.get(name) and (report.get("repeats") or 0) and len(report["repeats"]) > 1:
            agg = aggregate[name]
            value = f"{_fmt(agg['mean'])} ± {_fmt(agg['sd'])}"
        else:
            value = _fmt(metrics.get(name))
        check = checks.get(name)
        if check:
            base = f"{_fmt(check['baseline'])} (±{_fmt(check['tolerance'], 2)})"
            delta = "–" if check["current"] is None else f"{check['current'] - check['baseline']:+.3f}"
            status = check["status"]
        else:
            base, delta, status = "–", "–", ""
        rows.append((name, value, base, delta, status))
    return rows


def render_markdown(report: dict) -> str:
    s = report["summary"]
    lines = [
        "# Flywheel Mentor eval report",
        "",
        f"Mode: **{report['mode']}**" + (f" (model `{report['model']}`)" if report.get("model") else "")
        + f" · {s['n_cases']} cases ({s['n_retrieval']} with retrieval labels, {s['n_answered']} answered in scope)"
        + f" · {report['seconds']:.1f}s · {report['generated_at']}",
        "",
    ]
    if report.get("repeats") and len(report["repeats"]) > 1:
        lines += [f"Repeated {len(report['repeats'])} times: values are mean ± sd across runs.", ""]
    gate = report.get("gate")
    if gate:
        lines += [f"Baseline gate: **{gate['status'].upper()}**" + (
            " — dropped: " + ", ".join(gate["failed"]) if gate.get("failed") else ""), ""]
    lines += ["## Headline metrics", "", "| metric | value | baseline (tol) | Δ | status |", "|---|---|---|---|---|"]
    lines += [f"| {m} | {v} | {b} | {d} | {st} |" for m, v, b, d, st in headline_rows(report)]
    extra = s.get("extra") or {}
    lines += ["", f"Latency per case: mean {_fmt(extra.get('latency_mean_s'))}s, max {_fmt(extra.get('latency_max_s'))}s; "
              f"index check {_fmt(extra.get('index_seconds'), 1)}s, cases {_fmt(extra.get('cases_seconds'), 1)}s."]
    if "judge.errors" in extra:
        lines.append(f"Judge errors (malformed judge output): {extra['judge.errors']}.")

    lines += ["", "## Recall@k / hit@k", "", "| k | " + " | ".join(str(k) for k in range(1, K_MAX + 1)) + " |",
              "|---|" + "---|" * K_MAX,
              "| recall | " + " | ".join(_fmt(s["recall_at_k"][k]) for k in range(1, K_MAX + 1)) + " |",
              "| hit | " + " | ".join(_fmt(s["hit_at_k"][k]) for k in range(1, K_MAX + 1)) + " |"]

    cols = CATEGORY_TABLE
    lines += ["", "## Per category", "", "| category | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for cat, row in s["categories"].items():
        lines.append(f"| {cat} | " + " | ".join(_fmt(row[c]) for c in cols) + " |")

    conf = s["confusion"]
    lines += ["", "## Step confusion matrix (rows: expected, columns: diagnosed)", "",
              "| expected \\ diagnosed | " + " | ".join(conf["labels"]) + " |", "|---|" + "---|" * len(conf["labels"])]
    for label, row in zip(conf["labels"], conf["matrix"]):
        lines.append(f"| {label} | " + " | ".join(str(v) if v else "·" for v in row) + " |")

    lines += ["", f"## The {WORST_N} worst cases", ""]
    for c in worst_cases(report["cases"]):
        a = c["answer"]
        problems = _problems(c)
        lines.append(f"- **{c['id']}** ({c['category']}, score {c['score']:.2f}): {c['question']}  ")
        lines.append(f"  {'; '.join(problems) if problems else 'no single failure; several partial scores'}")
        if a.get("text"):
            lines.append(f"  > {' '.join(a['text'].split())[:300]}")
    lines += ["", "Open report.html for plots, retrieved passages and the answers with unsupported sentences marked.", ""]
    return "\n".join(lines)


def _problems(c: dict) -> list[str]:
    a = c["answer"]
    out = []
    if not a["redirect_correct"]:
        out.append("redirected an in-scope question" if not c["expect_redirect"] else "answered instead of redirecting")
    if not c["step_correct"]:
        out.append(f"step {c['predicted_step'] or 'none'} (expected {c['expected_step'] or 'none'})")
    r = c.get("retrieval")
    if r and not r["hit"][ANSWER_K]:
        ranks = [x["rank"] for x in r["retrieved"] if x["relevant"]]
        out.append("no gold evidence in top 4" + (f" (first at rank {ranks[0]})" if ranks else " (not in top 10)"))
    if a.get("groundedness") is not None and a["groundedness"] < 0.5:
        out.append(f"groundedness {a['groundedness']:.2f}")
    if a.get("quote_verbatim") is not None and a["quote_verbatim"] < 1:
        out.append("a quote is not verbatim in its source")
    if a.get("citation_resolution") is not None and a["citation_resolution"] < 1:
        out.append("a [n] does not resolve")
    if a["must_mention_missing"]:
        out.append("missing: " + ", ".join(a["must_mention_missing"]))
    if a["violations"]:
        out.append("says: " + ", ".join(a["violations"]))
    if a["shape"] < 1:
        out.append(f"shape {a['shape']:.2f} ({a['words']} words, next action: {'yes' if a['next_action'] else 'no'})")
    j = c.get("judge")
    if j and j.get("error"):
        out.append("judge error")
    return out


# --------------------------------------------------------------------------- plots

def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def plots(report: dict) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = report["summary"]
    out = {}
    ks = list(range(1, K_MAX + 1))

    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.plot(ks, [s["recall_at_k"][k] or 0 for k in ks], marker="o", label="recall@k")
    ax.plot(ks, [s["hit_at_k"][k] or 0 for k in ks], marker="s", linestyle="--", label="hit@k")
    ax.axvline(ANSWER_K, color="grey", linewidth=0.8, linestyle=":")
    ax.text(ANSWER_K + 0.1, 0.03, f"answer k={ANSWER_K}", color="grey", fontsize=8)
    ax.set_xticks(ks)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("k")
    ax.set_title(f"Retrieval over {s['n_retrieval']} labelled cases")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    out["recall"] = _png(fig)

    conf = s["confusion"]
    if conf["labels"]:
        import numpy as np

        m = np.array(conf["matrix"], dtype=float)
        fig, ax = plt.subplots(figsize=(6.4, 5.2))
        ax.imshow(m, cmap="Blues")
        ax.set_xticks(range(len(conf["labels"])), conf["labels"], rotation=45, ha="right")
        ax.set_yticks(range(len(conf["labels"])), conf["labels"])
        for i in range(len(conf["labels"])):
            for j in range(len(conf["labels"])):
                if m[i, j]:
                    ax.text(j, i, int(m[i, j]), ha="center", va="center",
                            color="white" if m[i, j] > m.max() / 2 else "black")
        ax.set_xlabel("diagnosed")
        ax.set_ylabel("expected")
        ax.set_title("Step diagnosis")
        out["confusion"] = _png(fig)

    d = s["distributions"]
    fig, axes = plt.subplots(1, 3, figsize=(10, 2.8))
    bins = [i / 10 for i in range(11)]
    for ax, key, title in zip(axes, ("case_score", "groundedness", "mrr"),
                              ("case score", "groundedness (answered)", "reciprocal rank")):
        values = [v for v in d[key] if v is not None]
        ax.hist(values, bins=bins, color="#4c72b0", edgecolor="white")
        ax.set_title(f"{title} (n={len(values)})", fontsize=10)
        ax.set_xlim(0, 1)
    fig.tight_layout()
    out["hist"] = _png(fig)
    return out


# --------------------------------------------------------------------------- HTML

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
h1{margin-bottom:.2em} h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0} td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left} th{background:#f4f4f4}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.muted{color:#777}
.case{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin:1em 0}
.case h3{margin:.2em 0}.answer{white-space:pre-wrap;background:#fafafa;border-left:3px solid #ccc;padding:.5em .8em}
mark.unsupported{background:#ffd7d5;text-decoration:underline wavy #cf222e}
mark.supported{background:#dafbe1}
.rel{color:#1a7f37}.irr{color:#777}.small{font-size:12px}
img{max-width:100%}
.grid{display:flex;gap:1em;flex-wrap:wrap;align-items:flex-start}
"""


def _esc(text) -> str:
    return html.escape(str(text if text is not None else ""))


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def marked_answer(answer: dict) -> str:
    """The answer text with claim sentences highlighted: red = unsupported, green = supported."""
    text = _esc(answer.get("text") or "")
    for sentence in answer.get("sentences") or []:
        if sentence["kind"] != "claim":
            continue
        escaped = _esc(sentence["text"])
        cls = "supported" if sentence["supported"] else "unsupported"
        title = f"overlap {sentence['overlap']}" if sentence.get("overlap") is not None else ""
        text = text.replace(escaped, f'<mark class="{cls}" title="{_esc(title)}">{escaped}</mark>', 1)
    return text


def _case_html(c: dict) -> str:
    a = c["answer"]
    turns = "".join(f"<li>{_esc(t)}</li>" for t in c["turns"])
    parts = [f'<div class="case"><h3>{_esc(c["id"])} <span class="muted small">{_esc(c["category"])} · '
             f'score {c["score"]:.2f}</span></h3>',
             f"<ol class='small'>{turns}</ol>"]
    if c.get("standalone_question"):
        parts.append(f"<p class='small muted'>standalone question: {_esc(c['standalone_question'])}</p>")
    problems = _problems(c)
    if problems:
        parts.append("<p class='fail small'>" + _esc("; ".join(problems)) + "</p>")
    parts.append(f"<p class='small'>step: expected <b>{_esc(c['expected_step'] or 'none')}</b>, diagnosed "
                 f"<b>{_esc(c['predicted_step'] or 'none')}</b> · redirect expected {c['expect_redirect']}, "
                 f"in scope {a['in_scope']}</p>")
    if c.get("evidence"):
        gold = ", ".join(f"“{_esc(e)}”" for e in c["evidence"])
        parts.append(f"<p class='small'><b>gold evidence:</b> {gold}</p>")
    r = c.get("retrieval")
    if r:
        rows = []
        for x in r["retrieved"][:K_MAX]:
            cls = "rel" if x["relevant"] else "irr"
            matched = ", ".join(x["matched"])
            rows.append([str(x["rank"]), f"<span class='{cls}'>{'✔' if x['relevant'] else '✘'}</span>",
                         _esc(x["kind"]), _esc(x["section"]), f"<span class='small'>{_esc(x['snippet'][:160])}</span>",
                         _esc(matched)])
        parts.append("<details><summary class='small'>retrieved (top 10)</summary>"
                     + _table(["#", "gold", "kind", "section", "passage", "matched"], rows) + "</details>")
    parts.append(f"<div class='answer'>{marked_answer(a)}</div>")
    if a.get("sources"):
        srcs = "".join(f"<li>[{s['n']}] {_esc(s['kind'])} · {_esc(s['section'])}</li>" for s in a["sources"])
        parts.append(f"<ul class='small muted'>{srcs}</ul>")
    j = c.get("judge")
    if j:
        if j.get("error"):
            parts.append(f"<p class='small fail'>judge error: {_esc(j['error'])}</p>")
        else:
            parts.append("<p class='small'>judge: " + ", ".join(f"{k} {v:.2f}" for k, v in j["scores"].items())
                         + (f" — {_esc(j.get('reason', ''))}" if j.get("reason") else "") + "</p>")
    parts.append("</div>")
    return "".join(parts)


def render_html(report: dict) -> str:
    s = report["summary"]
    imgs = plots(report)
    rows = []
    for m, v, b, d, st in headline_rows(report):
        cls = "pass" if st == "ok" else "fail" if st in ("dropped", "missing") else ""
        rows.append([f"<span title='{_esc(METRIC_HELP.get(m, ''))}'>{_esc(m)}</span>", _esc(v), _esc(b), _esc(d),
                     f"<span class='{cls}'>{_esc(st)}</span>"])
    gate = report.get("gate")
    gate_html = ""
    if gate:
        cls = "pass" if gate["status"] == "pass" else "fail"
        gate_html = f"<p>Baseline gate: <span class='{cls}'>{_esc(gate['status'].upper())}</span>"
        if gate.get("failed"):
            gate_html += " — dropped beyond tolerance: " + _esc(", ".join(gate["failed"]))
        gate_html += "</p>"
    cols = CATEGORY_TABLE
    cat_rows = [[_esc(cat)] + [_esc(_fmt(row[c])) for c in cols] for cat, row in s["categories"].items()]
    conf = s["confusion"]
    conf_rows = [[_esc(label)] + [str(v) if v else "<span class='muted'>·</span>" for v in row]
                 for label, row in zip(conf["labels"], conf["matrix"])]
    help_rows = [[_esc(m), _esc(METRIC_HELP.get(m, ""))] for m in list(HEADLINE) + list(JUDGE_METRICS)
                 if m in s["metrics"]]
    repeats = report.get("repeats") or []
    title = "Flywheel Mentor eval report"
    body = [
        f"<h1>{title}</h1>",
        f"<p class='muted'>mode <b>{_esc(report['mode'])}</b>"
        + (f" · model <code>{_esc(report['model'])}</code>" if report.get("model") else "")
        + f" · {s['n_cases']} cases · {report['seconds']:.1f}s · {_esc(report['generated_at'])}"
        + (f" · {len(repeats)} repeats (mean ± sd)" if len(repeats) > 1 else "") + "</p>",
        gate_html,
        "<h2>Headline metrics</h2>",
        _table(["metric", "value", "baseline (tol)", "Δ", "status"], rows),
        "<h2>Retrieval: recall@k, k = 1–10</h2>",
        f"<img alt='recall at k' src='{imgs['recall']}'>",
        "<h2>Per category</h2>",
        _table(["category"] + cols, cat_rows),
        "<h2>Step diagnosis</h2>",
        "<div class='grid'>",
        f"<img alt='confusion matrix' src='{imgs['confusion']}' style='max-width:520px'>" if "confusion" in imgs else "",
        "<div style='overflow-x:auto;max-width:100%'>" + _table(["expected \\ diagnosed"] + conf["labels"], conf_rows) + "</div>",
        "</div>",
        "<h2>Score distributions</h2>",
        f"<img alt='histograms' src='{imgs['hist']}'>",
        f"<h2>The {WORST_N} worst cases</h2>",
        "<p class='small'>Claim sentences are marked <mark class='unsupported'>unsupported</mark> or "
        "<mark class='supported'>supported</mark> by the passages they cite (see the README, section Evals, for the rule).</p>",
        "".join(_case_html(c) for c in worst_cases(report["cases"])),
        "<h2>What the metrics mean</h2>",
        _table(["metric", "meaning"], help_rows),
    ]
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>")


def write_reports(report: dict, out_dir) -> dict[str, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "md": out / "report.md", "html": out / "report.html"}
    paths["json"].write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    paths["md"].write_text(render_markdown(report), encoding="utf-8")
    paths["html"].write_text(render_html(report), encoding="utf-8")
    return paths
