"""Every error the assistant raises on purpose.

One base class, `MentorError`, so callers can catch everything we mean to raise.
`InputError` is the user's to fix (the CLI exits 2); `ProviderError` is the
model's side (the CLI exits 1). Messages say what to do next and never carry
secrets.
"""

from __future__ import annotations


class MentorError(Exception):
    """Base class for every error the assistant raises deliberately."""

    exit_code = 1


class InputError(MentorError, ValueError):
    """Bad input from the user: the message says how to fix it."""

    exit_code = 2


class EmptyQuestionError(InputError):
    def __init__(self) -> None:
        super().__init__("the question is empty: type a question, e.g. \"How do I get out of a rut?\"")


class QuestionTooLongError(InputError):
    def __init__(self, length: int, limit: int) -> None:
        self.length = length
        self.limit = limit
        super().__init__(
            f"the question is {length:,} characters; the limit is {limit:,}. "
            "Shorten it to the situation and the question you want help with."
        )


class UndecodableInputError(InputError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"could not read the input as UTF-8 text ({detail}); pass plain UTF-8 text")


class KnowledgeFileError(InputError):
    """A knowledge file could not be parsed; the previous index is untouched."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(
            f"cannot parse knowledge file {path}: {problem}. "
            "Fix the file and run `mentor index` again; the previous index is still in use."
        )


class StoreError(MentorError):
    """The vector store could not be opened or written."""


class StoreDamagedError(StoreError):
    """The embedded store's files are damaged: `mentor index --rebuild` moves them aside and rebuilds."""


class StoreUnavailableError(StoreError):
    """The Chroma server (MENTOR_CHROMA_URL) could not be reached."""


class ProviderError(MentorError):
    """The language model provider failed; the conversation is intact and the turn can be retried."""

    exit_code = 1


class ProviderAuthError(ProviderError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "the model provider rejected the credentials. Check OPENAI_API_KEY "
            "and OPENAI_BASE_URL" + (f" ({detail})" if detail else "")
        )


class ProviderUnavailableError(ProviderError):
    """Rate limits, server errors and timeouts that outlasted the retries."""


class ProviderResponseError(ProviderError):
    """A malformed or cut-off response from the model."""
