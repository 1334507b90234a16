"""The offline answer composer: a mentoring answer without a language model.

It is the embedded default. From the diagnosed step, the flywheel data and the
retrieved passages it writes: where the mentee likely is on the wheel, what the
article says (short verbatim quotes with [n] citations into the returned
sources), one concrete next action, and which step comes next. Factual
questions get the most relevant passage, cited; out-of-scope questions get a
short redirect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from .flywheel import Flywheel
from .retrieval import tokenize
from .session import Session
from .types import Source, Step

MAX_QUOTE_WORDS = 45
STORY_MIN_SCORE = 1.0  # see _score: roughly a principle name, or two or three shared content words
_SENTENCE = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(A-Z0-9])")
_MARKDOWN_NOISE = re.compile(r"^\s*(?:[-*•]\s+|\d+\.\s+|#+\s+)|\*\*|__|\[[^\]]*\]\([^)]*\)")

ABOUT_THE_ARTICLE = re.compile(r"\b(?:author|article|carlos|he|his|him|the writer|the post|spin)\b", re.IGNORECASE)

OPENERS = {
    Step.DELIVER_RESULTS: "Whether you feel stuck or are rebuilding after a setback, the wheel restarts with its least glamorous step.",
    Step.EARN_TRUST: "You are doing the work; the question is whether it is turning into trust you can later spend.",
    Step.OWNERSHIP_THINK_BIG: "It sounds like you have earned some trust, and now the question is what to spend it on.",
    Step.INVENT_AND_SIMPLIFY: "You have found a problem worth owning; now the work is turning it into something solvable.",
    Step.BIAS_FOR_ACTION: "A good idea that stays an idea tends to turn into frustration. The way out is to start.",
    Step.ARE_RIGHT_A_LOT: "This is the if-then-else part of the flywheel, and both branches are useful.",
    Step.CUSTOMER_OBSESSION: "Putting the customer at the centre is what makes every other turn of the wheel faster.",
}

REDIRECTS = {
    "injection": (
        "I can't share or change my instructions, but I'm happy to help with your career. "
        "Tell me what's going on at work, for example \"I'm stuck in a rut\" or "
        "\"How do I get my manager to give me more responsibility?\""
    ),
    "off_topic": (
        "That's outside what I can help with: I'm a career mentor built around the leadership-principle "
        "flywheel (Deliver Results, Earn Trust, Ownership and Think Big, Invent and Simplify, Bias for Action, "
        "Are Right a Lot). Ask me about your growth as an engineer, for example \"How do I get out of a rut?\""
    ),
}


@dataclass
class Composition:
    text: str
    next_action: str | None


def sentences(text: str) -> list[str]:
    """Split a passage into sentences that appear verbatim in it (safe to quote)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        for sentence in _SENTENCE.split(line):
            cleaned = _MARKDOWN_NOISE.sub("", sentence).strip()
            if cleaned and cleaned in text and len(cleaned.split()) >= 4:
                out.append(cleaned)
    return out


def _overlap(a: set[str], sentence: str) -> float:
    words = set(tokenize(sentence))
    return len(a & words) / (1 + len(words) ** 0.5)


def _score(sentence: str, focus: set[str], names: tuple[str, ...]) -> float:
    score = _overlap(focus, sentence)
    lowered = sentence.lower()
    score += sum(1.5 for name in names if name.lower() in lowered)
    if len(sentence.split()) < 8:
        score -= 1.0
    return score


def best_quote(source: Source, focus: set[str], used: set[str], names: tuple[str, ...] = (),
               max_words: int = MAX_QUOTE_WORDS) -> str | None:
    candidates = [s for s in sentences(source.text) if s not in used and len(s.split()) <= max_words]
    # Skip sentences that are themselves quotations or the flywheel data's signal lists.
    candidates = [s for s in candidates if not s.startswith(("You may be at this step", "\u201c", '"'))]
    if not candidates:
        return None
    return max(candidates, key=lambda s: (_score(s, focus, names), -len(s)))


def quote(text: str, n: int) -> str:
    return f"\u201c{text.strip()}\u201d [{n}]"


def pick_action(actions: tuple[str, ...], focus: set[str], session: Session | None) -> str | None:
    if not actions:
        return None
    taken = {c.text.lower() for c in (session.commitments if session else [])}
    fresh = [a for a in actions if a.lower() not in taken] or list(actions)
    # Stable order among ties: the flywheel file lists actions in its preferred order.
    return max(fresh, key=lambda a: (_overlap(focus, a), -fresh.index(a)))


