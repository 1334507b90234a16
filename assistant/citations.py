"""Citation checking: every `[n]` must point at a returned source, and quoted
text right before it must appear verbatim in that source.

The quote rule (shared with the eval's own, separately written check; README "The quote
rule", cases both must pass in tests/data/quote_rule_cases.yaml): both texts have curly
quotes and apostrophes made straight, whitespace collapsed and case folded; the quote loses
surrounding whitespace, trailing punctuation and leading/trailing ellipses; an ellipsis
(… or ...) inside it splits it into fragments that must each appear in the source, in order.

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


_STRAIGHTEN = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_ELLIPSIS = re.compile(r"\u2026|\.\.\.")


def _norm(text: str) -> str:
    return " ".join(text.translate(_STRAIGHTEN).split()).casefold()


def quote_found(quote: str, source_text: str) -> bool:
    """The quote rule (module docstring): True when the quote is in the source."""
    fragments = [_norm(f).strip(" ,;:.!?") for f in _ELLIPSIS.split(quote)]
    fragments = [f for f in fragments if f]
    if not fragments:
        return False
    haystack, pos = _norm(source_text), 0
    for fragment in fragments:
        found = haystack.find(fragment, pos)
        if found < 0:
            return False
        pos = found + len(fragment)
    return True


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
        bad = [q for q in quotes_by_marker.get(n, []) if not quote_found(q, source.text)]
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
