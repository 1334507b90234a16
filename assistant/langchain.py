"""The Mentor's retrieval as a LangChain retriever, for use in any LCEL chain.

    from assistant.langchain import MentorRetriever
    retriever = MentorRetriever(k=4)                # a Mentor from the environment, or mentor=...
    docs = retriever.invoke("How do I earn trust?") # list[Document]
    chain = retriever | format_docs | prompt | llm  # .invoke / .batch / .ainvoke / .stream

Each `Document` carries the passage text as `page_content`, the `Source`'s id as `id`, and
every other `Source` field (id, title, section, kind, score, steps, spin) as metadata, so
code written against `Mentor.retrieve` and against LangChain sees the same data. The
retrieval itself is `Mentor.retrieve` (hybrid dense + BM25 over the Chroma index, built on
first use); nothing here re-implements it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from .types import Source


def source_document(source: Source) -> Document:
    """A `Source` as a LangChain `Document` (text → page_content, the other fields → metadata)."""
    metadata = source.to_dict()
    text = metadata.pop("text")
    return Document(page_content=text, metadata=metadata, id=source.id)


def _default_mentor():
    from .mentor import Mentor

    return Mentor()


class MentorRetriever(BaseRetriever):
    """`Mentor.retrieve` as a `BaseRetriever`: returns `Document`s with the `Source` fields as metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    mentor: Any = Field(default_factory=_default_mentor)
    """The `assistant.Mentor` to retrieve with (default: one built from the environment)."""
    k: int | None = None
    """Passages per query (default: the Mentor's MENTOR_K)."""

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [source_document(source) for source in self.mentor.retrieve(query, k=self.k)]
