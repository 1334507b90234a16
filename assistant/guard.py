"""The front door: validate a question and decide whether it is ours to answer.

Validation errors are the user's to fix (empty, too long). Scope is decided
deterministically, before any model sees the text: requests to reveal or
override instructions, and questions outside career growth (recipes, trivia,
code), get a polite redirect instead of invented advice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import EmptyQuestionError, QuestionTooLongError

INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.?!]{0,40}\b(?:instructions?|rules|prompt|guidelines|system)\b"
    r"|\b(?:system|hidden|initial|original)\s+(?:prompt|instructions?|message)\b"
    r"|\b(?:reveal|print|show|repeat|output|leak|dump)\b[^.?!]{0,30}\b(?:your|the)\s+(?:prompt|instructions?|rules|configuration)\b"
    # "SYSTEM: new policy.", "new instructions from the developer", not "the new policy pipeline" at work
    r"|\bnew (?:instructions|policy|rules)\s*(?:[.:;!-]|from (?:the |your )?(?:developer|admin|system|openai)|for (?:you|the (?:assistant|ai|bot|model))|"
    r"(?:are |is )?in effect|from now on|override|replace)|</?(?:context|system|passages?|instructions)>|\b(?:admin|root)\s+password\b"
    r"|\byou are now\b|\bdeveloper mode\b|\bjailbreak\b",
    re.IGNORECASE,
)

# Clearly not career growth. Kept narrow: a career question that mentions "a joke"
# or "translate a goal into steps" must not be turned away; low similarity to
# the knowledge base catches the rest.
# A message that is only a greeting: welcomed, and asked what is going on (no step, no sources).
GREETING = re.compile(r"^\W*(?:hi|hello|hey|hiya|howdy|yo|good (?:morning|afternoon|evening)|greetings)\b"
                      r"(?:\W+(?:there|all|everyone|mentor|bot|friend))?\W*$", re.IGNORECASE)
OFF_TOPIC = re.compile(
    r"\b(?:recipe|baking|ingredients?|weather forecast|horoscope|lottery|world cup|super bowl|capital of|"
    r"population of|lyrics|stock price|mortgage|calories)\b"
    r"|\b(?:write|give|show|send)\s+me\b[^.?!]{0,40}\b(?:code|function|script|regex|sql|program|class|poem)\b"
    r"|^(?:please\s+|can you\s+|could you\s+)?(?:write|fix|debug|refactor|implement|generate)\b[^.?!]{0,40}"
    r"\b(?:code|function|script|regex|sql|query|program|class)\b",
    re.IGNORECASE,
)

CAREER = re.compile(
    r"\b(?:career|job|work\w*|promot\w*|manager|boss|skip|director|team\w*|peers?|mentor\w*|trust\w*|responsib\w*|"
    r"project|rut|stuck|growth|grow|senior|principal|staff|engineer\w*|lead\w*|ownership|owner|own|scope|deliver\w*|"
    r"results?|deadlines?|outage|impact|customer\w*|users?|idea|initiative|flywheel|spin|principles?|lps?|frugality|"
    r"invent\w*|simplify|bias for action|dive deep|backbone|hire|hiring|standards|curious|learn\w*|"
    r"author|article|carlos|amazon|load test\w*|feedback|review|raise|quit|failure|failed|bet|pitch|"
    r"ship\w*|launch\w*|roadmap|service|design|tests?|repo|migration|proposals?|retro|planning|meetings?|goals?|api|"
    # work outside software, in its own words ("sous chef at a busy bistro… chef is watching everything i do")
    r"supervisor|co-?workers?|colleagues?|clients?|shifts?|chef|sous|nurse|teacher|pharmacist|accountant|analyst|intern|"
    r"employer|company|firm|office|role|position|hired|mistake|coach\w*)\b",
    re.IGNORECASE,
)

# Cosine similarity to the closest knowledge passage above which a question is on topic
# even without a career word. Measured on the eval cases: career questions ≥ 0.26,
# recipes/trivia/health/finance ≤ 0.17.
ON_TOPIC_SIMILARITY = 0.22


_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Scope:
    in_scope: bool
    reason: str  # "career" | "injection" | "off_topic"


def validate_question(question, limit: int) -> str:
    if question is None:
        raise EmptyQuestionError()
    if isinstance(question, bytes):
        from .errors import UndecodableInputError

        try:
            question = question.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UndecodableInputError(f"{exc.reason} at byte {exc.start}") from None
    text = str(question).replace("\x00", "").strip()
    if _SURROGATE.search(text):  # undecodable bytes that reached us as text (a command-line argument, stdin)
        from .errors import UndecodableInputError

        raise UndecodableInputError("it contains bytes that are not valid UTF-8")
    if not text:
        raise EmptyQuestionError()
    if len(text) > limit:
        raise QuestionTooLongError(len(text), limit)
    return text


def classify_scope(question: str, similarity: float) -> Scope:
    if INJECTION.search(question):
        return Scope(False, "injection")
    if GREETING.search(question):
        return Scope(False, "greeting")
    if OFF_TOPIC.search(question) and len({m.group(0).lower() for m in CAREER.finditer(question)}) < 2:
        # (a bank advisor who wants "mortgage appointments", a pastry chef's "ingredients": their work)
        return Scope(False, "off_topic")
    if CAREER.search(question) or similarity >= ON_TOPIC_SIMILARITY:
        return Scope(True, "career")
    return Scope(False, "off_topic")
