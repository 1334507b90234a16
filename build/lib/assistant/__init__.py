"""Flywheel Mentor: career mentoring grounded in the leadership-principle flywheel.

Public API (see README): `Mentor`, `Session`, `Step`, `Answer`, `Source`,
`IndexReport`, `MentorError` and its subclasses, and `ask(question)`. Importing
this package is cheap: nothing heavy loads until a Mentor is used.
"""

from .errors import (
    EmptyQuestionError,
    InputError,
    KnowledgeFileError,
    MentorError,
    ProviderAuthError,
    ProviderError,
    ProviderResponseError,
    ProviderUnavailableError,
    QuestionTooLongError,
    StoreError,
    UndecodableInputError,
)
from .mentor import AnswerStream, Mentor, ask
from .session import Commitment, Session, Turn
from .settings import Settings
from .types import Answer, Citation, IndexReport, Source, Step

__all__ = [
    "Answer", "AnswerStream", "Citation", "Commitment", "EmptyQuestionError", "IndexReport", "InputError",
    "KnowledgeFileError", "Mentor", "MentorError", "ProviderAuthError", "ProviderError", "ProviderResponseError",
    "ProviderUnavailableError", "QuestionTooLongError", "Session", "Settings", "Source", "Step", "StoreError",
    "Turn", "UndecodableInputError", "ask",
]
