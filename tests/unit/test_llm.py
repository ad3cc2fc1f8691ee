"""The OpenAI adapter against a real socket server: one test per fault, showing the outcome."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from coach.bootstrap import build_llm
from coach.errors import CoachError
from coach.llm.openai_chat import OpenAIChat
from coach.llm.protocol import LLMError, LLMSettings
from tests.support.fake_openai import FakeOpenAI

KEY = "sk-test-0123456789-secret"
ASK = [{"role": "system", "content": "You grade missions."}, {"role": "user", "content": "Grade."}]
GOOD: dict[str, Any] = {"score": 4, "reason": "Clear and specific."}


class Verdict(BaseModel):
    score: int
    reason: str


class FakeSleep:
    """Records the waits instead of sleeping, so retry tests take milliseconds."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


def chat(server: FakeOpenAI, sleep: FakeSleep, **overrides: float) -> OpenAIChat:
    values: dict[str, float] = {"timeout": 2.0, "deadline": 10.0, "max_attempts": 4, **overrides}
    settings = LLMSettings(
        api_key=KEY,
        base_url=server.base_url,
        timeout=values["timeout"],
        deadline=values["deadline"],
        max_attempts=int(values["max_attempts"]),
    )
    return OpenAIChat(settings, sleep=sleep)


def fails(llm: OpenAIChat) -> LLMError:
    with pytest.raises(LLMError) as info:
        llm.complete(ASK, Verdict)
    assert info.value.__cause__ is not None or info.value.kind in ("malformed", "refusal")
    # Not in the message, nor anywhere in the chained traceback a log would print.
    assert KEY not in "".join(traceback.format_exception(info.value))
    return info.value


# --- the happy path ---------------------------------------------------------------------------
def test_happy_path_parses_value_usage_and_uses_strict_json_schema(server, sleep) -> None:
    server.reply(GOOD, usage=(12, 7))
    done = chat(server, sleep).complete(ASK, Verdict)
    assert done.value == Verdict(**GOOD)
    assert (done.usage.prompt_tokens, done.usage.completion_tokens, done.usage.total) == (12, 7, 19)
    assert (done.mode, done.attempts, done.model) == ("json_schema", 1, "gpt-4o-mini")
    sent = server.requests[0]
    assert sent["messages"] == ASK and sent["model"] == "gpt-4o-mini"
    fmt = sent["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["required"] == ["score", "reason"]
    assert fmt["json_schema"]["schema"]["additionalProperties"] is False
    assert sleep.delays == []


# --- transient failures are retried -----------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "value", "wait"), [("retry-after", "1", 1.0), ("retry-after-ms", "250", 0.25)]
)
def test_429_honours_retry_after_then_succeeds(server, sleep, header, value, wait) -> None:
    server.fail(429, headers={header: value})
    server.reply(GOOD)
    done = chat(server, sleep).complete(ASK, Verdict)
    assert done.value.score == 4 and done.attempts == 2
    assert sleep.delays == [pytest.approx(wait)]
    assert done.usage.total == 15  # only the answered request reported usage


def test_500_then_success_backs_off_about_half_a_second(server, sleep) -> None:
    server.fail(500)
    server.reply(GOOD)
    done = chat(server, sleep).complete(ASK, Verdict)
    assert done.attempts == 2 and len(server.requests) == 2
    assert len(sleep.delays) == 1 and 0.5 <= sleep.delays[0] <= 0.75


def test_dropped_connection_then_success(server, sleep) -> None:
    server.drop()
    server.reply(GOOD)
    done = chat(server, sleep).complete(ASK, Verdict)
    assert done.value.score == 4 and done.attempts == 2 and len(server.requests) == 2


def test_slow_reply_past_the_timeout_is_retried(server, sleep) -> None:
    server.slow(1.0, GOOD)
    server.reply({"score": 5, "reason": "Second try."})
    started = time.monotonic()
    done = chat(server, sleep, timeout=0.3).complete(ASK, Verdict)
    assert done.value.score == 5 and done.attempts == 2
    assert time.monotonic() - started < 0.9  # gave up on the slow one at ~0.3 s


