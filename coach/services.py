"""Wires the product together in one place: settings, store and services."""

from __future__ import annotations

from dataclasses import dataclass

from coach.config import Settings
from coach.store import Store
from coach.workshop import Workshops


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    workshops: Workshops


def build(settings: Settings | None = None) -> Services:
    settings = settings or Settings.from_env()
    store = Store(settings.database_url)
    return Services(settings=settings, store=store, workshops=Workshops(store))
