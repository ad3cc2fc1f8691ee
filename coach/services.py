"""Wires the product together in one place: settings, store and services."""

from __future__ import annotations

from dataclasses import dataclass

from coach.config import Settings
from coach.consensus import Consensus
from coach.consensus_store import ConsensusStore
from coach.store import Store
from coach.workshop import Workshops


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    workshops: Workshops
    consensus: Consensus


def build(settings: Settings | None = None) -> Services:
    settings = settings or Settings.from_env()
    store = Store(settings.database_url)
    workshops = Workshops(store)
    return Services(
        settings=settings,
        store=store,
        workshops=workshops,
        consensus=Consensus(workshops, ConsensusStore(store)),
    )
