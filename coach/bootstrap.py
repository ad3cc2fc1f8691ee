"""The one place that wires adapters: settings, the store, the LLM and the services."""

from __future__ import annotations

from dataclasses import dataclass

from coach.config import Settings
from coach.llm.coaching import Coach
from coach.llm.openai_chat import OpenAIChat
from coach.llm.protocol import LLM, LLMSettings
from coach.service.commitments import Commitments
from coach.service.consensus import Consensus
from coach.service.programmes import Programmes
from coach.service.steps import Steps
from coach.service.workshops import Workshops
from coach.storage.commitments import CommitmentStore
from coach.storage.consensus import ConsensusStore
from coach.storage.llm_cache import LLMStore
from coach.storage.programmes import ProgrammeStore
from coach.storage.steps import StepStore
from coach.storage.workshops import Store


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    workshops: Workshops
    consensus: Consensus
    coach: Coach
    commitments: Commitments
    steps: Steps
    programmes: Programmes


def build(settings: Settings | None = None, llm: LLMSettings | None = None) -> Services:
    """Everything wired once; the LLM is off unless its settings turn it on."""
    settings = settings or Settings.from_env()
    llm = llm or LLMSettings.from_env()
    store = Store(settings.database_url, pool_size=settings.pool_size)
    workshops = Workshops(store)
    consensus = Consensus(workshops, ConsensusStore(store))
    commitments = Commitments(CommitmentStore(store), workshops)
    steps = Steps(StepStore(store), workshops, CommitmentStore(store))
    return Services(
        settings=settings,
        store=store,
        workshops=workshops,
        consensus=consensus,
        coach=Coach(build_llm(llm), LLMStore(store), llm),
        commitments=commitments,
        steps=steps,
        programmes=Programmes(ProgrammeStore(store), steps, commitments, consensus),
    )


def build_llm(settings: LLMSettings) -> LLM | None:
    """The configured LLM, or None when it is off."""
    return OpenAIChat(settings) if settings.enabled else None
