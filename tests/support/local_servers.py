"""Real servers on 127.0.0.1 for what the app sends: SMTP (aiosmtpd) and a chat webhook."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.app_server import free_port


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(**smtp: Any) -> Iterator[tuple[int, list[Message]]]:
    """(port, the messages it has received) for an SMTP server on 127.0.0.1: plain, or
    with aiosmtpd's own options (tls_context, require_starttls, authenticator, ...)."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **smtp)
    controller.start()
    try:
        yield controller.port, inbox.messages
    finally:
        controller.stop()


class _Hook(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status = self.server.status  # type: ignore[attr-defined]
        if status == 200:
            self.server.posts.append(json.loads(body))  # type: ignore[attr-defined]
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"ok")


@contextmanager
def webhook_server(status: int = 200) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(URL, the JSON bodies posted to it) for an incoming-webhook stand-in."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.posts = []  # type: ignore[attr-defined]
    server.status = status  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/team", server.posts  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
