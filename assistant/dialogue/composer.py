"""The offline mentor's voice: an answer for each move, on purpose.

Inputs are the turn's reading (move, facts, key phrases), its placement on the
wheel, the retrieved passages and the session's profile. Every quote is a whole
sentence of the article or a principle, picked by meaning for this message and
cited `[n]` against the passage it came from (added to the answer's sources).
Within a session no opener, action or quote is used twice. The flywheel's own
data passages are cited as the mentor's notes (kind `guide`), never quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from ..flywheel import Flywheel
from ..retrieval import to_source
from ..types import Source, Step
from .answers import AnswerBank
from .choices import ChoiceAnswers, to_second_person
from .content import SLOT, STEP_THING, Content, fill, stable_pick
from .profile import EXPLAINS, FACTS, Profile
from .sentences import ASKS_TOTAL, Sentence, SentenceIndex, total_of
from .understanding import Reading

NEAR_TIE = 0.06  # options this close in meaning to the best are equally apt: the message's hash picks
# An option close in meaning to most messages (a "hub": "Cut your plan down to the first milestone…") would
# win for all of them. Each option's closeness to a message is taken less this share of its mean closeness
# to its nearest mentee messages (CSLS, Conneau et al. 2018). Chosen on the training situations with
# `benchmarks/action_variety.py` (numbers in the README).
HUB_WEIGHT = 0.5
HUB_NEIGHBOURS = 10
ECHOES = ("You said \u201c{}\u201d.", "\u201c{}\u201d: that's the part I'd start from.", "Thanks for spelling it out: \u201c{}\u201d.",
          "I hear \u201c{}\u201d.")
# Words a mentee says about themselves that a mentor doesn't repeat back to them.
SELF_INSULT = re.compile(r"\b(?:idiot|stupid|dumb|moron|useless|incompetent|loser|fraud|impostor|imposter|pathetic|"
                         r"worthless|hate myself|so bad at|terrible at|failure)\b", re.IGNORECASE)
# A learner's English ("my night audit is always finish before 6am", "since 6 years", "manager say ok",
# "How I can get in"): quoted back word for word it reads as mocking their grammar (two blind judges
# said so), so their words are not echoed.
LEARNER_ENGLISH = re.compile(
    r"\b(?:is|are|am|was|were) (?:always |never |often |usually |not )?(?:finish|do|make|go|come|take|give|correct|start|write|check|"
    r"say|know|want|need)\b|\bsince (?:\d+|one|two|three|four|five|six|many) (?:years?|months?|weeks?)\b"
    r"|\bi (?:am|was) (?:work|go|do|make|come|finish)\b|\bi (?:work|am) now\b|\b(?:how|what|where|why) i (?:can|should|must)\b"
    r"|(?<!\bdid )(?<!\bdoes )(?<!\bwill )(?<!\bcan )(?<!\bwould )(?<!\bcould )(?<!\bshould )(?<!\bmight )(?<!\blet )(?<!\bmake )"
    r"(?<!\bhelp )(?<!\bhave )(?<!\bsaw )(?<!\bmust )\b(?:he|she|manager|boss|supervisor|chef|director|lead) "
    r"(?:still |always |never |only |just |also )?(?:say|give|want|tell|sign|correct|ask|come|go|do|think|know|check|send|call|read|"
    r"review|change|make)\b", re.IGNORECASE)
RELATED_FLOOR = 0.5
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "1st", "2nd", "3rd", "4th", "5th", "6th")
NTH_STEP = re.compile(r"\b(?:very )?(?P<nth>first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|6th|last|final)\s+"
                      r"(?:step|stage|principle)\b(?! (?:of|in) (?:my|your|the) (?!flywheel|wheel))", re.IGNORECASE)
# "which principle comes after Think Big?", "after invent and simplify whats next", "what precedes Bias for Action?"
ORDER_RELATION = re.compile(r"\b(?P<rel>after|before|follows?|precedes?|previous|next)\b", re.IGNORECASE)
ASKS_FOR_A_STEP = re.compile(r"\b(?:which|what|whats)\b[^?]{0,40}\b(?:principles?|steps?|lps?|comes?|next|follows?|precedes?)\b",
                             re.IGNORECASE)
# "how many numbered steps does his flywheel have?"
COUNT_STEPS = re.compile(r"\bhow many (?:numbered |main )?(?:steps|stages|parts|principles|lps)\b[^?]{0,40}\b(?:flywheel|wheel|it|model)\b"
                         r"|\bhow many (?:numbered )?steps\b", re.IGNORECASE)
# A factual question that points back at the mentee's own situation ("when he was in that kind of hole").
LIKE_MINE = re.compile(r"\b(?:that|this|my|a similar|the same|such an?)\s+(?:kind of\s+|sort of\s+)?"
                       r"(?:hole|spot|situation|position|place|mess|rut|problem|boat)\b|\blike (?:me|mine)\b"
                       r"|\bsomething like (?:this|that)\b|\bthe same thing\b", re.IGNORECASE)
# A yes/no question about the mentee's own situation ("should I quit?", "is it too early to ask…?").
YES_NO = re.compile(r"(?:^|[.!?,;:]\s+|\b(?:so|but|and|honestly|ok|okay|also),?\s+)(?:should|shall|is|am|are|do|does|can|could|would|will)"
                    r"\s+(?:i|it|that|this|we|my)\b[^.!?]*\?", re.IGNORECASE)
# "roll back, or rebuild the referral path? which?", "who do I need on board?": direct questions that aren't yes/no.
CHOICE_QUESTION = re.compile(r"\b(?:which|who|or)\b[^.!?]*\?|\?[^.!?]*\b(?:which|or)\b"
                             r"|\b(?:how|where) (?:would|should|do|can|could) (?:you|i|we)\b[^.!?]*\?"
                             # an implicit question: "I have 15 ideas and I genuinely don't know where to start."
                             r"|\b(?:don'?t|do not) know (?:where|how) to (?:even )?(?:start|begin)\b|\bno idea where to (?:start|begin)\b"
                             r"|\b(?:i'?m|i am) (?:asking|wondering) (?:whether|if)\b[^.!?]*\bor\b",
                             re.IGNORECASE)
BROAD_QUESTION = re.compile(r"\bwhat (?:did|does) (?:he|the author)\b[^?]{0,20}\bdo\b|\bwhat happened\b|\btell me about\b|"
                            r"\bdescribe\b|\bwhat (?:was|is) (?:the|his) (?:\w+ )?spin\b|\bsummar", re.IGNORECASE)
ALREADY_DONE = 0.55  # an action this close to what the mentee just reported doing is done
INCIDENT_ONLY = re.compile(r"\b(?:incident|outage|postmortem|post-mortem|rollback plan)\b", re.IGNORECASE)  # retrieved passages below this fused relevance are not shown as sources
STORY_FLOOR = 0.55  # a story is told only when the message is this close to one of its situations
QUOTE_LEADS = ("As the article puts it:", "In the author's words:", "The article is plain about it:",
               "The author says it this way:", "From the article:")
REDIRECTS = {
    "injection": (
        "I can't share or change my instructions, but I'm happy to help with your career. "
        "Tell me what's going on at work, for example \"I'm stuck in a rut\" or "
        "\"How do I get my manager to give me more responsibility?\""
    ),
    "greeting": (
        "Hi! I'm a career mentor built on one model of growth, the career-growth flywheel: delivering "
        "results earns trust, trust buys bigger problems, and solving those well turns the wheel again. "
        "Tell me what's going on at work, for example \"I'm three months into a new job\" or \"my manager "
        "still reviews everything I do\", and I'll tell you where you are and one next step."
    ),
    "off_topic": (
        "That's outside what I can help with: I'm a career mentor built around the leadership-principle "
        "flywheel (Deliver Results, Earn Trust, Ownership and Think Big, Invent and Simplify, Bias for Action, "
        "Are Right a Lot). Ask me about your growth at work, for example \"How do I get out of a rut?\""
    ),
}


@dataclass
class Composition:
    text: str
    next_action: str | None
    sources: list[Source] = field(default_factory=list)
    clarifying_question: str | None = None
    options: list[str] = field(default_factory=list)


@dataclass
class TurnInput:
    """What the composer gets for one turn (built by `Mentor`)."""

    question: str
    vector: np.ndarray | None
    reading: Reading | None
    step: Step | None
    sources: list[Source]
    profile: Profile
    spin: int = 1
    alternatives: list[Step] = field(default_factory=list)
    ask: bool = False
    scope_reason: str = "career"
    adjacent: str | None = None
    open_commitment: str | None = None
    moved: bool = False  # the wheel turned forward this turn
    went_back: bool = False  # placed on an earlier (or another) step than the turn before
    last_action: str | None = None  # the last next action this conversation gave, as given
    placement_reason: str = ""  # how the step was found (`Placement.reason`)
    previous_step: Step | None = None  # where the conversation had placed them before this turn


class Citer:
    """Numbers the passages an answer cites, in order of first citation."""

    def __init__(self, retrieved: list[Source]) -> None:
        self.retrieved = retrieved
        self.sources: list[Source] = []

    def cite(self, source: Source) -> int:
        for n, s in enumerate(self.sources, 1):
            if s.id == source.id:
                return n
        self.sources.append(source)
        return len(self.sources)

    def final(self, k: int = 4) -> list[Source]:
        out = list(self.sources)
        for s in self.retrieved:
            if len(out) >= max(k, len(self.sources)):
                break
            if s.score >= RELATED_FLOOR and all(s.id != o.id and (s.section, s.kind) != (o.section, o.kind) for o in out):
                out.append(s)
        return out


def about_them(clause: str) -> str:
    """A fact's clause about the mentee ("people already trust you") said of their report, in the
    "they" every manager answer uses ("people already trust them")."""
    clause = re.sub(r"\byou are\b", "they are", clause)
    clause = re.sub(r"\byour\b", "their", clause)
    clause = re.sub(r"\b(trust|double-check|leave|back|rely on) you\b", r"\1 them", clause)
    return re.sub(r"\byou\b", "they", clause)


DISSENT = re.compile(r"\b(?:disagree|not convinced|don'?t buy|common sense|dressed up|i guess|whatever|not sure (?:about|i agree))\b",
                    re.IGNORECASE)
OBJECTION_FLOOR = 0.3  # an objection response closer than this (cosine) to the pushback is about it (review cases: 0.45-0.52 fit, 0.15-0.29 didn't)
A_NO = re.compile(r"\bnot yet\b|\bsaid no\b|\bsays no\b|\bapprove\b", re.IGNORECASE)
# People the mentee reports to or presents to; their own team ("the search team") can still be the thing.
PEOPLE = re.compile(r"\b(?:exec(?:utive)? team|leadership(?: team)?|committee|board|leads|managers|execs|staff)$", re.IGNORECASE)
# A team is somewhere work happens ("an update on the orders team"), not a thing to build or ship: a blind
# judge read "get a rough version of the data eng team into their hands". An action's slot takes a team
# only after one of these words.
A_TEAM = re.compile(r"\b(?:teams?|crew|squad|department|dept|org)$", re.IGNORECASE)
WHERE_A_TEAM_FITS = re.compile(r"(?<!depends )(?<!depend )(?<!relies )(?<!rely )(?<!waits )(?<!waiting )\b(?:in|on|for|from|around|with|about|through|across|within|to)\s+\{thing", re.IGNORECASE)
GOOD_NEWS = {"idea_approved", "shipped", "trusted", "has_track_record"}
NOT_FOUND = "I couldn't find anything about that in the flywheel article or the principles."
CONDITIONS = {"If you caused an incident, ": "caused_incident"}


# Actions addressed to one kind of mentee ("If you work on mobile, …") are given only to someone
# whose own words say they are that kind: a meaning match alone sent "If you're early in your
# career" to a senior SRE.
WHO_THEY_ARE = (
    (re.compile(r"^If you're (?:new to the team|early in your career)"),
     re.compile(r"\b(?:new|junior|just (?:joined|started)|first (?:job|year|months?|weeks?)|grad(?:uate)?|intern|"
                r"(?:days?|weeks?|months?) (?:in|into))\b", re.I)),
    (re.compile(r"^If you work on (?:front-end or )?mobile"), re.compile(r"\b(?:mobile|ios|android|apps?|front-?end|ui)\b", re.I)),
    (re.compile(r"^If you (?:work with data|own a scheduled job or data pipeline)"),
     re.compile(r"\b(?:data|pipelines?|etl|dashboards?|analytics|sql|warehouse|batch jobs?)\b", re.I)),
    (re.compile(r"^If you work in QA"), re.compile(r"\b(?:qa|testers?|test engineers?|quality assurance)\b", re.I)),
    # a saved query or a dashboard only for someone who works with data (a paralegal got one twice)
    (re.compile(r"\b(?:saved query|dashboards?)\b", re.I),
     re.compile(r"\b(?:data|dashboards?|analytics|analyst|sql|metrics?|kpis?|bi|tableau|power ?bi|looker|spreadsheets?|excel)\b", re.I)),
    (re.compile(r"^If you work remotely"), re.compile(r"\b(?:remote(?:ly)?|distributed|time ?zones?|from home|wfh)\b", re.I)),
    (re.compile(r"^If you rarely speak up"), re.compile(r"\b(?:quiet|introvert\w*|shy|speak up|(?:don't|never) talk)\b", re.I)),
    (re.compile(r"^If your customers are other engineers"),
     re.compile(r"\b(?:platform|internal (?:tool|service|customer)s?|infra\w*|sdk|developer tools?|devex)\b", re.I)),
    (re.compile(r"^If you're several layers away from end users"),
     re.compile(r"\b(?:back-?end|infra\w*|platform|never (?:see|meet|talk to) (?:users|customers))\b", re.I)),
    # "If X happened, …" goes only to someone who told us X: a new grad who had made no mistake was
    # told to apologise for one, a manager whose report missed the target to "write up that it worked".
    (re.compile(r"^If your last pitch got a no"),
     re.compile(r"\b(?:said no|say no|not now|not yet|rejected|turned (?:\w+ )?down|declined|vetoed|shot (?:\w+ )?down|"
                r"no budget|budget freeze|passed on it)\b", re.I)),
    (re.compile(r"^If a recent mistake of yours"),
     re.compile(r"\b(?:mistakes?|errors?|bugs?|broke|messed up|screwed up|my fault|dropped the ball|blew)\b", re.I)),
    (re.compile(r"^If a date .* is going to slip"),
     re.compile(r"\b(?:slip\w*|late|behind|deadlines?|overdue|due|miss\w*|estimates?)\b", re.I)),
    (re.compile(r"^If you're waiting on someone's approval"),
     re.compile(r"\b(?:waiting|approv\w+|sign-?off|permission|green ?light)\b", re.I)),
    (re.compile(r"^If a past launch went badly"),
     re.compile(r"\b(?:went badly|burn(?:ed|t)|roll(?:ed)? ?back|outage|incident|blew up|broke|afraid|scared|hesitat\w*)\b", re.I)),
    (re.compile(r"^If you (?:recommend stopping|decide to pull the plug)"),
     re.compile(r"\b(?:stop\w*|pull(?:ing)? the plug|kill\w*|shut\w*|cancel\w*|sunset\w*|wind\w* (?:it )?down)\b", re.I)),
    (re.compile(r"^If their bet didn't work"),
     re.compile(r"\b(?:didn'?t work|did not work|fail\w*|flop\w*|cancel\w*|killed|miss\w*|stalled|underperform\w*|"
                r"didn'?t (?:move|help)|wrong)\b|\bonly \d+\s?%", re.I)),
    (re.compile(r"^If it worked"),
     re.compile(r"(?<!n't )(?<!not )\b(?:worked|went (?:really |very )?well|success\w*|paid off|hit (?:the|our|its) (?:target|goal)|"
                r"beat (?:the|our|its) (?:target|goal))\b", re.I)),
)


# "Is it because I'm too quiet? Yes or no.": an answer demanded in so many words.
YES_OR_NO_ANSWER = re.compile(r"^(?:yes|no|not yet)\b", re.IGNORECASE)
DEMANDS_YES_OR_NO = re.compile(r"\b(?:just )?(?:a )?yes or no\b|\by/n\b", re.IGNORECASE)
# The mentee telling us we misread them: "No, that's not what I said."
CORRECTING_US = re.compile(r"^\W*(?:no,? |nope,? |wait,? )?(?:that'?s|that is) not what i (?:said|meant|asked)\b|"
                           r"^\W*(?:no,? )?you (?:misunderstood|misread|got (?:it|that|me) wrong)\b|"
                           r"^\W*(?:no,? )?i (?:didn'?t|did not) say (?:that|she|he|they|it)\b", re.IGNORECASE)
SETBACKS = {"slipping", "caused_incident"}  # reported as an update, but not progress
# An opener's tone that contradicts the news: a launch's to a cancelled bet, a consolation after a win.
LAUNCHED_TONE = re.compile(r"out in the world|out there being used|numbers are now more useful", re.IGNORECASE)
# Good news in the message itself: "he give me one big account from next week", "she handed me the rota".
GIVEN_MORE = re.compile(r"\b(?:gave|give|gives|handed|hands|trusted|trusts|let|lets) (?:me|us) (?:one|a|an|the|his|her|their|more|my own)\b"
                        r"(?! (?:hard time|warning|talking-to|bad review|no|list of (?:complaints|mistakes)))", re.IGNORECASE)
# A line the mentee draws: "i am NOT going back to my manager with another pitch this year", "I can't ask my boss again".
WONT_ASK_MANAGER = re.compile(r"\b(?:not|never|won'?t|can'?t|cannot|don'?t want to|refuse to)\s+(?:\w+\s+){0,2}?"
                              r"(?:go(?:ing)? (?:back )?to|ask(?:ing)?|pitch(?:ing)?(?: \w+)? to|approach(?:ing)?|bother(?:ing)?|"
                              r"push(?:ing)?)\s+(?:my |the )?(?:manager|boss|lead|director|supervisor)\b", re.IGNORECASE)
ASKS_THE_MANAGER = re.compile(r"\b(?:your|the) (?:manager|boss|skip-level|director|lead)\b|\b1:1\b|\bskip-level\b", re.IGNORECASE)
# "i don't even have my own tickets yet", "i literally have zero tasks in progress": nothing of theirs to finish yet.
NO_WORK_YET = re.compile(r"\b(?:don'?t|do not|doesn'?t) (?:even |really )?have (?:my own |any |a single )?(?:tickets?|tasks?|work|projects?)"
                         r"(?: of my own)?(?: yet)?\b|\b(?:zero|no) (?:tasks|tickets)(?: (?:in progress|yet|assigned|of my own))?\b"
                         r"|\bnothing (?:is )?assigned to me\b|\bhaven'?t (?:been )?(?:given|assigned) (?:any|a|my first) (?:tasks?|tickets?|work)\b",
                         re.IGNORECASE)
PRESUMES_WORK = re.compile(r"\b(?:tasks? you have|your top task|in progress|open (?:commitment|item)s?|commitments? (?:due|you already hold)|"
                           r"the next task you estimate|what'?s left in|recurring task|the task in|quietly avoiding|what landed|your current work)\b",
                           re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    """A line the mentee draws, kept for the rest of the journey: advice that `crosses` it is not given
    while other advice exists, and the reply says once that it was heard."""

    name: str
    drawn: re.Pattern
    crosses: re.Pattern
    heard: str


LINES = (
    Line("no_manager_ask", WONT_ASK_MANAGER, ASKS_THE_MANAGER, "Understood: nothing that goes through your manager for now."),
    Line("no_work_yet", NO_WORK_YET, PRESUMES_WORK, "Got it: nothing of your own to finish yet, so the first job is getting some."),
)
OPEN_QUESTION_TONE = re.compile(r"whether it did what you hoped|find out whether|good or bad|whatever \{thing\} turned out", re.IGNORECASE)
# The article's if-then-else at Are Right a Lot: a bet that paid off is not told to pull the plug, nor a failed one
# that bigger results follow.
ELSE_BRANCH = re.compile(r"\bELSE\b|pull the plug|self-critical|Self Critical|Right Always|isn't going to|was not right|"
                         r"don't need to kill|even in failure", re.IGNORECASE)
THEN_BRANCH = re.compile(r"\bTHEN\b|Much Bigger|More Trust|momentum and currency", re.IGNORECASE)
CONSOLING_TONE = re.compile(r"\bstings?\b|\bnot a verdict\b|\bdoesn'?t define\b", re.IGNORECASE)
# A change the mentee measured: "from 90 to 55 minutes", "down 30%", "cut it by 40 percent".
MEASURED_CHANGE = re.compile(
    r"\bfrom\s+(?:like |about |around |roughly |~)?\$?\d[\d.,]*\s*(?:%|k\b|[a-z]+\b)?\s+(?:to|down to|up to)\s+~?\$?\d[\d.,]*(?:\s*(?:%|percent|min(?:ute)?s?|hours?|hrs?|"
    r"days?|weeks?|seconds?|secs?|ms|k\b))?"
    r"|\b(?:up|down|dropped|fell|grew|rose|cut|reduced|improved|increased|decreased)\s+(?:by\s+)?~?\d[\d.,]*\s*(?:%|percent)"
    r"|\b\d[\d.,]*\s*(?:%|percent)\s+(?:faster|fewer|less|more|better|cheaper|lower|higher|up|down)\b"
    r"|\b(?:is|was|are|were|came in at|is now|now at)\s+~?\d[\d.,]*\s*(?:%|percent|minutes|mins|seconds|secs|ms|hours)\b"
    r"(?!\s+(?:late|behind|over|ago))(?:,? not (?:the )?\d[\d.,]*)?", re.IGNORECASE)
# ... unless it is the goal, not a result: "my idea to reduce changeover from 90 minutes to 30".
GOAL_BEFORE = re.compile(r"\b(?:idea|plan|goal|target|aim|want|wants|hope|trying|try|going|promised|need|needs) to\b[^.!?]{0,40}$"
                         r"|\bto (?:reduce|cut|bring|get|increase|improve|lower|raise)\b[^.!?]{0,40}$", re.IGNORECASE)

# Actions in a software team's words go only to someone who has told us they work in one: a nurse
# was told to "check for it yourself before every pull request", a civil engineer and a UX
# researcher to "open a draft pull request".
SOFTWARE_ONLY = re.compile(r"\b(?:pull requests?|PRs?|code ?reviews?|codebase|code|sprint demo|standups?|on-?call|design (?:docs?|reviews?)|"
                           r"bugs?|data pipelines?|scheduled jobs?|tickets?|backlog|alerts?|error messages?|migration scripts?|"
                           r"logs and metrics|release train|test cases?|"
                           r"build or release|release process|flak\w*|test suite|tests? in your suite|spike|"
                           r"feature flags?|the build|merge|load tests?|canary|engineers? (?:on|from) (?:other|another) teams?|"
                           r"senior engineer|send (?:them|him|her) a link|across time zones|guild|your internals)\b", re.IGNORECASE)
SOFTWARE_WORK = re.compile(r"\b(?:software|code|coding|programm(?:ing|ers?)|developers?|devs?|sre|devops|back-?end|front-?end|full-?stack|apis?|"
                           r"deploy\w*|pull requests?|prs?|sprints?|jira|repos?|microservices?|kubernetes|ci|qa|tech lead|saas|"
                           r"engineering manager|swe|web ?app|mobile app|gameplay|studio|game dev\w*|data engineer\w*|ml)\b", re.IGNORECASE)
OTHER_WORK = re.compile(r"\b(?:nurse|nursing|icu|hospital|clinic|patients?|teacher|teaching|school|classroom|students?|chef|sous|"
                        r"kitchen|restaurant|bistro|pharmacist|pharmacy|accountant|accounting|audit(?:or)?|lawyer|paralegal|law firm|"
                        r"civil engineer|utility|construction|site engineer|sales|account exec\w*|retail|warehouse|logistics|"
                        r"factory|plant manager|marketing|recruiter|hr)\b", re.IGNORECASE)


# Someone who names both kinds ("a nurse … the new health surveillance programme", "a dev at a
# hospital") is read by the job they say they do: software only when that job is a software one.
SOFTWARE_ROLE = re.compile(r"\b(?:i'?m|i am|im|as|work as|working as|job as)\s+(?:a|an|the)?\s*(?:[\w-]+\s+){0,3}?"
                           r"(?:developer|dev|programmer|sre|swe|devops|software engineer|(?:back|front)-?end engineer|"
                           r"full-?stack engineer|data engineer|ml engineer|qa engineer|tech lead|engineering manager)s?\b",
                           re.IGNORECASE)


# Work done on a floor, a ward, a site or a counter, not at a desk: a plumber was told to go through
# "notes from last week's meetings", a florist to "cancel a recurring meeting on their calendar" and to
# "write it up for your skip-level", a head chef to "set up a saved query or dashboard".
HANDS_ON_WORK = re.compile(
    r"\b(?:nurs(?:e|es|ing)|wards?|icu|patients?|chefs?|sous|commis|kitchen|restaurant|bistro|bakery|bakers?|cooks?|"
    r"plumb\w*|electricians?|apprentices?|carpent\w*|joiners?|mechanics?|technicians?|florists?|shop floor|retail|"
    r"warehouse|pickers?|forklift|drivers?|depot|construction|building site|factory|line workers?|barista|caf[eé]|"
    r"hotel|front desk|housekeep\w*|salon|hairdress\w*|paramedics?|firefight\w*|vet nurse|veterinary|farm\w*|"
    r"butcher|care home|carers?|caregivers?|radiograph\w*|pharmac\w*|dispatch\w*|van|crew|foreman|tradesm[ae]n|"
    r"journeym[ae]n|store|till|checkout staff|cashiers?|waiters?|waitress|servers?|bartenders?|porters?|cleaners?|"
    r"dental|dentists?|hygienists?|lab(?:oratory)?|scientists?|physio\w*|therapists?|midwi(?:fe|ves)|police|cabin crew|"
    r"flight attendants?|teachers?|classroom|school|librar\w*|site manager|groundworks|subbies|inspectors?|pastry)\b",
    re.IGNORECASE)
DESK_ONLY = re.compile(
    r"\b(?:skip-?level|dashboard|saved query|team channel|calendar|chat and email|design doc|status update|"
    r"demo of whatever runs|internal (?:or beta|team)|release|planning meeting|last week's meetings|decline any meeting|"
    r"recurring meeting|decision meeting|agenda|working session|doc|write it up|write-?up|slides?|deck|wiki|email thread|"
    # the author's own ask ("which teams worry them most… spend a quarter helping those teams") is an office's
    r"your director|teams worry|a quarter helping|automate it|your team's product|would fund|you'd fund|build or release)\b",
    re.IGNORECASE)


def works_hands_on(question: str, profile: Profile) -> bool:
    """The mentee works on a floor, a ward, a site or a counter (kept in the profile), not as a developer."""
    if HANDS_ON_WORK.search(question) and "hands-on" not in profile.used("work"):
        profile.mark_used("work", "hands-on")
    return "hands-on" in profile.used("work") and their_work(question, profile) != "software"


def their_work(question: str, profile: Profile) -> str | None:
    """"software", "other" or None: the kind of work the mentee has told us about (kept in the profile)."""
    for kind, words in (("software", SOFTWARE_WORK), ("other", OTHER_WORK), ("software role", SOFTWARE_ROLE)):
        if words.search(question) and kind not in profile.used("work"):
            profile.mark_used("work", kind)
    said = profile.used("work")
    if "software role" in said or "software" in said and not {"other", "hands-on"} & set(said):
        return "software"  # (a hotel receptionist who mentions "the app" still works at a front desk)
    return "other" if {"other", "hands-on"} & set(said) else None


# Objection responses that assume a situation ("When leadership changes priorities every few
# weeks…") go only to someone whose words describe it: by meaning alone, "I can't wait a year,
# chef is bringing in another sous" was told about shifting priorities nobody had mentioned.
OBJECTION_PREMISES = (
    (re.compile(r"(?:changes|changing|reshuffles) priorities|priorities changing", re.I), re.compile(r"\bpriorit|\breorg|\breshuffl|keeps? changing|changes? every", re.I)),
    (re.compile(r"requirements shift", re.I), re.compile(r"\brequirements?\b|moving target|scope (?:keeps|changes)", re.I)),
    (re.compile(r"^Working remotely", re.I), re.compile(r"\bremote|distributed|time ?zones?|from home|wfh", re.I)),
    (re.compile(r"^In a (?:startup|small company)", re.I), re.compile(r"\bstart-?up|small company|founder|tiny team", re.I)),
    (re.compile(r"^After an incident", re.I), re.compile(r"\bincident|outage|broke|took down|postmortem", re.I)),
    (re.compile(r"teammates who are junior|teammates are already underwater", re.I),
     re.compile(r"\b(?:team(?:mates)?|colleagues|everyone)\b[^.!?]{0,40}\b(?:junior|overloaded|underwater|stretched|swamped|busy)", re.I)),
    (re.compile(r"presents your work", re.I), re.compile(r"\bcredit\b|presents? my work|my name", re.I)),
    (re.compile(r"respected colleague built", re.I), re.compile(r"\b(?:built|wrote|owns) it\b|\blegacy\b|\bcolleague\b", re.I)),
    (re.compile(r"^If your team is new", re.I), re.compile(r"\bnew team\b|team is new|junior team|team of juniors", re.I)),
    (re.compile(r"many stakeholders", re.I), re.compile(r"\bstakeholders?\b", re.I)),
    (re.compile(r"product manager whose job", re.I), re.compile(r"\bpm\b|product manager", re.I)),
    (re.compile(r"founder believes", re.I), re.compile(r"\bfounder|\bceo\b", re.I)),
    (re.compile(r"^Where a mistake could hurt someone", re.I),
     re.compile(r"\bsafe(?:ty)?\b|\bregulat|\brules\b|complian|\blegal\b|\baudit|\bpatients?\b|\bclinical|\bsecurity\b|\binjur|\bhazard", re.I)),
    (re.compile(r"^When a bet pays off", re.I), re.compile(r"\bworked|success|paid off|went (?:really |very )?well|\bhit (?:the|our|its)|\bbeat\b|\bup \d|\bgrew\b|love[sd]? it", re.I)),
    (re.compile(r"^(?:Admitting a bet didn't work|Telling a VP that your project missed)", re.I),
     re.compile(r"\bfailed\b|\bfailure\b|cancel|killed|\bmissed\b|didn'?t work|\bwrong\b|flop|dropped|\bcut\b|disappoint", re.I)),
    (re.compile(r"^If speaking up in big meetings", re.I), re.compile(r"\bquiet|introvert|\bshy\b|speak(?:ing)? up|meetings? (?:drain|exhaust|scare)|big meetings", re.I)),
    (re.compile(r"^If your manager still wants to check everything", re.I),
     re.compile(r"\bcheck|\breview|\bevery\b|micromanag|double[- ]check|sign[- ]off|approv", re.I)),
    (re.compile(r"several layers from the end user", re.I), re.compile(r"\bback-?end|infra\w*|platform|never (?:see|meet|talk to)", re.I)),
)


# Openers that assume a situation go only to someone whose words describe it: blind judges read "The wheel
# is standing still" after a €6,000 mistake, "A blank page after a yes" to someone explaining why the
# pupils stopped coming, "It's maddening when a good idea just sits there" for a fear of looking foolish.
OPENER_PREMISES = (
    (re.compile(r"wheel is standing still", re.I),
     re.compile(r"\b(?:stuck|rut|coast\w*|standing still|nothing (?:moves|changes|happens)|bored|same (?:thing|stuff|work|tasks?)|"
                r"plateau\w*|stagnat\w*|going nowhere)\b", re.I)),
    (re.compile(r"^If trust feels thin", re.I),
     re.compile(r"\b(?:mistakes?|messed up|screwed up|broke|outage|incident|late|slipp\w*|missed|errors?|wrong|angry|blame\w*|"
                r"lost (?:their|his|her|my) trust|don'?t trust)\b", re.I)),
    (re.compile(r"^It stings to hit your dates", re.I),
     re.compile(r"\b(?:check\w*|review\w*|re-?reads?|sign(?:s|ed)? off|micromanag\w*|passed over|went to (?:someone|a guy|another|\w+ else)|"
                r"gave (?:it|the \w+) to|gives? (?:all )?the (?:good|interesting)|hard time|criticis\w*|critiqu\w*|nitpick\w*|"
                r"second-?guess\w*|doubts?|questions? (?:my|every|everything))\b", re.I)),
    (re.compile(r"^A blank page after a yes", re.I),
     re.compile(r"\b(?:where (?:do i|to|should i|would i) (?:even )?(?:start|begin)|no idea (?:how|where)|don'?t know (?:how|where) to|"
                r"panick\w*|overwhelm\w*|blank)\b", re.I)),
    (re.compile(r"is tangled enough", re.I),
     re.compile(r"\b(?:tangled|complex\w*|messy|mess|legacy|spaghetti|sprawl\w*|too (?:big|many)|moving parts|chaos|chaotic)\b", re.I)),
    (re.compile(r"^It's maddening when a good idea just sits there", re.I),
     re.compile(r"\b(?:sits?|sitting|stall\w*|stuck|waiting|wait|nothing(?:'s| has)? (?:moved|happened)|hasn'?t moved|still hasn'?t|"
                r"drag\w*|another (?:round|review|version|week))\b", re.I)),
    (re.compile(r"^You've thought about this long enough", re.I),
     re.compile(r"\b(?:plan\w*|think\w*|thought|analy\w+|research\w*|readings|data|review\w*|doc|v\d+|version|perfect\w*)\b", re.I)),
)


# Placed earlier on the wheel than the turn before: each said once in a conversation (a judge saw the first twice running).
STEPPING_BACK = (
    "Then let's take a step back.",
    "That puts you a step earlier than I had you.",
    "Let's go back a step, then.",
)
# Progress that doesn't yet meet the step's "moves on when": each said once in a conversation.
PARTIAL_PROGRESS = (
    "That's the right work, and it keeps you on this step a little longer:",
    "Good, that counts, and it's part of this step rather than the end of it:",
    "Worth doing, and it adds up; it isn't yet what moves you on:",
    "That's progress on the right thing, so keep going where you are:",
)


# What a closing says they'll do next: "I'm going to sit down with her Friday", "I go now to prepare the report".
THEIR_PLAN = re.compile(r"\b(?:i'?m going to|i am going to|i'?ll|i will|gonna|i go now to|going to)\s+(?P<plan>[^.!?]{3,80})",
                        re.IGNORECASE)


def _fits(conditions, text: str, said: str) -> bool:
    """`text` (an action or a response) suits the mentee: every (condition, cue) pair in `conditions`
    whose condition matches the text finds its cue in `said`, the mentee's own words (`_their_words`)."""
    return all(cue.search(said) for condition, cue in conditions if condition.search(text))


