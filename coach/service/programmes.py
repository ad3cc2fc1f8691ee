"""Programmes: an organisation's event holds many team workshops. The lead creates it with
a secret link of their own, adds teams (each a whole workshop with its own facilitator
link), and follows every team on one dashboard: its stage, what it agreed, its
commitments and recommendations, the themes teams share, and the six elements' coverage."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from coach.domain import elements as elements_mod
from coach.domain import themes as themes_mod
from coach.domain.agenda import info
from coach.domain.codes import hash_key, new_code, parse_code
from coach.domain.items import Recommendation, Result
from coach.domain.types import QUESTIONS, Candidate, Member, Programme, Workshop
from coach.errors import InputError
from coach.exports.programme import ProgrammeRecord, ProgrammeTeam, ProgrammeTeamRow
from coach.service.commitments import Commitments
from coach.service.consensus import Consensus
from coach.service.steps import Steps
from coach.service.workshops import (
    AccessDenied,
    AlreadyDone,
    NotFound,
    OnBehalf,
    clean_field,
)
from coach.storage.db import Database, one_transaction
from coach.storage.programmes import ProgrammeStore

MAX_TEAMS = 100
MAX_DELEGATES = 5  # per team


@dataclass(frozen=True)
class TeamVote:
    """One team in the organisation round: its delegates and how they answered the check."""

    team: str
    delegates: tuple[str, ...]
    answered: int
    below: tuple[str, ...]  # "Ana: clear 2 (concern)"

    @property
    def agrees(self) -> bool:
        return bool(self.delegates) and self.answered == len(self.delegates) and not self.below


@dataclass(frozen=True)
class OrgRound:
    workshop: Workshop
    phase: str  # "" before any round, else the round's phase
    candidates: tuple[tuple[str, str, tuple[str, ...]], ...]  # letter, text, teams it carries
    leader: str | None
    teams: tuple[TeamVote, ...]
    adopted: str | None  # the organisation statement, once every team's delegates agree

    @property
    def every_team_agrees(self) -> bool:
        return bool(self.teams) and all(t.agrees for t in self.teams)


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
    links_up: bool | None = None  # its statement shares words with the organisation's
    unlinked: tuple[str, ...] = ()  # people with a commitment that links to neither
    promises: tuple[tuple[str, str, bool], ...] = ()  # person, commitment, links up


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
    statement: str | None = None  # the organisation's, once every team's delegates agree
    round: OrgRound | None = None  # the organisation round, once started

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
        """The team workshops (not the organisation round)."""
        return [w for w in self.store.teams(programme.id) if w.id != programme.org_workshop_id]

    def revision(self, programme: Programme) -> tuple[int, ...]:
        """What changes whenever any team (or the round) changes: the dashboard redraws."""
        return tuple(w.revision for w in self.store.teams(programme.id))

    def view(self, programme: Programme) -> ProgrammeView:
        """The dashboard: every team, and the line of sight from the organisation's
        statement (once adopted) down to each team's statement and each commitment."""
        org = self.org_round(programme)
        statement = org.adopted if org is not None else None
        teams = tuple(self._team(w, statement) for w in self.teams(programme))
        return ProgrammeView(programme, teams, _shared(teams), _coverage(teams), statement, org)

    # -- the organisation round ---------------------------------------------------------
    @one_transaction
    def start_round(self, raw_code: str, key: str | None, *, runner_up: bool = False) -> Workshop:
        """An organisation round on Step 4's engine: each team's adopted statement becomes
        a draft (its member is marked absent: statements do not vote); delegates vote and
        check. With `runner_up`, each team's second choice in its vote becomes a draft too.
        The lead facilitates it with the lead link."""
        programme = self.lead(raw_code, key)
        if programme.org_workshop_id is not None:
            raise AlreadyDone("The organisation round has started already.")
        adopted = [(t, self.consensus.adopted(t)) for t in self.teams(programme)]
        statements = [(t, c.text, "") for t, c in adopted if c is not None]
        if len(statements) < 2:
            raise InputError(
                "The organisation round needs two teams with an adopted statement at least; "
                f"{len(statements)} so far."
            )
        ws = self.steps.ws
        org, _ = self.steps.create_workshop(
            f"{programme.name}: the organisation's statement",
            programme.organisation,
            "One mission statement for the whole organisation, from every team's",
            whole=False,
        )
        ws.store.set_key_hash(org.id, hash_key(key or ""))  # the lead's key facilitates it
        self.store.attach(programme.id, org.id)
        self.store.set_round(programme.id, org.id)
        if runner_up:
            seconds = [(t, self._runner_up(t, c)) for t, c in adopted if c is not None]
            statements += [(t, text, " (runner-up)") for t, text in seconds if text]
            statements.sort(key=lambda s: (s[0].id, s[2]))
        for team, text, which in statements:
            m = ws.add_member(org.code, key, f"{team.name}{which}")
            ws.submit(org.code, OnBehalf(key, m.id), text, f"team-{team.id}{which}")
            ws.set_absent(org.code, key, m.id, True)
            self.store.add_round_member(org.id, m.id, team.id, "statement")
        ws.set_revealed(org.code, key, True)
        ws.set_locked(org.code, key, True)  # the teams' statements are the drafts
        # Only Step 4: delegates vote and check; their commitments live in their teams.
        self.steps.set_agenda(org.code, key, {"commit": False, "followup": False}, {})
        return ws.find(org.code)

    def _runner_up(self, team: Workshop, adopted: Candidate) -> str | None:
        """The text the team ranked next after its adopted statement, in the vote that
        chose it; None without such a vote or a different second choice."""
        for rnd in self.consensus.history(team):
            if all(c.id != adopted.id for c in rnd.candidates):
                continue
            tally = self.consensus.tally(rnd)
            texts = {str(c.id): c.text for c in rnd.candidates}
            for tier in tally.ranking if tally else ():
                for cid in sorted(tier, key=int):
                    if cid != str(adopted.id) and texts[cid].strip() != adopted.text.strip():
                        return texts[cid]
        return None

    def add_delegate(self, raw_code: str, key: str | None, team_id: int, name: str) -> Member:
        """A delegate of a team in the organisation round; their member link (in the
        returned member's token) goes to them."""
        programme = self.lead(raw_code, key)
        org = self._round(programme)
        team = next((t for t in self.teams(programme) if t.id == team_id), None)
        if team is None:
            raise NotFound("That team is not in this programme.")
        delegates = [
            m
            for m, t, role in self.store.round_members(org.id)
            if t == team_id and role == "delegate"
        ]
        if len(delegates) >= MAX_DELEGATES:
            raise InputError(f"A team sends {MAX_DELEGATES} delegates at most.")
        clean = clean_field(name, "member name", required=True)
        member = self.steps.ws.add_member(org.code, key, f"{clean} ({team.name})")
        self.store.add_round_member(org.id, member.id, team.id, "delegate")
        return member

    def round_teams(self, workshop: Workshop) -> list[tuple[int, str]]:
        """(id, name) of each team, when this workshop is an organisation round: whoever
        joins it by its link votes for a team. Empty for any other workshop."""
        if workshop.programme_id is None:
            return []
        programme = self.store.by_round(workshop.id)
        if programme is None:
            return []
        return [(t.id, t.name) for t in self.teams(programme)]

    @one_transaction
    def join_round(
        self, raw_code: str, name: str, team_id: int | None, *, browser: str = "", address: str = ""
    ) -> tuple[Workshop, Member]:
        """Everyone votes: a person joins the organisation round by its link, for their
        team; the round counts them as one of that team's delegates."""
        ws = self.steps.ws
        org = ws.find(raw_code)
        teams = dict(self.round_teams(org))
        if not teams:
            raise InputError("This is not an organisation round: join it as usual.")
        if team_id not in teams:
            raise InputError("Choose your team, so that your vote counts for it.")
        clean = clean_field(name, "member name")
        shown = f"{clean} ({teams[team_id]})" if clean else f"Someone from {teams[team_id]}"
        workshop, member = ws.join(raw_code, shown, browser=browser, address=address)
        self.store.add_round_member(workshop.id, member.id, team_id, "delegate")
        return workshop, member

    def _round(self, programme: Programme) -> Workshop:
        if programme.org_workshop_id is None:
            raise InputError("Start the organisation round first.")
        return next(w for w in self.store.teams(programme.id) if w.id == programme.org_workshop_id)

    def org_round(self, programme: Programme) -> OrgRound | None:
        """Where the organisation round stands: candidates with the teams they carry, each
        team's delegates and their check answers, and the statement once every team's
        delegates give 3 or more on all four questions."""
        if programme.org_workshop_id is None:
            return None
        org = self._round(programme)
        names = {t.id: t.name for t in self.teams(programme)}
        rows = self.store.round_members(org.id)
        team_of = {m: names.get(t or 0, "?") for m, t, _ in rows}
        drafts = {d.id: team_of.get(d.member_id, "?") for d in self.steps.ws.store.drafts(org.id)}
        rnd = self.consensus.current(org)
        members = {m.id: m for m in self.steps.ws.store.members(org.id)}
        candidates: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
        leader = None
        answers = {}
        if rnd is not None:
            candidates = tuple(
                (
                    self.consensus.label(rnd, c.id),
                    c.text,
                    tuple(drafts.get(d, "?") for d in c.sources),
                )
                for c in rnd.active
            )
            leader = next((c.text for c in rnd.active if c.id == rnd.leader_id), None)
            answers = {k.member_id: k for k in rnd.checks if k.candidate_id == rnd.leader_id}
        teams = []
        for team_id, team in names.items():
            ids = [m for m, t, role in rows if t == team_id and role == "delegate"]
            ids = [m for m in ids if m in members and not members[m].removed]
            below = tuple(
                f"{members[m].display_name}: {q} {answers[m].scores[q]}"
                + (f" ({answers[m].concern})" if answers[m].concern else "")
                for m in ids
                if m in answers
                for q in QUESTIONS
                if answers[m].scores[q] < 3
            )
            teams.append(
                TeamVote(
                    team,
                    tuple(members[m].display_name for m in ids),
                    sum(m in answers for m in ids),
                    below,
                )
            )
        adopted = self.consensus.adopted(org) if org.adopted_id else None
        view = OrgRound(org, rnd.phase if rnd else "", candidates, leader, tuple(teams), None)
        if adopted is not None and view.every_team_agrees:
            view = OrgRound(org, view.phase, candidates, leader, tuple(teams), adopted.text)
        return view

    def _team(self, workshop: Workshop, org: str | None) -> TeamView:
        agenda = self.steps.agenda(workshop)
        step = info(agenda.current)
        team = self.commitments.team(workshop)
        adopted = self.consensus.adopted(workshop) if workshop.adopted_id else None
        above = [x for x in (adopted.text if adopted else None, org) if x]
        promises = tuple(
            (
                r.person,
                r.view.commitment.text,
                themes_mod.supported(r.view.commitment.text, above),
            )
            for r in team.rows
        )
        unlinked = tuple(sorted({person for person, _, up in promises if not up}))
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
            links_up=themes_mod.supported(adopted.text, [org]) if adopted and org else None,
            unlinked=unlinked,
            promises=promises,
        )

    def record(self, programme: Programme) -> ProgrammeRecord:
        """The programme's record for the larger group (every export format writes it)."""
        view = self.view(programme)
        return ProgrammeRecord(
            programme=programme.name,
            organisation=programme.organisation,
            generated_at=datetime.now(UTC),
            statement=view.statement,
            teams=tuple(_record_team(t, view.statement) for t in view.teams),
            themes=tuple((th.label, th.teams) for th in view.themes),
            coverage=view.coverage,
        )


def _record_team(t: TeamView, org: str | None) -> ProgrammeTeam:
    def up(flag: bool | None) -> str:
        return "" if flag is None or org is None else ("yes" if flag else "no")

    rows = (
        [ProgrammeTeamRow(kind="statement", text=t.statement, links_up=up(t.links_up))]
        if t.statement
        else []
    )
    rows += [ProgrammeTeamRow(kind="image", text=x) for x in t.image]
    rows += [ProgrammeTeamRow(kind="core aspect", text=r.text, detail=r.example) for r in t.core]
    rows += [
        ProgrammeTeamRow(kind="commitment", text=text, detail=person, links_up=up(linked))
        for person, text, linked in t.promises
    ]
    rows += [
        ProgrammeTeamRow(
            kind="recommendation", text=r.text, detail=f"{r.owner or 'no owner'} · {r.status}"
        )
        for r in t.recommendations
    ]
    return ProgrammeTeam(
        name=t.workshop.name,
        stage=t.stage,
        statement=t.statement,
        links_up=t.links_up,
        unlinked=t.unlinked,
        rows=tuple(rows),
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
