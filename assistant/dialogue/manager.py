"""One turn of dialogue: read the message, update the profile, place the mentee, compose.

`DialogueManager` is built by `Mentor` from the indexed knowledge (rebuilt when the
index changes). It owns the per-index caches: the sentence index, the embedded
action templates and story situations, and the learned step and transition models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..diagnosis import FIRST_PERSON, signal_vectors
from ..flywheel import Flywheel
from ..types import Step
from .answers import AnswerBank, load_entries
from .composer import Composition, OfflineComposer, TurnInput
from .content import fill
from .placement import ORDER, Placement, advance, place
from .profile import Profile
from .meaning import FollowUpStepModel, ScopeModel, StepModel, TransitionModel, scope_examples
from .understanding import Reading, Understanding, find_facts

ADJACENT = {
    # a visa named at all is the question ("If I get the promotion, I must tell the Ausländerbehörde for my
    # Blue Card? And the salary change something for the card?"), ahead of the pay words around it
    "visa": re.compile(r"\b(?:visa|h-?1b|green card|blue card|immigration|work permit|sponsorship|citizenship|settled status|"
                       r"residence permit|right to work|work authori[sz]ation|critical skills(?: employment)? permit|stamp \d|permit (?:holder|renewal)|ausl[aä]nderbeh[oö]rde)\b", re.I),
    "pay": re.compile(r"\b(?:salary|salaries|(?:a|my|for|the|pay) raise|(?:get|got|getting|gets|give (?:me|him|her)|much|big) raise|pay (?:rise|bump|band|cut)|compensation|comp|equity|stock (?:options?|grants?|awards?|units)|rsus?|"
                      r"bonus|underpaid|overpaid|paid (?:less|more)|counter-?offer|negotiat\w* (?:my |an? |the )?(?:offer|salary|pay|comp)|"
                      r"(?:bigger|higher|better) (?:base|commission)|commission rate|(?<!above my )(?<!beyond my )(?<!over my )pay grade|grade \d+ (?:not|instead of|vs\.?|or) \d+|"
                      # "is 17/hr normal for grill in chicago or am i getting played"
                      r"\$?\d+(?:\.\d+)?\s?(?:/|an |per )\s?(?:hr|hour)|hourly (?:rate|wage|pay)|getting (?:played|lowballed|underpaid)|"
                      r"reclassif\w*)\b", re.I),
    "pay_offer": re.compile(r"\b(?:countering|counter(?:ed)? (?:with|at)|came in (?:\d+\s?%|\w+) (?:under|below|over|above)|"
                        r"negotiate (?:it |that )?(?:up|higher|down)|\d+(?:\.\d+)?\s?% (?:equity|stake)|\b1[- ]year cliff|"
                        r"409a|vesting schedule|\d+k (?:eur|usd|gbp|base)|base (?:salary|pay) of)\b", re.I),
    "qualifications": re.compile(r"\b(?:should i (?:do|get|take|go for|pursue) (?:an? |the |my )?(?:mba|cfa|cpa|phd|master'?s)|"
                                 r"(?:need|get|do|pursue|go back for) (?:an? |the |my )?(?:master'?s|masters|mba|phd|doctorate)(?: degree)? "
                                 r"(?:in|to|first|before)|"
                                 r"(?:mba|cfa|cpa|phd) or (?:an? |the )?(?:mba|cfa|cpa|phd|master'?s)|"
                                 # "For operations manager job, I need university degree?"
                                 r"(?:need|require[sd]?|without) (?:an? |the )?(?:university |college |bachelor'?s |master'?s )?degree\b[^.!?]{0,30}\?)", re.I),
    "levels": re.compile(r"\b(?:(?:L|E|IC)[3-9]\b(?:\s+(?:vs\.?|or|and|to)\s+(?:L|E|IC)[3-9])?|level(?:ing)? (?:guide|criteria|system|names)|"
                         r"promo(?:tion)? (?:packet|criteria|committee|rubric)|sde ?(?:i|ii|iii|1|2|3)\b|what level (?:is|would)|"
                         r"equivalent level)", re.I),
    "job_search": re.compile(r"\b(?:resume|résumé|cv|cover letter|leetcode|job hunt|job search|applying (?:to|for) (?:jobs|roles|big tech|faang)|"
                             r"interview prep|recruiters?|return offers?|full[- ]time offer|job (?:boards?|postings?|listings?|sites?)|linkedin|(?:competency|panel|final[- ]round) (?:questions|interview)|"
                             r"interview (?:next|this|on) (?:week|monday|tuesday|wednesday|thursday|friday)|"
                             r"(?:system design|coding|technical|behaviou?ral|onsite|phone) interviews?|interview(?:ing)? "
                             r"(?:prep|preparation|questions|loop|practice)|prep(?:are|aring)? for (?:an? |my |the )?interviews?)\b", re.I),
    "legal": re.compile(r"\b(?:lawyer|lawsuit|sue|discriminat\w*|harass\w*|hr complaint|wrongful(?:ly)? (?:terminat|dismiss)\w*|"
                        r"non-?compete|severance)\b", re.I),
}


# The mentee setting an adjacent topic aside: "ok forget the raise. what bugs me is…" is not a pay question.
SET_ASIDE = re.compile(r"\b(?:forget|never ?mind|leave aside|park|drop|skip|not asking about|isn'?t about|not about)\s+"
                       r"(?:about\s+)?(?:the|my|that|this|a)?\s*(?:raise|pay|salary|money|bonus|comp(?:ensation)?|visa|offer)\b(?: thing| stuff| question| talk)?[.!?,;]?",
                       re.IGNORECASE)


def adjacent_topic(text: str) -> str | None:
    text = SET_ASIDE.sub(" ", text)
    for topic, pattern in ADJACENT.items():  # in order: the first topic found names the question
        if pattern.search(text):
            return "pay" if topic == "pay_offer" else topic  # an offer's numbers are a pay question
    return None


# The article or its author named outright: "in that amazon article", "the amazon guy", "the guy in the post".
ARTICLE_NAMED = re.compile(r"\b(?:the author|author's|author (?:had|has|did|was|said|says|wrote|went|got|mentions?)|carlos|(?:the|that|this) (?:\w+ ){0,2}(?:article|post|blog)|"
                           r"the (?:amazon|flywheel) (?:guy|author|dude|engineer|man|fella)|the guy (?:in|from|who wrote) "
                           r"(?:the|that|this) (?:\w+ )?(?:article|post|blog))\b", re.IGNORECASE)
ABOUT_THE_ARTICLE = re.compile(
    ARTICLE_NAMED.pattern + r"|"
    r"\b(?:the writer|the flywheel|his (?:first|second|third|fourth|fifth|own) spin)\b"  # (the author, the article: ARTICLE_NAMED)
    r"|\b(?:flywheel|that|this) (?:article|post|blog)\b|\bwho wrote (?:the|that|this)\b"
    r"|\bwhat (?:does|do|is|are)\b[^?]{0,60}\b(?:mean|means|stand for|definition)\b|\b(?:define|definition of)\b"
    r"|\bspin\s*#?\s*\d\b|\b(?:first|second|third|fourth|fifth) spin\b"
    r"|\b(?:which|what(?:'s| is)?(?: the)?) (?:leadership )?(?:principle|lp)\b"
    r"|\b(?:this|the) (?:flywheel|model|framework|idea|concept)\b[^?]{0,30}\b(?:from|come from|based on|book|source|origin)\b"
    r"|\bwhere does (?:this|the) (?:\w+ )?(?:idea|model|flywheel) come from\b"
    # how two of the wheel's ideas differ: "how is trust different from results in this thing?"
    r"|\bhow (?:is|are|do|does) (?:\w+ ){1,3}differ(?:ent)?\b|\bwhat(?:'s| is) the difference between\b",
    re.IGNORECASE,
)
# A first message that is only a feeling ("I'm unhappy at work"): asked about, not placed by guess.
ONLY_A_FEELING = re.compile(
    r"^\W*(?:honestly,? )?i(?:'m|’m| am| feel)? (?:so |really |very |kind of |just |pretty )?(?:unhappy|sad|miserable|"
    r"frustrated|bored|lost|burn(?:ed|t) out|tired|demotivated|unmotivated|unfulfilled|stressed)"
    r"(?: (?:at|with|about) (?:work|my job|my career))?\W*$", re.IGNORECASE)
PERSONAL_CUE = re.compile(
    r"\b(?:now what|what now|what next|help|any advice|advice\?)\b"
    r"|^\W*(?:got|shipped|launched|pitched|finished|started|joined|missed|broke|built|wrote|designed|presented|"
    r"promoted|hired|moved|switched|demoed|delivered|stuck|been)\b",
    re.IGNORECASE | re.MULTILINE,
)
THIRD_PERSON = re.compile(r"\b(?:he|his|him)\b", re.IGNORECASE)
WHEEL_WORDS = re.compile(r"\b(?:lps?|leadership principles?|principles?|flywheel|spins?|amazon|deliver(?:ed|ing)? results|"
                         r"earn(?:ed|ing|s)? trust|ownership|think big|invent and simplify|bias for action|right a lot|"
                         r"customer obsession|self[- ]critical)\b", re.IGNORECASE)


# Mid-conversation, "he" is usually the mentee's manager; these ask what the author did or says.
AUTHOR_QUESTION = re.compile(r"\b(?:what|how|why) did he\b|\bdid he\b|\bhow long did it take (?:him|the author)\b"
                             r"|\b(?:what|how) (?:does|did) he (?:say|write|call|mean|describe|recommend|suggest|think)\b", re.IGNORECASE)


# A question word about him: "how much code did he write", "what happened to him", "why did the author…".
ABOUT_HIM = re.compile(r"\b(?:how (?:much|many|long)|what|when|why|which|where|who)\b[^?.!]{0,60}\b(?:he|him|his|the author|the guy)\b"
                       r"[^.!]{0,80}\?|\b(?:how (?:much|many|long)|what|when|why|which) (?:did|does|was|is) (?:he|the author|the guy)\b",
                       re.IGNORECASE)
# "was the author ever in a spot like mine?": about his story, whatever the rest of the message says about theirs
AUTHOR_EVER = re.compile(r"\b(?:was|has|did|had) (?:the author|he|carlos) ever\b|\bdid the author (?:ever|also)\b", re.IGNORECASE)


# "remind me how much code he wrote", "can you tell me why he…", "I forgot, how many teams did he…":
# the asker's "me" frames the question, it says nothing about their own situation
ASKING_FRAME = re.compile(r"\b(?:(?:can|could) you |please )?(?:remind me|tell me|help me remember|refresh my memory|"
                          r"i (?:forgot|forget|don'?t remember|can'?t remember)|do you (?:know|remember))\b,?", re.IGNORECASE)


def is_factual(text: str, has_history: bool) -> bool:
    """A question about the article or a principle, not about the mentee's own situation.
    "He said no" from a mentee is about their manager; "what did he do next?" is about the author."""
    if (ASKING_FRAME.search(text) and re.search(r"\b(?:he|his)\b", text, re.IGNORECASE)
            and not FIRST_PERSON.search(ASKING_FRAME.sub(" ", text))):
        return not has_history or bool(ABOUT_HIM.search(text) or AUTHOR_QUESTION.search(text))
    if AUTHOR_EVER.search(text) and "?" in text:
        return True
    if ARTICLE_NAMED.search(text) and ABOUT_HIM.search(text):
        return True  # "in the article how much code did he write… trying to show my boss": the question is about him
    if ABOUT_THE_ARTICLE.search(text):
        # "junior dev, 4 months in, I took down checkout… am I in his spin 1?" tells us about them first.
        if FIRST_PERSON.search(text) and find_facts(text):
            return False
        # "What does 'more' even mean?" after a story about my manager is still about me.
        return not (FIRST_PERSON.search(text) and len(text.split()) > 25 and not ARTICLE_NAMED.search(text)
                    and not re.search(r"\bspin\b", text, re.I))
    if not has_history and THIRD_PERSON.search(text) and not FIRST_PERSON.search(text):
        return True  # "who did he go to for more scope?" opens a chat about the author, whatever it mentions
    if find_facts(text) and not has_history:
        return False  # "well, it's live. now what?" tells us where they are
    if FIRST_PERSON.search(text) or has_history and not THIRD_PERSON.search(text):
        return False
    if THIRD_PERSON.search(text):
        return not has_history or bool(AUTHOR_QUESTION.search(text))
    # No pronoun either way: terse notes about one's own work ("got the budget. now what") are personal.
    return not has_history and not PERSONAL_CUE.search(text)


QUESTION_OPENING = re.compile(r"^\W*(?:(?:so|but|and|ok(?:ay)?|well|also)\W+)?(?:is|are|am|was|were|should|shall|can|could|do|does|did|"
                              r"would|will|what|how|why|when|where|which|who|isn'?t|aren'?t|shouldn'?t)\b", re.IGNORECASE)


def _asked_in_question(text: str, evidence: str) -> bool:
    """The words that told us a fact sit in a question the mentee asks ("Is it too soon, right after
    my program got killed?"), not in news they report."""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if evidence[:40] in sentence:
            return sentence.rstrip().endswith("?") and bool(QUESTION_OPENING.match(sentence))
    return False


def read_follow_up(understanding: Understanding, text: str, vector) -> tuple[str, dict]:
    """(move, facts) of a mid-conversation message: what the transition model learns from and reads."""
    reading = understanding.read(text, vector=vector, has_history=True, factual=is_factual(text, True))
    return reading.move, reading.facts


@dataclass
class TurnState:
    """What the dialogue worked out for a turn, before any answer is written."""

    reading: Reading | None
    placement: Placement
    profile: Profile  # a working copy; the session takes it when the turn completes
    adjacent: str | None = None
    off_topic: bool = False  # a first message the scope model is sure is not about careers
    moved: bool = False  # the wheel turned forward this turn
    went_back: bool = False  # placed on an earlier (or another) step than before
    facts_added: list[str] = field(default_factory=list)
    previous_step: Step | None = None  # where the conversation had placed them before this turn
    model_read: bool = False  # the model's structured reading was used
    written_answer: str | None = None  # the answer bank's answer to their question, for the model's prompt


# The mentee marking a message as an aside from the conversation.
ASIDE = re.compile(r"^\W*(?:other|another|one more|separate|different) (?:question|q)\b|"
                   r"\b(?:(?:one more|another|a|random|side|quick|different|unrelated|separate) (?:question|q)\b[^.!?]{0,25}"
                   r"\b(?:not about|unrelated|off[- ]topic|aside|different)|side (?:question|q|note)|random q(?:uestion)?|unrelated(?: question)?|"
                   r"off[- ]topic|(?:a )?different topic|on another note|not about this|not related)\b", re.IGNORECASE)


class DialogueManager:
    def __init__(self, flywheel: Flywheel, chunks, embedder, cache_dir: Path | None = None) -> None:
        from .sentences import SentenceIndex

        self.flywheel = flywheel
        self.embedder = embedder
        self.understanding = Understanding(embedder, cache_dir)
        self.step_model = StepModel(embedder, cache_dir)
        readings: dict[str, tuple] = {}  # both models read the same training messages when they (re)train

        def read(text, vector):
            if text not in readings:
                readings[text] = read_follow_up(self.understanding, text, vector)
            return readings[text]

        self.transitions = TransitionModel(self.step_model, embedder, read, cache_dir)
        self.follow_up_steps = FollowUpStepModel(self.transitions, embedder, read, cache_dir)
        self.sentences = SentenceIndex(chunks, embedder, cache_dir)
        self.answers = AnswerBank(load_entries(flywheel.meta), embedder, cache_dir)
        self.scope_model = ScopeModel(embedder, cache_dir,
                                      scope_examples(tuple(p for entry in self.answers.entries for p in entry.asked_as)))
        composer = OfflineComposer(flywheel, self.sentences, answers=self.answers)
        texts = composer._actions
        if texts:
            composer.set_vectors(texts, signal_vectors([fill(a, "the project") for a in texts], embedder, cache_dir),
                                 self.step_model.training_vectors)
        pairs = []
        for story in composer.content.stories():
            vectors = signal_vectors(list(story.situations), embedder, cache_dir) if story.situations else np.zeros((0, 384))
            pairs.append((story, vectors))
        composer.set_story_vectors(pairs)
        self.composer = composer

    def understand(self, question: str, vector, session) -> TurnState:
        """Read the message and place the mentee (the learned step and transition models, and the facts)."""
        profile = Profile.from_dict(session.profile.to_dict()) if session is not None else Profile()
        user_turns = sum(1 for t in session.turns if t.role == "user") if session is not None else 0
        has_history = user_turns > 0
        about_the_article = bool(ABOUT_THE_ARTICLE.search(question))
        adjacent = adjacent_topic(question) if not about_the_article else None
        factual = is_factual(question, has_history) and adjacent is None
        pending = list(profile.pending_clarification)
        reading = self.understanding.read(question, vector=vector, has_history=has_history,
                                          pending_clarification=bool(pending), factual=factual)
        # A first message is also read for its scope as a whole: the word lists miss "no raise with the
        # promotion, how much do I ask for?" and a team-party chili recipe.
        # A question about him that names the wheel's words ("what was the old LP he says he misses?") is about the article.
        names_the_wheel = factual and bool(WHEEL_WORDS.search(question))
        scope = "flywheel" if has_history or about_the_article or names_the_wheel else self.scope_model.sure(question, vector)
        if scope == "off_topic" and not adjacent:
            return TurnState(reading, Placement(None, 0.0, reason="off_topic"), profile, off_topic=True,
                             previous_step=session.step if session is not None else None)
        if (adjacent or scope == "adjacent") and (not reading.facts or ASIDE.search(question)
                                                  or adjacent and self.scope_model.adjacent_despite_facts(question, vector)):
            adjacent = adjacent or "other"
            # "One more question not about this. My visa is sponsored by the hotel… can they cancel it?": an aside
            # the mentee marks as one is answered as one, whatever else it mentions
            profile.pending_clarification = []
            return TurnState(reading, Placement(None, 0.0, reason="adjacent"), profile, adjacent=adjacent,
                             previous_step=session.step if session is not None else None)
        for key in reading.denied:  # "it didn't fail", "nothing is approved", "I'm not a manager": we had it wrong
            profile.remove_fact(key)
        known = set(profile.facts)
        outcome = {"outcome_failure": "failed", "outcome_success": "shipped"}.get(reading.move)
        recalled = {outcome} if outcome in known and outcome in reading.facts and _asked_in_question(question, reading.facts[outcome]) else set()
        if recalled:
            # "too soon to ask right after my program got killed?": an outcome we knew, recalled in a question
            reading.move = "new_situation"
        for key, evidence in reading.facts.items():
            profile.add_fact(key, evidence, turn=user_turns)
        profile.remember_phrases(reading.phrases)
        previous = session.step if session is not None else None
        probabilities = None  # the step model's, for this message alone
        if reading.move in ("factual", "thanks"):
            scores = {}
        elif reading.move == "clarify_answer" and pending and session is not None:
            # The reply answers our question about the message before it: read them together.
            asked = next((t.text for t in reversed(session.turns) if t.role == "user"), "")
            both = f"{asked}\n{question}"
            scores = self.step_model.scores(both, self.embedder.embed_one(both), {**find_facts(asked), **reading.facts})
        else:
            if vector is not None and self.step_model.steps:
                probabilities = self.step_model.probabilities(question, vector, reading.facts)
            scores = self.step_model.scores(question, vector, reading.facts, probabilities)
        transition = second_opinion = None
        if (previous is not None and probabilities is not None and self.transitions.weights is not None
                and reading.move not in ("clarify_answer", "explain")):
            # computed once, shared by all three models: the step model's reading and the transition model's row
            row = self.transitions.features(question, vector, reading.move, reading.facts, previous, known, probabilities)
            transition = self.transitions.verdict(row)
            if session is not None:
                second_opinion = self.follow_up_steps.predict(
                    question, vector, reading.move, reading.facts, previous, known,
                    [t.text for t in session.turns if t.role == "user"][-10:], probabilities, row)
        placement = place(reading.move, set(reading.facts) - recalled, known, previous, scores, pending,
                          long_message=len(question.split()) > 30, transition=transition, second_opinion=second_opinion,
                          vague=bool(ONLY_A_FEELING.match(question)) and not known)
        if reading.move != "thanks":
            profile.pending_clarification = []
        changed = placement.step is not None and previous is not None and placement.step is not previous
        # Forward is "that moves you on"; anything else is a re-placement ("let's take a step back").
        forward = changed and (placement.step is advance(previous) or ORDER.get(placement.step, -1) > ORDER.get(previous, 99))
        return TurnState(reading, placement, profile, moved=forward, went_back=changed and not forward,
                         facts_added=list(reading.facts), previous_step=previous)

    def compose(self, question: str, vector, state: TurnState, sources, spin: int = 1,
                open_commitment: str | None = None, scope_reason: str = "career",
                last_action: str | None = None) -> Composition:
        placement = state.placement
        turn = TurnInput(
            question=question, vector=vector, reading=state.reading, step=placement.step, sources=sources,
            profile=state.profile, spin=spin, alternatives=list(placement.alternatives), ask=placement.ask,
            scope_reason=scope_reason, adjacent=state.adjacent, open_commitment=open_commitment, moved=state.moved, went_back=state.went_back,
            last_action=last_action, placement_reason=placement.reason, previous_step=state.previous_step,
        )
        return self.composer.compose(turn)

    def written_answer(self, question: str, vector, state: TurnState) -> str | None:
        """The written answer to the mentee's question where they are placed, if there is one: an
        either/or question's verdict, else the answer bank's closest entry, else a yes/no question's go ahead or not yet."""
        step = state.placement.step
        if step is None or state.reading is None or state.reading.move in ("factual", "thanks"):
            return None
        manager = "manages_others" in state.profile.facts
        chosen = self.composer.choices.answer(question, (step,), manager=manager)
        if chosen:
            return chosen
        found = self.answers.match(question, vector, (step,), state.profile)
        return found.answer if found else self.composer.choices.yes_or_no(question, (step,), manager=manager)

    def step_label(self, step: Step) -> str:
        return self.flywheel[step].name
