"""Hybrid retrieval on a labelled set of questions worded unlike the article."""

import yaml

from assistant.retrieval import tokenize
from assistant.types import KINDS
from conftest import DATA

QUESTIONS = yaml.safe_load((DATA / "retrieval_questions.yaml").read_text())


def evidence_rank(sources, evidence):
    for rank, source in enumerate(sources, 1):
        if any(phrase.lower() in source.text.lower() for phrase in evidence):
            return rank
    return None


def test_labelled_set_is_big_enough_and_grounded_in_the_knowledge():
    from conftest import KNOWLEDGE

    corpus = "\n".join(p.read_text().lower() for p in KNOWLEDGE.glob("*.md"))
    assert len(QUESTIONS) >= 25
    for q in QUESTIONS:
        assert any(e.lower() in corpus for e in q["evidence"]), q


def test_hit_at_4_on_labelled_questions(shared_mentor):
    misses = []
    for q in QUESTIONS:
        if evidence_rank(shared_mentor.retrieve(q["question"], k=4), q["evidence"]) is None:
            misses.append(q["question"])
    hit_rate = 1 - len(misses) / len(QUESTIONS)
    assert hit_rate >= 0.9, f"hit@4 = {hit_rate:.2f}; missed: {misses}"


def test_sources_have_the_contract_fields(shared_mentor):
    sources = shared_mentor.retrieve("What does Frugality mean?", k=3)
    assert len(sources) == 3
    top = sources[0]
    assert top.kind in KINDS and top.id and top.title and top.text
    assert top.kind == "principle" and top.section == "Frugality"
    scores = [s.score for s in sources]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] <= 1


def test_k_is_configurable(shared_mentor):
    assert len(shared_mentor.retrieve("trust", k=1)) == 1
    assert len(shared_mentor.retrieve("trust", k=7)) == 7


def test_lexical_half_finds_exact_names_the_dense_half_misses(shared_mentor):
    lexical = shared_mentor.retriever.lexical("Cybermonday")
    assert lexical and "Cybermonday" in lexical[0][0].text


def test_tokenizer_drops_stopwords_and_strips_suffixes():
    assert tokenize("How do I get the deliverables delivered?") == ["deliverabl", "deliver"]
