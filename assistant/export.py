"""The conversation and the mentee's journal as one Markdown document (the page's download).

Every text in it goes through the same sanitiser as the page (no remote images or raw
HTML survive into a file some viewer will render) and the same redaction as the journal.
"""

from __future__ import annotations

import datetime as _dt
import re

from .safety.markdown import sanitize_inline, sanitize_markdown
from .safety.redaction import redact
from .session import Session
from .types import source_label, step_label


def _md(text: str | None) -> str:
    return sanitize_markdown(redact(text or ""))


def _inline(text: str | None) -> str:
    return sanitize_inline(redact(text or ""))

def _when(ts: float | None) -> str:
    if not ts:
        return ""
    return _dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def export_filename(session: Session, now: _dt.datetime | None = None) -> str:
    now = now or _dt.datetime.now()
    who = re.sub(r"[^A-Za-z0-9_-]+", "-", session.name or "").strip("-").lower()
    return f"flywheel-mentor-{who + '-' if who else ''}{now:%Y%m%d-%H%M}.md"


def export_markdown(session: Session, now: _dt.datetime | None = None) -> str:
    """Journal (spin, step, commitments) first, then the conversation with each
    answer's step, next action and sources."""
    now = now or _dt.datetime.now()
    title = f"Flywheel Mentor — {_inline(session.name)}" if session.name else "Flywheel Mentor — conversation"
    out = [f"# {title}", "", f"_Exported {now:%Y-%m-%d %H:%M}_", "", "## Journal", ""]
    out.append(f"- **Spin:** {session.spin}")
    out.append(f"- **Current step:** {step_label(session.step.value if session.step else None)}")
    out.append("")
    out.append("### Commitments")
    out.append("")
    if session.commitments:
        for c in session.commitments:
            box = "x" if c.done else " "
            where = f" _(spin {c.spin}, {step_label(c.step)})_" if c.step else f" _(spin {c.spin})_"
            out.append(f"- [{box}] {_inline(c.text)}{where}")
    else:
        out.append("_No commitments yet._")
    out += ["", "## Conversation", ""]
    if not session.turns:
        out.append("_No messages in this conversation._")
    for turn in session.turns:
        stamp = _when(turn.at)
        if turn.role == "user":
            out.append(f"### You{' · ' + stamp if stamp else ''}")
            out += ["", _md(turn.text), ""]
            continue
        out.append(f"### Mentor{' · ' + stamp if stamp else ''}")
        out += ["", _md(turn.text), ""]
        if turn.step:
            out.append(f"- **Step:** {step_label(turn.step)}")
        if turn.next_action:
            out.append(f"- **Next action:** {_inline(turn.next_action)}")
        if turn.sources:
            out.append("- **Sources:**")
            for i, src in enumerate(turn.sources, 1):
                label = source_label(src.get("title", ""), src.get("section", ""))
                out.append(f"  {i}. [{_inline(src.get('kind', ''))}] {_inline(label)}")
                if src.get("quote"):
                    out.append(f"     > {_inline(src['quote'])}")
        out.append("")
    return redact("\n".join(out)).rstrip() + "\n"
