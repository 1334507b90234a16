"""Step diagnosis on labelled mentee situations (a held-out set, not the flywheel's signals)."""

import yaml

from assistant import Step
from assistant.diagnosis import is_personal
from conftest import DATA

SITUATIONS = yaml.safe_load((DATA / "diagnosis_situations.yaml").read_text())


def test_labelled_set_covers_every_step_and_non_personal_questions():
    labels = [s["step"] for s in SITUATIONS]
    assert len(SITUATIONS) >= 20
    assert {Step(v) for v in labels if v} == set(Step)
    assert labels.count(None) >= 5


def test_diagnosis_accuracy(shared_mentor):
    wrong = []
    for case in SITUATIONS:
        got = shared_mentor.diagnose(case["message"])
        if (got.value if got else None) != case["step"]:
            wrong.append((case["message"], case["step"], got))
    accuracy = 1 - len(wrong) / len(SITUATIONS)
    assert accuracy >= 0.85, f"accuracy {accuracy:.2f}; wrong: {wrong}"


def test_diagnosis_is_deterministic(shared_mentor):
    message = "I keep pitching an idea and nobody builds it"
    assert len({shared_mentor.diagnose(message) for _ in range(3)}) == 1


def test_questions_about_the_article_are_not_personal():
    assert not is_personal("How did the author's first spin begin?")
    assert not is_personal("What does Frugality mean?")
    assert is_personal("My manager ignores my ideas")
