"""What every page shares: the wired services, links, QR codes and error display."""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import segno
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from coach.bootstrap import Services, build
from coach.config import Settings
from coach.errors import CoachError
from coach.llm.protocol import LLMSettings
from coach.scoring.view import md_escape
from coach.service.workshops import OnBehalf, Submission, Workshops

# Absolute paths: the pages are found the same from a checkout's app.py or an installed wheel.
_PAGES_DIR = Path(__file__).resolve().parent / "pages"
_NAMES = (
    "home", "workshop", "join", "consensus", "score", "settings", "commitments", "team", "present",
    "programme",
)  # fmt: skip
PAGES = {name: str(_PAGES_DIR / f"{name}.py") for name in _NAMES}


@st.cache_resource(show_spinner=False)
def _services(settings: Settings, llm: LLMSettings) -> Services:
    return build(settings, llm)


def _llm_settings() -> LLMSettings:
    """The environment, completed by Streamlit secrets (.streamlit/secrets.toml) if present."""
    env = dict(os.environ)
    try:
        for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COACH_MODEL"):
            if name not in env and name in st.secrets:
                env[name] = str(st.secrets[name])
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        pass  # no secrets file: the environment decides
    return LLMSettings.from_env(env)


def admin_key() -> str | None:
    """COACH_ADMIN_KEY from the environment or .streamlit/secrets.toml, if set."""
    key = os.environ.get("COACH_ADMIN_KEY")
    if not key:
        try:
            key = str(st.secrets["COACH_ADMIN_KEY"]) if "COACH_ADMIN_KEY" in st.secrets else None
        except (FileNotFoundError, StreamlitSecretNotFoundError):
            key = None
    return key or None


def services() -> Services:
    """One set of services per configuration for the whole server process."""
    try:
        return _services(Settings.from_env(), _llm_settings())
    except CoachError as exc:
        st.error(md_escape(str(exc)))
        st.stop()


def base_url() -> str:
    """Where people reach this app: COACH_PUBLIC_URL, else the address in the browser."""
    configured = Settings.from_env().public_url
    if configured:
        return configured.rstrip("/")
    current = st.context.url or ""
    parts = urlsplit(current)
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return "http://127.0.0.1:8501"


def link(page: str, **params: str) -> str:
    return f"{base_url()}/{page}?{urlencode(params)}"


@st.cache_data(show_spinner=False, max_entries=64)
def qr_png(data: str) -> bytes:
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=6, border=2)
    return out.getvalue()


def fail(exc: CoachError) -> None:
    """Show a person what went wrong and what to do; the page continues.

    Messages can quote what someone typed, so they are escaped: shown, never rendered.
    """
    st.error(md_escape(str(exc)))


def warn(message: str) -> None:
    """A warning that may carry outside text (an LLM server's words, say), shown inert."""
    st.warning(md_escape(message))


def act(action: Callable[[], object]) -> None:
    """Run one change: a CoachError is shown, otherwise the page reruns with the new state."""
    try:
        action()
    except CoachError as exc:
        fail(exc)
        return
    st.rerun()


def submit_once(
    ws: Workshops, code: str, token: str | OnBehalf, text: str, nonce_key: str
) -> Submission | None:
    """Submit a draft with a nonce kept until it succeeds, so a double click stores one
    version; a refusal is shown and the text stays where it was."""
    try:
        done = ws.submit(
            code, token, text, st.session_state.setdefault(nonce_key, secrets.token_hex(8))
        )
    except CoachError as exc:
        fail(exc)
        return None
    st.session_state.pop(nonce_key, None)
    return done
