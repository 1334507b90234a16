"""Either/or questions: which of the mentee's two options the flywheel backs at their step.

"Should I roll it out to every ward or start with one?" names two options. Each option is read
against the axes in `knowledge/flywheel.md`'s `choices:` (stay or leave the job, speak up or
accept, keep going or stop, ask or just do, new work or current commitments, go bigger or stay in
your lane, the whole thing or a first piece, act now or wait). When the two options sit at opposite poles of one axis, the step's verdict on
that axis backs one of them, and the answer names it in the mentee's own words ("Start with one
ward, rather than roll it out to every ward."). A verdict of `depends` says what decides it.
Options that fit no axis get the step's test for choosing (`choice_test:`), naming both options; at
the steps whose test is the simpler one, the option that names the smaller thing is picked.

A yes/no question about one thing to do ("Would it be pushy to volunteer to lead the redesign right
now?", "Is now a good time to pitch it?") is the same choice with one option named: when that option
leans to one pole of an axis, the step's verdict says go ahead or not yet (`yes_or_no`).

A manager asking about a report ("keep him on the basics, or hand him the pilot?") gets the pick for
the report's step with the manager's reason (`manager_choice:`), not the reason written to a mentee
about their own work, and only where that reason argues for the pick (its `backs`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..types import Step

# The sentence that offers the choice: it has an "or" and ends in a question mark.
CHOICE_SENTENCE = re.compile(r"[^.!?\n]*\bor\b[^.!?\n]*\?")
# What comes before the first option: "should I", "is it better to", "I'm torn between".
LEAD = re.compile(
    r"^.*?\b(?:should (?:i|we)|shall (?:i|we)|do (?:i|we)|can (?:i|we)|could (?:i|we)|must (?:i|we)|"
    r"(?:is it|would it be|it'?s) (?:better|smarter|wiser|best) to|better to|am i better off|"
    r"(?:i'?m|i am) (?:torn|stuck|deciding|choosing) between|whether (?:i should |to )?|choose between|"
    r"do you think i should|would you|(?:is|are|am) (?:i|she|he|they|we) ready to)\s+(?:rather\s+)?", re.IGNORECASE)
# Where the second option starts, and the words that restate the question before it.
OR = re.compile(r",?\s+\bor\b\s+(?:should (?:i|we|she|he|they)\s+|do (?:i|we)\s+|would (?:i|you)\s+|is it better to\s+|to\s+)?",
                re.IGNORECASE)
# "…or not?", "…or what?": a yes/no question with a tail, not two options.
NOT_AN_OPTION = re.compile(r"^(?:not|no|nah|what|something|something else|anything|whatever|so|am i|is it|is that|"
                           r"are they|does it|nothing(?=\W*$))\b", re.IGNORECASE)  # ("nothing extra till…" is an option)
# "Is that just more of the same or a proper step up?", "Is enough or I need to do more?": a question about
# how things stand, not two things to do.
A_STATE = re.compile(r"^(?:is|are|was|were|am|it'?s|that'?s|this is|that is|it is)\b", re.IGNORECASE)
# Frames that lean against the proposal: "is it too early to…?", "would it be pushy to…?" (a yes means don't).
AGAINST = (r"too (?:early|soon|much|pushy)|pushy|overreaching|presumptuous|rude|weird|out of line|overstepping|crazy|"
           r"stupid|naive|a (?:bad|dumb) idea|a mistake|wrong")
# One proposal asked yes or no: "is it too early to X?", "is now a good time to X?", "should I just X?".
PROPOSAL = re.compile(
    r"\b(?:(?:is it|would it be|would that be|it'?s|isn'?t it|wouldn'?t it be|is that)\s+(?:still\s+|a bit\s+)?"
    rf"(?P<frame>{AGAINST}|too late|a (?:good|smart) idea|ok(?:ay)?|fine|wise|smart|worth it|reasonable|"
    r"the right (?:time|move|call)|a good time|time)(?: for me)?\s+(?:to|if i)\s+"
    r"|\bis (?:now|this|it) (?:a good|the right) (?:time|moment) to\s+"
    r"|\bam i ready to\s+"
    r"|\b(?:should|shall|do|can|could) (?:i|we)\s+(?:just\s+|still\s+|now\s+)?)"
    r"(?P<option>[^?.!]{3,120})\?", re.IGNORECASE)
AGAINST_FRAME = re.compile(rf"^(?:{AGAINST})$", re.IGNORECASE)
# "Is he ready now?", "is she ready yet?": ready for more, with nothing named.
READY = re.compile(r"\b(?:is|are|am) (?P<who>he|she|they|i) ready(?: for (?:the |a |an |his |her |their |my )?[\w -]{1,30}?)?(?: (?:now|yet))?\s*\?",
                   re.IGNORECASE)
# "Do I let her?": what she asked to do is in an earlier sentence ("she's come to me asking to lead…").
LET_THEM = re.compile(r"^(?:just )?let (?:him|her|them)$", re.IGNORECASE)
WANTS_TO = re.compile(r"\b(?:asking|asked|asks|wants?|wanting|keen|pushing|begging) to (?P<what>[^.!?]{3,80})", re.IGNORECASE)
# "what should I do?", "how do I start?": a question word before it, not a yes/no.
OPEN_QUESTION = re.compile(r"\b(?:what|how|where|which|who|when|why|whom)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
# The axes a manager's choice about a report is read on: whether the manager should stay or leave, or
# ask first, is not about the report.
MANAGER_AXES = ("speak_or_accept", "keep_or_stop", "new_or_current", "bigger_or_own_lane", "whole_or_first_piece", "act_or_wait")
WH_QUESTION = re.compile(r"^(?:\W*(?:(?:so|and|but|ok(?:ay)?|honestly|then|right),?\s+){0,3})?(?:how|what|why|where|who)\s+(?:do|does|did|can|could|should|would|is|are|am|will)\b", re.IGNORECASE)
# "…or is better I first do a master degree": the learner's "is better I" is not part of the option.
IS_BETTER = re.compile(r"^(?:is|it'?s) (?:better|best|smarter|wiser) (?:that )?(?:i|to|we)\s+", re.IGNORECASE)
# When no axis reads the two options, the steps whose test is "the simpler one" still lean: to the option
# that names a smaller, sooner, simpler thing ("the daily list") over a bigger one ("the alert").
SIMPLER_FIRST = ("deliver_results", "invent_and_simplify", "bias_for_action")
SMALLER = re.compile(r"\b(?:one|a few|small(?:er)?|first|pilot|trial|list|manual(?:ly)?|by hand|simple|simpler|quick|short|"
                     r"paper|existing|just|only|sample|spot[- ]checks?|test)\b", re.IGNORECASE)
BIGGER = re.compile(r"\b(?:all|every|whole|entire|system|platform|full|automat\w*|app|software|alerts?|integration|everyone|"
                    r"company|department|program(?:me)?|rollout|rebuild|redesign)\b", re.IGNORECASE)
MAX_WORDS = 20  # a longer "option" is a sentence of the story, not one of two choices
SECOND_PERSON = (("myself", "yourself"), ("mine", "yours"), ("my", "your"), ("me", "you"), ("i'm", "you're"),
                 ("i am", "you are"), ("i've", "you've"), ("i'll", "you'll"), ("i", "you"), ("am", "are"),
                 ("our", "your"), ("us", "you"), ("we", "you"))
_SECOND_PERSON = re.compile(r"\b(?:" + "|".join(re.escape(a) for a, _ in SECOND_PERSON) + r")\b", re.IGNORECASE)
_YOUR_WORD = dict(SECOND_PERSON)


def to_second_person(phrase: str) -> str:
    """ "push back on my lead" → "push back on your lead": their option, said back to them."""
    return _SECOND_PERSON.sub(lambda m: _YOUR_WORD[m.group(0).lower()], phrase)


def options_of(question: str) -> tuple[str, str] | None:
    """The two options of an either/or question, as the mentee wrote them, or None."""
    sentences = CHOICE_SENTENCE.findall(question)
    last = re.split(r"(?<=[.!?])\s+", question.strip())[-1]
    if not last.endswith((".", "!", "?")) and LEAD.match(last):  # "can i just put it up or should i ask chef first"
        sentences.append(last)
    for sentence in sentences:
        sentence = sentence.strip()
        asks_wh = WH_QUESTION.match(sentence)
        if asks_wh and "," not in sentence[:sentence.lower().find(" or ")]:
            continue  # "how do I tell if it's working or if I'm seeing what I want?" (but "what first, X or Y?" is a choice)
        lead = None if asks_wh else LEAD.match(sentence)  # "what do we build first, X or Y?": the options follow the comma
        body = sentence[lead.end():] if lead else sentence
        split = OR.search(body)
        if split is None:
            continue
        first = body[:split.start()]
        if not lead:  # "Honestly, roll out now or fix it first?": the option is the last clause before the "or"
            first = re.split(r"[,;:]\s+|\s+-+\s+", first)[-1]
        first = first.strip(" ,\"'“”‘’")
        second = IS_BETTER.sub("", re.sub(r"[?\s]+$", "", body[split.end():]).strip(" ,\"'“”‘’"))
        if (not first or not second or NOT_AN_OPTION.match(second) or A_STATE.match(first)
                or len(first.split()) > MAX_WORDS or len(second.split()) > MAX_WORDS):
            continue
        return first, second
    return None


def proposal_of(question: str) -> tuple[str, bool] | None:
    """The one thing a yes/no question asks about, and whether the question leans against it ("is it
    too early to pitch it?" → ("pitch it", True)); None for an either/or or an open question."""
    if ready := READY.search(question):  # "Is he ready now?": for more than he has
        return ("give them more now", False) if ready.group("who").lower() != "i" else ("take on more now", False)
    for match in PROPOSAL.finditer(question):
        option = re.sub(r",?\s+or not$", "", match.group("option").strip(" ,\"'“”‘’"), flags=re.IGNORECASE)  # "…or not?"
        if OPEN_QUESTION.search(question[:match.start()]) or re.search(r"\bor\b", option, re.IGNORECASE) \
                or len(option.split()) > MAX_WORDS:
            continue
        if LET_THEM.match(option) and (wanted := WANTS_TO.search(question[:match.start()])):
            option = f"{option} {wanted.group('what').strip()}"  # "…asking to lead the falls work. Do I let her?"
        return option, bool(match.group("frame") and AGAINST_FRAME.match(match.group("frame")))
    return None


@dataclass(frozen=True)
class Verdict:
    pick: str  # a pole's name, or "depends"
    why: str


@dataclass(frozen=True)
class Axis:
    name: str
    poles: dict[str, re.Pattern]
    verdicts: dict[str, Verdict]  # by step value; "default" for the rest

    def sides(self, first: str, second: str) -> tuple[str, str] | None:
        """The poles the two options sit at, when they are opposite ones (each option leaning to one pole)."""
        def pole(option: str) -> str | None:
            # "cut it back to the core and handle the rest later": the pole it names most
            hits = sorted(((len(pattern.findall(option)), name) for name, pattern in self.poles.items()), reverse=True)
            return hits[0][1] if hits[0][0] > hits[1][0] else None

        a, b = pole(first), pole(second)
        return (a, b) if a and b and a != b else None

    def side(self, option: str) -> str | None:
        """The one pole a single option names ("volunteer to lead it" → new), or None when it names none or both."""
        named = [name for name, pattern in self.poles.items() if pattern.search(option)]
        return named[0] if len(named) == 1 else None

    def verdict(self, step: Step) -> Verdict | None:
        return self.verdicts.get(step.value) or self.verdicts.get("default")


class ChoiceAnswers:
    """The `choices:` axes of the flywheel file, answering either/or questions, and `choice_test:`, the
    step's test for choosing when no axis can settle the two options."""

    def __init__(self, entries: list[dict], tests: dict[str, str] | None = None,
                 manager_reasons: dict[str, dict] | None = None) -> None:
        self.axes = [Axis(raw["axis"], {name: re.compile(rx, re.IGNORECASE) for name, rx in raw["poles"].items()},
                          {step: Verdict(v["pick"], v["why"].strip()) for step, v in raw["verdicts"].items()})
                     for raw in entries]
        self.tests = dict(tests or {})
        self.manager_reasons = {step: (tuple(raw["backs"]), raw["why"].strip()) for step, raw in (manager_reasons or {}).items()}

    def _axes(self, manager: bool) -> list[Axis]:
        return [a for a in self.axes if a.name in MANAGER_AXES] if manager else self.axes

    def _one_verdict(self, axis: Axis, steps: tuple[Step, ...], manager: bool) -> Verdict | None:
        """The axis's verdict when every step agrees on it (else the clarifying question comes first); for a
        manager, with the manager's reason for the report's step, only where that reason backs the pick."""
        verdicts = {axis.verdict(step) for step in steps}
        if len(verdicts) != 1 or None in verdicts:
            return None
        verdict = verdicts.pop()
        if not manager:
            return verdict
        reasons = {self.manager_reasons.get(step.value) for step in steps}
        if len(reasons) != 1 or None in reasons:
            return None
        backs, why = reasons.pop()
        return Verdict(verdict.pick, why) if verdict.pick in backs else None

    def answer(self, question: str, steps: tuple[Step, ...], manager: bool = False) -> str | None:
        """The short answer to an either/or question, when it is the same on every one of `steps`."""
        options = options_of(question)
        if options is None or not steps:
            return None
        for axis in self._axes(manager):
            sides = axis.sides(*options)
            if sides is None:
                continue
            verdict = self._one_verdict(axis, steps, manager)
            return self._say(verdict, options, sides) if verdict else None
        if manager:
            return None
        tests = {self.tests.get(step.value) for step in steps}
        if len(tests) != 1 or None in tests:
            return None
        first, second = (to_second_person(o) for o in options)
        test = tests.pop()
        if all(step.value in SIMPLER_FIRST for step in steps):
            size = {o: len(SMALLER.findall(o)) - len(BIGGER.findall(o)) for o in (first, second)}
            if size[first] != size[second]:  # "the alert or the daily list?": the daily list
                pick, other = (first, second) if size[first] > size[second] else (second, first)
                return f"I'd go with \u201c{pick}\u201d over \u201c{other}\u201d. At this step, {test}"
        return f"Either \u201c{first}\u201d or \u201c{second}\u201d can work; what decides it at this step: {test}"

    def yes_or_no(self, question: str, steps: tuple[Step, ...], manager: bool = False) -> str | None:
        """Go ahead or not yet, for a yes/no question about one thing to do whose option leans to one
        pole of an axis; the verdict's reason says why. None when no axis reads the option."""
        found = proposal_of(question)
        if found is None or not steps:
            return None
        option, against = found
        for axis in self._axes(manager):
            side = axis.side(option)
            if side is None:
                continue
            verdict = self._one_verdict(axis, steps, manager)
            if verdict is None:
                return None
            if verdict.pick not in axis.poles:  # "depends": what decides it
                return verdict.why
            if verdict.pick == side:
                lead = ("No" if against else "Yes") if verdict.why.lower().startswith("go ahead") else \
                    ("No, go ahead" if against else "Yes, go ahead")
                return f"{lead}. {verdict.why}"
            return f"{'Right now, yes: I would hold off' if against else 'Not yet'}. {verdict.why}"
        return None

    @staticmethod
    def _say(verdict: Verdict, options: tuple[str, str], sides: tuple[str, str]) -> str:
        if verdict.pick not in sides:  # "depends": what decides it
            return verdict.why
        chosen, other = options if sides[0] == verdict.pick else options[::-1]
        chosen, other = to_second_person(chosen), to_second_person(other)
        other = other[0].lower() + other[1:] if not other[:2].isupper() else other  # "Hold another round" mid-sentence
        return f"{chosen[0].upper()}{chosen[1:]}, rather than {other}. {verdict.why}"
