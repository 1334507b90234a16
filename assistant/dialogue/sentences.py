"""The article and principles, sentence by sentence: quotes by meaning and factual answers.

Every quotable sentence of the indexed article and principle passages is embedded
once (at index time, cached on disk by content hash) together with the passage it
came from. The composer quotes the sentence that carries the advice for *this*
message (cosine to the message), and factual questions are answered from the
best sentences across the whole article, with cues from the question's type
(a number, a when, a why, which principle).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..retrieval import tokenize
from .fact_ranker import ABOUT_AUTHOR
from ..store import StoredChunk

_SPLIT = re.compile(r"(?<=[.!?…])[\"”’)*]*\s+(?=[\"“‘(A-Z0-9#])")
_MARKDOWN_NOISE = re.compile(r"^\s*(?:[-*•]\s+|\d+\.\s+|#+\s+)|\*\*|__|\*|\[[^\]]*\]\([^)]*\)")
# Weights of a sentence's score for factual answers, tuned on evals/mentoring/dev facts only.
LEXICAL_WEIGHT = 0.15
PASSAGE_WEIGHT = 0.3
# With the learned ranker: a further sentence joins the answer when it is this likely relative to the
# best, up to ANSWER_LIMIT sentences picked by score (the context a picked sentence needs comes on top).
# Chosen by cross-validation on the training questions (`benchmarks/fact_ranker_cv.py`):
# 3 and 0.2 return a labelled sentence for 0.778 of held-back questions against 0.712 for 2 and 0.3,
# at 2.9 sentences per answer instead of 2.3.
RANKER_KEEP = 0.2
ANSWER_LIMIT = 3
MIN_QUOTE_WORDS = 7
MAX_QUOTE_WORDS = 50
# Sentences that only point elsewhere ("The next step is Bias for Action.") carry no advice.
SIGNPOST = re.compile(r"^(?:the next step is|next was|my initial advice|let me give you|i've spoken about|"
                      r"this is the time where|now, your turn|hi!)", re.IGNORECASE)

NUMBER = re.compile(r"\b\d[\d,.]*\s*k?\b|\b(?:one|two|three|four|five|six|ten|twelve|hundreds?|thousands?|millions?|"
                    r"dozens?|tens)\b", re.IGNORECASE)
YEAR_OR_TIME = re.compile(r"\b(?:19|20)\d{2}\b|\b(?:after|during|before|back in|in the course of|months?|years?|"
                          r"day|weekends|eventually|then|once)\b", re.IGNORECASE)
# Below this ranker probability, a lead is given only from the answer's best-ranked sentence, and only when
# every answering sentence that holds a span holds the same one.
LEAD_CONFIDENCE = 0.4
# The span a "how long / when / how many" question asks for, read out of the sentence that answers it.
_COUNT = r"(?:\d[\d,.]*k?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a dozen|a|an)"
DURATION = re.compile(rf"\b{_COUNT}\s+(?:months?|years?|weeks?|days?|quarters?|hours?)\b", re.IGNORECASE)
HOW_LONG = re.compile(r"\bhow long\b|\bhow many (?:months|years|weeks|days|quarters)\b", re.IGNORECASE)
HOW_MANY = re.compile(r"\bhow many (?P<noun>[a-z]+?)s?\b", re.IGNORECASE)
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
NAMED_DAY = re.compile(r"\b(?:during|on) (?P<day>[A-Z][\w-]+(?: [A-Z][\w-]+)?)")
BECAUSE = re.compile(r"\b(?:because|should have|so (?:i|that)|due to|which makes sense|it was|that's why|"
                     r"failed|since|leads? to|inevitably|in order to)\b", re.IGNORECASE)
PRINCIPLE_NAME = re.compile(r"\b(?:Deliver(?:ing|ed)? (?:\(Much Bigger\) )?Results|Earns? (?:\(More\) )?Trust|Ownership|"
                            r"Think Big(?:ger)?|Invent and Simplify|Dive Deep|Bias for Action|(?:Are|Is) Right a Lot|"
                            r"Customer Obsession|Vocally Self Critical)\b")

QUESTION_TYPES = {
    "number": re.compile(r"\bhow (?:many|much|long|big|far)\b|\bwhat (?:number|size|scale)\b|\bin total\b|"
                         r"\bhow many lines\b|\bcount\b", re.IGNORECASE),
    "when": re.compile(r"\bwhen\b|\bwhat year\b|\bwhich year\b|\bwhat day\b|\bat what point\b", re.IGNORECASE),
    "why": re.compile(r"\bwhy\b|\bwhat caused\b|\bthe cause\b|\breason\b|\bhow come\b", re.IGNORECASE),
    "principle": re.compile(r"\bwhich (?:leadership )?(?:principle|lp)s?\b|\bwhat (?:leadership )?(?:principle|lp)s?\b",
                            re.IGNORECASE),
}
# Words nearly every question about the story uses: they say nothing about which sentence answers it.
# "Leadership Principle" is rare in the article's own text, so BM25 rewards any sentence that
# says it ("I've always been fascinated by the Leadership Principles") over the one that answers.
QUESTION_NOISE = frozenset({"author", "article", "say", "says", "describe", "mention", "according", "write", "wrote", "post",
                            "tell", "leadership", "principle", "principl", "principles", "lp", "lps", "amazon"})


def question_type(question: str) -> str:
    """number, when, why, principle or what: the first type whose cue the question carries."""
    for name, pattern in QUESTION_TYPES.items():
        if pattern.search(question):
            return name
    return "what"


def section_cues(question: str) -> tuple[str, ...]:
    """Sections a question names without saying their heading."""
    if re.search(r"\b(?:close|closes|conclude|concludes|end|ends|wrap(?:s)? up|final words)\b[^?]{0,20}\b(?:article|post|piece)\b",
                 question, re.I):
        return ("Conclusion",)
    if re.search(r"\baccelerant\b", question, re.I):
        return ("Customer Obsession: the accelerant",)
    return ()


# What the author did next, after an event the question names.
WHAT_CAME_AFTER = re.compile(r"\b(?:what did (?:he|the author|carlos|the (?:guy|man|writer|person)(?: in the (?:article|post|story))?) "
                             r"(?:actually |then )?do(?: next)?|how did (?:he|the author) (?:recover|get back|"
                             r"bounce back|come back|rebuild))\b[^?]{0,30}\b(?:after|following)\b|\bget back on track after\b", re.IGNORECASE)
# "What do mentees ask him?": the one kind of question a quoted question answers.
ASKS_ABOUT_QUESTIONS = re.compile(r"\bask(?:s|ed|ing)?\b|\bquestions?\b|\bwonder", re.IGNORECASE)
SPANS_SEVERAL = re.compile(r"\b(?:in total|altogether|adding up|add up|sum of|across|all (?:the|his|five|of the) spins|each spin|every spin|"
                           r"over the spins|throughout|sequence|in order|how did .* grow|from .* to)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    text: str
    chunk_id: str
    kind: str
    section: str
    spin: int | None
    position: int  # order within the whole corpus (file position, then chunk position)


_LEADING_MARKER = re.compile(r"^\s*(?:[-*•]\s+|\d+\.\s+|#+\s+)")
_COMPLETE = re.compile(r"^[\"“‘(A-Z0-9#].*[.!?…:\"”’)]$", re.DOTALL)


def split_sentences(text: str) -> list[str]:
    """Whole sentences that appear verbatim in `text` (safe to quote). Inline emphasis is
    kept (a quote must match its source); a piece cut off at a chunk's edge is dropped."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        for piece in _SPLIT.split(line):
            cleaned = _LEADING_MARKER.sub("", piece).strip()
            if cleaned and cleaned in text and _COMPLETE.match(cleaned):
                out.append(cleaned)
    return out


