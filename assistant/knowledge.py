"""Loading and chunking the knowledge base (knowledge/*.md).

Each markdown file has YAML front matter (`title`, `kind`: article | principle |
flywheel). Articles and principles are split by headings with LangChain's
markdown splitter, then by size; the flywheel file is data (its front matter
lists the steps) and each step is rendered into one passage, so the same data
drives both retrieval and step diagnosis. Every chunk carries title, kind,
section, the step(s) and spin it talks about, and a stable content-hash id.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import KnowledgeFileError
from .types import KINDS, Step

# Measured with `python -m assistant.bench chunking` on tests/data/retrieval_questions.yaml.
CHUNK_SIZE = 700
CHUNK_OVERLAP = 100
# Bump when chunking logic or chunk metadata changes so `mentor index` re-chunks unchanged
# files (an index from another version is repaired on open). 5: `steps` is a list.
CHUNKER_VERSION = "5"

_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<yaml>.*?)\n---\s*\n(?P<body>.*)\Z", re.DOTALL)
_SPIN = re.compile(r"\bspin\s*#?\s*(\d+)\b", re.IGNORECASE)

STEP_PATTERNS: dict[Step, re.Pattern] = {
    Step.DELIVER_RESULTS: re.compile(r"\bdeliver(?:s|ed|ing)?\b[^.\n]{0,25}?\bresults\b", re.I),
    Step.EARN_TRUST: re.compile(r"\bearn(?:s|ed|ing)?\b[^.\n]{0,12}?\btrust\b|\btrust (?:account|bank)\b", re.I),
    Step.OWNERSHIP_THINK_BIG: re.compile(r"\bownership\b|\bthink(?:ing)? big(?:ger)?\b|\bas an owner\b", re.I),
    Step.INVENT_AND_SIMPLIFY: re.compile(r"\binvent and simplify\b|\bdive deep\b", re.I),
    Step.BIAS_FOR_ACTION: re.compile(r"\bbias for action\b", re.I),
    Step.ARE_RIGHT_A_LOT: re.compile(r"\b(?:are|is) right a lot\b|\bvocally self[- ]critical\b|\bpull the plug\b", re.I),
    Step.CUSTOMER_OBSESSION: re.compile(r"\bcustomer obsession\b", re.I),
}


@dataclass
class KnowledgeFile:
    path: Path
    name: str  # path relative to the knowledge dir, used as the file key in the store
    title: str
    kind: str
    meta: dict
    body: str
    digest: str  # content hash of the raw file + chunker settings


@dataclass
class Chunk:
    id: str
    text: str
    title: str
    kind: str
    section: str
    file: str
    file_digest: str
    steps: list[str] = field(default_factory=list)
    spin: int | None = None
    position: int = 0
    context: str = ""  # the section's plain-words summary from front matter, if any

    @property
    def embedding_text(self) -> str:
        """What gets embedded: the passage under its heading and section summary (a contextual header)."""
        return contextual_text(self.section, self.context, self.text)

    def metadata(self) -> dict:
        """Chroma metadata. `steps` is a list (filter with `{"steps": {"$contains": value}}`);
        Chroma takes no empty lists, and an upsert merges keys, so absent values are None
        (which removes a key an older version of the chunk had)."""
        return {
            "title": self.title,
            "kind": self.kind,
            "section": self.section,
            "file": self.file,
            "file_digest": self.file_digest,
            "steps": list(self.steps) or None,
            "spin": self.spin,
            "position": self.position,
            "context": self.context,
        }


def contextual_text(section: str, context: str, text: str) -> str:
    header = ". ".join(part for part in (section, context) if part)
    return f"{header}\n{text}" if header else text


def file_digest(raw: bytes) -> str:
    settings = f"{CHUNKER_VERSION}:{CHUNK_SIZE}:{CHUNK_OVERLAP}:".encode()
    return hashlib.sha256(settings + raw).hexdigest()


def knowledge_paths(knowledge_dir: Path) -> list[Path]:
    return sorted(p for p in Path(knowledge_dir).rglob("*.md") if p.is_file() and not p.name.startswith("."))


def read_file(path: Path, root: Path) -> KnowledgeFile:
    """Parse one knowledge file; any problem raises KnowledgeFileError naming the file."""
    import yaml

    from .yamlio import load_yaml

    name = path.relative_to(root).as_posix()
    try:
        raw = path.read_bytes()
    except OSError as exc:  # unreadable (permissions), a folder named *.md, gone since listed
        raise KnowledgeFileError(name, f"cannot be read ({exc.strerror or exc}); check its permissions") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeFileError(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    match = _FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not match:
        raise KnowledgeFileError(name, "missing YAML front matter (a block between '---' lines at the top)")
    try:
        meta = load_yaml(match.group("yaml")) or {}
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0]
        raise KnowledgeFileError(name, f"invalid YAML front matter ({problem})") from None
    if not isinstance(meta, dict):
        raise KnowledgeFileError(name, "front matter must be a mapping of keys to values")
    title, kind = meta.get("title"), meta.get("kind")
    if not title:
        raise KnowledgeFileError(name, "front matter has no 'title'")
    if kind not in KINDS:
        raise KnowledgeFileError(name, f"front matter 'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "flywheel":
        _validate_flywheel(name, meta)
    return KnowledgeFile(
        path=path, name=name, title=str(title), kind=kind, meta=meta, body=match.group("body"), digest=file_digest(raw)
    )


def _validate_flywheel(name: str, meta: dict) -> None:
    steps = meta.get("steps")
    if not isinstance(steps, list) or not steps:
        raise KnowledgeFileError(name, "a flywheel file needs a 'steps' list in its front matter")
    values = set()
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            raise KnowledgeFileError(name, f"steps[{i}] must be a mapping")
        try:
            values.add(Step(step.get("value")))
        except ValueError:
            raise KnowledgeFileError(
                name, f"steps[{i}].value {step.get('value')!r} is not one of {', '.join(s.value for s in Step)}"
            ) from None
        for key in ("name", "idea", "signals", "next_actions"):
            if not step.get(key):
                raise KnowledgeFileError(name, f"steps[{i}] ({step.get('value')}) has no '{key}'")
    missing = set(Step) - values
    if missing:
        raise KnowledgeFileError(name, f"flywheel steps missing: {', '.join(sorted(s.value for s in missing))}")
    _check_answers(name, meta.get("answers") or [])
    _check_direct_answers(name, meta.get("direct_answers") or [])
    _check_choices(name, meta.get("choices") or [], meta.get("choice_test") or {}, meta.get("manager_choice") or {})


def _check_answers(name: str, entries: list) -> None:
    """The answer bank's entries (`assistant.dialogue.answers`): a bad one names itself and what to fix."""
    steps = sorted(s.value for s in Step)
    for n, raw in enumerate(entries, 1):
        where = f"answers entry {n} ({raw.get('id', 'no id') if isinstance(raw, dict) else raw!r})"
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("answer") or not isinstance(raw.get("asked_as"), list) \
                or not raw["asked_as"]:
            raise KnowledgeFileError(name, f"{where} needs an `id`, an `answer` and a list of `asked_as` phrasings")
        unknown = [s for s in raw.get("steps") or () if s not in steps]
        if unknown:
            raise KnowledgeFileError(name, f"{where} names unknown steps {unknown}; use {steps}")
        if raw.get("role") not in (None, "self", "manager"):
            raise KnowledgeFileError(name, f"{where} has role {raw['role']!r}; use self or manager, or leave it out")
        if raw.get("premise") is not None:
            try:
                premise = re.compile(str(raw["premise"]), re.IGNORECASE)
            except re.error as exc:
                raise KnowledgeFileError(name, f"{where}: `premise` is not a valid regex ({exc})") from None
            unmet = [a for a in raw["asked_as"] if not premise.search(str(a))]
            if unmet:  # the premise is what every way of asking it takes for granted
                raise KnowledgeFileError(name, f"{where}: its `premise` doesn't match its own phrasing {unmet[0]!r}; "
                                               "widen the regex or drop the phrasing")


