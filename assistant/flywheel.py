"""The flywheel as data for code: steps, their signals and next actions.

Read from the flywheel file's front matter in knowledge/ (the same data that is
rendered into retrievable passages), so editing that file changes both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .types import LOOP, Step


@dataclass(frozen=True)
class StepInfo:
    step: Step
    order: int
    name: str
    idea: str
    signals: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    principles: tuple[str, ...] = ()
    moves_on_when: str = ""
    next_actions: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Flywheel:
    steps: dict[Step, StepInfo]
    meta: dict = field(default_factory=dict, compare=False, repr=False)

    def __getitem__(self, step: Step) -> StepInfo:
        return self.steps[Step(step)]

    @property
    def loop(self) -> list[StepInfo]:
        return [self.steps[s] for s in LOOP]

    @classmethod
    def from_meta(cls, meta: dict) -> "Flywheel":
        steps = {}
        for raw in meta["steps"]:
            step = Step(raw["value"])
            steps[step] = StepInfo(
                step=step,
                order=int(raw.get("order", 0)),
                name=raw["name"],
                idea=raw["idea"],
                signals=tuple(raw.get("signals", ())),
                keywords=tuple(k.lower() for k in raw.get("keywords", ())),
                principles=tuple(raw.get("principles", ())),
                moves_on_when=raw.get("moves_on_when", ""),
                next_actions=tuple(raw.get("next_actions", ())),
            )
        # Everything else in the front matter (openers, stories, the manager's view, ...)
        # is the dialogue's content: kept whole so the snapshot carries it too.
        return cls(steps=steps, meta={k: v for k, v in meta.items() if k not in ("title", "kind")})

    @classmethod
    def load(cls, knowledge_dir: Path) -> "Flywheel":
        from .knowledge import knowledge_paths, read_file

        root = Path(knowledge_dir)
        for path in knowledge_paths(root):
            kf = read_file(path, root)
            if kf.kind == "flywheel":
                return cls.from_meta(kf.meta)
        from .errors import KnowledgeFileError

        raise KnowledgeFileError(str(root), "no file with `kind: flywheel` found")