def test_always_slow_fails_as_timeout_within_the_deadline(server, sleep) -> None:
    for _ in range(10):
        server.slow(1.0, GOOD)
    started = time.monotonic()
    error = fails(chat(server, sleep, timeout=0.3, deadline=1.0, max_attempts=10))
    elapsed = time.monotonic() - started
    assert error.kind == "timeout" and 1 <= error.attempts < 10
    assert "did not answer within 0.3 s" in str(error) and "OPENAI_BASE_URL" in str(error)
    # Real time plus charged waits stay near the deadline (10 slow attempts would take 10 s;
    # the slack is for a loaded machine, where a 0.3 s timeout fires late).
    assert elapsed < 1.5
    assert elapsed + sum(sleep.delays) <= 1.0 + 0.5


def test_persistent_500_stops_at_max_attempts(server, sleep) -> None:
    for _ in range(6):
        server.fail(500)
    error = fails(chat(server, sleep, max_attempts=3))
    assert error.kind == "server" and error.attempts == 3 and len(server.requests) == 3
    assert "3 attempts" in str(error)
    assert len(sleep.delays) == 2
    assert 0.5 <= sleep.delays[0] <= 0.75 and 1.0 <= sleep.delays[1] <= 1.25  # exponential


def test_deadline_caps_the_total_wait(server, sleep) -> None:
    for _ in range(10):
        server.fail(429, headers={"retry-after": "2"})
    error = fails(chat(server, sleep, deadline=3.0, max_attempts=10))
    assert error.kind == "rate_limit"
    assert sum(sleep.delays) <= 3.0
    assert sleep.delays == [2.0]  # a second 2 s wait would pass the deadline: stop instead
    assert len(server.requests) == 2


# --- permanent failures fail fast -------------------------------------------------------------
@pytest.mark.parametrize("status", [401, 403])
def test_auth_failure_is_not_retried_and_never_shows_the_key(server, sleep, status) -> None:
    # Real servers echo (part of) the key; the adapter must not pass it on.
    server.fail(status, {"error": {"message": f"Incorrect API key provided: {KEY}", "code": None}})
    error = fails(chat(server, sleep))
    assert error.kind == "auth" and error.attempts == 1 and len(server.requests) == 1
    assert "OPENAI_API_KEY" in str(error) and KEY not in repr(error)
    assert sleep.delays == []


def test_404_is_not_found_fast(server, sleep) -> None:
    server.fail(404)
    error = fails(chat(server, sleep))
    assert error.kind == "not_found" and len(server.requests) == 1
    assert "COACH_MODEL" in str(error) and "gpt-4o-mini" in str(error)


def test_400_shows_the_first_line_of_the_servers_message_without_the_key(server, sleep) -> None:
    message = f"max_tokens is too large for key {KEY}\nSee the docs."
    server.fail(400, {"error": {"message": message, "code": None}})
    error = fails(chat(server, sleep))  # also asserts the key is not in the message
    assert error.kind == "bad_request" and len(server.requests) == 1
    assert (
        str(error)
        == "The LLM endpoint refused the request (400): max_tokens is too large for key ***"
    )


def test_429_for_exhausted_quota_is_not_retried(server, sleep) -> None:
    server.fail(
        429, {"error": {"message": "You exceeded your quota.", "code": "insufficient_quota"}}
    )
    error = fails(chat(server, sleep))
    assert error.kind == "rate_limit" and len(server.requests) == 1 and "billing" in str(error)


# --- replies that are not what we asked for ---------------------------------------------------
def test_malformed_json_is_reasked_once_with_the_error(server, sleep) -> None:
    server.reply("Sure! Here is the JSON: {score: 4", usage=(12, 7))
    server.reply(GOOD, usage=(30, 6))
    done = chat(server, sleep).complete(ASK, Verdict)
    assert done.value.score == 4 and done.attempts == 2
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (42, 13)
    bad, fix = server.requests[1]["messages"][-2:]
    assert bad == {"role": "assistant", "content": "Sure! Here is the JSON: {score: 4"}
    assert fix["role"] == "user" and "not valid for the schema" in fix["content"]
    assert "Invalid JSON" in fix["content"] and "JSON only" in fix["content"]
    assert sleep.delays == []


def test_schema_violations_twice_fail_as_malformed_after_two_requests(server, sleep) -> None:
    server.reply({"score": "high", "reason": "ok"})
    server.reply({"score": "very high"})
    error = fails(chat(server, sleep))
    assert error.kind == "malformed" and error.attempts == 2 and len(server.requests) == 2
    assert "score" in str(error) and "Verdict" in str(error)
    assert "score: Input should be a valid integer" in server.requests[1]["messages"][-1]["content"]


