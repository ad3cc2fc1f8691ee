"""Where messages go: an SMTP server, a chat's incoming webhook. Configured only by the
environment (or .streamlit/secrets.toml); never stored, shown, logged or exported."""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from coach.errors import CoachError

SECRETS = Path(".streamlit/secrets.toml")
TIMEOUT = 10.0


class NotifyError(CoachError):
    """A message could not be sent; the text says what to check, never a secret."""


class Channel(Protocol):
    name: str

    def send(self, to: str, subject: str, body: str) -> None: ...


def _secrets(section: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(SECRETS.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    found = data.get(section)
    return found if isinstance(found, dict) else {}


def _setting(env: str, section: dict[str, Any], key: str) -> str:
    value = os.environ.get(env)
    if value is None:
        value = section.get(key, "")
    return str(value).strip()


@dataclass(frozen=True)
class SMTPSettings:
    host: str
    port: int
    starttls: bool
    user: str
    password: str
    sender: str

    @classmethod
    def from_env(cls) -> SMTPSettings | None:
        """COACH_SMTP_HOST (and _PORT, _STARTTLS, _USER, _PASSWORD, _FROM), else the [smtp]
        table of .streamlit/secrets.toml; None when no host is set."""
        sec = _secrets("smtp")
        host = _setting("COACH_SMTP_HOST", sec, "host")
        if not host:
            return None
        starttls = _setting("COACH_SMTP_STARTTLS", sec, "starttls").lower() in (
            "1", "true", "yes", "on"
        )  # fmt: skip
        raw_port = _setting("COACH_SMTP_PORT", sec, "port")
        try:
            port = int(raw_port) if raw_port else (587 if starttls else 25)
        except ValueError as exc:
            raise NotifyError(f"COACH_SMTP_PORT is {raw_port[:10]!r}: give a port number.") from exc
        user = _setting("COACH_SMTP_USER", sec, "user")
        sender = _setting("COACH_SMTP_FROM", sec, "from") or user or f"mission-coach@{host}"
        return cls(
            host, port, starttls, user, _setting("COACH_SMTP_PASSWORD", sec, "password"), sender
        )

    def __repr__(self) -> str:  # never the password, in a log or a traceback
        return f"SMTPSettings(host={self.host!r}, port={self.port}, starttls={self.starttls})"


class Mailer:
    """Email through any SMTP server (STARTTLS and login when configured)."""

    name = "email"

    def __init__(self, settings: SMTPSettings):
        self.settings = settings

    def send(self, to: str, subject: str, body: str) -> None:
        s = self.settings
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = s.sender, to, subject
        msg.set_content(body)
        try:
            with smtplib.SMTP(s.host, s.port, timeout=TIMEOUT) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.user:
                    smtp.login(s.user, s.password)
                smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            raise NotifyError(
                "The mail server refused the login: check COACH_SMTP_USER and COACH_SMTP_PASSWORD."
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise NotifyError(
                f"The mail server at {s.host}:{s.port} did not take the message "
                f"({type(exc).__name__}): check COACH_SMTP_HOST and COACH_SMTP_PORT."
            ) from exc


def webhook_url() -> str:
    """COACH_WEBHOOK_URL, else url in the [webhook] table of .streamlit/secrets.toml."""
    return _setting("COACH_WEBHOOK_URL", _secrets("webhook"), "url")


class Webhook:
    """A chat's incoming webhook: {"text": ...}, the shape Slack and Teams both accept."""

    name = "webhook"

    def __init__(self, url: str):
        self._url = url

    def __repr__(self) -> str:  # the URL is the secret
        return "Webhook(<configured>)"

    def send(self, to: str, subject: str, body: str) -> None:
        payload = json.dumps({"text": f"*{subject}*\n{body}"}).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - the operator's own https URL
            self._url,
            data=payload,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as exc:
            raise NotifyError(
                f"The chat webhook answered {exc.code}: check COACH_WEBHOOK_URL."
            ) from exc
        except (OSError, ValueError) as exc:
            raise NotifyError(
                f"The chat webhook could not be reached ({type(exc).__name__}): check "
                "COACH_WEBHOOK_URL."
            ) from exc


def configured() -> tuple[Mailer | None, Webhook | None]:
    smtp = SMTPSettings.from_env()
    url = webhook_url()
    return (Mailer(smtp) if smtp else None), (Webhook(url) if url else None)


HOW_TO = (
    "Reminders are off: set COACH_SMTP_HOST (with COACH_SMTP_PORT, COACH_SMTP_STARTTLS, "
    "COACH_SMTP_USER, COACH_SMTP_PASSWORD, COACH_SMTP_FROM) for email, or COACH_WEBHOOK_URL "
    "for a team chat, in the environment or .streamlit/secrets.toml; then run "
    "`mission-coach remind` from a scheduler (e.g. cron, every morning)."
)
