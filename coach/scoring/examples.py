"""Run the should_flag / should_pass examples that every rubric check carries."""

from __future__ import annotations

from dataclasses import dataclass

from coach.scoring.checks import Doc
from coach.scoring.rubric import Rubric
from coach.scoring.scorer import Scorer

MISSION_SEPARATOR = " || "


@dataclass(frozen=True)
class Example:
    check: str  # full id
    text: str
    mission: str | None
    should_flag: bool


def examples(rubric: Rubric) -> list[Example]:
    out = []
    for c in rubric.criteria:
        for k in c.checks:
            for flag, texts in ((True, k.should_flag), (False, k.should_pass)):
                for t in texts:
                    text, _, mission = t.partition(MISSION_SEPARATOR)
                    out.append(Example(f"{c.name}.{k.id}", text, mission or None, flag))
    return out


def fires(scorer: Scorer, example: Example) -> bool:
    """Whether the example's check finds anything in the example's text."""
    return bool(scorer.hits(Doc.of(example.text, example.mission))[example.check])