def _check_direct_answers(name: str, entries: list) -> None:
    """`direct_answers`: a valid `when` regex, an `answer`, and `who` (if given) one of self, manager, any."""
    for n, raw in enumerate(entries, 1):
        where = f"direct_answers entry {n}"
        if not isinstance(raw, dict) or not raw.get("when") or not raw.get("answer"):
            raise KnowledgeFileError(name, f"{where} needs `when` (a regex) and `answer`")
        try:
            re.compile(str(raw["when"]))
        except re.error as exc:
            raise KnowledgeFileError(name, f"{where}: `when` is not a valid regex ({exc})") from None
        if raw.get("who", "self") not in ("self", "manager", "any"):
            raise KnowledgeFileError(name, f"{where}: `who` is {raw['who']!r}; use self, manager or any")


def _check_choices(name: str, entries: list, tests: dict, manager_reasons: dict) -> None:
    """The either/or axes (`assistant.dialogue.choices`): two poles with valid regexes, and verdicts
    that pick one of them (or `depends`) with a reason, for known steps; `choice_test`, one sentence
    per step; and `manager_choice`, per step a reason and the poles it backs."""
    steps = sorted(s.value for s in Step)
    unknown = [k for k in tests if k not in steps] if isinstance(tests, dict) else ["(not a mapping)"]
    if unknown or not all(isinstance(v, str) and v.strip() for v in tests.values()):
        raise KnowledgeFileError(name, f"choice_test needs one sentence per step, keyed by {steps}"
                                       + (f"; unknown: {unknown}" if unknown else ""))
    poles = {pole for raw in entries if isinstance(raw, dict) and isinstance(raw.get("poles"), dict) for pole in raw["poles"]}
    unknown = [k for k in manager_reasons if k not in steps] if isinstance(manager_reasons, dict) else ["(not a mapping)"]
    if unknown or not all(isinstance(v, dict) and isinstance(v.get("why"), str) and v["why"].strip()
                          and isinstance(v.get("backs"), list) and set(v["backs"]) <= poles for v in manager_reasons.values()):
        raise KnowledgeFileError(name, f"manager_choice needs, per step keyed by {steps}, `why` (one sentence) and "
                                       f"`backs` (a list of poles from {sorted(poles)})" + (f"; unknown: {unknown}" if unknown else ""))
    for n, raw in enumerate(entries, 1):
        where = f"choices entry {n} ({raw.get('axis', 'no axis') if isinstance(raw, dict) else raw!r})"
        if not isinstance(raw, dict) or not raw.get("axis") or not isinstance(raw.get("poles"), dict) \
                or len(raw["poles"]) != 2 or not isinstance(raw.get("verdicts"), dict) or not raw["verdicts"]:
            raise KnowledgeFileError(name, f"{where} needs an `axis` name, two `poles` (name: regex) and `verdicts` by step")
        for pole, pattern in raw["poles"].items():
            try:
                re.compile(str(pattern))
            except re.error as exc:
                raise KnowledgeFileError(name, f"{where}: pole {pole!r} is not a valid regex ({exc})") from None
        for step, verdict in raw["verdicts"].items():
            if step != "default" and step not in steps:
                raise KnowledgeFileError(name, f"{where} has a verdict for unknown step {step!r}; use {steps} or default")
            if not isinstance(verdict, dict) or verdict.get("pick") not in (*raw["poles"], "depends") or not verdict.get("why"):
                raise KnowledgeFileError(name, f"{where}: the verdict for {step} needs `pick` (one of "
                                               f"{[*raw['poles'], 'depends']}) and `why`")


