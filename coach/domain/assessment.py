"""Self-assessment of current practice (002, 004): frameworks as data, and the team's spread.

A framework is a TOML file in rubrics/assessments/ or in the folder COACH_ASSESSMENTS_DIR
names, so an organisation adds its own without code."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path
from statistics import mean

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coach.errors import RubricError
from coach.scoring.rubric import RUBRIC_DIR

FRAMEWORKS_DIR = RUBRIC_DIR / "assessments"
EXTRA_DIR_ENV = "COACH_ASSESSMENTS_DIR"
DEFAULT_FRAMEWORK = "service_strategy"
LOW = 2  # a rating at or below this is low
COMMENT_CHARS = 300


class FrameworkElement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1, max_length=120)
    question: str = Field(min_length=1, max_length=300)


class Framework(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    title: str = Field(min_length=1, max_length=120)
    source: str = ""
    scale: tuple[str, str, str, str, str]  # what 1 to 5 mean
    element: tuple[FrameworkElement, ...] = Field(min_length=1, max_length=60)

    @field_validator("element")
    @classmethod
    def _unique(cls, element: tuple[FrameworkElement, ...]) -> tuple[FrameworkElement, ...]:
        keys = [e.key for e in element]
        if dupes := sorted({k for k in keys if keys.count(k) > 1}):
            raise ValueError(f"element keys must be unique; repeated: {', '.join(dupes)}")
        return element

    def label(self, key: str) -> str:
        return next((e.label for e in self.element if e.key == key), key)


def load_framework(path: Path | Traversable) -> Framework:
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
        return Framework.model_validate(data)
    except OSError as exc:
        raise RubricError(f"Cannot read the assessment {path}: {exc.strerror}.") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RubricError(f"{path} is not valid TOML: {exc}. Fix the file and reload.") from exc
    except ValidationError as exc:
        raise RubricError(f"{path} does not match the assessment schema:\n{exc}") from exc


def _files(folder: Path | Traversable) -> list[Path | Traversable]:
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


@lru_cache(maxsize=4)
def _frameworks(extra: str) -> dict[str, Framework]:
    found: dict[str, Framework] = {}
    folders: list[Path | Traversable] = [FRAMEWORKS_DIR]
    if extra:
        if not Path(extra).is_dir():
            raise RubricError(f"{EXTRA_DIR_ENV} names {extra}, which is not a folder.")
        folders.append(Path(extra))
    for folder in folders:
        for path in _files(folder):
            framework = load_framework(path)
            if framework.key in found:
                raise RubricError(f"Two assessments use the key {framework.key!r}: rename one.")
            found[framework.key] = framework
    return found


def frameworks() -> dict[str, Framework]:
    """Every assessment framework: the shipped ones, then the organisation's own."""
    return _frameworks(os.environ.get(EXTRA_DIR_ENV, ""))


def framework(key: str) -> Framework:
    found = frameworks()
    if key not in found:
        raise RubricError(f"There is no assessment {key!r}: choose one of {', '.join(found)}.")
    return found[key]


@dataclass(frozen=True)
class ElementSpread:
    """How the team rated one element, and who has taken it on."""

    key: str
    label: str
    ratings: tuple[int, ...]
    comments: tuple[str, ...]
    commitments: int  # commitments that carry the element
    recommendations: int  # recommendations that carry it

    @property
    def mean(self) -> float | None:
        return mean(self.ratings) if self.ratings else None

    @property
    def spread(self) -> int:
        return max(self.ratings) - min(self.ratings) if self.ratings else 0

    @property
    def low(self) -> bool:
        """Everyone who rated it rated it low."""
        return bool(self.ratings) and max(self.ratings) <= LOW

    @property
    def gap(self) -> bool:
        """Everyone rates it low (two people at least: one is not "everyone") and nobody
        commits to it."""
        return self.low and len(self.ratings) >= 2 and self.commitments == 0


def spread(
    fw: Framework,
    ratings: Sequence[tuple[str, int, str]],
    committed: Mapping[str, int],
    recommended: Mapping[str, int],
) -> tuple[ElementSpread, ...]:
    """Per element: its ratings (element, rating, comment), and the commitments and
    recommendations that carry it."""
    return tuple(
        ElementSpread(
            key=e.key,
            label=e.label,
            ratings=tuple(r for k, r, _ in ratings if k == e.key),
            comments=tuple(c for k, _, c in ratings if k == e.key and c),
            commitments=committed.get(e.key, 0),
            recommendations=recommended.get(e.key, 0),
        )
        for e in fw.element
    )


def gap_line(e: ElementSpread) -> str:
    extra = (
        f" {e.recommendations} recommendation(s) take it on."
        if e.recommendations
        else " No recommendation takes it on either."
    )
    return f"{e.label}: everyone rates it low and nobody commits to it.{extra}"
