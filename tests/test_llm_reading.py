"""Model mode reads the turn with one structured (JSON) call; the offline reading is the fallback."""

from __future__ import annotations

import pytest

from assistant import Mentor, Session, Step

from fake_openai import fake_openai  # noqa: F401  (fixture)

KEY = "sk-test-SECRET-0123456789abcdef"


@pytest.fixture
def model_mentor(shared_mentor, fake_openai):  # noqa: F811
    settings = shared_mentor.settings.replace(provider="openai", base_url=fake_openai.base_url, api_key=KEY,
                                              timeout=5.0, max_retries=0)
    mentor = Mentor(settings)
    for part in ("_store", "_retriever", "_flywheel", "_diagnoser", "_dialogue"):
        if getattr(shared_mentor, part, None) is not None:
            setattr(mentor, part, getattr(shared_mentor, part))
    return mentor


def test_the_models_reading_places_the_turn_and_adds_facts(model_mentor, fake_openai):  # noqa: F811
    fake_openai.reading({"move": "progress", "step": "invent_and_simplify", "facts": ["idea_approved"]})
    session = Session()
    answer = model_mentor.ask("Update from the offsite.", session=session)
    assert answer.step is Step.INVENT_AND_SIMPLIFY and answer.move == "progress"
    assert "idea_approved" in session.profile.facts
    read = fake_openai.read_requests[-1]
    assert read.body["response_format"] == {"type": "json_object"}
    assert "Update from the offsite." in read.text("user") and "invent_and_simplify" in read.text("system")


def test_the_answer_prompt_carries_the_state(model_mentor, fake_openai):  # noqa: F811
    session = Session()
    model_mentor.ask("My director trusts me and I want to own something bigger", session=session)
    prompt = fake_openai.chat_requests[-1].text()
    assert "People around you trust you with more" in prompt
    assert "What this message does: new situation" in prompt


@pytest.mark.parametrize("bad", ['{"move": "dance", "step": null, "facts": []}',
                                 '{"move": null, "step": "level_up", "facts": []}',
                                 '{"facts": ["likes_pizza"]}', "not json at all"])
def test_an_invalid_reading_falls_back_to_the_offline_one(model_mentor, fake_openai, bad):  # noqa: F811
    fake_openai.reading(bad)
    answer = model_mentor.ask("I caused an outage last week and my team is wary of me now")
    assert answer.step is Step.DELIVER_RESULTS  # the offline reading: an incident starts from a negative balance
    assert "caused_incident" in answer.facts


def test_the_answer_prompt_carries_the_banks_written_answer(model_mentor, fake_openai):  # noqa: F811
    model_mentor.ask("How do I get out of a rut at work?", session=Session())
    prompt = fake_openai.chat_requests[-1].text()
    written = next(e for e in model_mentor.dialogue.answers.entries if e.id == "a-coasting-restart")
    assert "The mentor's notes have a written answer" in prompt and written.answer in prompt


def test_a_message_that_asks_nothing_brings_no_written_answer(model_mentor, fake_openai):  # noqa: F811
    model_mentor.ask("I've been coasting at work for a year.", session=Session())
    assert "The mentor's notes have a written answer" not in fake_openai.chat_requests[-1].text()
