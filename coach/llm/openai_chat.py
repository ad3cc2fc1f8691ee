"""The OpenAI-SDK adapter: explicit timeouts, retries only for what may pass, one re-ask.

Only this module imports `openai`, lazily: the SDK takes about a second to load.
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential_jitter

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

from coach.llm.protocol import (
    Completion,
    FailureKind,
    LLMError,
    LLMSettings,
    Mode,
    T,
    Usage,
    parse_reply,
    safe_url,
)

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
        value, problem = parse_reply(content, response_model)
        if value is None:
            call.conversation += [
                {"role": "assistant", "content": content},
                {"role": "user", "content": f"Your reply was not valid for the schema: {problem}. "
                 "Reply again with JSON only that matches the schema."},
            ]  # fmt: skip
            content, mode = self._ask(call)
            value, problem = parse_reply(content, response_model)
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
        where = safe_url(self.settings.endpoint)
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
        from openai.types.chat import ChatCompletion  # the SDK loads only when the LLM is on

        call.requests += 1
        reply = self._client.chat.completions.create(
            model=self.model,
            messages=messages,  # type: ignore[arg-type]  # plain role/content dicts
            response_format=fmt,
            timeout=max(_MIN_ATTEMPT, min(self.settings.timeout, call.remaining())),
        )
        # A server may answer 200 with anything: a captive portal's web page, a proxy's
        # error text. Only a chat completion goes further; the rest is an LLM error.
        if not isinstance(reply, ChatCompletion) or not isinstance(reply.choices, list):
            message = self._message("malformed", None, call.requests)
            raise self._fail(message, "malformed", call.requests)
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
            where=safe_url(self.settings.endpoint),
            model=self.model,
            timeout=self.settings.timeout,
            detail=(detail.splitlines() or [""])[0][:200],
        )

    def _fail(self, message: str, kind: FailureKind, attempts: int) -> LLMError:
        return LLMError(self._redact(message), kind=kind, attempts=attempts)

    def _redact(self, text: str) -> str:
        key = self.settings.api_key  # servers may echo the key back; never pass it on
        return text.replace(key, "***") if key and len(key) >= 4 else text


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
