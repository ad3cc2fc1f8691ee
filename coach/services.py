"""Wires the product together in one place: settings, store and services."""

from __future__ import annotations

from dataclasses import dataclass

from coach.coaching import Coach
from coach.commitment_store import CommitmentStore
from coach.commitments import Commitments
from coach.config import Settings
from coach.consensus import Consensus
from coach.consensus_store import ConsensusStore
from coach.llm import LLMSettings, build_llm
from coach.llm_store import LLMStore
from coach.store import Store
from coach.workshop import Workshops


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    workshops: Workshops
    consensus: Consensus
    coach: Coach
    commitments: Commitments


def build(settings: Settings | None = None, llm: LLMSettings | None = None) -> Services:
    """Everything wired once; the LLM is off unless its settings turn it on."""
    settings = settings or Settings.from_env()
    llm = llm or LLMSettings.from_env()
    store = Store(settings.database_url, pool_size=settings.pool_size)
    workshops = Workshops(store)
    return Services(
        settings=settings,
        store=store,
        workshops=workshops,
        consensus=Consensus(workshops, ConsensusStore(store)),
        coach=Coach(build_llm(llm), LLMStore(store), llm),
        commitments=Commitments(CommitmentStore(store), workshops),
    )