class OfflineComposer:
    """Answers without a model. Same interface as the LLM answerer: `stream(request)`."""

    mode = "offline"
    model = None

    def __init__(self, flywheel: Flywheel) -> None:
        self.flywheel = flywheel

    def compose(self, question: str, sources: list[Source], step: Step | None, session: Session | None = None,
                scope_reason: str = "career") -> Composition:
        if scope_reason != "career":
            return Composition(REDIRECTS.get(scope_reason, REDIRECTS["off_topic"]), None)
        if step is None:
            return self._factual(question, sources)
        return self._mentoring(question, sources, step, session)

    def stream_text(self, text: str) -> Iterator[str]:
        # The composer is instant; yield word groups so streaming UIs behave the same in both modes.
        words = re.split(r"(\s+)", text)
        for i in range(0, len(words), 12):
            yield "".join(words[i : i + 12])

    # --- the two answer shapes ------------------------------------------------
    def _mentoring(self, question: str, sources: list[Source], step: Step, session: Session | None) -> Composition:
        info = self.flywheel[step]
        focus = set(tokenize(question)) | set(tokenize(info.name + " " + info.idea))
        parts: list[str] = []

        where = f"{OPENERS.get(step, '')} From what you describe, you are most likely at **{info.name}**"
        where += f" (step {info.order} of 6)" if info.order else " (the accelerant of the flywheel)"
        where += f": {info.idea[0].lower() + info.idea[1:]}"
        # The flywheel passage for this step holds the idea, the next actions and what moves
        # you on: cite it wherever the answer uses them.
        step_n = next((n for n, x in enumerate(sources, 1) if x.kind == "flywheel" and x.steps == [step.value]), None)
        cite = f" [{step_n}]" if step_n else ""
        if cite and where.endswith("."):
            where = where[:-1] + cite + "."
        elif cite:
            where += cite
        if session and session.spin > 1:
            where += f" You are on spin {session.spin} of your own flywheel, so the scope this time should be bigger than last time."
        parts.append(where.strip())

        used: set[str] = set()
        names = info.principles or (info.name,)
        numbered = list(enumerate(sources, 1))
        article = [(n, x) for n, x in numbered if x.kind == "article" and not x.spin]
        article.sort(key=lambda p: step.value not in p[1].steps)  # passages on this step first
        principle = [(n, x) for n, x in numbered if x.kind == "principle"]
        principle.sort(key=lambda p: p[1].section not in names)
        stories = [(n, x) for n, x in numbered if x.kind == "article" and x.spin]

        if article:
            n, source = article[0]
            q = best_quote(source, focus, used, names)
            if q:
                used.add(q)
                parts.append("The article puts it this way: " + quote(q, n))
        if stories:
            n, source = stories[0]
            q = best_quote(source, focus, used, names)
            # A story line must be about this step or this question, not just nearby text.
            if q and _score(q, focus, names) >= STORY_MIN_SCORE:
                used.add(q)
                parts.append(f"The author lived this in spin {source.spin} of his own flywheel: " + quote(q, n))
        # The step's own principles, or a principle the question itself is closest to.
        principle = [(n, x) for n, x in principle if x.section in names or n <= 2]
        if principle and len(parts) < 4:
            n, source = principle[0]
            q = best_quote(source, focus, used, names)
            if q:
                used.add(q)
                parts.append(f"The principle of **{source.section}** adds: " + quote(q, n))

        open_items = session.open_commitments if session else []
        if open_items:
            parts.append(f"Before adding more: you committed to \u201c{open_items[-1].text}\u201d. If that is still open, finishing it is part of this step.")

        action = pick_action(info.next_actions, focus, session)
        if action:
            parts.append(f"**Your next action:** {action}{cite}")

        nxt = self.flywheel[step.next]
        if step is Step.ARE_RIGHT_A_LOT:
            parts.append(
                "**What comes next:** if you were right, the bigger results feed straight back into "
                f"**{nxt.name}** and your trust grows; if not, say so openly, take the lessons and iterate. "
                "Either way the wheel turns again with more scope."
            )
        elif step is Step.CUSTOMER_OBSESSION:
            parts.append(f"**What comes next:** use what you learn about your customers to aim your next **{nxt.name}** move at what matters most to them.")
        else:
            moves = info.moves_on_when.strip()
            if moves and cite and moves.endswith("."):
                moves = moves[:-1] + cite + "."
            parts.append(f"**What comes next:** {moves} Then you are at **{nxt.name}**." if moves else f"**What comes next:** **{nxt.name}**.")
        return Composition("\n\n".join(parts), action)

    def _factual(self, question: str, sources: list[Source]) -> Composition:
        if not sources:
            return Composition("I couldn't find anything about that in the flywheel article or the principles.", None)
        focus = set(tokenize(question))
        used: set[str] = set()
        numbered = list(enumerate(sources, 1))  # citation numbers follow the returned sources
        if ABOUT_THE_ARTICLE.search(question):  # about the author's story: lead with the article
            numbered.sort(key=lambda p: p[1].kind != "article")
        lead_n, top = numbered[0]
        lead = self._quote_block(top, lead_n, focus, used, max_quotes=2)
        parts = [f"Here is what the {_kind_phrase(top)} says: " + lead]
        for n, source in numbered[1:3]:
            if _overlap(focus, source.text) <= 0:
                continue
            q = best_quote(source, focus, used)
            if q and _overlap(focus, q) > 0:
                used.add(q)
                where = f"spin {source.spin}" if source.spin else source.section or source.title
                parts.append(f"Related, from {where}: " + quote(q, n))
                break
        parts.append("If you tell me about your own situation, I can place you on the flywheel and suggest a next step.")
        return Composition("\n\n".join(parts), None)

    def _quote_block(self, source: Source, n: int, focus: set[str], used: set[str], max_quotes: int) -> str:
        ranked = [s for s in sentences(source.text) if len(s.split()) <= MAX_QUOTE_WORDS]
        if source.kind == "principle":
            ranked = ranked[:max_quotes]  # a definition reads best from its opening sentences
        else:
            ranked = sorted(ranked, key=lambda s: _overlap(focus, s), reverse=True)[:max_quotes]
        # Keep the passage's own order so the quote reads naturally.
        ordered = [s for s in sentences(source.text) if s in ranked]
        used.update(ordered)
        if not ordered:
            return quote(source.text[:300].rsplit(" ", 1)[0], n)
        return " ".join(quote(s, n) for s in ordered)


def _kind_phrase(source: Source) -> str:
    if source.kind == "principle":
        return f"principle **{source.section}**" if source.section else "principle"
    if source.kind == "flywheel":
        return "flywheel"
    return f"article ({source.section})" if source.section else "article"
