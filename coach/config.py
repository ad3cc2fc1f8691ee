"""Settings from the environment, with defaults that work on a fresh machine."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from coach.errors import CoachError

# Relative to where the app is started: `make run` keeps data/ in the checkout, and
# `mission-coach serve` from an installed wheel keeps it beside the person who ran it.
DEFAULT_DATA_DIR = Path("data")
# Connections each app process keeps to a database server (PostgreSQL). Few beat many: every
# connection is a server process, and on a 2-core server a burst over 20 connections per
# replica thrashed (make load: p95 about 800 ms) where 4 queued briefly (under 30 ms).
DEFAULT_POOL_SIZE = 4


class ConfigError(CoachError):
    """A setting in the environment cannot be used."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    public_url: str | None  # base of join links when the app sits behind another address
    pool_size: int = DEFAULT_POOL_SIZE

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("COACH_DATA_DIR") or DEFAULT_DATA_DIR).resolve()
        url = os.environ.get("COACH_DATABASE_URL") or f"sqlite:///{data_dir / 'coach.db'}"
        raw = os.environ.get("COACH_DB_POOL_SIZE", "").strip()
        try:
            pool_size = int(raw) if raw else DEFAULT_POOL_SIZE
        except ValueError:
            pool_size = 0
        if not 1 <= pool_size <= 100:
            raise ConfigError(
                f"COACH_DB_POOL_SIZE is '{raw[:20]}': give a whole number of connections "
                f"from 1 to 100, or unset it for {DEFAULT_POOL_SIZE}."
            )
        return cls(
            database_url=url,
            public_url=os.environ.get("COACH_PUBLIC_URL") or None,
            pool_size=pool_size,
        )
