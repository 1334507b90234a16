"""The mentoring suite's dev split as a regression test: the offline mentor keeps listening.

(The held-out split is never asserted on here; `mentor eval` reports it apart.)
"""

from __future__ import annotations

import pytest

from evals.mentoring import LEAK, mentions, must_mention_ok, run_split


@pytest.fixture(scope="module")
def dev(shared_mentor):
    return run_split(shared_mentor, "dev")


def test_no_internal_text_in_any_answer_or_source(dev):
    assert dev.metrics["answers.internal_text"] == 0
    leaked = [c["id"] for c in dev.cases if LEAK.search(c["text"])]
    assert leaked == []


def test_personal_answers_are_not_copies_and_do_not_repeat_within_a_conversation(dev):
    assert dev.metrics["answers.duplicate_rate"] <= 0.05
    assert dev.metrics["conversations.repeat_rate"] <= 0.10
    assert dev.metrics["answers.distinct_action_ratio"] >= 0.8


def test_steps_follow_the_mentee(dev):
    assert dev.metrics["situations.step_accuracy"] >= 0.85
    # dev's follow-ups were what the old rules were tuned on; since the transition model decides (session 22,
    # chosen on cross-validation over the training conversations) dev is 18 of 27, the held-out splits rose:
    # the 0.80 target is reported per split by `mentor eval`, this only catches a collapse.
    assert dev.metrics["conversations.followup_step_accuracy"] >= 0.6
    assert dev.metrics["situations.scope_accuracy"] >= 0.85


def test_factual_questions_are_answered_from_the_article(dev):
    assert dev.metrics["facts.correct"] >= 0.8


def test_scorers_do_what_they_say():
    assert mentions("Send a note on the orders team today", "orders team")
    assert mentions("the refund flow fix shipped", "refund-flow fix") is False  # "refund-flow" is one word
    assert must_mention_ok("He wrote about 80k lines", [["80k", "80,000"], ["lines"]])
    assert not must_mention_ok("He wrote a lot", [["80k"]])