def load_knowledge(knowledge_dir: Path) -> list[KnowledgeFile]:
    root = Path(knowledge_dir)
    if not root.is_dir():
        raise KnowledgeFileError(str(root), "the knowledge folder does not exist (set MENTOR_KNOWLEDGE_DIR)")
    files = [read_file(p, root) for p in knowledge_paths(root)]
    if not files:
        raise KnowledgeFileError(str(root), "no .md files found")
    if not any(kf.kind == "flywheel" for kf in files):
        # Checked before any write: answers need the flywheel's steps.
        raise KnowledgeFileError(str(root), "no file with `kind: flywheel` found (the flywheel's steps are required)")
    return files


def steps_mentioned(text: str) -> list[str]:
    return [step.value for step, pattern in STEP_PATTERNS.items() if pattern.search(text)]


def _chunk_id(file: str, section: str, text: str) -> str:
    return hashlib.sha256(f"{file}\n{section}\n{text}".encode()).hexdigest()[:24]


def chunk_file(kf: KnowledgeFile) -> list[Chunk]:
    if kf.kind == "flywheel":
        pieces = _flywheel_pieces(kf)
    else:
        pieces = _markdown_pieces(kf)
    chunks = []
    summaries = kf.meta.get("sections") or {}
    if not isinstance(summaries, dict):
        raise KnowledgeFileError(kf.name, "front matter 'sections' must map section headings to summaries")
    for position, (section, text, steps, spin) in enumerate(pieces):
        text = text.strip()
        if not text:
            continue
        chunks.append(
            Chunk(
                id=_chunk_id(kf.name, section, text),
                text=text,
                title=kf.title,
                kind="guide" if kf.kind == "flywheel" else kf.kind,  # the flywheel's passages are the mentor's notes
                section=section,
                file=kf.name,
                file_digest=kf.digest,
                steps=steps or steps_mentioned(f"{section}\n{text}"),
                spin=spin,
                position=position,
                context=str(summaries.get(section, "")),
            )
        )
    # Identical passages in one file would collide on id; keep the first.
    unique: dict[str, Chunk] = {}
    for chunk in chunks:
        unique.setdefault(chunk.id, chunk)
    return list(unique.values())


