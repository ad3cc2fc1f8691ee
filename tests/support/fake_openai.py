"""A small OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks: scripted faults."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Action = tuple[str, Any]
DEFAULT_ERRORS = {
    400: "Invalid request.",
    401: "Incorrect API key provided.",
    403: "You are not allowed to use this model.",
    404: "The model does not exist or you do not have access to it.",
    422: "Unprocessable request.",
    429: "Rate limit reached. Please try again later.",
    500: "The server had an error while processing your request.",
    503: "The engine is currently overloaded.",
}
MODELS = ("gpt-4o-mini", "fake-model")


class FakeOpenAI:
    """Answers /v1/chat/completions from a queue of scripted actions, then from `responder`."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        json_schema: bool = True,
        responder: Callable[[dict[str, Any]], dict[str, Any] | str] | None = None,
    ) -> None:
        self.latency = latency
        self.json_schema = json_schema
        self.responder = responder
        self.requests: list[dict[str, Any]] = []
        self._script: deque[Action] = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        # Bind now so base_url is known before start(); port 0 asks the OS for a free port.
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True  # a slow reply must not hold up stop()
        self._server.fake = self  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread: threading.Thread | None = None

    # --- scripting -------------------------------------------------------------------------
    def reply(self, content: dict[str, Any] | str, *, usage: tuple[int, int] = (10, 5)) -> None:
        """Queue a 200 chat completion whose content is json.dumps(content), or the str as is."""
        self._queue(("reply", (content, usage)))

    def fail(
        self,
        status: int,
        body: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Queue an HTTP error in the OpenAI error shape.

        e.g. fail(429, headers={"retry-after": "1"})
        """
        if body is None:
            message = DEFAULT_ERRORS.get(status, f"Error {status}.")
            body = {"error": {"message": message, "type": "fake_error", "code": None}}
        self._queue(("fail", (status, body, headers or {})))

    def slow(self, seconds: float, content: dict[str, Any] | str) -> None:
        """Queue a reply that waits `seconds` first (to exceed the client's timeout)."""
        self._queue(("slow", (seconds, content)))

    def drop(self) -> None:
        """Queue a connection closed without any response."""
        self._queue(("drop", None))

    def page(self, html: str = "<html><body><h1>Sign in to the Wi-Fi</h1></body></html>") -> None:
        """Queue a 200 that is a web page, not a completion (a captive portal, a wrong URL)."""
        self._queue(("page", html))

    def refuse(self, text: str) -> None:
        """Queue a 200 whose message has `refusal` set and no content."""
        self._queue(("refuse", text))

    def _queue(self, action: Action) -> None:
        with self._lock:
            self._script.append(action)

    def _next(self, *, errors_only: bool = False) -> Action | None:
        with self._lock:
            if self._script and (not errors_only or self._script[0][0] in ("fail", "drop")):
                return self._script.popleft()
            return None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        if self._thread is None:
            # stop() waits up to one poll for the loop to notice: keep it short, as about
            # forty tests each start and stop a server.
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- bodies ----------------------------------------------------------------------------
    def completion(
        self,
        request: dict[str, Any],
        content: str | None,
        usage: tuple[int, int],
        refusal: str | None,
    ) -> dict[str, Any]:
        prompt, completion = usage
        message = {"role": "assistant", "content": content, "refusal": refusal}
        return {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "fake-model"),
            "choices": [
                {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }


def _text(content: dict[str, Any] | str) -> str:
    return content if isinstance(content, str) else json.dumps(content)


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeOpenAI/1.0"

    @property
    def fake(self) -> FakeOpenAI:
        return self.server.fake  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/") != "/v1/models":
            return self._send(404, _error(f"Unknown path {self.path}."))
        action = self.fake._next(errors_only=True)  # a scripted fault applies to ping too
        if action is not None:
            return self._act(action, {})
        models = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in MODELS]
        self._send(200, {"object": "list", "data": models})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self._send(400, _error("The body is not valid JSON."))
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._send(404, _error(f"Unknown path {self.path}."))
        with self.fake._lock:
            self.fake.requests.append(request)
        fmt = request.get("response_format") or {}
        if not self.fake.json_schema and fmt.get("type") == "json_schema":
            return self._send(400, _error("response_format json_schema is not supported"))
        action = self.fake._next()
        if action is None and self.fake.responder is not None:
            action = ("reply", (self.fake.responder(request), (10, 5)))
        if action is None:
            return self._send(500, _error("FakeOpenAI has no scripted reply left."))
        self._act(action, request)

    def _act(self, action: Action, request: dict[str, Any]) -> None:
        kind, data = action
        if kind == "drop":
            self.close_connection = True  # return without a status line: the client sees EOF
        elif kind == "fail":
            status, body, headers = data
            self._send(status, body, headers)
        elif kind == "page":
            self._send_raw(200, data.encode(), "text/html; charset=utf-8")
        elif kind == "refuse":
            self._send(200, self.fake.completion(request, None, (10, 0), data))
        else:
            if kind == "slow":
                seconds, content = data
                time.sleep(seconds)
                data = (content, (10, 5))
            content, usage = data
            self._send(200, self.fake.completion(request, _text(content), usage, None))

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        if self.fake.latency:
            time.sleep(self.fake.latency)
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout); nothing to answer

    def _send_raw(self, status: int, payload: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _error(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": None}}
