"""The six elements of a service strategy: which ones each commitment carries, and gaps.

The elements and the words that signal them are data, in rubrics/elements.toml.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coach.errors import RubricError
from coach.scoring.phrases import PhraseIndex
from coach.scoring.rubric import RUBRIC_DIR
from coach.scoring.text import normalise

ELEMENTS_FILE = RUBRIC_DIR / "elements.toml"
# A word of an item, as PhraseIndex splits it: letters or digits, inner apostrophes, and
# an optional trailing * for "any ending". Anything else could never match.
_WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*\*?")


class Element(BaseModel):
    """One element of a service strategy, with the words that signal it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1)
    label: str = Field(min_length=1)
    gap: str = Field(min_length=1)  # shown when no commitment carries the element
    items: tuple[str, ...] = Field(min_length=1)
    should_tag: tuple[str, ...] = Field(min_length=2)
    should_not_tag: tuple[str, ...] = Field(min_length=2)

    @field_validator("items")
    @classmethod
    def _items_are_phrases(cls, items: tuple[str, ...]) -> tuple[str, ...]:
        for item in items:
            words = re.split(r"[\s-]+", item.lower().replace("’", "'").strip())
            if not all(_WORD_RE.fullmatch(w) for w in words):
                raise ValueError(
                    f"item {item!r} must be words separated by spaces or hyphens, "
                    "each optionally ending in *"
                )
        return items


class _ElementsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    element: tuple[Element, ...] = Field(min_length=1)

    @field_validator("element")
    @classmethod
    def _keys_are_unique(cls, element: tuple[Element, ...]) -> tuple[Element, ...]:
        keys = [e.key for e in element]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"element keys must be unique; repeated: {', '.join(dupes)}")
        return element


def load_elements(path: Path | Traversable | None = None) -> tuple[Element, ...]:
    """Read and check an elements file (rubrics/elements.toml by default), uncached."""
    path = path or ELEMENTS_FILE
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise RubricError(f"Cannot read elements file {path}: {exc.strerror}.") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RubricError(f"{path} is not valid TOML: {exc}. Fix the file and reload.") from exc
    try:
        return _ElementsFile.model_validate(data).element
    except ValidationError as exc:
        raise RubricError(f"{path} does not match the elements schema:\n{exc}") from exc


@lru_cache(maxsize=1)
def elements() -> tuple[Element, ...]:
    """The elements of rubrics/elements.toml, loaded once per process."""
    return load_elements()


@lru_cache(maxsize=1)
def _index() -> PhraseIndex:
    """One phrase index over every element's items."""
    index = PhraseIndex()
    for element in elements():
        index.add(element.key, element.items)
    return index


def tag(text: str) -> tuple[str, ...]:
    """Keys of the elements whose words appear in the text, in file order."""
    norm = normalise(text)
    found = {key for key, hits in _index().scan(norm, norm.lower()).items() if hits}
    return tuple(e.key for e in elements() if e.key in found)


def coverage(tag_sets: Sequence[Sequence[str]]) -> dict[str, int]:
    """Per element key, how many commitments carry it; keys no longer in the file are ignored."""
    counts = dict.fromkeys((e.key for e in elements()), 0)
    for tags in tag_sets:
        for key in set(tags):  # a commitment counts once per element
            if key in counts:
                counts[key] += 1
    return counts


def gaps(tag_sets: Sequence[Sequence[str]]) -> list[str]:
    """The gap messages of the elements no commitment carries, in file order."""
    counts = coverage(tag_sets)
    return [e.gap for e in elements() if counts[e.key] == 0]
