"""Settings from the environment, with defaults that work on a fresh machine."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Settings:
    database_url: str
    public_url: str | None  # base of join links when the app sits behind another address

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("COACH_DATA_DIR") or DEFAULT_DATA_DIR)
        url = os.environ.get("COACH_DATABASE_URL") or f"sqlite:///{data_dir / 'coach.db'}"
        return cls(database_url=url, public_url=os.environ.get("COACH_PUBLIC_URL") or None)
