"""Persistence for Step 6 and Step 8: personal plans, commitments, check-ins, follow-up."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from coach.domain.codes import token_hash
from coach.domain.types import CheckIn, Commitment, Feedback, Idea, PartnerNote, Plan, Status
from coach.storage.db import StoreError
from coach.storage.rows import (
    _CheckIn,
    _Commitment,
    _Feedback,
    _Idea,
    _PartnerNote,
    _Plan,
    _utc,
    _Workshop,
    now,
)
from coach.storage.workshops import Store


class CommitmentStore:
    def __init__(self, store: Store):
        self.store = store

    def _bump_for(self, s: Session, plan_id: int) -> None:
        workshop_id = s.scalar(select(_Plan.workshop_id).where(_Plan.id == plan_id))
        if workshop_id is not None:
            self.store.bump(s, workshop_id)

    def create_plan(
        self, token: str, name: str, mission: str, workshop_id: int | None, member_id: int | None
    ) -> Plan:
        with self.store.transaction() as s:
            s.add(
                _Plan(
                    token=token_hash(token),
                    name=name,
                    mission=mission,
                    workshop_id=workshop_id,
                    member_id=member_id,
                    created_at=now(),
                )
            )
        plan = self.plan(token)
        if plan is None:
            raise StoreError("The plan could not be saved. Try again.")
        return plan

    def plan(self, token: str) -> Plan | None:
        with self.store.transaction() as s:
            row = s.scalar(select(_Plan).where(_Plan.token == token_hash(token)))
            return self._load(s, [row], token)[0] if row else None

    def plan_of_member(self, member_id: int) -> Plan | None:
        with self.store.transaction() as s:
            row = s.scalar(select(_Plan).where(_Plan.member_id == member_id))
            return self._load(s, [row])[0] if row else None

    def plans_with_email(self) -> list[Plan]:
        """Every plan whose owner asked for the weekly digest."""
        with self.store.transaction() as s:
            rows = list(s.scalars(select(_Plan).where(_Plan.email != "").order_by(_Plan.id)))
            return self._load(s, rows)

    def plans_in(self, workshop_id: int) -> list[Plan]:
        with self.store.transaction() as s:
            rows = list(
                s.scalars(select(_Plan).where(_Plan.workshop_id == workshop_id).order_by(_Plan.id))
            )
            return self._load(s, rows)

    def _load(self, s: Session, rows: list[_Plan], token: str = "") -> list[Plan]:
        """Plans with their commitments; `token` is the link's secret when the caller came
        with it (the database keeps only its hash)."""
        ids = [r.id for r in rows]
        found: dict[int, list[_Commitment]] = {i: [] for i in ids}
        for c in s.scalars(
            select(_Commitment)
            .where(_Commitment.plan_id.in_(ids), _Commitment.deleted_at.is_(None))
            .order_by(_Commitment.position)
        ):
            found[c.plan_id].append(c)
        cids = [c.id for cs in found.values() for c in cs]
        ideas: dict[int, list[Idea]] = {i: [] for i in ids}
        for i in s.scalars(select(_Idea).where(_Idea.plan_id.in_(ids)).order_by(_Idea.id)):
            ideas[i.plan_id].append(
                Idea(
                    id=i.id,
                    text=i.text,
                    created_at=_utc(i.created_at),
                    tried_on=i.tried_on,
                    implemented_on=i.implemented_on,
                )
            )
        notes: dict[int, list[PartnerNote]] = {i: [] for i in cids}
        for n in s.scalars(
            select(_PartnerNote)
            .where(_PartnerNote.commitment_id.in_(cids))
            .order_by(_PartnerNote.id)
        ):
            notes[n.commitment_id].append(_note(n))
        checks: dict[int, list[CheckIn]] = {i: [] for i in cids}
        for k in s.scalars(
            select(_CheckIn).where(_CheckIn.commitment_id.in_(cids)).order_by(_CheckIn.id)
        ):
            checks[k.commitment_id].append(
                CheckIn(status=k.status, note=k.note, created_at=_utc(k.created_at))
            )
        return [
            Plan(
                id=r.id,
                token=token,
                workshop_id=r.workshop_id,
                member_id=r.member_id,
                name=r.name,
                mission=r.mission,
                timezone=r.timezone,
                email=r.email,
                ideas=tuple(ideas[r.id]),
                feedback_seen=_utc(r.feedback_seen_at) if r.feedback_seen_at else None,
                commitments=tuple(
                    Commitment(
                        id=c.id,
                        text=c.text,
                        due=c.due,
                        cadence=c.cadence,
                        partner_id=c.partner_id,
                        status=c.status,
                        elements=tuple(json.loads(c.elements)) if c.elements else None,
                        created_at=_utc(c.created_at),
                        checkins=tuple(checks[c.id]),
                        notes=tuple(notes[c.id]),
                    )
                    for c in found[r.id]
                ),
            )
            for r in rows
        ]

    # -- accountability partners --------------------------------------------------
    def partnered(self, workshop_id: int, member_id: int) -> list[tuple[Plan, Commitment]]:
        """The commitments in this workshop that name `member_id` as partner, with their
        plans (each plan with its owner's id and name)."""
        with self.store.transaction() as s:
            plan_ids = list(
                s.scalars(
                    select(_Commitment.plan_id)
                    .join(_Plan, _Plan.id == _Commitment.plan_id)
                    .where(
                        _Plan.workshop_id == workshop_id,
                        _Commitment.partner_id == member_id,
                        _Commitment.deleted_at.is_(None),
                    )
                    .distinct()
                )
            )
            rows = list(s.scalars(select(_Plan).where(_Plan.id.in_(plan_ids)).order_by(_Plan.id)))
            return [
                (p, c)
                for p in self._load(s, rows)
                for c in p.commitments
                if c.partner_id == member_id
            ]

    def add_partner_note(self, commitment_id: int, member_id: int, kind: str, note: str) -> None:
        with self.store.transaction() as s:
            s.add(
                _PartnerNote(
                    commitment_id=commitment_id,
                    member_id=member_id,
                    kind=kind,
                    note=note,
                    created_at=now(),
                )
            )
            plan_id = s.scalar(select(_Commitment.plan_id).where(_Commitment.id == commitment_id))
            if plan_id is not None:
                self._bump_for(s, plan_id)

    # -- service ideas ---------------------------------------------------------------
    def add_idea(self, plan_id: int, text: str) -> None:
        with self.store.transaction() as s:
            s.add(_Idea(plan_id=plan_id, text=text, created_at=now()))
            self._bump_for(s, plan_id)

    def set_idea_stage(self, plan_id: int, idea_id: int, stage: str, on: date) -> None:
        with self.store.transaction() as s:
            row = s.get(_Idea, idea_id)
            if row is None or row.plan_id != plan_id:
                raise StoreError("That idea is not in this plan.")
            if stage == "implemented":
                row.implemented_on = on
                row.tried_on = row.tried_on or on
            else:
                row.tried_on = on
            self._bump_for(s, plan_id)

    def mark_feedback_read(self, plan_id: int) -> None:
        with self.store.transaction() as s:
            s.execute(update(_Plan).where(_Plan.id == plan_id).values(feedback_seen_at=now()))

    def mark_notes_read(self, plan_id: int) -> int:
        """Every partner note on the plan's commitments is seen; returns how many were new."""
        with self.store.transaction() as s:
            mine = select(_Commitment.id).where(_Commitment.plan_id == plan_id)
            done = s.execute(
                update(_PartnerNote)
                .where(_PartnerNote.commitment_id.in_(mine), _PartnerNote.read_at.is_(None))
                .values(read_at=now())
            )
            return int(done.rowcount or 0)  # type: ignore[attr-defined]

    def set_plan_token(self, plan_id: int, token: str) -> None:
        """The plan's link becomes `token`; the old one stops working."""
        with self.store.transaction() as s:
            s.execute(update(_Plan).where(_Plan.id == plan_id).values(token=token_hash(token)))

    def set_plan(
        self,
        plan_id: int,
        *,
        name: str | None = None,
        mission: str | None = None,
        timezone: str | None = None,
        email: str | None = None,
    ) -> None:
        given = (("name", name), ("mission", mission), ("timezone", timezone), ("email", email))
        values = {k: v for k, v in given if v is not None}
        with self.store.transaction() as s:
            s.execute(update(_Plan).where(_Plan.id == plan_id).values(**values))
            self._bump_for(s, plan_id)

    def add_commitments(self, plan_id: int, texts: list[str]) -> None:
        with self.store.transaction() as s:
            last = (
                s.scalar(
                    select(func.max(_Commitment.position)).where(_Commitment.plan_id == plan_id)
                )
                or 0
            )
            for i, text in enumerate(texts, 1):
                s.add(
                    _Commitment(
                        plan_id=plan_id,
                        text=text,
                        position=last + i,
                        cadence="",
                        status="planned",
                        created_at=now(),
                    )
                )
            self._bump_for(s, plan_id)

    def update_commitment(self, plan_id: int, commitment_id: int, **values: object) -> None:
        """Change fields of one commitment of this plan (never another plan's)."""
        if "elements" in values:
            chosen = values["elements"]
            values["elements"] = None if chosen is None else json.dumps(list(chosen))  # type: ignore[call-overload]
        with self.store.transaction() as s:
            done = s.execute(
                update(_Commitment)
                .where(
                    _Commitment.id == commitment_id,
                    _Commitment.plan_id == plan_id,
                    _Commitment.deleted_at.is_(None),
                )
                .values(**values)
            )
            if not done.rowcount:  # type: ignore[attr-defined]
                raise StoreError("That commitment is not in this plan.")
            self._bump_for(s, plan_id)

    def remove_commitment(self, plan_id: int, commitment_id: int) -> None:
        self.update_commitment(plan_id, commitment_id, deleted_at=now())

    def add_check_in(self, commitment_id: int, status: Status, note: str) -> None:
        """The dated record of a check-in (the caller has checked the commitment is theirs)."""
        with self.store.transaction() as s:
            s.add(_CheckIn(commitment_id=commitment_id, status=status, note=note, created_at=now()))

    def set_followup(self, workshop_id: int, due: date | None) -> None:
        with self.store.transaction() as s:
            s.execute(update(_Workshop).where(_Workshop.id == workshop_id).values(followup_due=due))
            self.store.bump(s, workshop_id)

    def add_feedback(
        self, workshop_id: int, commitment_id: int | None, author: str, note: str
    ) -> None:
        with self.store.transaction() as s:
            s.add(
                _Feedback(
                    workshop_id=workshop_id,
                    commitment_id=commitment_id,
                    author=author,
                    note=note,
                    created_at=now(),
                )
            )
            self.store.bump(s, workshop_id)

    def feedback(self, workshop_id: int) -> list[Feedback]:
        with self.store.transaction() as s:
            return [
                Feedback(
                    commitment_id=f.commitment_id,
                    author=f.author,
                    note=f.note,
                    created_at=_utc(f.created_at),
                )
                for f in s.scalars(
                    select(_Feedback)
                    .where(_Feedback.workshop_id == workshop_id)
                    .order_by(_Feedback.id)
                )
            ]


def _note(n: _PartnerNote) -> PartnerNote:
    return PartnerNote(
        id=n.id,
        partner_id=n.member_id,
        kind=n.kind,  # type: ignore[arg-type]  # one of NOTE_KINDS: checked on the way in
        note=n.note,
        created_at=_utc(n.created_at),
        read=n.read_at is not None,
    )
