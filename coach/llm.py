"""The LLM behind one small interface; an OpenAI-SDK adapter that retries only what may pass.

Only this module imports `openai`, lazily: the SDK takes about a second to load.
"""

from __future__ import annotations

import email.utils
import json
import math
import os
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential_jitter

from coach.errors import CoachError

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

T = TypeVar("T", bound=BaseModel)
FailureKind = Literal[
    "off", "auth", "bad_request", "not_found", "rate_limit", "timeout", "connection", "server",
    "malformed", "refusal",
]  # fmt: skip
Mode = Literal["json_schema", "json_object"]
DEFAULT_BASE_URL = "https://api.openai.com/v1"
_TRANSIENT = frozenset({"rate_limit", "timeout", "connection", "server"})
_MIN_ATTEMPT = 0.1  # seconds: with less time left than this an attempt cannot succeed
_ADVICE: dict[FailureKind, str] = {
    "auth": "The LLM endpoint rejected the API key ({status}). Check OPENAI_API_KEY.",
    "not_found": "{where} has no model {model!r} or no chat API (404). "
    "Check COACH_MODEL and OPENAI_BASE_URL.",
    "bad_request": "The LLM endpoint refused the request ({status}): {detail}",
    "rate_limit": "The LLM endpoint is rate-limiting requests (429, {tries}). "
    "Wait a minute and try again.",
    "timeout": "The LLM did not answer within {timeout:g} s ({tries}). "
    "Try again, or check OPENAI_BASE_URL.",
    "connection": "Could not reach the LLM at {where} ({tries}). "
    "Check OPENAI_BASE_URL and that the server is running.",
    "server": "The LLM endpoint failed ({status}, {tries}). Try again in a minute.",
    "malformed": "The LLM endpoint sent something that is not a chat completion ({tries}). "
    "Check that OPENAI_BASE_URL points at an OpenAI-compatible /v1 API.",
}


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
        return f"on: {self.model} at {_safe_url(self.endpoint)}"


