"""The answer bank: a mentee's own question gets the mentor's written answer, chosen by meaning,
right for their step and role, never twice, and never from a message that asks nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant import Session, Step
from assistant.dialogue.answers import question_sentences
from assistant.errors import KnowledgeFileError
from assistant.knowledge import read_file

SHORT = re.compile(r"\*\*Short answer:\*\* (.+)")


def bank_answer(answer) -> str | None:
    found = SHORT.search(answer.text)
    return found.group(1) if found else None


def entry(shared_mentor, entry_id: str):
    return next(e for e in shared_mentor.dialogue.answers.entries if e.id == entry_id)


@pytest.mark.parametrize("message, asked", [
    ("I've been here two years. How do I get more responsibility?", ["How do I get more responsibility?"]),
    ("my boss checks everything i do. what do i do", ["what do i do"]),
    ("I have no idea where to start on the new rota system.", ["I have no idea where to start on the new rota system."]),
    ("Any advice for my first week as a charge nurse", ["Any advice for my first week as a charge nurse"]),
    ("I'm stuck in a rut.", []),
    ("What happened next was the budget got cut.", []),  # a question word that only tells
])
def test_the_questions_a_message_asks_are_found(message, asked):
    assert question_sentences(message) == asked


@pytest.mark.parametrize("message, entry_id", [
    # paraphrases written for this test, not the bank's own phrasings
    ("Two weeks into my first job as a line cook. What should I focus on first so they can count on me?",
     "a-first-weeks-focus"),
    ("My design for the new rota has grown to 30 pages since the ward manager approved it. How do I cut it down?",
     "b-plan-too-complex"),
    ("How do I get out of a rut at work?", "a-coasting-restart"),
    ("I've delivered every filing on time for two years but my supervising attorney still rereads all of "
     "my memos. How do I get her to stop checking everything?", "a-manager-double-checks"),
])
def test_an_open_question_gets_the_banks_written_answer_first(shared_mentor, message, entry_id):
    answer = shared_mentor.ask(message, session=Session())
    assert answer.text.startswith("**Short answer:**")
    assert bank_answer(answer) == entry(shared_mentor, entry_id).answer


def test_a_message_that_asks_nothing_gets_no_written_answer(shared_mentor):
    answer = shared_mentor.ask("I've been a staff accountant for three years and I feel completely stuck.",
                               session=Session())
    assert bank_answer(answer) is None


def test_a_written_answer_is_given_once_per_conversation(shared_mentor):
    session = Session()
    question = "Two weeks into my first job as a line cook. What should I focus on first so they can count on me?"
    first = bank_answer(shared_mentor.ask(question, session=session))
    again = bank_answer(shared_mentor.ask("Sorry, again: what should I focus on first so they can rely on me?",
                                          session=session))
    assert first is not None and again != first


def test_the_answer_is_the_one_written_for_where_the_mentee_is(shared_mentor):
    """"Should I ask for a promotion?" has one answer per step: not yet at Deliver Results, yes at Ownership."""
    new = shared_mentor.ask("I started as a junior analyst three weeks ago. Should I ask my manager about a promotion "
                            "path already?", session=Session())
    trusted = shared_mentor.ask("My director trusts me with the hardest client escalations and never checks my work. "
                                "Should I ask her for a promotion?", session=Session())
    assert new.step is Step.DELIVER_RESULTS and trusted.step is Step.OWNERSHIP_THINK_BIG
    assert bank_answer(new) is not None and bank_answer(trusted) is not None
    assert bank_answer(new) != bank_answer(trusted)


def test_a_manager_gets_an_answer_written_for_managers(shared_mentor):
    answer = shared_mentor.ask("One of my nurses keeps missing her charting deadlines. As her manager, how do I help "
                               "her turn it around?", session=Session())
    written = {e.answer: e for e in shared_mentor.dialogue.answers.entries}.get(bank_answer(answer) or "")
    assert written is not None and written.role == "manager", answer.text


def test_the_banks_phrasings_are_never_shown(shared_mentor):
    """`asked_as` is the matcher's data: no retrievable passage carries it."""
    phrasings = [p for e in shared_mentor.dialogue.answers.entries for p in e.asked_as]
    chunks = shared_mentor.dialogue.sentences.chunks.values()
    assert phrasings and not any(p in chunk.text for chunk in chunks for p in phrasings[:200])


@pytest.mark.parametrize("entry_text, problem", [
    ("  - id: x\n    asked_as: [\"how?\"]\n", "needs an `id`, an `answer`"),
    ("  - id: x\n    answer: \"Do it.\"\n    asked_as: [\"how?\"]\n    steps: [level_up]\n", "unknown steps ['level_up']"),
    ("  - id: x\n    answer: \"Do it.\"\n    asked_as: [\"how?\"]\n    role: boss\n", "use self or manager"),
])
def test_a_bad_bank_entry_is_a_clear_error(knowledge_copy: Path, entry_text, problem):
    path = knowledge_copy / "flywheel.md"
    text = path.read_text()
    path.write_text(text.replace("\nanswers:\n", "\nanswers:\n" + entry_text, 1))
    with pytest.raises(KnowledgeFileError) as err:
        read_file(path, knowledge_copy)
    assert problem in str(err.value) and "flywheel.md" in str(err.value)


def test_a_written_answer_is_not_given_when_its_premise_was_never_said(shared_mentor):
    # a new grad asking how to get promoted fast was told "the promotion spent trust on you"
    new_grad = shared_mentor.ask("Started 3 weeks ago as a new grad on the payments team. How do I get noticed and get "
                                 "promoted fast?", session=Session())
    assert "promotion spent trust" not in new_grad.text
    promoted = shared_mentor.ask("I was promoted to team lead last month. How do I show them they made the right call?",
                                 session=Session())
    assert bank_answer(promoted) == entry(shared_mentor, "a-just-promoted-new-level").answer, promoted.text


def test_a_premise_that_misses_its_own_phrasings_is_a_clear_error(knowledge_copy: Path):
    path = knowledge_copy / "flywheel.md"
    text = path.read_text()
    path.write_text(text.replace("\nanswers:\n", "\nanswers:\n  - id: x\n    answer: \"Do it.\"\n    premise: \"promoted\"\n"
                                                 "    asked_as: [\"I got promoted, now what?\", \"new title, now what?\"]\n", 1))
    with pytest.raises(KnowledgeFileError) as err:
        read_file(path, knowledge_copy)
    assert "premise" in str(err.value) and "new title, now what?" in str(err.value)
