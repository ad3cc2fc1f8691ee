"""Step 6 and Step 8: personal commitments with line of sight, accountability and follow-up.

A plan lives behind a personal link (an unguessable token). It may stand alone, with a
pasted mission, or belong to a workshop member, with the workshop's adopted statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from coach.domain import elements as elements_mod
from coach.domain import kept
from coach.domain.codes import member_plan_token, new_link_secret
from coach.domain.reminders import Reminder, zone
from coach.domain.types import (
    CADENCES,
    NOTE_KINDS,
    STATUSES,
    Commitment,
    Feedback,
    Idea,
    Member,
    Plan,
    Status,
    Workshop,
)
from coach.errors import InputError
from coach.scoring.scorer import ScoreResult, get_scorer, score_text
from coach.service.workshops import AccessDenied, NotFound, Workshops, clean_field, refuse_nul
from coach.storage.commitments import CommitmentStore
from coach.storage.db import Database, one_transaction

NOTE_CHARS = 300
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def clean_email(raw: str) -> str:
    """An email address as given (trimmed), "" for none; refused if it cannot be one."""
    email = refuse_nul(raw or "", "email").strip()
    if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        raise InputError(f"'{email[:60]}' is not an email address: write it like ana@example.com.")
    return email


MISSION_CHARS = 1000
NO_LINK = "How does this serve the mission?"


@dataclass(frozen=True)
class CommitmentView:
    commitment: Commitment
    result: ScoreResult
    shared: tuple[str, ...]  # the commitment's words that the mission also uses
    elements: tuple[str, ...]
    partner: str

    @property
    def line_of_sight(self) -> str:
        if self.shared:
            return "Shares with the mission: " + ", ".join(self.shared)
        return NO_LINK


@dataclass(frozen=True)
class Partnered:
    """A commitment someone else made, with this person as accountability partner."""

    owner: str  # the colleague's name as the team sees it
    commitment: Commitment


@dataclass(frozen=True)
class TeamRow:
    person: str
    view: CommitmentView


@dataclass(frozen=True)
class Team:
    rows: tuple[TeamRow, ...]
    coverage: dict[str, int]
    gaps: tuple[str, ...]
    followup_due: date | None
    feedback: tuple[Feedback, ...]
    kept_weeks: tuple[kept.Rate, ...] = ()  # check-ins that said kept, per ISO week
    kept_elements: tuple[kept.Rate, ...] = ()  # the same per service element
    ideas: tuple[tuple[str, Idea], ...] = ()  # (person, idea)
    funnel: kept.Funnel = field(default_factory=lambda: kept.Funnel(0, 0, 0))

    def days_left(self, today: date | None = None) -> int | None:
        if self.followup_due is None:
            return None
        return (self.followup_due - (today or date.today())).days


# A plan is a handful of promises a person can keep; thousands made a page that never
# finished loading (2,100 in 300 s). Check-ins are dated notes, a few a week at most.
MAX_COMMITMENTS = 50
MAX_CHECKINS = 200
MAX_IDEAS = 100
IDEA_CHARS = 300


class Commitments:
    def __init__(self, store: CommitmentStore, workshops: Workshops):
        self.store = store
        self.ws = workshops

    @property
    def database(self) -> Database:
        """Where this service's use cases run, each as one unit of work."""
        return self.ws.store

    # -- plans -----------------------------------------------------------------
    def start(self, name: str = "", mission: str = "") -> Plan:
        """A plan on its own, behind a new personal link."""
        return self.store.create_plan(
            new_link_secret(),
            clean_field(name, "member name"),
            _mission(mission),
            None,
            None,
        )

    def for_member(self, workshop: Workshop, member: Member) -> Plan:
        """The member's plan in this workshop (made on first use), with its adopted mission.

        `member` is as their own page has it, with their link's secret: the plan's link is
        derived from it, so it is found again although the database keeps only hashes."""
        if not member.token:
            raise AccessDenied("Open your own member link to reach your commitments.")
        token = member_plan_token(member.token)
        plan = self.store.plan(token)
        if plan is not None:
            return plan
        held = self.store.plan_of_member(member.id)
        if held is not None:  # made before links were hashed, or under a merged duplicate
            self.store.set_plan_token(held.id, token)
            return self.open(token)
        adopted = self._adopted_text(workshop)
        return self.store.create_plan(token, member.name, adopted, workshop.id, member.id)

    def open(self, token: str | None) -> Plan:
        plan = self.store.plan(token) if token and "\x00" not in token else None
        if plan is None:
            raise NotFound(
                "No plan answers to this link. Check the whole link, or start a new plan."
            )
        return plan

    def set_email(self, token: str, email: str) -> None:
        """Where the weekly digest goes ("" for none)."""
        self.store.set_plan(self.open(token).id, email=clean_email(email))

    def set_manager_email(self, raw_code: str, secret: str | None, email: str) -> None:
        """Where follow-up reminders go: the facilitator's key or the manager's link."""
        workshop, _ = self.ws.overseer(raw_code, secret)
        self.ws.store.set_manager_email(workshop.id, clean_email(email))

    def set_timezone(self, token: str, name: str) -> None:
        """The time zone the plan's reminders ring in (an IANA name, e.g. Europe/London)."""
        zone(name)  # refuses an unknown name with an example
        self.store.set_plan(self.open(token).id, timezone=name)

    def set_mission(self, token: str, mission: str) -> None:
        self.store.set_plan(self.open(token).id, mission=_mission(mission))

    @one_transaction
    def use_workshop_mission(self, token: str, raw_code: str) -> str:
        """Take a workshop's adopted statement as this plan's mission."""
        workshop = self.ws.find(raw_code)
        text = self._adopted_text(workshop)
        if not text:
            raise NotFound("That workshop has not adopted a statement yet.")
        self.store.set_plan(self.open(token).id, mission=text)
        return text

    # -- commitments -------------------------------------------------------------
    @one_transaction
    def add(self, token: str, line: str) -> int:
        """Store a commitment line; a line of several actions becomes several commitments."""
        plan = self.open(token)
        score_text(refuse_nul(line, "commitment"), "commitment")  # refuses empty or overlong
        # Each action a promise of its own, keeping the object and deadline it shares.
        texts = get_scorer("commitment").action_texts(line, plan.mission or None)
        if len(plan.commitments) + len(texts) > MAX_COMMITMENTS:
            raise InputError(
                f"A plan keeps at most {MAX_COMMITMENTS} commitments; this one has "
                f"{len(plan.commitments)}. Mark some done or remove them first: a few kept "
                "promises beat many."
            )
        self.store.add_commitments(plan.id, texts)
        return len(texts)

    @one_transaction
    def update(
        self,
        token: str,
        commitment_id: int,
        *,
        text: str | None = None,
        due: date | str | None = "keep",
        cadence: str | None = None,
        partner_id: int | str | None = "keep",
        status: str | None = None,
        elements: tuple[str, ...] | str | None = "keep",
    ) -> None:
        plan = self.open(token)
        values: dict[str, object] = {}
        if text is not None:
            score_text(refuse_nul(text, "commitment"), "commitment")
            values["text"] = text
        if due != "keep":
            values["due"] = due
        if cadence is not None:
            if cadence not in CADENCES:
                raise InputError("Choose no cadence, weekly or monthly.")
            values["cadence"] = cadence
        if partner_id != "keep":
            if partner_id is not None and partner_id not in {m.id for m in self._team(plan)}:
                raise InputError("An accountability partner is another member of your workshop.")
            values["partner_id"] = partner_id
        if status is not None:
            values["status"] = _status(status)
        if elements != "keep":
            known = {e.key for e in elements_mod.elements()}
            if elements is not None and not set(elements) <= known:
                raise InputError("Unknown service-strategy element.")
            values["elements"] = elements
        self.store.update_commitment(plan.id, commitment_id, **values)

    @one_transaction
    def check_in(self, token: str, commitment_id: int, status: str, note: str) -> None:
        note = " ".join(refuse_nul(note, "note").split())
        if len(note) > NOTE_CHARS:
            raise InputError(f"Keep a check-in note to {NOTE_CHARS} characters.")
        status = _status(status)
        plan = self.open(token)
        found = next((c for c in plan.commitments if c.id == commitment_id), None)
        if found is not None and len(found.checkins) >= MAX_CHECKINS:
            raise InputError(
                f"This commitment already has {MAX_CHECKINS} check-ins, the most it keeps."
            )
        # Two writes, one unit of work: never a new status without its dated record.
        self.store.update_commitment(plan.id, commitment_id, status=status)
        self.store.add_check_in(commitment_id, status, note)

    def remove(self, token: str, commitment_id: int) -> None:
        self.store.remove_commitment(self.open(token).id, commitment_id)

    # -- views ------------------------------------------------------------------
    def view(
        self,
        plan: Plan,
        first: int = 0,
        count: int | None = None,
        team: list[Member] | None = None,
    ) -> list[CommitmentView]:
        """Scored views of the plan's commitments, or of `count` of them from `first` (a
        page: a long plan is scored a page at a time). `team`: the plan's workshop members
        when the caller has read them already (`team_of`)."""
        names = self._names(plan, team)
        chosen = plan.commitments[first : None if count is None else first + count]
        return [self._view(plan.mission, c, names) for c in chosen]

    @staticmethod
    def reminders(plan: Plan, views: list[CommitmentView]) -> list[Reminder]:
        """Calendar reminders for the commitments that have a due date or a cadence."""
        return [
            _reminder(plan, v.commitment, v.partner)
            for v in views
            if v.commitment.due or v.commitment.cadence
        ]

    def calendar(
        self, plan: Plan, tz: str | None = None, team: list[Member] | None = None
    ) -> list[Reminder]:
        """Every reminder of the plan, without scoring its commitments; in the plan's time
        zone, else `tz` (the person's browser), else UTC."""
        names = self._names(plan, team)
        if not plan.timezone and tz:
            plan = plan.model_copy(update={"timezone": tz})
        return [
            _reminder(plan, c, names.get(c.partner_id, "") if c.partner_id else "")
            for c in plan.commitments
            if c.due or c.cadence
        ]

    # -- accountability partners --------------------------------------------------
    def partnering(self, plan: Plan, team: list[Member] | None = None) -> list[Partnered]:
        """The colleagues' commitments this plan's owner is accountability partner for."""
        if plan.member_id is None or plan.workshop_id is None:
            return []
        names = self._names(plan, team)
        return [
            Partnered(names.get(p.member_id or 0, p.name or "A colleague"), c)
            for p, c in self.store.partnered(plan.workshop_id, plan.member_id)
        ]

    @one_transaction
    def respond(self, token: str, commitment_id: int, kind: str, note: str) -> None:
        """The partner confirms the last check-in, questions it, or encourages."""
        plan = self.open(token)
        if plan.member_id is None or plan.workshop_id is None:
            raise AccessDenied("Only a workshop member can be an accountability partner.")
        target = next(
            (c for _, c in self.store.partnered(plan.workshop_id, plan.member_id)
             if c.id == commitment_id),
            None,
        )  # fmt: skip
        if target is None:
            raise NotFound("You are not the accountability partner for that commitment (any more).")
        if kind not in NOTE_KINDS:
            raise InputError(f"Choose one of: {', '.join(NOTE_KINDS)}.")
        note = " ".join(refuse_nul(note, "note").split())
        if len(note) > NOTE_CHARS:
            raise InputError(f"Keep it to one line ({NOTE_CHARS} characters).")
        if kind != "confirm" and not note:
            raise InputError("Write a few words first: what you would like to ask or say.")
        if kind == "confirm" and not target.checkins:
            raise InputError("Nothing to confirm yet: they have not checked in.")
        self.store.add_partner_note(commitment_id, plan.member_id, kind, note)

    def my_feedback(self, plan: Plan) -> list[tuple[Feedback, bool]]:
        """Management feedback on this plan's commitments and on the whole team, each with
        whether it is new to the plan's owner."""
        if plan.workshop_id is None:
            return []
        mine = {c.id for c in plan.commitments}
        return [
            (f, plan.feedback_seen is None or f.created_at > plan.feedback_seen)
            for f in self.store.feedback(plan.workshop_id)
            if f.commitment_id is None or f.commitment_id in mine
        ]

    def feedback_read(self, token: str) -> None:
        self.store.mark_feedback_read(self.open(token).id)

    # -- service ideas (004: created, tried, implemented) -------------------------
    def add_idea(self, token: str, text: str) -> None:
        plan = self.open(token)
        text = " ".join(refuse_nul(text, "idea").split())
        if not text:
            raise InputError("Write the idea first: one line on what you could try.")
        if len(text) > IDEA_CHARS:
            raise InputError(f"Keep an idea to one line ({IDEA_CHARS} characters).")
        if len(plan.ideas) >= MAX_IDEAS:
            raise InputError(f"A plan keeps at most {MAX_IDEAS} ideas: try some first.")
        self.store.add_idea(plan.id, text)

    def idea_stage(self, token: str, idea_id: int, stage: str, on: date | None = None) -> None:
        """Mark an idea tried or implemented (implemented counts as tried), dated today."""
        if stage not in ("tried", "implemented"):
            raise InputError("An idea is tried or implemented.")
        plan = self.open(token)
        if idea_id not in {i.id for i in plan.ideas}:
            raise NotFound("That idea is not in this plan.")
        self.store.set_idea_stage(plan.id, idea_id, stage, on or date.today())

    def mark_read(self, token: str) -> int:
        """The owner has seen their partners' notes; returns how many were new."""
        return self.store.mark_notes_read(self.open(token).id)

    def team_of(self, plan: Plan) -> list[Member]:
        """The members of the plan's workshop (none for a plan on its own): read once by a
        page and handed to `view`, `calendar` and `partnering`."""
        return self._team(plan)

    def _names(self, plan: Plan, team: list[Member] | None) -> dict[int, str]:
        return {m.id: m.display_name for m in (self._team(plan) if team is None else team)}

    def partners(self, plan: Plan) -> list[Member]:
        return [m for m in self._team(plan) if m.id != plan.member_id]

    def _view(self, mission: str, c: Commitment, names: dict[int, str]) -> CommitmentView:
        result = score_text(c.text, "commitment", mission or None)
        shared = tuple(
            dict.fromkeys(
                e.text.lower()
                for e in result.criteria["linked"].evidence
                if e.check == "linked.mission_overlap"
            )
        )
        return CommitmentView(
            c,
            result,
            shared,
            c.elements if c.elements is not None else elements_mod.tag(c.text),
            names.get(c.partner_id, "") if c.partner_id else "",
        )

    def _team(self, plan: Plan) -> list[Member]:
        return self.ws.store.members(plan.workshop_id) if plan.workshop_id else []

    def _adopted_text(self, workshop: Workshop) -> str:
        if workshop.adopted_id is None:
            return ""
        from coach.storage.consensus import ConsensusStore

        for rnd in ConsensusStore(self.ws.store).rounds(workshop.id):
            for c in rnd.candidates:
                if c.id == workshop.adopted_id:
                    return c.text
        return ""

    # -- the team and management follow-up ----------------------------------------
    def team(self, workshop: Workshop) -> Team:
        rows = []
        members = {m.id: m for m in self.ws.store.members(workshop.id)}
        names = {i: m.display_name for i, m in members.items()}
        plans = self.store.plans_in(workshop.id)
        for plan in plans:
            person = names.get(plan.member_id, plan.name) if plan.member_id else plan.name
            rows += [
                TeamRow(person or "Anonymous", self._view(plan.mission, c, names))
                for c in plan.commitments
            ]
        tag_sets = [r.view.elements for r in rows if r.view.commitment.status != "dropped"]
        labels = {e.key: e.label for e in elements_mod.elements()}
        ideas = tuple(
            (names.get(p.member_id, p.name) if p.member_id else p.name, i)
            for p in plans
            for i in p.ideas
        )
        return Team(
            tuple(rows),
            elements_mod.coverage(tag_sets),
            tuple(elements_mod.gaps(tag_sets)),
            workshop.followup_due,
            tuple(self.store.feedback(workshop.id)),
            tuple(
                kept.by_week(
                    (k.created_at.date(), k.status)
                    for r in rows
                    for k in r.view.commitment.checkins
                )
            ),
            tuple(
                kept.by_element(
                    ((k.status, r.view.elements) for r in rows for k in r.view.commitment.checkins),
                    labels,
                )
            ),
            ideas,
            kept.funnel((i.tried_on, i.implemented_on) for _, i in ideas),
        )

    def set_followup(self, raw_code: str, key: str | None, due: date | None) -> None:
        """The Step 8 date: the facilitator's key or the manager's link."""
        workshop, _ = self.ws.overseer(raw_code, key)
        self.store.set_followup(workshop.id, due)

    def give_feedback(
        self, raw_code: str, key: str | None, commitment_id: int | None, author: str, note: str
    ) -> None:
        """Management feedback (facilitator's key or manager's link) on one commitment or
        on the team; each member sees it on their own page."""
        workshop, _ = self.ws.overseer(raw_code, key)
        note = refuse_nul(note, "feedback").strip()
        if not note:
            raise InputError("Write the feedback first.")
        if len(note) > 2000:
            raise InputError("Keep feedback to 2,000 characters.")
        if commitment_id is not None and commitment_id not in {
            r.view.commitment.id for r in self.team(workshop).rows
        }:
            raise NotFound("That commitment is not in this workshop.")
        self.store.add_feedback(
            workshop.id, commitment_id, clean_field(author, "member name"), note
        )


def _reminder(plan: Plan, c: Commitment, partner: str) -> Reminder:
    return Reminder(
        uid=f"commitment-{c.id}@mission-coach",
        text=c.text,
        due=c.due,
        cadence=c.cadence,
        start=c.created_at.date(),
        partner=partner,
        mission=plan.mission,
        tz=plan.timezone or "UTC",
    )


def _mission(text: str) -> str:
    text = refuse_nul(text, "mission").strip()
    if len(text) > MISSION_CHARS:
        raise InputError(f"The mission is {len(text):,} characters; keep it to {MISSION_CHARS:,}.")
    return text


def _status(status: str) -> Status:
    for known in STATUSES:
        if status == known:
            return known
    raise InputError("The status is planned, in progress, done or dropped.")