_NOTE = re.compile(r"\bstep \d\b|\bflywheel\b|\bnext step\b|#\d|\bthis principle\b", re.IGNORECASE)


SPIN_MENTION = re.compile(r"\bspin\s*#?\s*\d\b", re.IGNORECASE)
DANGLING = re.compile(r"^(?:It|This|That|These|Those)\s+(?!is\b|was\b|means\b|works\b)")


def quotable(sentence: str, kind: str = "article") -> bool:
    """Whole advice sentences only: no signposts, no questions, and no principle note that
    only points at the flywheel ("It is the other half of step 3")."""
    if _NOTE.search(sentence) and (kind == "principle" or len(sentence.split()) < 15 and not sentence.startswith("Think")):
        return False
    words = len(sentence.split())
    if DANGLING.match(sentence):  # "It got rolled into…": what "it" is lies in the sentence before
        return False
    return (MIN_QUOTE_WORDS <= words <= MAX_QUOTE_WORDS and not SIGNPOST.match(sentence)
            and not sentence.startswith(("\u201c", '"')) and not sentence.endswith(":"))


class SentenceIndex:
    def __init__(self, chunks: list[StoredChunk], embedder, cache_dir=None) -> None:
        from ..diagnosis import signal_vectors

        self.chunks = {c.id: c for c in chunks}
        self._embedder = embedder
        seen: set[str] = set()
        items: list[Sentence] = []
        ordered = sorted(
            (c for c in chunks if c.meta.get("kind") in ("article", "principle")),
            key=lambda c: (c.meta.get("file", ""), int(c.meta.get("position", 0))),
        )
        for k, c in enumerate(ordered):
            text_of_chunk = c.text
            following = ordered[k + 1] if k + 1 < len(ordered) else None
            if (following is not None and following.meta.get("file") == c.meta.get("file")
                    and following.text.startswith(". ") and not text_of_chunk.rstrip().endswith((".", "!", "?", ":"))):
                text_of_chunk = text_of_chunk.rstrip() + "."  # the splitter cut at ". ": the last sentence's full stop opens the next chunk
            for text in split_sentences(text_of_chunk):
                if text in seen or len(text.split()) < 4:
                    continue
                seen.add(text)
                spin = c.meta.get("spin")
                items.append(Sentence(text, c.id, c.meta.get("kind", ""), c.meta.get("section", ""),
                                      int(spin) if spin is not None else None, len(items)))
        self.sentences = items
        # Embedded under their section heading and summary: "it failed" means more inside "Spin 1: an outage".
        summaries = {c.id: c.meta.get("context", "") for c in chunks}
        contextual = [f"{s.section}. {summaries.get(s.chunk_id, '')}\n{s.text}" if s.kind == "article" else
                      f"{s.section}. {s.text}" for s in items]
        self.vectors = signal_vectors(contextual, embedder, cache_dir) if items else np.zeros((0, 384))
        from rank_bm25 import BM25Okapi

        self.bm25 = BM25Okapi([tokenize(s.text) for s in items]) if items else None  # the ranker reads it too
        from .fact_ranker import FactRanker

        self.ranker: FactRanker | None = FactRanker(self, embedder, cache_dir) if items else None

    # --- quotes ---------------------------------------------------------------------
    def best_quote(self, vector: np.ndarray, *, sections: tuple[str, ...] = (), kinds: tuple[str, ...] = ("article",),
                   spins: tuple[int, ...] = (), exclude: set[str] = frozenset(), names: tuple[str, ...] = ()) -> Sentence | None:
        """The quotable sentence closest in meaning to `vector`, within the given sections/spins."""
        best, best_score = None, -9.0
        sims = self.vectors @ vector if len(self.sentences) else []
        for i, s in enumerate(self.sentences):
            if s.kind not in kinds or s.text in exclude or not quotable(s.text, s.kind):
                continue
            if sections and s.section not in sections:
                continue
            if spins and s.spin not in spins:
                continue
            score = float(sims[i]) + sum(0.05 for name in names if name.lower() in s.text.lower())
            if score > best_score:
                best, best_score = s, score
        return best

    # --- factual answers -------------------------------------------------------------
    def short_fact(self, question: str, vector, found: list[Sentence]) -> str | None:
        """"12 months", "2012, during Cybermonday", "5 teams": the span a how-long, when or how-many question
        asks for, from the best-ranked of `found` that holds one; None for other questions or when none does."""
        if HOW_LONG.search(question):
            span = lambda text: DURATION.search(text)  # noqa: E731
        elif QUESTION_TYPES["when"].search(question):
            span = lambda text: YEAR.search(text)  # noqa: E731
        elif (many := HOW_MANY.search(question)) and not HOW_LONG.search(question):
            noun = re.escape(many.group("noun").lower())
            span = lambda text: re.search(rf"\b{_COUNT}\s+(?:[a-z]+\s+)?{noun}s?\b", text, re.IGNORECASE)  # noqa: E731
        else:
            return None
        holding = [s for s in found if span(s.text)]
        if not holding:
            return None
        if self.ranker is not None and self.ranker.weights is not None and vector is not None:
            scores = self.ranker.probabilities(question, vector)
            rank = {id(x): float(scores[i]) for i, x in enumerate(self.sentences)}
            holding.sort(key=lambda s: rank.get(id(s), 0.0), reverse=True)
            best_overall = max(found, key=lambda s: rank.get(id(s), 0.0))
            spans = {span(x.text).group(0).lower() for x in holding}
            if rank.get(id(holding[0]), 0.0) < LEAD_CONFIDENCE and (best_overall is not holding[0] or len(spans) > 1):
                # the answer's best sentence holds no span, and the one that does is a weak guess: blind judges saw
                # "2001" (Bezos's flywheel) for the outage, "Ten teams" for a couple of hundred, "four years" for 12 months
                return None
        best = holding[0].text
        said = span(best).group(0)
        if YEAR.fullmatch(said) and (day := NAMED_DAY.search(best)):
            said += f", {day.group(0)}"
        return said

    def answer_sentences(self, question: str, vector: np.ndarray, *, spin: int | None = None,
                         principle: str | None = None, limit: int | None = None,
                         passages: dict[str, float] | None = None) -> list[Sentence]:
        """The sentences that answer a factual question, in reading order.

        Each sentence is scored by meaning (cosine, embedded under its section), by words
        (BM25 over sentences), by how relevant hybrid retrieval found its passage, and by a
        cue for the question's type (a number, a when, a why, a principle's name)."""
        if not self.sentences:
            return []
        qtype = question_type(question)
        limit = ANSWER_LIMIT if limit is None else limit
        named_spins = spins_named(question)
        if len(named_spins) > 1:
            spin = None  # "spin 3 plus spin 4 together": the best sentence of each, below
        came_after = bool(WHAT_CAME_AFTER.search(question))
        if came_after and spin is not None:  # "what did he do after spin 2?" is told in spin 3
            spin = spin + 1 if any(x.spin == spin + 1 for x in self.sentences) else spin
        if re.search(r"\bhow did\b|\bwhat happened\b|\bwhat changed\b", question, re.I):
            qtype, limit = "what", max(limit, 3)
        sections = section_cues(question)
        # "according to the article", "what does he miss": our own principle notes are not his words.
        article_only = principle is None and bool(ABOUT_AUTHOR.search(question))
        if sections == ("Conclusion",):  # the closing is four sentences: all of them
            return [x for x in self.sentences if x.section == "Conclusion"]
        learned = self.ranker.probabilities(question, vector) if self.ranker and self.ranker.weights is not None else None
        if learned is None:  # the hand-weighted score's inputs (no labelled questions locate in this knowledge)
            sims = self.vectors @ vector
            terms = [t for t in tokenize(question) if t not in QUESTION_NOISE]
            lexical = self.bm25.get_scores(terms) if self.bm25 is not None and terms else np.zeros(len(self.sentences))
            top_lexical = float(np.max(lexical)) or 1.0
        scored: list[tuple[float, int]] = []
        for i, s in enumerate(self.sentences):
            if spin is not None and s.spin != spin and not SPANS_SEVERAL.search(question):
                continue  # "the second spin" means that spin's sentences
            if len(named_spins) > 1 and s.spin not in named_spins:
                continue
            if sections and s.section not in sections:
                continue
            if article_only and s.kind != "article":
                continue
            if _quoted_question(s.text) and not ASKS_ABOUT_QUESTIONS.search(question):
                continue  # the mentees' own questions, quoted ("I'm stuck in a rut…?"), are not answers
            if learned is not None:
                defines = principle is not None and s.kind == "principle" and s.section.lower() == principle.lower()
                scored.append((float(learned[i]) + (1.0 if defines else 0.0), i))
                continue
            score = float(sims[i]) + LEXICAL_WEIGHT * float(lexical[i]) / top_lexical
            score += PASSAGE_WEIGHT * (passages or {}).get(s.chunk_id, 0.0)
            if s.text.endswith("?"):
                score -= 0.15
            if qtype == "number" and NUMBER.search(s.text):
                score += 0.12
            elif qtype == "when" and (YEAR_OR_TIME.search(s.text) or SPIN_MENTION.search(s.text)):
                score += 0.08  # the article's own clock is its spins ("in Flywheel Spin#4")
            elif qtype == "why" and BECAUSE.search(s.text):
                score += 0.2
            elif qtype == "principle" and PRINCIPLE_NAME.search(s.text):
                score += 0.1
            if principle is not None:
                score += 0.3 if s.kind == "principle" and s.section.lower() == principle.lower() else 0.0
            elif s.kind == "principle":
                score -= 0.1  # questions about the story are answered from the article first
            scored.append((score, i))
        if not scored:
            return []
        scored.sort(reverse=True)
        if len(named_spins) > 1 or SPANS_SEVERAL.search(question) and re.search(r"\bspins?\b", question, re.I) and spin is None:
            # Across the spins: the best sentence of each spin, in order.
            best: dict[int, int] = {}
            for _, i in scored:
                sp = self.sentences[i].spin
                if sp is not None and sp not in best and (qtype != "number" or NUMBER.search(self.sentences[i].text)):
                    best[sp] = i
            return [self.sentences[best[k]] for k in sorted(best)]
        top_score, top = scored[0]
        picked = [top]
        if came_after and spin is None:
            # "what did he do after the outage?": the best sentence finds the event; what he did next is told
            # first in the section after it ("I knew what I had to do. I focused on Delivering Results…"),
            # so that section's opening joins the answer, and nothing from further on
            event = self.sentences[top].section
            later = next((x.section for x in self.sentences[top:] if x.section != event and x.kind == "article"), None)
            opening = [i for i, x in enumerate(self.sentences) if x.section == later][:3]
            if opening:
                return [self.sentences[i] for i in sorted(self._with_context([top, *opening]))]
        for score, i in scored[1:]:
            close = score >= top_score * RANKER_KEEP if learned is not None else score >= top_score - 0.15
            if len(picked) >= limit or not close:
                break
            picked.append(i)
        # "Did he get his standing back? How long did that take?": each question gets its best sentence
        # (read with the one before it, which says what "that" is).
        for part in self._further_questions(question) if learned is not None else ():
            part_scores = self.ranker.probabilities(part, self._embedder.embed_one(part))
            # from the whole article, the best sentence the answer doesn't already hold ("how long did that
            # take?" is answered in the section after the outage's)
            best = max((i for i, x in enumerate(self.sentences) if not _quoted_question(x.text) and i not in picked),
                       key=lambda i: part_scores[i], default=None)
            if best is not None:
                picked.append(best)
        # "When did it happen, and what was the cause?": the why part gets its sentence too.
        if QUESTION_TYPES["why"].search(question) and not any(BECAUSE.search(self.sentences[i].text) for i in picked):
            reason = next((i for _, i in scored if BECAUSE.search(self.sentences[i].text)
                           and self.sentences[i].section == self.sentences[top].section), None)
            if reason is not None:
                picked.append(reason)
        # "Which two LPs was he leaning on?": the story names them in neighbouring sentences ("It was Think
        # Big because… And it was Ownership because…"), so a neighbour naming another principle joins.
        if SEVERAL_PRINCIPLES.search(question):
            for i in list(picked):
                here = self.sentences[i]
                for j in (i - 1, i + 1):
                    if (0 <= j < len(self.sentences) and j not in picked and self.sentences[j].section == here.section
                            and PRINCIPLE_NAME.search(self.sentences[j].text)):
                        picked.append(j)
        # A story reads on: the next sentence often holds the "what happened" (or the list a
        # colon announces).
        following = top + 1
        head = self.sentences[top]
        reads_on = head.text.endswith(":") or qtype in ("what", "why", "number") and (
            qtype != "number" or not NUMBER.search(head.text))
        if (reads_on and following < len(self.sentences) and following not in picked
                and (self.sentences[following].section == head.section or head.text.endswith(":"))):
            picked.append(following)
        return [self.sentences[i] for i in sorted(self._with_context(picked))]

    def years_between(self, question: str) -> tuple[int, Sentence, Sentence] | None:
        """"How many years between the Cybermonday outage and when he left Amazon?": each end's year, from
        the sentence that best tells when it happened (None unless both ends have one, and they differ)."""
        match = YEARS_BETWEEN.search(question)
        if not match or self.ranker is None or self.ranker.weights is None:
            return None
        ends = []
        for part in (match.group("a"), match.group("b")):
            probe = f"When was {part.strip()}?"
            scores = self.ranker.probabilities(probe, self._embedder.embed_one(probe))
            dated = [i for i, x in enumerate(self.sentences) if x.kind == "article" and YEAR.search(x.text)]
            if not dated:
                return None
            ends.append(self.sentences[max(dated, key=lambda i: scores[i])])
        first, second = ends
        if first is second:
            return None
        return abs(int(YEAR.search(second.text).group(0)) - int(YEAR.search(first.text).group(0))), first, second

    @staticmethod
    def _further_questions(question: str) -> list[str]:
        """The second and later questions of a message that asks several, each with the one before."""
        parts = [p.strip() for p in re.findall(r"[^?]+\?", question) if len(p.split()) >= 3]
        return [f"{before} {after}" for before, after in zip(parts, parts[1:])]

    def _with_context(self, picked: list[int]) -> set[int]:
        """What a picked sentence needs to be read alone: the sentence before one that opens with
        "It/This/That…" (what "it" is lies there), and the items a sentence ending in ":" announces."""
        out = set(picked)
        for i in picked:
            s = self.sentences[i]
            if DANGLING.match(s.text) and i > 0 and self.sentences[i - 1].section == s.section:
                out.add(i - 1)
            if s.text.endswith(":"):  # the list may open the next section ("(1) Start by Delivering Results.")
                for j in range(i + 1, min(i + 4, len(self.sentences))):
                    if self.sentences[j].kind != s.kind:
                        break
                    out.add(j)
        return out

    def spins(self) -> list[tuple[int, str]]:
        """The author's spins as (number, section heading), in order."""
        return sorted({(s.spin, s.section) for s in self.sentences if s.spin is not None})


