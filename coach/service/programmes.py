"""Programmes: an organisation's event holds many team workshops. The lead creates it with
a secret link of their own, adds teams (each a whole workshop with its own facilitator
link), and follows every team on one dashboard: its stage, what it agreed, its
commitments and recommendations, the themes teams share, and the six elements' coverage."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from coach.domain import elements as elements_mod
from coach.domain import themes as themes_mod
from coach.domain.agenda import info
from coach.domain.codes import hash_key, new_code, parse_code
from coach.domain.items import Recommendation, Result
from coach.domain.types import Programme, Workshop
from coach.errors import InputError
from coach.service.commitments import Commitments
from coach.service.consensus import Consensus
from coach.service.steps import Steps
from coach.service.workshops import AccessDenied, NotFound, clean_field
from coach.storage.db import Database, one_transaction
from coach.storage.programmes import ProgrammeStore

MAX_TEAMS = 100


@dataclass(frozen=True)
class TeamView:
    """One team on the programme's dashboard."""

    workshop: Workshop
    stage: str  # "Step 5: Positive core"
    statement: str | None  # the adopted mission statement
    image: tuple[str, ...]
    core: tuple[Result, ...]
    commitments: int
    people: int
    coverage: dict[str, int]  # element key -> commitments carrying it
    recommendations: tuple[Recommendation, ...]


@dataclass(frozen=True)
class SharedTheme:
    label: str
    teams: tuple[str, ...]  # every team whose statement, image or core uses it


@dataclass(frozen=True)
class ProgrammeView:
    programme: Programme
    teams: tuple[TeamView, ...]
    themes: tuple[SharedTheme, ...]
    coverage: tuple[tuple[str, int, tuple[str, ...]], ...]  # element label, count, teams

    @property
    def uncovered(self) -> tuple[str, ...]:
        """Elements no team's commitments carry."""
        return tuple(label for label, n, _ in self.coverage if n == 0)


class Programmes:
    def __init__(
        self,
        store: ProgrammeStore,
        steps: Steps,
        commitments: Commitments,
        consensus: Consensus,
    ):
        self.store = store
        self.steps = steps
        self.commitments = commitments
        self.consensus = consensus

    @property
    def database(self) -> Database:
        return self.store.store

    def create(self, name: str, organisation: str = "") -> tuple[Programme, str]:
        """A new programme and its lead's key (shown once; only its hash is stored)."""
        key = secrets.token_urlsafe(24)
        programme = self.store.create(
            new_code(),
            clean_field(name, "programme name", required=True),
            clean_field(organisation, "organisation"),
            hash_key(key),
        )
        return programme, key

    def lead(self, raw_code: str, key: str | None) -> Programme:
        """The programme, for whoever holds its lead link; refused otherwise."""
        found = self.store.find(parse_code(raw_code))
        if found is None:
            raise NotFound("There is no programme with this code. Check the link.")
        programme, stored = found
        if not key or "\x00" in key or not hmac.compare_digest(stored, hash_key(key)):
            raise AccessDenied(
                "Only the programme's lead can open this. Use the lead link you saved when "
                "you created the programme."
            )
        return programme

    @one_transaction
    def add_team(
        self, raw_code: str, key: str | None, name: str, focus: str = "", *, whole: bool = True
    ) -> tuple[Workshop, str]:
        """A team workshop in the programme; its facilitator link's key, shown once, goes
        to the team's facilitator."""
        programme = self.lead(raw_code, key)
        if len(self.store.teams(programme.id)) >= MAX_TEAMS:
            raise InputError(f"A programme holds at most {MAX_TEAMS} teams.")
        workshop, team_key = self.steps.create_workshop(
            name, programme.organisation, focus, whole=whole
        )
        self.store.attach(programme.id, workshop.id)
        return self.steps.ws.find(workshop.code), team_key

    def teams(self, programme: Programme) -> list[Workshop]:
        return self.store.teams(programme.id)

    def revision(self, programme: Programme) -> tuple[int, ...]:
        """What changes whenever any team changes: the dashboard redraws on it."""
        return tuple(w.revision for w in self.store.teams(programme.id))

    def view(self, programme: Programme) -> ProgrammeView:
        teams = tuple(self._team(w) for w in self.store.teams(programme.id))
        return ProgrammeView(programme, teams, _shared(teams), _coverage(teams))

    def _team(self, workshop: Workshop) -> TeamView:
        agenda = self.steps.agenda(workshop)
        step = info(agenda.current)
        team = self.commitments.team(workshop)
        adopted = self.consensus.adopted(workshop) if workshop.adopted_id else None
        return TeamView(
            workshop=workshop,
            stage=(f"Step {step.number}: " if step.number else "") + step.short,
            statement=adopted.text if adopted else None,
            image=tuple(r.text for r in self.steps.results(workshop, "image")),
            core=tuple(self.steps.results(workshop, "core")),
            commitments=len(team.rows),
            people=len({r.person for r in team.rows}),
            coverage=team.coverage,
            recommendations=tuple(self.steps.recommendations(workshop)),
        )


def _shared(teams: tuple[TeamView, ...]) -> tuple[SharedTheme, ...]:
    """Phrases two teams or more share across what they agreed: statement, image, core."""
    texts = [" ".join([t.statement or "", *t.image, *(r.text for r in t.core)]) for t in teams]
    found = themes_mod.shared_themes(texts, min_drafts=2, limit=12) if len(teams) > 1 else []
    names = [t.workshop.name for t in teams]
    return tuple(SharedTheme(th.label, tuple(names[i] for i in th.drafts)) for th in found)


def _coverage(teams: tuple[TeamView, ...]) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    """Per element of the service strategy: commitments across teams, and which teams."""
    return tuple(
        (
            e.label,
            sum(t.coverage.get(e.key, 0) for t in teams),
            tuple(t.workshop.name for t in teams if t.coverage.get(e.key, 0)),
        )
        for e in elements_mod.elements()
    )
