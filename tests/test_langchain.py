"""LangChain as LangChain users expect: MentorRetriever in LCEL chains, and each turn traced as
one `mentor.turn` run tree (recorded by a tracer plugged in the way LangSmith's is)."""

from __future__ import annotations

import asyncio
from contextvars import ContextVar

import pytest
from langchain_core.documents import Document
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnablePassthrough
from langchain_core.tracers.base import BaseTracer
from langchain_core.tracers.context import register_configure_hook

from assistant import Mentor
from assistant.langchain import MentorRetriever
from tests.fake_openai import fake_openai  # noqa: F401  (fixture)


# --- the retriever ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def retriever(shared_mentor) -> MentorRetriever:
    return MentorRetriever(mentor=shared_mentor, k=3)


def test_retriever_returns_documents_with_the_source_fields(retriever, shared_mentor):
    question = "How do I earn my manager's trust?"
    docs = retriever.invoke(question)
    sources = shared_mentor.retrieve(question, k=3)
    assert all(isinstance(d, Document) for d in docs) and len(docs) == 3
    for doc, source in zip(docs, sources):
        assert doc.page_content == source.text and doc.id == source.id
        assert doc.metadata == {k: v for k, v in source.to_dict().items() if k != "text"}
    assert set(docs[0].metadata) == {"id", "title", "section", "kind", "score", "steps", "spin"}


def test_retriever_batch_and_ainvoke_match_invoke(retriever):
    questions = ["What does Frugality mean?", "What happened in the author's first spin?"]
    batched = retriever.batch(questions)
    assert [[d.id for d in docs] for docs in batched] == [[d.id for d in retriever.invoke(q)] for q in questions]
    async_docs = asyncio.run(retriever.ainvoke(questions[0]))
    assert [d.id for d in async_docs] == [d.id for d in batched[0]]


def test_retriever_in_a_two_step_lcel_chain(retriever):
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from these passages:\n{context}"), ("human", "{question}")]
    )
    numbered = RunnableLambda(lambda docs: "\n".join(f"[{n}] {d.metadata['section']} ({d.metadata['kind']}): {d.page_content}"
                                                      for n, d in enumerate(docs, 1)))
    chain = {"context": retriever | numbered, "question": RunnablePassthrough()} | prompt
    value = chain.invoke("What does Frugality mean?")
    system, human = value.to_messages()
    assert human.content == "What does Frugality mean?"
    assert system.content.count("\n[") == 3  # k=3 passages
    assert "\n[1] Frugality (principle): **What it asks.** Do more with less." in system.content


# --- the turn's trace ---------------------------------------------------------------------------
class RecordingTracer(BaseTracer):
    """A tracer like LangSmith's, keeping finished root runs (with their child runs) in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.roots = []

    def _persist_run(self, run) -> None:
        self.roots.append(run)


_recording: ContextVar[RecordingTracer | None] = ContextVar("recording_tracer", default=None)
register_configure_hook(_recording, inheritable=True)  # how LangSmith's tracer joins every run


@pytest.fixture
def tracer():
    tracer = RecordingTracer()
    token = _recording.set(tracer)
    yield tracer
    _recording.reset(token)


def _tree(run) -> list:
    return [(child.name, _tree(child)) for child in sorted(run.child_runs, key=lambda r: r.dotted_order)]


def _names(run) -> list[str]:
    return [name for name, _ in _tree(run)]


def test_an_offline_turn_is_one_run_with_its_stages_in_order(shared_mentor, tracer):
    from assistant import Session

    session = Session()
    answer = shared_mentor.ask("I'm stuck in a rut at work, how do I get out?", session=session)
    (turn,) = tracer.roots
    assert turn.name == "mentor.turn" and turn.error is None and "flywheel-mentor" in turn.tags
    assert _names(turn) == ["diagnose", "rewrite", "retrieve.dense", "retrieve", "answer", "verify"]
    metadata = turn.extra["metadata"]
    assert metadata["mentor_step"] == answer.step.value and metadata["mentor_spin"] == session.spin == 1
    assert metadata["mentor_mode"] == "offline" and metadata["mentor_model"] is None
    stages = {child.name: child for child in turn.child_runs}
    assert answer.text[:80] in stages["answer"].outputs["text"]  # the streamed text, before verification
    retrieved = stages["retrieve"].outputs["output"]  # the passages' ids, not their text
    assert retrieved and len(shared_mentor.store.collection.get(ids=retrieved)["ids"]) == len(retrieved)
    assert turn.outputs["step"] == answer.step.value


def test_an_llm_turn_nests_the_model_runs_under_its_stages(shared_mentor, fake_openai, tracer):  # noqa: F811
    from assistant import Session

    mentor = Mentor(shared_mentor.settings.replace(provider="openai", base_url=fake_openai.base_url, api_key=None,
                                                   max_retries=0))
    mentor._store, mentor._retriever, mentor._diagnoser = shared_mentor.store, shared_mentor.retriever, shared_mentor.diagnoser
    session = Session()
    mentor.ask("I'm stuck in a rut at work, how do I get out?", session=session)
    fake_openai.reply("What should I do after I deliver results?",
                      "Earn trust next [1].\n**Next action:** Tell your manager what you delivered.")
    answer = mentor.ask("and after that?", session=session)
    first, second = tracer.roots
    assert [r.name for r in tracer.roots] == ["mentor.turn", "mentor.turn"]
    assert second.extra["metadata"]["mentor_mode"] == "llm" and second.extra["metadata"]["mentor_model"] == "gpt-4.1-mini"
    assert second.extra["metadata"]["mentor_step"] == answer.step.value
    tree = dict(_tree(second))
    assert "ChatOpenAI" in [name for name, _ in tree["diagnose"]]  # the model's structured read of the turn
    assert [name for name, _ in tree["rewrite"]] == ["mentor.rewrite"]  # the rewrite call, inside its stage
    assert [name for name, _ in tree["answer"]] == ["mentor.answer"]  # the streamed model call
    assert "ChatOpenAI" in [name for name, _ in dict(tree["answer"])["mentor.answer"]]
    assert first.extra["metadata"]["mentor_spin"] == 1 and first.child_runs


def test_a_failed_turn_ends_its_run_with_the_error(shared_mentor, fake_openai, tracer):  # noqa: F811
    from assistant.errors import ProviderError

    mentor = Mentor(shared_mentor.settings.replace(provider="openai", base_url=fake_openai.base_url, max_retries=0))
    mentor._store, mentor._retriever, mentor._diagnoser = shared_mentor.store, shared_mentor.retriever, shared_mentor.diagnoser
    fake_openai.fail(401)
    with pytest.raises(ProviderError):
        mentor.ask("How do I earn trust?")
    (turn,) = tracer.roots
    assert turn.name == "mentor.turn" and "ProviderAuthError" in turn.error
    answer_stage = next(c for c in turn.child_runs if c.name == "answer")
    assert answer_stage.error and [c.name for c in answer_stage.child_runs] == ["mentor.answer"]
    assert "verify" not in _names(turn)


def test_without_a_tracer_a_turn_records_nothing_and_logs_timings(shared_mentor, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="assistant.tracing"):
        shared_mentor.ask("What does Frugality mean?")
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("turn stage retrieve: ") for line in lines)
    assert any(line.startswith("turn: ") and "mode offline" in line for line in lines)
