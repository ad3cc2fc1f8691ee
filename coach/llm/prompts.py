"""Prompts as data: `prompts/<task>.toml` with named placeholders, rubric criteria injected.

A missing or unexpected variable is an error. User text enters as JSON, so a draft can
never close its own delimiters or pass for an instruction.
"""

from __future__ import annotations

import hashlib
import json
import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from coach.errors import CoachError
from coach.scoring.rubric import Rubric

PROMPT_DIR: Traversable = files("coach") / "prompts"  # a link to the top-level prompts/
TASKS = ("feedback", "merge", "revise", "commitment", "draft")


class PromptError(CoachError):
    """A prompt file is missing, malformed, or rendered with the wrong variables."""


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str  # the file's own version plus a hash of its text: edits change cache keys
    system: str
    user: str

    @property
    def placeholders(self) -> frozenset[str]:
        fields = string.Formatter().parse(self.system + self.user)
        return frozenset(f for _, f, _, _ in fields if f)


@lru_cache(maxsize=16)
def load_prompt(name: str, directory: Path | Traversable | None = None) -> Prompt:
    path = (directory or PROMPT_DIR) / f"{name}.toml"
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
        digest = hashlib.sha256(raw).hexdigest()[:8]
        return Prompt(
            name, f"{data['version']}-{digest}", data["system"].strip(), data["user"].strip()
        )
    except (OSError, KeyError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PromptError(f"Prompt file {path} is missing or malformed ({exc}).") from exc


def criteria_block(rubric: Rubric) -> str:
    """The rubric's criteria as the prompts show them, so a rubric edit changes the prompts."""
    return "\n".join(f"- {c.name}: {c.question} (weight {c.weight:g})" for c in rubric.criteria)


def as_data(value: object) -> str:
    """User text as a JSON literal: quoted and escaped, never bare instructions."""
    return json.dumps(value, ensure_ascii=False)


def render(prompt: Prompt, **values: object) -> list[dict[str, str]]:
    """Chat messages with every placeholder filled; missing or unknown names are errors."""
    wanted, given = prompt.placeholders, set(values)
    if wanted - given or given - wanted:
        raise PromptError(f"Prompt '{prompt.name}' needs {sorted(wanted)}; got {sorted(given)}.")
    filled = {k: str(v) for k, v in values.items()}
    return [
        {"role": "system", "content": prompt.system.format_map(filled)},
        {"role": "user", "content": prompt.user.format_map(filled)},
    ]