def _markdown_pieces(kf: KnowledgeFile):
    from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

    by_heading = MarkdownHeaderTextSplitter(
        headers_to_split_on=[("#", "h1"), ("##", "h2"), ("###", "h3")], strip_headers=True
    )
    by_size = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, separators=["\n\n", "\n", ". ", " ", ""]
    )
    for doc in by_heading.split_text(kf.body):
        section = doc.metadata.get("h3") or doc.metadata.get("h2") or doc.metadata.get("h1") or kf.title
        spin_match = _SPIN.search(doc.metadata.get("h2", "") + " " + doc.metadata.get("h3", ""))
        spin = int(spin_match.group(1)) if spin_match else None
        section_steps = steps_mentioned(section)
        for text in by_size.split_text(doc.page_content):
            steps = sorted(set(section_steps) | set(steps_mentioned(text)), key=_step_order)
            yield section, text, steps, spin


def _step_order(value: str) -> int:
    return [s.value for s in Step].index(value)


def _flywheel_pieces(kf: KnowledgeFile):
    """One passage per step: its idea, its principles and what moves you on. Signals,
    keywords, actions and the mentor's wording stay in the front matter (data for the
    dialogue), never in retrievable text."""
    intro = kf.body.strip()
    if intro:
        yield kf.title, intro, [], None
    for step in sorted(kf.meta["steps"], key=lambda s: s.get("order", 0)):
        value = step["value"]
        order = step.get("order", 0)
        heading = f"Step {order}: {step['name']}" if order else f"The accelerant: {step['name']}"
        lines = [f"{heading}. {step['idea']}"]
        if step.get("principles"):
            lines.append("The principles at work here are " + " and ".join(step["principles"]) + ".")
        if step.get("moves_on_when"):
            lines.append(step["moves_on_when"])
        yield heading, "\n".join(lines), [value], None


def chunk_knowledge(files: list[KnowledgeFile]) -> list[Chunk]:
    return [chunk for kf in files for chunk in chunk_file(kf)]
