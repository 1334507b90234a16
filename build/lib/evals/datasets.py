"""Eval cases: loading and validating the YAML datasets in evals/datasets/.

A case is one conversation whose last user turn is scored. Evidence phrases are
verbatim (case-insensitive, quote- and whitespace-normalised) substrings of
knowledge/*.md, so labels survive re-chunking; `validate_cases` checks that.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import DATASETS_DIR
from .scorers import normalize

STEP_VALUES = (
    "deliver_results",
    "earn_trust",
    "ownership_think_big",
    "invent_and_simplify",
    "bias_for_action",
    "are_right_a_lot",
    "customer_obsession",
)
REQUIRED = ("id", "turns", "category", "expected_step", "evidence", "must_mention", "must_not_mention", "expect_redirect")


class DatasetError(ValueError):
    """A dataset file is malformed; the message names the file and the case."""


@dataclass
class Case:
    id: str
    turns: list[str]
    category: str
    expected_step: str | None
    evidence: list[str] = field(default_factory=list)
    must_mention: list[str] = field(default_factory=list)
    must_not_mention: list[str] = field(default_factory=list)
    expect_redirect: bool = False
    principle: str | None = None
    expect_next_action: bool | None = None
    needs_review: bool = False
    file: str = ""

    @property
    def question(self) -> str:
        """The scored (last) user turn."""
        return self.turns[-1]

    @property
    def wants_next_action(self) -> bool:
        """Mentoring answers (a step is expected, no redirect) must end with a next action."""
        if self.expect_next_action is not None:
            return bool(self.expect_next_action)
        return self.expected_step is not None and not self.expect_redirect

    def to_dict(self) -> dict:
        return asdict(self)


def _as_list(value, where: str, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DatasetError(f"{where}: '{key}' must be a list of strings")
    return list(value)


def parse_case(raw: dict, where: str) -> Case:
    if not isinstance(raw, dict):
        raise DatasetError(f"{where}: each case must be a mapping")
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise DatasetError(f"{where}: missing field(s) {', '.join(missing)}")
    turns = _as_list(raw["turns"], where, "turns")
    if not turns or not all(t.strip() for t in turns):
        raise DatasetError(f"{where}: 'turns' needs at least one non-empty user message")
    step = raw["expected_step"]
    if step is not None and step not in STEP_VALUES:
        raise DatasetError(f"{where}: expected_step {step!r} is not one of {', '.join(STEP_VALUES)} or null")
    return Case(
        id=str(raw["id"]),
        turns=turns,
        category=str(raw["category"]),
        expected_step=step,
        evidence=_as_list(raw["evidence"], where, "evidence"),
        must_mention=_as_list(raw["must_mention"], where, "must_mention"),
        must_not_mention=_as_list(raw["must_not_mention"], where, "must_not_mention"),
        expect_redirect=bool(raw["expect_redirect"]),
        principle=raw.get("principle"),
        expect_next_action=raw.get("expect_next_action"),
        needs_review=bool(raw.get("needs_review", False)),
    )


def dataset_files(paths=None) -> list[Path]:
    """YAML files to load: the given files/folders, or every file in evals/datasets/."""
    paths = [Path(p) for p in (paths or [DATASETS_DIR])]
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml")))
        elif p.is_file():
            files.append(p)
        else:
            raise DatasetError(f"{p}: no such dataset file or folder")
    return files


def load_cases(paths=None, categories=None, ids=None, include_unreviewed: bool = False) -> list[Case]:
    import yaml

    cases: list[Case] = []
    seen: dict[str, str] = {}
    for path in dataset_files(paths):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as exc:
            raise DatasetError(f"{path.name}: invalid YAML ({str(exc).splitlines()[0]})") from None
        if not isinstance(data, list):
            raise DatasetError(f"{path.name}: expected a list of cases")
        for i, raw in enumerate(data):
            case = parse_case(raw, f"{path.name} case {i + 1} ({raw.get('id', '?') if isinstance(raw, dict) else '?'})")
            case.file = path.name
            if case.id in seen:
                raise DatasetError(f"{path.name}: duplicate case id {case.id!r} (also in {seen[case.id]})")
            seen[case.id] = path.name
            if case.needs_review and not include_unreviewed:
                continue
            cases.append(case)
    if categories:
        wanted = set(categories)
        cases = [c for c in cases if c.category in wanted]
    if ids:
        wanted_ids = set(ids)
        cases = [c for c in cases if c.id in wanted_ids]
    return cases


def knowledge_text(knowledge_dir) -> str:
    """All knowledge files, normalised the way evidence matching normalises passages."""
    root = Path(knowledge_dir)
    return "\n".join(normalize(p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.md")))


def validate_cases(cases: list[Case], knowledge_dir) -> list[str]:
    """Problems that make a case useless: evidence phrases not found in the knowledge base."""
    corpus = knowledge_text(knowledge_dir)
    problems = []
    for case in cases:
        for phrase in case.evidence:
            if normalize(phrase) not in corpus:
                problems.append(f"{case.file}:{case.id}: evidence phrase not in knowledge/: {phrase!r}")
        if case.expect_redirect and case.evidence:
            problems.append(f"{case.file}:{case.id}: a redirect case should not list evidence")
    return problems