class OpenAIChat:
    """The LLM through the OpenAI SDK: strict JSON output, bounded retries, actionable errors."""

    def __init__(
        self, settings: LLMSettings, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        if not settings.enabled:
            raise LLMError(f"The LLM is {settings.describe()}.", kind="off")
        import openai

        self.settings = settings
        self.model = settings.model
        self._sleep = sleep
        self._json_object_only = False  # set once this server refuses json_schema; no re-probing
        # Our own retry loop decides; an explicit base_url stops the SDK reading the environment.
        self._client = openai.OpenAI(
            api_key=settings.api_key or "not-needed",
            base_url=settings.endpoint,
            timeout=settings.timeout,
            max_retries=0,
        )

    def complete(
        self, messages: Sequence[Mapping[str, str]], response_model: type[T]
    ) -> Completion[T]:
        """Ask for a reply that validates as `response_model`; re-ask once if it does not."""
        call = _Call(messages, response_model, self.settings.deadline, self._sleep)
        content, mode = self._ask(call)
        value, problem = _validate(content, response_model)
        if value is None:
            call.conversation += [
                {"role": "assistant", "content": content},
                {"role": "user", "content": f"Your reply was not valid for the schema: {problem}. "
                 "Reply again with JSON only that matches the schema."},
            ]  # fmt: skip
            content, mode = self._ask(call)
            value, problem = _validate(content, response_model)
            if value is None:
                name = response_model.__name__
                raise self._fail(
                    f"The LLM replied twice with output that does not fit {name}: {problem}. "
                    "Try again, or set COACH_MODEL to a model with structured output.",
                    "malformed",
                    call.requests,
                )
        usage = Usage(call.prompt_tokens, call.completion_tokens)
        return Completion(value, usage, self.model, call.requests, mode)

    def ping(self) -> str:
        """Test the connection with one quick GET /models (no retries); one line on success."""
        import openai

        try:
            page = self._client.models.list(timeout=min(self.settings.timeout, 10.0))
        except openai.OpenAIError as exc:
            raise self._error(exc, 1) from exc
        ids = [m.id for m in page.data]
        where = _safe_url(self.settings.endpoint)
        if self.model in ids:
            return f"Connected to {where}: {self.model} is available."
        return f"Connected to {where}, but its {len(ids)} models do not include {self.model}."

    def _ask(self, call: _Call) -> tuple[str, Mode]:
        """The one retry loop: transient failures only, bounded by max_attempts and the deadline."""
        import openai

        backoff = wait_exponential_jitter(multiplier=0.5, max=8.0, jitter=0.25)

        def wait(state: RetryCallState) -> float:
            hinted = _retry_after(state.outcome.exception() if state.outcome else None)
            return max(0.0, min(backoff(state) if hinted is None else hinted, call.remaining()))

        def stop(state: RetryCallState) -> bool:
            out_of_time = call.remaining() - state.upcoming_sleep < _MIN_ATTEMPT
            return state.attempt_number >= self.settings.max_attempts or out_of_time

        if call.remaining() < _MIN_ATTEMPT:
            raise self._fail(
                self._message("timeout", None, call.requests), "timeout", call.requests
            )
        retry = retry_if_exception(_transient)
        try:
            reply, mode = Retrying(
                sleep=call.sleep, stop=stop, wait=wait, retry=retry, reraise=True
            )(self._send, call)
        except openai.OpenAIError as exc:
            raise self._error(exc, call.requests) from exc
        choice = reply.choices[0] if reply.choices else None
        if choice and (choice.message.refusal or choice.finish_reason == "content_filter"):
            text = choice.message.refusal or "its content filter blocked the reply"
            raise self._fail(f"The LLM declined to answer: {text[:200]}", "refusal", call.requests)
        content = choice.message.content if choice else None
        return content or "", mode

    def _send(self, call: _Call) -> tuple[ChatCompletion, Mode]:
        """One attempt: json_schema unless this server refused it, then json_object."""
        from openai.lib import type_to_response_format_param

        if not self._json_object_only:
            try:
                fmt = type_to_response_format_param(call.model)
                return self._post(call, call.conversation, fmt), "json_schema"
            except Exception as exc:
                if not _refuses_json_schema(exc):
                    raise
                self._json_object_only = True
        schema = json.dumps(call.model.model_json_schema(), separators=(",", ":"))
        note = {"role": "system", "content": "Reply with one JSON object only (no prose, no code "
                f"fences) that matches this JSON schema: {schema}"}  # fmt: skip
        talk = call.conversation
        lead = next((i for i, m in enumerate(talk) if m.get("role") != "system"), len(talk))
        return self._post(
            call, [*talk[:lead], note, *talk[lead:]], {"type": "json_object"}
        ), "json_object"

    def _post(self, call: _Call, messages: list[dict[str, str]], fmt: Any) -> ChatCompletion:
        call.requests += 1
        reply = self._client.chat.completions.create(
            model=self.model,
            messages=messages,  # type: ignore[arg-type]  # plain role/content dicts
            response_format=fmt,
            timeout=max(_MIN_ATTEMPT, min(self.settings.timeout, call.remaining())),
        )
        if reply.usage:
            call.prompt_tokens += reply.usage.prompt_tokens or 0
            call.completion_tokens += reply.usage.completion_tokens or 0
        return reply

    def _error(self, exc: Exception, attempts: int) -> LLMError:
        kind = _kind(exc)
        # The SDK error is chained as the cause; scrub a key the server echoed from its traceback.
        exc.args = tuple(self._redact(a) if isinstance(a, str) else a for a in exc.args)
        if isinstance(getattr(exc, "message", None), str):
            exc.message = self._redact(exc.message)  # type: ignore[attr-defined]
        return self._fail(self._message(kind, exc, attempts), kind, attempts)

    def _message(self, kind: FailureKind, exc: Exception | None, attempts: int) -> str:
        if kind == "rate_limit" and getattr(exc, "code", None) == "insufficient_quota":
            return "The account behind OPENAI_API_KEY has no quota left (429). Check its billing."
        body = getattr(exc, "body", None)
        detail = str((body.get("message") if isinstance(body, dict) else None) or exc).strip()
        return _ADVICE.get(kind, _ADVICE["malformed"]).format(
            status=getattr(exc, "status_code", None),
            tries=f"{attempts} attempt{'' if attempts == 1 else 's'}",
            where=_safe_url(self.settings.endpoint),
            model=self.model,
            timeout=self.settings.timeout,
            detail=(detail.splitlines() or [""])[0][:200],
        )

    def _fail(self, message: str, kind: FailureKind, attempts: int) -> LLMError:
        return LLMError(self._redact(message), kind=kind, attempts=attempts)

    def _redact(self, text: str) -> str:
        key = self.settings.api_key  # servers may echo the key back; never pass it on
        return text.replace(key, "***") if key and len(key) >= 4 else text


class FakeLLM:
    """Scripted LLM for tests: answers (or raises) what was enqueued, in order; records messages."""

    model = "fake"

    def __init__(self) -> None:
        self.history: list[list[dict[str, str]]] = []
        self._script: deque[BaseModel | dict[str, Any] | str | Exception] = deque()

    def enqueue(self, item: BaseModel | dict[str, Any] | str | Exception) -> None:
        self._script.append(item)

    def complete(
        self, messages: Sequence[Mapping[str, str]], response_model: type[T]
    ) -> Completion[T]:
        self.history.append([dict(m) for m in messages])
        if not self._script:
            raise LLMError("FakeLLM has no reply left: enqueue() one per complete().", kind="off")
        item = self._script.popleft()
        if isinstance(item, Exception):
            raise item
        if isinstance(item, response_model):
            return Completion(item, Usage(), self.model, 1, "json_schema")
        data = item.model_dump() if isinstance(item, BaseModel) else item
        value, problem = _validate(data, response_model)
        if value is None:
            msg = f"The LLM reply does not fit {response_model.__name__}: {problem}."
            raise LLMError(msg, kind="malformed", attempts=1)
        return Completion(value, Usage(), self.model, 1, "json_schema")


def build_llm(settings: LLMSettings) -> LLM | None:
    """The configured LLM, or None when it is off."""
    return OpenAIChat(settings) if settings.enabled else None


class _Call:
    """One complete() call: its conversation, request and token counts, and time left."""

    def __init__(
        self,
        messages: Sequence[Mapping[str, str]],
        model: type[BaseModel],
        deadline: float,
        sleep: Callable[[float], None],
    ) -> None:
        self.conversation = [dict(m) for m in messages]
        self.model = model
        self.requests = self.prompt_tokens = self.completion_tokens = 0
        self._end = time.monotonic() + deadline
        self._sleep = sleep

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def sleep(self, seconds: float) -> None:
        started = time.monotonic()
        self._sleep(seconds)
        # A fake sleep returns at once: charge the wait anyway so tests meet the real deadline.
        self._end -= max(0.0, seconds - (time.monotonic() - started))


def _validate(content: str | dict[str, Any], model: type[T]) -> tuple[T | None, str]:
    try:
        if isinstance(content, str):
            return model.model_validate_json(content), ""
        return model.model_validate(content), ""
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        parts = [f"{'.'.join(map(str, e['loc'])) or 'reply'}: {e['msg']}" for e in errors[:5]]
        return None, "; ".join(parts)[:500]


def _kind(exc: BaseException) -> FailureKind:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    if not isinstance(exc, openai.APIStatusError):
        return "malformed"
    status = exc.status_code
    table: dict[int, FailureKind] = {401: "auth", 403: "auth", 404: "not_found", 408: "timeout"}
    if status == 429:
        return "rate_limit"
    return "server" if status >= 500 else table.get(status, "bad_request")


def _transient(exc: BaseException) -> bool:
    # A 429 for an exhausted quota will not clear by waiting.
    return _kind(exc) in _TRANSIENT and getattr(exc, "code", None) != "insufficient_quota"


def _refuses_json_schema(exc: Exception) -> bool:
    import openai

    if isinstance(exc, openai.UnprocessableEntityError):
        return True
    text = str(exc).lower()
    words = ("response_format", "json_schema", "not supported")
    return isinstance(exc, openai.BadRequestError) and any(w in text for w in words)


def _retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (retry-after-ms, then retry-after), if any."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        text = headers.get(name) if headers is not None else None
        if text is None:
            continue
        try:
            seconds = float(text) * scale
        except ValueError:
            try:
                seconds = email.utils.parsedate_to_datetime(text).timestamp() - time.time()
            except (TypeError, ValueError):
                continue
        if math.isfinite(seconds):
            return max(0.0, seconds)
    return None


def _safe_url(url: str) -> str:
    """The URL without user:password or query, which may hold credentials."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
