"""Citation checking: every `[n]` must point at a returned source, and quoted
text right before it must appear verbatim (whitespace-normalised) in that source.

Used on both offline and model answers. A marker that resolves to no source is
removed from the text and reported unverified; a quote not found in its source
stays but is reported unverified with the reason.
"""

from __future__ import annotations

import re

from .tracing import traced
from .types import Citation, Source

MARKER = re.compile(r"\s?\[(\d{1,3})\]")
# A quotation ending right before a marker: “…” [n] or "…" [n] (possibly several markers).
QUOTED = re.compile(r"[\u201c\"](?P<quote>[^\u201c\u201d\"]{3,600})[\u201d\"]\s*(?P<markers>(?:\[\d{1,3}\]\s*)+)")


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split()).lower()


@traced("verify")
def verify_citations(text: str, sources: list[Source]) -> tuple[str, list[Citation]]:
    citations: list[Citation] = []
    quotes_by_marker: dict[int, list[str]] = {}
    for match in QUOTED.finditer(text):
        for n in re.findall(r"\d+", match.group("markers")):
            quotes_by_marker.setdefault(int(n), []).append(match.group("quote"))

    seen: set[int] = set()
    for match in MARKER.finditer(text):
        n = int(match.group(1))
        if n in seen:
            continue
        seen.add(n)
        if not 1 <= n <= len(sources):
            citations.append(Citation(n=n, source_id=None, verified=False, problem="no such source"))
            continue
        source = sources[n - 1]
        bad = [q for q in quotes_by_marker.get(n, []) if _norm(q) not in _norm(source.text)]
        if bad:
            citations.append(
                Citation(n=n, source_id=source.id, verified=False, quote=bad[0], problem="quote not found in source")
            )
        else:
            quoted = quotes_by_marker.get(n)
            citations.append(Citation(n=n, source_id=source.id, verified=True, quote=quoted[0] if quoted else None))

    dangling = {c.n for c in citations if c.source_id is None}
    if dangling:
        text = MARKER.sub(lambda m: "" if int(m.group(1)) in dangling else m.group(0), text)
    return text, citations
