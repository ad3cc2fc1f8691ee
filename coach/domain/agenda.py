"""The workshop as a sequence of steps (000: Steps 3 to 8): which are on, their times, and
where the room is. The steps' wording is data, in rubrics/agenda.toml."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coach.errors import RubricError
from coach.scoring.rubric import RUBRIC_DIR

StepKey = Literal["image", "mission", "core", "assess", "commit", "recommend", "followup"]
STEP_KEYS: tuple[StepKey, ...] = get_args(StepKey)
StepKind = Literal["items", "mission", "assess", "commit", "followup"]
ITEM_STEPS: tuple[StepKey, ...] = ("image", "core", "recommend")  # members write items
AGENDA_FILE = RUBRIC_DIR / "agenda.toml"
MAX_MINUTES = 240


class StepInfo(BaseModel):
    """One step as the agenda file describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: StepKey
    number: str  # "3" for Step 3; "" for a step 000 does not number
    title: str = Field(min_length=1)
    short: str = Field(min_length=1)
    kind: StepKind
    minutes: int = Field(ge=1, le=MAX_MINUTES)
    whole_only: bool = False  # off in the short agenda (Steps 4, 6 and 8)
    ask: str = Field(min_length=1)  # what each member does, privately
    form: str = ""  # the workshop's own wording: "We could ... if we did x and y."
    label: str = ""  # the box a member writes an item in
    example_label: str = ""  # set: each item needs an example (Step 5)
    team: str = Field(min_length=1)  # what the team does together
    result: str = ""  # what the team's agreed result is called
    result_many: bool = False  # several agreed results (core aspects) or one (the image)
    rubric: str = ""
    max_items: int = Field(default=0, ge=0, le=10)


class _AgendaFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    step: tuple[StepInfo, ...]

    @field_validator("step")
    @classmethod
    def _every_step_once(cls, steps: tuple[StepInfo, ...]) -> tuple[StepInfo, ...]:
        keys = [s.key for s in steps]
        if sorted(keys) != sorted(STEP_KEYS):
            raise ValueError(f"the agenda must describe each of {', '.join(STEP_KEYS)} once")
        for s in steps:
            if s.kind == "items" and not (s.label and s.result and s.max_items):
                raise ValueError(f"step {s.key!r} has items: it needs label, result, max_items")
        return steps


def load_steps(path: Path | Traversable | None = None) -> tuple[StepInfo, ...]:
    path = path or AGENDA_FILE
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
        return _AgendaFile.model_validate(data).step
    except OSError as exc:
        raise RubricError(f"Cannot read the agenda file {path}: {exc.strerror}.") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RubricError(f"{path} is not valid TOML: {exc}. Fix the file and reload.") from exc
    except ValidationError as exc:
        raise RubricError(f"{path} does not match the agenda schema:\n{exc}") from exc


@lru_cache(maxsize=1)
def steps() -> tuple[StepInfo, ...]:
    """The steps of rubrics/agenda.toml, in the room's order, loaded once per process."""
    return load_steps()


def info(key: str) -> StepInfo:
    for s in steps():
        if s.key == key:
            return s
    raise KeyError(key)


class AgendaItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    step: StepKey
    enabled: bool
    minutes: int
    revealed: bool = False  # the members' items are on the shared screen
    voting: bool = False  # a ranked vote on the step's candidate results is open
    agreed_at: datetime | None = None  # the team agreed the step's result then

    @property
    def info(self) -> StepInfo:
        return info(self.step)


class Agenda(BaseModel):
    """A workshop's steps and the one the room is on."""

    model_config = ConfigDict(frozen=True)

    items: tuple[AgendaItem, ...]
    current: StepKey

    @property
    def enabled(self) -> tuple[AgendaItem, ...]:
        return tuple(i for i in self.items if i.enabled)

    def item(self, key: str) -> AgendaItem:
        for i in self.items:
            if i.step == key:
                return i
        raise KeyError(key)

    def on(self, key: str) -> bool:
        return any(i.step == key and i.enabled for i in self.items)

    def neighbour(self, offset: int) -> StepKey | None:
        """The enabled step `offset` places from the current one, if there is one."""
        keys = [i.step for i in self.enabled]
        if self.current not in keys:  # switched off while the room was on it
            after = [i.step for i in self.items]
            later = [k for k in keys if after.index(k) > after.index(self.current)]
            return (later[0] if later else None) if offset > 0 else None
        at = keys.index(self.current) + offset
        return keys[at] if 0 <= at < len(keys) else None

    def position(self) -> tuple[int, int]:
        """Which enabled step the room is on (1-based) and how many there are."""
        keys = [i.step for i in self.enabled]
        return (keys.index(self.current) + 1 if self.current in keys else 0), len(keys)


def default_items(*, whole: bool) -> tuple[AgendaItem, ...]:
    """Steps 3 to 8 (the whole workshop), or the short agenda of Steps 4, 6 and 8."""
    return tuple(
        AgendaItem(step=s.key, enabled=whole or not s.whole_only, minutes=s.minutes)
        for s in steps()
    )


def first_step(items: Sequence[AgendaItem]) -> StepKey:
    return next((i.step for i in items if i.enabled), "mission")
