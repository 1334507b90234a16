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
    r"|\byou are now\b|\bdeveloper mode\b|\bjailbreak\b|\bDAN\b",
    re.IGNORECASE,
)

OFF_TOPIC = re.compile(
    r"\b(?:recipe|bake|baking|cook|cooking|ingredients?|weather|forecast|horoscope|lottery|world cup|super bowl|"
    r"score of the|capital of|population of|translate|poem|lyrics|joke|movie|celebrity|stock price|bitcoin|"
    r"diet|calories|workout)\b"
    r"|\b(?:write|fix|debug|refactor|implement|generate)\b[^.?!]{0,40}\b(?:code|function|script|regex|sql|query|class|"
    r"program|python|javascript|java|html|css)\b"
    r"|\b(?:python|javascript|typescript|java|rust|golang|sql|regex|bash)\b[^.?!]{0,30}\b(?:function|error|exception|syntax|snippet|loop)\b",
    re.IGNORECASE,
)

CAREER = re.compile(
    r"\b(?:career|job|work|promot\w*|manager|boss|skip|director|team\w*|peers?|mentor\w*|trust|responsib\w*|"
    r"project|rut|stuck|growth|grow|senior|principal|staff|engineer\w*|lead\w*|ownership|owner|scope|deliver\w*|"
    r"results?|deadline|outage|impact|customer\w*|idea|initiative|flywheel|spin|principles?|frugality|"
    r"invent\w*|simplify|bias for action|dive deep|backbone|hire|hiring|standards|curious|learn\w*|"
    r"author|article|carlos|amazon|load test\w*|feedback|review|raise|quit|failure|failed|bet|pitch)\b",
    re.IGNORECASE,
)

# Cosine similarity to the closest knowledge passage above which a question is on topic
# even without a career word. Measured: career questions ≥ 0.35, trivia ≤ 0.2.
ON_TOPIC_SIMILARITY = 0.35


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
    if not text:
        raise EmptyQuestionError()
    if len(text) > limit:
        raise QuestionTooLongError(len(text), limit)
    return text


def classify_scope(question: str, similarity: float) -> Scope:
    if INJECTION.search(question):
        return Scope(False, "injection")
    if OFF_TOPIC.search(question):
        return Scope(False, "off_topic")
    if CAREER.search(question) or similarity >= ON_TOPIC_SIMILARITY:
        return Scope(True, "career")
    return Scope(False, "off_topic")