def _quoted_question(text: str) -> bool:
    """The mentees' own questions, quoted ("I'm stuck in a rut…?"): never an answer."""
    return text.startswith(("“", '"')) and text.rstrip("\"”’)").endswith("?")


YEARS_BETWEEN = re.compile(r"\b(?:how many years|how long|how much time)\b[^?]*?\bbetween\s+(?P<a>[^?]+?)\s+and\s+(?P<b>[^?]+)",
                           re.IGNORECASE)
SEVERAL_PRINCIPLES = re.compile(r"\b(?:which|what)\b[^?]{0,20}\b(?:two|both|three|principles|lps)\b(?:[^?]{0,20}\b(?:principles|lps)\b)?"
                                r"|\b(?:two|both|three) (?:leadership )?(?:principles|lps)\b", re.IGNORECASE)
_SPIN_NUMBER = re.compile(r"\bspins?\s*#?\s*(\d)(?:\s*(?:,|and|&|\+|plus|or)\s*(?:spin\s*#?\s*)?(\d))*", re.IGNORECASE)


def spins_named(question: str) -> set[int]:
    """Every spin a question names by number: "spin 3 plus spin 4", "spins 2 and 3", "spin #1 and #5"."""
    return {int(n) for n in re.findall(r"(?:\bspins?\s*#?\s*|#|(?:,|\band|&|\+|\bplus|\bor)\s*(?:spin\s*)?#?)(\d)\b(?!\s*(?:k\b|%|teams?|lines|years?|months?|weeks?|people|engineers|services|x\b))", question, re.IGNORECASE)
            if _SPIN_NUMBER.search(question)}


_QUANTITY = re.compile(r"\b(\d+(?:[.,]\d+)?)\s?(k|thousand)?\s+(lines of code|teams|lines)\b", re.IGNORECASE)
ASKS_TOTAL = re.compile(r"\b(?:in total|altogether|adding up|add up|sum|combined|in all|together|plus|both)\b", re.IGNORECASE)


def total_of(sentences: list[Sentence]) -> str | None:
    """ "20k lines" + "30k lines" + "30k lines" → "about 80k lines of code" (same unit only)."""
    amounts: dict[str, float] = {}
    counted = 0
    for s in sentences:
        for number, thousand, unit in _QUANTITY.findall(s.text):
            value = float(number.replace(",", "")) * (1000 if thousand else 1)
            unit = "lines of code" if unit.lower().startswith("lines") else unit.lower()
            amounts[unit] = amounts.get(unit, 0.0) + value
            counted += 1
    if counted < 2 or len(amounts) != 1:
        return None
    unit, value = next(iter(amounts.items()))
    shown = f"{value / 1000:g}k" if value >= 1000 and value % 1000 == 0 else f"{value:g}"
    return f"about {shown} {unit}"
