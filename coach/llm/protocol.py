"""The LLM behind one small interface, a scripted fake for tests, and their settings.

The OpenAI-SDK adapter lives in llm_openai.py, the only module that imports `openai`
(lazily: the SDK takes about a second to load)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ValidationError

from coach.errors import CoachError

if TYPE_CHECKING:
    pass


T = TypeVar("T", bound=BaseModel)


FailureKind = Literal[
    "off", "auth", "bad_request", "not_found", "rate_limit", "timeout", "connection", "server",
    "malformed", "refusal",
]  # fmt: skip


Mode = Literal["json_schema", "json_object"]


DEFAULT_BASE_URL = "https://api.openai.com/v1"


class LLMError(CoachError):
    """An LLM call failed: `kind` says why, the message says what a person can do."""

    def __init__(self, message: str, *, kind: FailureKind, attempts: int = 0) -> None:
        super().__init__(message)
        self.kind: FailureKind = kind
        self.attempts = attempts


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class Completion(Generic[T]):
    value: T
    usage: Usage
    model: str
    attempts: int  # HTTP requests this answer took, probes and re-asks included
    mode: Mode


class LLM(Protocol):
    model: str

    def complete(
        self, messages: Sequence[Mapping[str, str]], response_model: type[T]
    ) -> Completion[T]: ...


@dataclass(frozen=True)
class LLMSettings:
    api_key: str | None = field(repr=False)  # never shown: repr ends up in logs and tracebacks
    base_url: str | None
    model: str = "gpt-4o-mini"
    timeout: float = 20.0  # per request, seconds (the SDK default is 10 minutes)
    deadline: float = 60.0  # total across retries
    max_attempts: int = 4  # for transient failures

    @property
    def enabled(self) -> bool:
        return bool(self.api_key or self.base_url)  # local servers such as Ollama need no key

    @property
    def endpoint(self) -> str:
        return self.base_url or DEFAULT_BASE_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LLMSettings:
        """Read OPENAI_API_KEY, OPENAI_BASE_URL, COACH_MODEL and COACH_LLM_TIMEOUT."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            return env.get(name, "").strip() or None

        key, url, model = get("OPENAI_API_KEY"), get("OPENAI_BASE_URL"), get("COACH_MODEL")
        if (text := get("COACH_LLM_TIMEOUT")) is None:
            return cls(key, url, model or cls.model)
        try:
            timeout = float(text)
        except ValueError:
            timeout = math.nan
        if not (math.isfinite(timeout) and timeout > 0):
            raise CoachError(
                f"COACH_LLM_TIMEOUT must be a number of seconds such as 20, not {text!r}."
            )
        # A slow local model gets a longer per-request wait; keep room for a retry or two.
        return cls(key, url, model or cls.model, timeout, max(cls.deadline, 3 * timeout))

    def describe(self) -> str:
        """One line for the status bar; never contains the key."""
        if not self.enabled:
            return "off: set OPENAI_API_KEY or OPENAI_BASE_URL to turn on LLM feedback"
        return f"on: {self.model} at {safe_url(self.endpoint)}"


def parse_reply(content: str | dict[str, Any], model: type[T]) -> tuple[T | None, str]:
    try:
        if isinstance(content, str):
            return model.model_validate_json(content), ""
        return model.model_validate(content), ""
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        parts = [f"{'.'.join(map(str, e['loc'])) or 'reply'}: {e['msg']}" for e in errors[:5]]
        return None, "; ".join(parts)[:500]


def safe_url(url: str) -> str:
    """The URL without user:password or query, which may hold credentials."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