def test_refusal_is_reported_with_the_models_text(server, sleep) -> None:
    server.refuse("I can't help with that request.")
    error = fails(chat(server, sleep))
    assert error.kind == "refusal" and len(server.requests) == 1
    assert "I can't help with that request." in str(error)


def test_server_without_json_schema_falls_back_to_json_object_and_remembers(sleep) -> None:
    with FakeOpenAI(json_schema=False) as server:
        server.reply(GOOD)
        server.reply({"score": 2, "reason": "Again."})
        llm = chat(server, sleep)
        first = llm.complete(ASK, Verdict)
        assert (first.mode, first.attempts, first.value.score) == ("json_object", 2, 4)
        assert [r["response_format"]["type"] for r in server.requests] == [
            "json_schema",
            "json_object",
        ]
        sent = server.requests[1]["messages"]
        assert sent[0] == ASK[0] and sent[1]["role"] == "system" and '"score"' in sent[1]["content"]
        assert sent[2:] == ASK[1:]
        second = llm.complete(ASK, Verdict)
        assert (second.mode, second.attempts, second.value.score) == ("json_object", 1, 2)
        assert (
            len(server.requests) == 3
            and server.requests[2]["response_format"]["type"] == "json_object"
        )
        assert sleep.delays == []


# --- concurrency, ping, settings --------------------------------------------------------------
def test_one_adapter_serves_concurrent_calls_in_parallel(sleep) -> None:
    with FakeOpenAI(latency=0.3, responder=lambda _request: GOOD) as server:
        llm = chat(server, sleep)
        results: list[int] = []
        threads = [
            threading.Thread(target=lambda: results.append(llm.complete(ASK, Verdict).value.score))
            for _ in range(8)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [4] * 8 and len(server.requests) == 8
        assert time.monotonic() - started < 1.5  # 8 x 0.3 s in sequence would be 2.4 s


def test_ping_lists_models_and_reports_auth_failures(server, sleep) -> None:
    llm = chat(server, sleep)
    assert llm.ping() == f"Connected to {server.base_url}: gpt-4o-mini is available."
    server.fail(401)
    with pytest.raises(LLMError) as info:
        llm.ping()
    assert info.value.kind == "auth" and "OPENAI_API_KEY" in str(info.value)


def test_nothing_listening_is_a_connection_error(sleep) -> None:
    server = FakeOpenAI()
    base_url = server.base_url
    server.stop()  # the port is now closed: connections are refused
    llm = OpenAIChat(
        LLMSettings(KEY, base_url, timeout=1.0, deadline=5.0, max_attempts=2), sleep=sleep
    )
    error = fails(llm)
    assert error.kind == "connection" and error.attempts == 2 and "OPENAI_BASE_URL" in str(error)


def test_settings_from_env_and_describe_never_show_the_key() -> None:
    off = LLMSettings.from_env({})
    assert not off.enabled and build_llm(off) is None
    assert off.describe() == "off: set OPENAI_API_KEY or OPENAI_BASE_URL to turn on LLM feedback"
    with pytest.raises(LLMError) as info:
        OpenAIChat(off)
    assert info.value.kind == "off"

    on = LLMSettings.from_env({"OPENAI_API_KEY": KEY})
    assert on.enabled and (on.model, on.timeout, on.deadline) == ("gpt-4o-mini", 20.0, 60.0)
    assert on.describe() == "on: gpt-4o-mini at https://api.openai.com/v1"
    assert isinstance(build_llm(on), OpenAIChat)
    for text in (on.describe(), repr(on), str(on)):
        assert KEY not in text

    local = LLMSettings.from_env(
        {
            "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1",
            "COACH_MODEL": " llama3.2 ",
            "COACH_LLM_TIMEOUT": "45",
        }
    )
    assert local.enabled and local.api_key is None
    assert (local.model, local.timeout, local.deadline) == ("llama3.2", 45.0, 135.0)
    assert local.describe() == "on: llama3.2 at http://127.0.0.1:11434/v1"
    assert (
        LLMSettings(None, "https://user:pw@example.test/v1?key=k")
        .describe()
        .endswith("at https://example.test/v1")
    )
    with pytest.raises(CoachError, match="COACH_LLM_TIMEOUT"):
        LLMSettings.from_env({"OPENAI_API_KEY": KEY, "COACH_LLM_TIMEOUT": "soon"})