def _their_words(turn: "TurnInput") -> str:
    """What the mentee has told us in their own words: this message, key phrases, the facts' evidence."""
    return " ".join([turn.question, *turn.profile.key_phrases, *(f.evidence for f in turn.profile.facts.values())])


def settle_condition(action: str, profile: Profile) -> str:
    """"If you caused an incident, write the postmortem…" to someone who said they did: drop the if."""
    for prefix, fact in CONDITIONS.items():
        if action.startswith(prefix) and fact in profile.facts:
            rest = action[len(prefix):]
            return rest[:1].upper() + rest[1:]
    return action


def quote(text: str, n: int) -> str:
    return f"\u201c{text.strip()}\u201d [{n}]"  # verbatim, inner quotes too: citations are checked word for word


class OfflineComposer:
    """Answers without a model. `compose(turn)` → Composition; `stream_text` paces it out."""

    mode = "offline"
    model = None

    def __init__(self, flywheel: Flywheel, sentences: SentenceIndex | None = None, action_vectors=None,
                 answers: AnswerBank | None = None) -> None:
        self.flywheel = flywheel
        self.content = Content(flywheel)
        self.sentences = sentences
        self.answers = answers
        self.choices = ChoiceAnswers(flywheel.meta.get("choices") or [], flywheel.meta.get("choice_test") or {},
                                     flywheel.meta.get("manager_choice") or {})
        self._actions = self.content.pickable_texts()
        self._vectors: dict[str, np.ndarray] = {}  # action/objection text -> embedding, to pick by meaning
        self._hubness: dict[str, float] = {}  # text -> mean closeness to its nearest mentee messages

    def set_vectors(self, texts: list[str], vectors, messages: np.ndarray | None = None) -> None:
        """`messages`: vectors of typical mentee messages, to tell options close to everything (hubs) apart."""
        self._vectors = {t: v for t, v in zip(texts, vectors)}
        if messages is not None and len(messages) and len(texts):
            sims = np.asarray(vectors) @ np.asarray(messages).T
            k = min(HUB_NEIGHBOURS, sims.shape[1])
            nearest = -np.partition(-sims, k - 1, axis=1)[:, :k]
            self._hubness = {t: float(h) for t, h in zip(texts, nearest.mean(1))}

    def _closest(self, options: list[str], turn: TurnInput) -> str:
        """The option closest in meaning to the message; near-ties go to the message's own hash."""
        known = [o for o in options if o in self._vectors]
        if not known or turn.vector is None:
            return stable_pick(options, turn.question)
        sims = np.array([float(self._vectors[o] @ turn.vector) - HUB_WEIGHT * self._hubness.get(o, 0.0) for o in known])
        close = [o for o, s in zip(known, sims) if s >= sims.max() - NEAR_TIE]
        return stable_pick(close, turn.question)

    # --- entry points -------------------------------------------------------------
    def compose(self, turn: TurnInput) -> Composition:
        if turn.scope_reason != "career":
            return Composition(REDIRECTS.get(turn.scope_reason, REDIRECTS["off_topic"]), None)
        citer = Citer(turn.sources)
        move = turn.reading.move if turn.reading else "factual"
        drawn = [line for line in LINES if turn.reading and line.drawn.search(turn.question)
                 and line.name not in turn.profile.used("constraints")]
        for line in drawn:
            turn.profile.mark_used("constraints", line.name)  # remembered for the rest of the journey
        if turn.adjacent:
            text, action = self._adjacent(turn), None
        elif move == "thanks":
            return Composition(self._thanks(turn), None)
        elif turn.step is None:
            text, action = self._factual(turn, citer), None
        elif turn.ask and turn.alternatives:
            return self._clarify(turn)
        elif turn.reading and "manages_others" in turn.profile.facts:
            text, action = self._manager(turn, citer)
        else:
            text, action = self._mentoring(turn, citer, move)
        if turn.step is not None and turn.step.value not in turn.profile.used("steps"):
            turn.profile.mark_used("steps", turn.step.value)  # where the conversation has been, for the closing
        if drawn and turn.step is not None:
            text = " ".join(line.heard for line in drawn) + "\n\n" + text
        if turn.step is not None and CORRECTING_US.search(turn.question):
            text = "Thanks for correcting me; I had that wrong.\n\n" + text
        return Composition(text, action, citer.final())

    @staticmethod
    def stream_text(text: str) -> Iterator[str]:
        # The composer is instant; yield word groups so streaming UIs behave the same in both modes.
        words = re.split(r"(\s+)", text)
        for i in range(0, len(words), 12):
            yield "".join(words[i: i + 12])

    # --- picking without repeating --------------------------------------------------
    def _pick(self, kind: str, options: list[str], turn: TurnInput, by_meaning: bool = False) -> str | None:
        used = set(turn.profile.used(kind))
        if "caused_incident" not in turn.profile.facts:  # incident advice only for someone who had one
            options = [o for o in options if not INCIDENT_ONLY.search(o)] or list(options)
        if kind == "actions":
            options = [o for o in options if _fits(WHO_THEY_ARE, o, _their_words(turn))] or list(options)
            if their_work(turn.question, turn.profile) != "software":
                options = [o for o in options if not SOFTWARE_ONLY.search(o)] or list(options)
        fresh = [o for o in options if o not in used] or list(options)
        if kind == "actions" and works_hands_on(turn.question, turn.profile):
            # a desk chore is a worse fit than a fresh one, but a repeat is worse than either
            fresh = [o for o in fresh if not DESK_ONLY.search(o)] or fresh
        if not fresh:
            return None
        if kind == "openers" and not turn.profile.key_phrases:  # an opener reads best with their own words
            fresh = [o for o in fresh if not SLOT.search(o)] or fresh
        if by_meaning:
            choice = self._closest(fresh, turn)
            turn.profile.mark_used(kind, choice)
            return choice
        thing = turn.profile.key_phrases[-1] if turn.profile.key_phrases else None
        if kind == "openers":  # with a key phrase, prefer openers that can use it
            slotted = [o for o in fresh if SLOT.search(o)]
            if thing and slotted:
                fresh = slotted
            elif not thing:
                fresh = [o for o in fresh if not SLOT.search(o)] or fresh
        choice = stable_pick(fresh, turn.question)
        turn.profile.mark_used(kind, choice)
        return choice

    @staticmethod
    def _branch(turn: TurnInput, move: str, step: Step | None) -> str | None:
        """"success" or "failure": how the bet went, from this message's move or, at Are Right a Lot, the latest
        outcome they told us ("shipped it, 40 teams use it" then "ok and then?" is still the THEN branch)."""
        if move in ("outcome_failure", "outcome_success"):
            return move.removeprefix("outcome_")
        if step is not Step.ARE_RIGHT_A_LOT:
            return None
        facts = turn.profile.facts
        latest = max((k for k in ("failed", "shipped") if k in facts), key=lambda k: (facts[k].turn, facts[k].at), default=None)
        return {"failed": "failure", "shipped": "success"}.get(latest)

    def _openers_for(self, step: Step, turn: TurnInput) -> list[str]:
        """The step's openers, without one whose tone contradicts the news ("the thing is out in the world"
        to someone whose program was cancelled, "takes the sting out" to someone whose launch worked) or
        whose premise their words don't state (`OPENER_PREMISES`)."""
        said = set(turn.profile.facts)  # what we know so far, this message included
        options = self.content.openers(step)
        if "failed" in said:
            options = [o for o in options if not LAUNCHED_TONE.search(o)] or options
        elif "shipped" in said or GIVEN_MORE.search(turn.question):  # "he give me one big account": not a sting
            options = [o for o in options if not CONSOLING_TONE.search(o)] or options
            if "failed" not in said and (MEASURED_CHANGE.search(turn.question) or turn.reading and turn.reading.move == "outcome_success"):
                # "40 teams use it, builds from 40 to 12 min": whether it worked is not the open question any more
                options = [o for o in options if not OPEN_QUESTION_TONE.search(o)] or options
        return [o for o in options if _fits(OPENER_PREMISES, o, _their_words(turn))] or options

    @staticmethod
    def _respects(text: str | None, turn: TurnInput) -> bool:
        """Advice that doesn't cross a line the mentee drew ("i am NOT going back to my manager", "i don't
        even have my own tickets yet")."""
        kept = turn.profile.used("constraints")
        return not (text and any(line.name in kept and line.crosses.search(text) for line in LINES))

    def _next_action(self, options: list[str], turn: TurnInput) -> str | None:
        """The fresh action closest to this message, in the mentee's words, its condition settled."""
        options = [o for o in options if self._respects(o, turn)] or options
        action = self._pick("actions", options, turn, by_meaning=True)
        return settle_condition(fill(action, self._thing(turn, action)), turn.profile) if action else None

    def _not_already_done(self, options: list[str], turn: TurnInput) -> list[str]:
        """After "I wrote the postmortem", don't advise writing the postmortem."""
        if turn.vector is None:
            return options
        kept = [o for o in options if o not in self._vectors or float(self._vectors[o] @ turn.vector) < ALREADY_DONE]
        return kept or options

    def _thing(self, turn: TurnInput, template: str | None = None) -> str | None:
        """The mentee's latest name for their work; a group of people ("the exec team") is not a thing to build,
        and a team fills an action's slot only where a place fits ("an update on the orders team")."""
        for phrase in reversed(turn.profile.key_phrases):
            if PEOPLE.search(phrase) or template and A_TEAM.search(phrase) and not WHERE_A_TEAM_FITS.search(template):
                continue
            return phrase
        return STEP_THING.get(turn.step.value) if turn.step is not None else None

    def _quote(self, turn: TurnInput, citer: Citer, *, sections=(), kinds=("article",), spins=(), names=(),
               avoid: re.Pattern | None = None) -> str | None:
        """The quotable sentence closest in meaning to this message, not quoted before in the session (nor one
        `avoid` matches)."""
        if self.sentences is None or turn.vector is None:
            return None
        used = set(turn.profile.used("quotes"))
        if avoid is not None:
            used |= {s.text for s in self.sentences.sentences if avoid.search(s.text)}
        if "principle" in kinds and their_work(turn.question, turn.profile) != "software":
            # our principle notes' engineer examples ("shipping behind a feature flag") are not for a plant engineer
            used |= {s.text for s in self.sentences.sentences if s.kind == "principle" and SOFTWARE_ONLY.search(s.text)}
        sentence = self.sentences.best_quote(turn.vector, sections=tuple(sections), kinds=tuple(kinds),
                                             spins=tuple(spins), exclude=used, names=tuple(names))
        if sentence is None:
            return None
        turn.profile.mark_used("quotes", sentence.text)
        return quote(sentence.text, citer.cite(self._source(sentence, citer)))

    def _source(self, sentence: Sentence, citer: Citer) -> Source:
        for s in citer.retrieved:
            if s.id == sentence.chunk_id:
                return s
        return to_source(self.sentences.chunks[sentence.chunk_id], 1.0)

    def _guide(self, step: Step, citer: Citer, turn: TurnInput) -> str:
        """Cite the flywheel's note for this step (the mentor's notes) when it was retrieved."""
        for s in turn.sources:
            if s.kind == "guide" and s.steps == [step.value]:
                return f" [{citer.cite(s)}]"
        return ""

    def _article_section(self, step: Step) -> tuple[str, ...]:
        info = self.flywheel[step]
        if step is Step.CUSTOMER_OBSESSION:
            return ("Customer Obsession: the accelerant",)
        return (f"Step {info.order}: {info.name}", f"Step {info.order}: {info.name.replace(' + ', ' and ')}")

    # --- answer shapes --------------------------------------------------------------
    def _where(self, turn: TurnInput, step: Step, citer: Citer, lead: str = "") -> str:
        info = self.flywheel[step]
        facts = [f for f in turn.reading.facts if step.value in EXPLAINS.get(f, ())] if turn.reading else []
        because = ""
        if facts:
            clauses = [FACTS[f][1] for f in facts][:2]
            because = ("since " if lead.rstrip().endswith(":") else "Since ") + " and ".join(clauses) + ", "
        position = f"step {info.order} of 6" if info.order else "the accelerant that runs through every step"
        where = f"{lead}{because}{'you' if because or lead.rstrip().endswith(':') else 'You'}'re at **{info.name}** ({position}){self._guide(step, citer, turn)}."
        why = self.content.why(step)
        if why and f"why:{step.value}" not in turn.profile.used("moves_on"):
            turn.profile.mark_used("moves_on", f"why:{step.value}")
            where += f" {why}"
        if turn.spin > 1:
            where += f" This is spin {turn.spin} of your own flywheel, so aim at a bigger scope than last time."
        return where

    def _echo(self, turn: TurnInput) -> str:
        """Their own words back: the clause that told us the most."""
        if not turn.reading or not turn.reading.facts or turn.profile.used("echoes"):
            return ""  # once per conversation: after that, react rather than repeat their words
        evidence = next(iter(turn.reading.facts.values()))
        if SELF_INSULT.search(evidence) or LEARNER_ENGLISH.search(turn.question):
            return ""  # "I feel like an idiot…" quoted back reads as agreeing with it; a learner's grammar, as mocking it
        evidence = re.sub(r"^(?:hey|hi|hello|so|ok(?:ay)?|well|honestly|um+|update)\b[,:!.]*\s*", "", evidence, flags=re.I)
        if evidence.count("(") > evidence.count(")"):  # "…a staff accountant (career switch": cut off inside an aside
            evidence = evidence[:evidence.rfind("(")].rstrip(" ,;:-")
        elif evidence.count(")") > evidence.count("("):
            evidence = evidence[evidence.find(")") + 1:].lstrip(" ,;:-.")
        words = evidence.split()
        if not 3 <= len(words) <= 18:
            return ""
        frame = self._pick("echoes", list(ECHOES), turn) or ECHOES[0]
        return frame.format(evidence.rstrip(".!?, ")) + " "

    def _measured(self, turn: TurnInput) -> str:
        """A number the mentee measured ("changeover went from 90 to 55 minutes") named back: it is
        the evidence the wheel runs on, and a mentor who skips it hasn't listened."""
        match = next((m for m in MEASURED_CHANGE.finditer(turn.question)
                      if not GOAL_BEFORE.search(turn.question[:m.start()])), None)
        if not match:
            return ""
        # with its subject: "The changeover was 55 minutes", not "was 55 minutes"
        clause = re.split(r"[.!?;:,]\s+|\s(?:but|and|so)\s", turn.question[:match.start()])[-1]
        clause = re.sub(r"^\W*(?:but|and|so|then|now|ok(?:ay)?)\b\W*", "", clause, flags=re.IGNORECASE)
        said = " ".join((clause + match.group(0)).split()).rstrip(".,;")
        if len(said.split()) > 14:
            said = " ".join(match.group(0).split()).rstrip(".,;")
        if said in turn.profile.used("numbers"):
            return ""
        turn.profile.mark_used("numbers", said)
        return f"\u201c{said[0].upper() + said[1:]}\u201d is a measured result, and numbers like that are what the next conversation rests on. "

    def _mentoring(self, turn: TurnInput, citer: Citer, move: str) -> tuple[str, str | None]:
        step = turn.step
        thing = self._thing(turn)
        parts: list[str] = []
        if move == "objection" and not turn.moved:
            return self._objection(turn, citer)
        if move == "explain" and turn.last_action:
            return self._explain(turn, step), None  # the same action, explained: not a new one
        direct = self._short_answer(turn, step)
        if not self._respects(direct, turn):
            direct = None
        branch = self._branch(turn, move, step)
        if move in ("progress", "after_that", "whats_next", "outcome_success", "outcome_failure") and turn.moved:
            supported = bool(turn.reading and turn.reading.facts)
            if supported:
                ack = self._pick("acks", self.content.progress_acks(step), turn, by_meaning=True) or ""
                lead = ack + " That moves you on. "
            else:
                lead = "Good, that moves the wheel. "
            parts.append(self._where(turn, step, citer, lead=lead.lstrip()))
        elif move == "after_that":  # "and then?": what lies ahead, and that they aren't there yet
            parts.append(self._ahead(turn, step))
        elif move == "clarify_answer":
            parts.append(self._where(turn, step, citer, lead="Thanks, that settles it. "))
        elif turn.went_back:  # what they said puts them earlier on the wheel than we had them
            good_news = bool(turn.reading and GOOD_NEWS & set(turn.reading.facts))  # "the CTO said yes" isn't a step back
            leads = ["That changes the picture."] if good_news else list(STEPPING_BACK)
            parts.append(self._where(turn, step, citer, lead=self._pick("backs", leads, turn) + " "))
        elif move == "progress" and turn.reading and SETBACKS & set(turn.reading.facts):  # "update: i missed thursday"
            parts.append(self._where(turn, step, citer, lead="A slip like that is a setback, not a verdict, and what you do "
                                                             "next week counts for more than the slip itself: "))
        elif move == "progress":  # real work, but the step's condition isn't met yet
            lead = self._pick("holds", list(PARTIAL_PROGRESS), turn)  # said twice, two replies read as one
            parts.append(self._where(turn, step, citer, lead=lead + " "))
        elif direct:  # their question is answered first, then placed, in their words
            lead = self._echo(turn)
            if turn.profile.key_phrases and (not lead or thing and thing.lower() not in lead.lower()):
                # an opener that says their name for the work, unless the echo already does
                slotted = [o for o in self._openers_for(step, turn) if SLOT.search(o)]
                if slotted:
                    lead += fill(self._pick("openers", slotted, turn, by_meaning=True), thing) + " "
            parts.append(lead + self._where(turn, step, citer))
        else:
            opener = self._pick("openers", self._openers_for(step, turn), turn, by_meaning=True)
            lead = fill(opener, thing) + " " if opener else ""
            parts.append(self._echo(turn) + lead + self._where(turn, step, citer))
        measured = self._measured(turn)
        if measured and parts:
            parts[0] = measured + parts[0]
        if direct:
            parts.insert(0, f"**Short answer:** {direct}")
        # "and then?" carries no meaning to quote by; a known outcome is quoted from its own branch of the if-then-else
        q = None if move == "after_that" and not turn.moved else self._quote(
            turn, citer, sections=self._article_section(step), names=self.flywheel[step].principles,
            avoid={"success": ELSE_BRANCH, "failure": THEN_BRANCH}.get(branch))
        if q:
            parts.append(f"{self._pick('leads', list(QUOTE_LEADS), turn)} {q}")
        story = self._story(turn, step, citer)
        if story:
            parts.append(story)
        if turn.open_commitment:
            parts.append(f"Before adding more: you committed to \u201c{turn.open_commitment}\u201d. If that is still open, finishing it is part of this step.")
        options = self.content.actions(step, branch)
        if move in ("progress", "outcome_success", "outcome_failure"):
            options = self._not_already_done(options, turn)
        action = self._next_action(options, turn)
        if action:
            parts.append(f"**Your next action:** {action}")
        if move != "after_that" or turn.moved:
            parts.append(self._whats_next(turn, step, branch))
        return "\n\n".join(p for p in parts if p), action

    def _plain_objection(self, turn: TurnInput, citer: Citer) -> tuple[str, str | None]:
        """Pushback none of the step's written responses is about: take it seriously, say what the
        step still asks for, and offer a smaller piece instead of the same advice."""
        step = turn.step
        heard = "That's fair. "  # their words are not quoted back: three reviewers read it as mocking, then ignoring
        why = self.content.task(step)
        parts = [heard + f"You're still at **{self.flywheel[step].name}**, where the work is to {why}. But the piece you "
                         "take on can be much smaller than what I suggested, small enough to fit around what you just told me."]
        options = self._not_already_done(self.content.actions(step), turn)
        action = self._next_action(options, turn)
        if action:
            parts.append(f"**A smaller first step:** {action}")
        return "\n\n".join(parts), action

    def _explain(self, turn: TurnInput, step: Step) -> str:
        """Our last advice again, in plainer words: why this step, why that action, what it leads to."""
        why = self.content.task(step)
        when = self.content.arrives_when(step)
        text = (f"Sure, let me put it more plainly. You're at **{self.flywheel[step].name}**"
                + (f", so the job right now is to {why}." if why else ".")
                + f" The action I suggested, \u201c{turn.last_action.rstrip('.')}\u201d, is one small, concrete way to do that this week:"
                " small enough to finish, visible enough that people notice.")
        if when:
            text += f" You'll know it's working when {when}."
        return text + " If it doesn't fit your situation, tell me what gets in the way and I'll suggest another."

    def _ahead(self, turn: TurnInput, step: Step) -> str:
        """The step after this one (one further each time they ask again), what gets them there,
        and where they stand until it happens."""
        from .placement import advance

        asked = sum(1 for u in turn.profile.used("ahead") if u.startswith(f"{step.value}:"))
        turn.profile.mark_used("ahead", f"{step.value}:{asked}")
        before = step
        for _ in range(asked):
            before = advance(before)
        here, after, ahead = self.flywheel[step], self.flywheel[before], self.flywheel[advance(before)]
        task = self.content.task(ahead.step)
        why = f"the moment to {task}" if task else ""
        when = self.content.arrives_when(before)
        text = f"{'After' if not asked else 'And after'} **{after.name}** comes **{ahead.name}**" + (f": {why}." if why else ".")
        if when:
            text += f" You get there when {when}."
        return text + f" Until then you're at **{here.name}**, and this is the next thing to do here."

    def _whats_next(self, turn: TurnInput, step: Step, branch: str | None) -> str:
        if step.value in turn.profile.used("moves_on"):
            return ""
        turn.profile.mark_used("moves_on", step.value)
        nxt = self.flywheel[step.next]
        if step is Step.ARE_RIGHT_A_LOT:
            if branch == "failure":
                return ("**What comes next:** owning it openly earns trust even in failure; take the lessons, "
                        f"iterate or pull the plug, and the wheel turns again from **{nxt.name}**.")
            return ("**What comes next:** if you were right, the bigger results feed straight back into "
                    f"**{nxt.name}** and more trust, and the next spin starts with a bigger scope.")
        if step is Step.CUSTOMER_OBSESSION:
            return f"**What comes next:** let what you learn about your customers aim your next **{nxt.name}** move."
        moves = self.flywheel[step].moves_on_when.strip()
        return f"**What moves you on:** {moves} Then you are at **{nxt.name}**." if moves else ""

    def _story(self, turn: TurnInput, step: Step, citer: Citer) -> str | None:
        if self.sentences is None or turn.vector is None or not self._story_vectors:
            return None
        facts = set(turn.reading.facts) if turn.reading else set()
        best, best_sim = None, 0.0
        for story, vectors in self._story_vectors:
            if step.value not in story.steps:
                continue
            sim = float(np.max(vectors @ turn.vector)) if len(vectors) else 0.0
            if story.spin == 1 and "caused_incident" in facts:
                sim += 1.0
            if sim > best_sim:
                best, best_sim = story, sim
        if best is None or best_sim < STORY_FLOOR or f"spin{best.spin}" in turn.profile.used("stories"):
            return None
        q = self._quote(turn, citer, sections=(best.section,))
        if not q:
            return None
        turn.profile.mark_used("stories", f"spin{best.spin}")
        return f"{best.lesson} In his words: {q}"

    def _story_like_mine(self, turn: TurnInput, citer: Citer) -> str | None:
        """"What did the author do when he was in that kind of hole?": the author's story for the
        step the mentee's own facts put them at, told in our words, then in his."""
        if not LIKE_MINE.search(turn.question) or not turn.profile.facts or not self._story_vectors:
            return None
        from .placement import stage_from_facts

        step, _ = stage_from_facts(set(turn.profile.facts), set())
        if step is None:
            return None
        facts = set(turn.profile.facts)
        candidates = [(story, vectors) for story, vectors in self._story_vectors if step.value in story.steps]
        if not candidates:
            return None

        def closeness(pair) -> float:
            story, vectors = pair
            bonus = 1.0 if story.spin == 1 and facts & {"caused_incident", "slipping"} else 0.0
            return bonus + (float(np.max(vectors @ turn.vector)) if len(vectors) and turn.vector is not None else 0.0)

        story, _ = max(candidates, key=closeness)
        q = self._quote(turn, citer, sections=(story.section,))
        turn.profile.mark_used("stories", f"spin{story.spin}")
        where = story.section.split(":")[0]
        return f"In {where}: {story.lesson}" + (f" In his words: {q}" if q else "")

    _story_vectors: list = []

    def set_story_vectors(self, pairs: list) -> None:
        self._story_vectors = pairs

    def _objection(self, turn: TurnInput, citer: Citer) -> tuple[str, str | None]:
        step = turn.step
        options = self.content.objections(step)
        used = set(turn.profile.used("objections"))
        fresh = [o for o in options if o.text not in used] or options
        if their_work(turn.question, turn.profile) != "software":
            fresh = [o for o in fresh if not SOFTWARE_ONLY.search(o.smaller_action)] or fresh
        said = _their_words(turn)
        fresh = [o for o in fresh if _fits(OBJECTION_PREMISES, o.text, said)] or fresh
        if not fresh:
            return self._mentoring(turn, citer, "new_situation")
        said_no = bool(turn.reading and "manager_said_no" in turn.reading.facts)
        # A response whose premise this very message states ("safety problem", "there are rules") fits
        # it however loosely the two embed: short pushback rarely shares much meaning with a paragraph.
        stated = [o for o in fresh if any(condition.search(o.text) and cue.search(turn.question)
                                          for condition, cue in OBJECTION_PREMISES)]
        if said_no:  # "CFO said 'not now'": the responses about a no, whatever else the message says
            fresh = [o for o in fresh if A_NO.search(o.text)] or fresh
        elif stated:
            fresh = stated
        elif turn.vector is not None and all(o.text in self._vectors for o in fresh) and \
                max(float(self._vectors[o.text] @ turn.vector) for o in fresh) < OBJECTION_FLOOR:
            return self._plain_objection(turn, citer)  # no written response is about what they said
        chosen = self._closest([o.text for o in fresh], turn)
        objection = next(o for o in fresh if o.text == chosen)
        turn.profile.mark_used("objections", objection.text)
        parts = [objection.text]
        q = self._quote(turn, citer, sections=(objection.principle,), kinds=("principle",))
        if q:
            parts.append(f"What **{objection.principle}** asks here: {q}")
        action = fill(objection.smaller_action, self._thing(turn, objection.smaller_action))
        previous = turn.profile.used("actions")
        if action in previous or not self._respects(action, turn):  # never the same action twice in a session
            action = self._next_action(self.content.actions(step), turn)
        else:
            turn.profile.mark_used("actions", action)
        if action:
            parts.append(f"**A smaller first step:** {action}")
        return "\n\n".join(parts), action

    def _manager(self, turn: TurnInput, citer: Citer) -> tuple[str, str | None]:
        step = turn.step
        info = self.flywheel[step]
        direct = self._short_answer(turn, step)
        # the answer comes first; once every opener has been said, none (a sixth turn repeated the third's)
        fresh = [o for o in self.content.manager_openers() if o not in turn.profile.used("openers")]
        opener = "" if direct or not fresh else self._pick("openers", fresh, turn)
        position = f"step {info.order} of 6" if info.order else "the accelerant"
        who = "your report" if re.search(r"\b(?:she|her|he|him|his|they|them)\b", turn.question, re.I) else "the person you support"
        facts = [about_them(FACTS[f][1]) for f in (turn.reading.facts if turn.reading else {})
                 if step.value in EXPLAINS.get(f, ())][:2]
        why = " because " + " and ".join(facts) if facts else ""
        placed = f"From what you describe, {who} is at **{info.name}** ({position}){self._guide(step, citer, turn)}{why}."
        parts = [f"{opener} {placed}" if opener else placed]
        if direct:
            parts.insert(0, f"**Short answer:** {direct}")
        # the principle's definition from our notes, not the article (a reviewer took it for the author's
        # words), and once per conversation: a second, different "definition" reads as made up
        q = None if turn.profile.used("manager_principle") else self._quote(
            turn, citer, sections=("Hire and Develop the Best",), kinds=("principle",))
        if q:
            turn.profile.mark_used("manager_principle", "Hire and Develop the Best")
            parts.append(f"Your part as their manager is **Hire and Develop the Best**. In our notes' words: {q}")
        q2 = self._quote(turn, citer, sections=self._article_section(step), names=info.principles)
        if q2:
            lead = self._pick("manager_leads", ["What they need to hear from the article:", "The article's words for where they are:",
                                                "Worth sharing with them:", "The author's line for this point:"], turn)
            parts.append(f"{lead} {q2}")
        action = self._next_action(self.content.manager_actions(step) or self.content.actions(step), turn)
        if action:
            parts.append(f"**Your next action:** {action}")
        return "\n\n".join(parts), action

    def _short_answer(self, turn: TurnInput, *steps: Step | None) -> str | None:
        """The direct answer to the mentee's question, when it holds on every one of `steps` and was
        not given earlier in this conversation: a `direct_answers` pattern first (the narrow, sure
        cases), then an either/or question's verdict (`choices`), then the answer bank's closest
        entry by meaning."""
        direct = None
        manager = "manages_others" in turn.profile.facts  # their report's step, in a manager's voice
        if YES_NO.search(turn.question) or CHOICE_QUESTION.search(turn.question):
            answers = {self.content.direct_answer(turn.question, step, manager) for step in steps}
            direct = answers.pop() if len(answers) == 1 else None
        if direct is not None and direct[:60] in turn.profile.used("direct"):
            direct = None
        if (direct is None or YES_OR_NO_ANSWER.match(direct)) and None not in steps:
            # "should I push back or let it go?": the option the flywheel backs at their step (a manager's:
            # their report's), in their words, ahead of a pattern's "Yes, …", which doesn't answer an either/or
            direct = self.choices.answer(turn.question, tuple(steps), manager=manager) or direct
        if direct is None and DEMANDS_YES_OR_NO.search(turn.question) and len(steps) == 1 and steps[0] is not None:
            # "Is it because I'm too quiet? Yes or no.": go ahead or not yet where an axis reads it; otherwise
            # say honestly we can't, and what would decide it
            test = self.flywheel[steps[0]].moves_on_when.strip()
            direct = self.choices.yes_or_no(turn.question, tuple(steps), manager=manager) or (
                "I can't give you an honest yes or no from what you've told me. What decides it on the flywheel "
                f"is this test, so check yourself against it: {test}")
        if direct is None and self.answers is not None and steps and None not in steps:
            found = self.answers.match(turn.question, turn.vector, tuple(steps), turn.profile)
            if found is not None:
                turn.profile.mark_used("answers", found.id)
                return found.answer
        if direct is None and None not in steps:
            # "Would it be pushy to volunteer to lead it right now?": go ahead or not yet, where an axis reads it
            direct = self.choices.yes_or_no(turn.question, tuple(steps), manager=manager)
        if not direct or direct[:60] in turn.profile.used("direct"):
            return None  # none, or said already: the rest of the answer moves on
        turn.profile.mark_used("direct", direct[:60])
        return direct

    def _clarify(self, turn: TurnInput) -> Composition:
        first, second = turn.step, turn.alternatives[0]
        (say_a, probe_a), (say_b, probe_b) = self.content.clarify(first), self.content.clarify(second)
        echo = self._echo(turn)
        question = f"Are you {probe_a}, or {probe_b}?"
        lead = ("What comes next depends on where you are now, so I still need to know: "
                if turn.placement_reason == "clarify-again" else
                "Before I suggest anything, one question so I point you the right way: ")
        text = f"{echo}{lead}{question} Tell me in your own words, or pick one of the options."
        direct = self._short_answer(turn, first, second)  # only one that holds on either step
        if direct:
            text = f"**Short answer:** {direct}\n\n{text}"
        turn.profile.pending_clarification = [first.value, second.value]
        return Composition(text, None, [], clarifying_question=question, options=[say_a, say_b])

    def _thanks(self, turn: TurnInput) -> str:
        """A closing: their own plan wished well, the ground covered named, and no new homework (blind judges:
        "Thank you… I'm going to sit down with her Friday" got a new task)."""
        seed = turn.question + "|".join(turn.profile.used("actions")[-1:])
        closing = stable_pick(self.content.closings(), seed)
        if DISSENT.search(turn.question):  # "thanks, though I still disagree": not "glad this helped"
            closing = "Fair enough: you don't have to agree with all of it. Take what's useful and leave the rest."
        parts = [closing]
        plan = ([None] + [m for m in THEIR_PLAN.finditer(turn.question)
                          if not re.match(r"be (?:honest|frank|straight)", m.group("plan"), re.I)])[-1]  # the last one said
        if plan:  # their plan is the next action now: a closing that doesn't hand them ours
            calm = [c for c in self.content.closings() if not re.search(r"next action|good luck", c, re.I)] or [closing]
            closing = closing if DISSENT.search(turn.question) else stable_pick(calm, seed)
            parts[0] = f"Good luck when you {to_second_person(plan.group('plan').strip())}. {closing}"
        visited = turn.profile.used("steps")
        if visited and turn.previous_step is not None and visited[0] != turn.previous_step.value:
            who = "your report went" if "manages_others" in turn.profile.facts else "you went"
            first, last = self.flywheel[Step(visited[0])].name, self.flywheel[turn.previous_step].name
            parts.append(f"In this conversation {who} from **{first}** to **{last}**: that is the wheel turning.")
        if turn.last_action and not plan:
            parts.append(f"Your next action stands: {turn.last_action}")
        return "\n\n".join(parts)

    def _adjacent(self, turn: TurnInput) -> str:
        line = self.content.scope_line(turn.adjacent)
        if turn.previous_step is not None:  # mid-conversation: we know where they are, say so
            who = "your report is" if "manages_others" in turn.profile.facts else "you're"
            where = f"On the part the flywheel does cover, {who} still at **{self.flywheel[turn.previous_step].name}**"
            if turn.last_action:
                return f"{line}\n\n{where}, and your next action stands: {turn.last_action}"
            return f"{line}\n\n{where}."
        return (f"{line}\n\nIf you tell me where you are at work, for example what you have delivered lately or "
                "what you'd like to own next, I can place you on the flywheel and suggest one next step.")

    def _summary_lead(self, turn: TurnInput, found: list) -> str | None:
        """A broad question about one part of the story ("what did he do in his second spin?")
        opens with that section's plain-words summary (our words, from the article's front
        matter), then the cited sentences."""
        if not BROAD_QUESTION.search(turn.question):
            return None
        sections = {s.section for s in found}
        if len(sections) != 1:
            return None
        chunk = self.sentences.chunks.get(found[0].chunk_id)
        summary = (chunk.meta.get("context") or "").strip() if chunk is not None else ""
        if not summary:
            return None
        section = found[0].section
        where = section.split(":")[0] if found[0].spin else section
        return f"In short ({where}): {summary[0].upper() + summary[1:]}"

    def _order_answer(self, turn: TurnInput, citer: Citer) -> str | None:
        """"Which principle comes after Think Big?", "what's the first step?": the wheel's order is
        data, answer from it."""
        ordinal = NTH_STEP.search(turn.question)
        if ordinal and re.search(r"\b(?:which|what)\b", turn.question, re.I):
            word = ordinal.group("nth").lower()
            order = 6 if word in ("last", "final") else ORDINALS.index(word) % 6 + 1
            info = next((self.flywheel[s] for s in self.flywheel.steps if self.flywheel[s].order == order), None)
            if info is not None:
                return (f"On the flywheel, step {order} of 6 is **{info.name}**{self._guide(info.step, citer, turn)}: "
                        f"{info.idea}")
        if COUNT_STEPS.search(turn.question):
            numbered = sorted((self.flywheel[s] for s in self.flywheel.steps if self.flywheel[s].order),
                              key=lambda info: info.order)
            accelerant = [self.flywheel[s].name for s in self.flywheel.steps if not self.flywheel[s].order]
            return (f"The flywheel has **{len(numbered)} numbered steps**: "
                    + ", ".join(f"{info.order} {info.name}" for info in numbered)
                    + (f", with {accelerant[0]} as the accelerant" if accelerant else "") + ".")
        relation = ORDER_RELATION.search(turn.question)
        if not relation or not ASKS_FOR_A_STEP.search(turn.question):
            return None
        # the step the question is anchored on: the one named before "next", or the one after "after"/"before"
        named = sorted(((m.start(), step) for step in self.flywheel.steps if self.flywheel[step].order
                        for name in {self.flywheel[step].name, *self.flywheel[step].principles}
                        for m in re.finditer(rf"\b{re.escape(name)}\b", turn.question, re.IGNORECASE)),
                       key=lambda x: x[0])
        if len({step for _, step in named}) != 1:
            return None  # none, or two steps ("is Think Big before Invent and Simplify?"): not a lookup
        step = named[0][1]
        info = self.flywheel[step]
        before = relation.group("rel").lower() in ("before", "precedes", "precede", "previous")
        target = self.flywheel[step.next] if not before else next(
            self.flywheel[s] for s in self.flywheel.steps if self.flywheel[s].order and s.next is step)
        guide = self._guide(target.step, citer, turn)
        where = "comes before" if before else "comes after"
        return (f"On the flywheel, **{target.name}** (step {target.order} of 6) {where} "
                f"**{info.name}**{guide}: {target.idea}")

    def _factual(self, turn: TurnInput, citer: Citer) -> str:
        if self.sentences is None or turn.vector is None:
            return NOT_FOUND
        order = self._order_answer(turn, citer)
        if order:
            return order
        like_mine = self._story_like_mine(turn, citer)
        if like_mine:
            return like_mine
        direct = self._short_answer(turn, None)
        if direct:  # "is it ever okay to skip delivering results?": the verdict, then the article
            found = self._factual_body(turn, citer)
            return f"**Short answer:** {direct}" + (f"\n\n{found}" if found else "")
        return self._factual_body(turn, citer) or NOT_FOUND

    def _factual_body(self, turn: TurnInput, citer: Citer) -> str | None:
        """The cited sentences that answer a question about the article (None: nothing found)."""
        from ..retrieval import spin_mentioned

        definition = re.search(r"\bwhat (?:does|do|is|are)\b[^?]{0,60}\b(?:mean|means|stand for)\b|\bdefin|"
                               r"\bexplain (?:the )?principle\b|\bwhat is [A-Z]", turn.question)
        principle = next((s.section for s in turn.sources if s.kind == "principle"
                          and s.section and s.section.lower() in turn.question.lower()), None) if definition else None
        passages = {s.id: s.score for s in turn.sources}
        between = self.sentences.years_between(turn.question)
        if between:
            years, first, second = between
            return (f"**Short answer:** about {years} years.\n\n" + " ".join(
                quote(s.text, citer.cite(self._source(s, citer))) for s in sorted((first, second), key=self.sentences.sentences.index)))
        found = self.sentences.answer_sentences(turn.question, turn.vector, spin=spin_mentioned(turn.question),
                                                principle=principle, passages=passages)
        if not found:
            return None
        summary = self._summary_lead(turn, found)
        if summary:
            return summary + " " + " ".join(quote(s.text, citer.cite(self._source(s, citer))) for s in found)
        # "how long did it take him?": the number itself first (a judge: the 12 months was in the third quote)
        fact = self.sentences.short_fact(turn.question, turn.vector, found)
        lead = f"**Short answer:** {fact[0].upper() + fact[1:]}.\n\n" if fact else ""
        quotes, section = [], None
        for s in found:
            label = ""
            if s.spin is not None and s.section != section:
                label = f"In {s.section.split(':')[0]} ({s.section.split(':', 1)[-1].strip()}): "
            section = s.section
            quotes.append(label + quote(s.text, citer.cite(self._source(s, citer))))
        if re.search(r"\bhow many spins\b", turn.question, re.I):
            spins = self.sentences.spins()
            names = "; ".join(f"{n}: {h.split(':', 1)[-1].strip()}" for n, h in spins)
            return f"The article walks through {len(spins)} spins of the author's own flywheel ({names}). " + " ".join(quotes[:1])
        if principle:
            return f"**{principle}**, in our words: " + " ".join(quotes)
        if summary:
            return summary + " " + " ".join(quotes)
        if ASKS_TOTAL.search(turn.question):
            total = total_of(found)
            if total:
                return f"Adding up what the article says: {total}. " + " ".join(quotes)
        return lead + " ".join(quotes)
