"""Persistence for the whole workshop: the agenda, Steps 3, 5 and 7, the register, ratings.

In the same database and transactions as Store; every change moves the workshop's
revision, so phones and the projector follow."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from coach.domain.agenda import Agenda, AgendaItem, StepKey, default_items
from coach.domain.items import Item, Rating, Recommendation, RecStatus, Result, StepCheck
from coach.storage.db import StoreError, upsert
from coach.storage.rows import (
    _AgendaItem,
    _Item,
    _Member,
    _Rating,
    _Recommendation,
    _Result,
    _StepBallot,
    _StepCheck,
    _utc,
    _Workshop,
    now,
)
from coach.storage.workshops import Store

# A workshop from before the agenda existed is on the short agenda (Steps 4, 6 and 8).
LEGACY = default_items(whole=False)


def _ids(raw: str) -> tuple[int, ...]:
    return tuple(int(i) for i in json.loads(raw))


class StepStore:
    def __init__(self, store: Store):
        self.store = store

    # -- the agenda ---------------------------------------------------------
    def agenda(self, workshop_id: int) -> Agenda:
        with self.store.read() as s:
            return self._agenda(s, workshop_id)

    @staticmethod
    def _agenda(s: Session, workshop_id: int) -> Agenda:
        current = s.scalar(select(_Workshop.step).where(_Workshop.id == workshop_id))
        if current is None:
            raise StoreError(f"There is no workshop {workshop_id}.")
        rows = {
            r.step: r
            for r in s.scalars(select(_AgendaItem).where(_AgendaItem.workshop_id == workshop_id))
        }
        items = tuple(StepStore._item_of(rows[d.step]) if d.step in rows else d for d in LEGACY)
        return Agenda(items=items, current=cast(StepKey, current))

    @staticmethod
    def _item_of(row: _AgendaItem) -> AgendaItem:
        return AgendaItem(
            step=cast(StepKey, row.step),
            enabled=row.enabled,
            minutes=row.minutes,
            revealed=row.revealed,
            voting=row.voting,
            agreed_at=_utc(row.agreed_at) if row.agreed_at else None,
        )

    def set_agenda(self, workshop_id: int, items: Sequence[AgendaItem], current: str) -> Agenda:
        """Each step on or off with its minutes, and the step the room is on."""
        with self.store.transaction() as s:
            self._write(s, workshop_id, items)
            s.execute(update(_Workshop).where(_Workshop.id == workshop_id).values(step=current))
            self.store.bump(s, workshop_id)
            return self._agenda(s, workshop_id)

    @staticmethod
    def _write(s: Session, workshop_id: int, items: Sequence[AgendaItem]) -> None:
        for position, item in enumerate(items):
            values = {"enabled": item.enabled, "minutes": item.minutes}
            upsert(
                s,
                _AgendaItem.__table__,
                {
                    "workshop_id": workshop_id,
                    "step": item.step,
                    "position": position,
                    "revealed": item.revealed,
                    "voting": item.voting,
                    **values,
                },
                keys=("workshop_id", "step"),
                changes=values,
            )

    def set_step(self, workshop_id: int, step: str, **values: Any) -> None:
        """The room moves to `step` (no values), or the step's flags change (values)."""
        with self.store.transaction() as s:
            if not values:
                s.execute(update(_Workshop).where(_Workshop.id == workshop_id).values(step=step))
            else:
                self._write(s, workshop_id, self._agenda(s, workshop_id).items)  # rows exist
                s.execute(
                    update(_AgendaItem)
                    .where(_AgendaItem.workshop_id == workshop_id, _AgendaItem.step == step)
                    .values(**values)
                )
            self.store.bump(s, workshop_id)

    # -- members' items -------------------------------------------------------
    def add_item(
        self, workshop_id: int, member_id: int, step: str, text: str, example: str, most: int
    ) -> Item | None:
        """A new item, or None when the member already has `most` in the step."""
        with self.store.transaction() as s:
            self.store.lock_workshop(s, workshop_id)
            have = s.scalar(
                select(func.count())
                .select_from(_Item)
                .where(_Item.member_id == member_id, _Item.step == step, _Item.deleted_at.is_(None))
            )
            if (have or 0) >= most:
                return None
            row = _Item(
                workshop_id=workshop_id,
                member_id=member_id,
                step=step,
                text=text,
                example=example,
                created_at=now(),
            )
            s.add(row)
            s.flush()
            self.store.bump(s, workshop_id)
            return self._item(row, "")

    @staticmethod
    def _item(row: _Item, name: str) -> Item:
        return Item(
            id=row.id,
            member_id=row.member_id,
            member_name=name,
            step=row.step,
            text=row.text,
            example=row.example,
            created_at=_utc(row.created_at),
            deleted=row.deleted_at is not None,
        )

    def set_item_deleted(self, workshop_id: int, item_id: int, deleted: bool) -> None:
        with self.store.transaction() as s:
            s.execute(
                update(_Item)
                .where(_Item.id == item_id, _Item.workshop_id == workshop_id)
                .values(deleted_at=now() if deleted else None)
            )
            self.store.bump(s, workshop_id)

    def items(self, workshop_id: int, anonymous: bool, step: str | None = None) -> list[Item]:
        """Every item in the workshop (or the step), oldest first, deleted ones included."""
        with self.store.read() as s:
            q = (
                select(_Item, _Member.name, _Member.position)
                .join(_Member, _Member.id == _Item.member_id)
                .where(_Item.workshop_id == workshop_id)
            )
            if step is not None:
                q = q.where(_Item.step == step)
            return [
                self._item(row, f"Member {pos}" if anonymous or not name else name)
                for row, name, pos in s.execute(q.order_by(_Item.id))
            ]

    # -- the team's results -----------------------------------------------------
    def add_result(
        self,
        workshop_id: int,
        step: str,
        text: str,
        example: str,
        sources: Iterable[int],
    ) -> None:
        """One more candidate result; the step's check starts again, since what it asked
        about changed."""
        with self.store.transaction() as s:
            s.add(
                _Result(
                    workshop_id=workshop_id,
                    step=step,
                    text=text,
                    example=example,
                    sources=json.dumps(sorted(set(sources))),
                    created_at=now(),
                )
            )
            self._restart(s, workshop_id, step)

    def remove_result(self, workshop_id: int, step: str, result_id: int) -> None:
        with self.store.transaction() as s:
            self._remove_results(s, workshop_id, step, result_id)
            self._restart(s, workshop_id, step)

    @staticmethod
    def _remove_results(s: Session, workshop_id: int, step: str, result_id: int) -> None:
        s.execute(
            update(_Result)
            .where(
                _Result.workshop_id == workshop_id,
                _Result.step == step,
                _Result.removed_at.is_(None),
                _Result.id == result_id,
            )
            .values(removed_at=now())
        )

    def _restart(self, s: Session, workshop_id: int, step: str) -> None:
        s.execute(
            delete(_StepCheck).where(_StepCheck.workshop_id == workshop_id, _StepCheck.step == step)
        )
        s.execute(
            update(_AgendaItem)
            .where(_AgendaItem.workshop_id == workshop_id, _AgendaItem.step == step)
            .values(agreed_at=None)
        )
        self.store.bump(s, workshop_id)

    def results(self, workshop_id: int, step: str | None = None) -> list[Result]:
        """The results the team holds now (not the ones it replaced), oldest first."""
        with self.store.read() as s:
            q = select(_Result).where(
                _Result.workshop_id == workshop_id, _Result.removed_at.is_(None)
            )
            if step is not None:
                q = q.where(_Result.step == step)
            return [
                Result(
                    id=r.id,
                    step=r.step,
                    text=r.text,
                    example=r.example,
                    sources=_ids(r.sources),
                    created_at=_utc(r.created_at),
                )
                for r in s.scalars(q.order_by(_Result.id))
            ]

    # -- the fist-to-five on a result -------------------------------------------
    def set_check(
        self, workshop_id: int, step: str, member_id: int, score: int, concern: str
    ) -> None:
        with self.store.transaction() as s:
            values = {"score": score, "concern": concern, "updated_at": now()}
            upsert(
                s,
                _StepCheck.__table__,
                {"workshop_id": workshop_id, "step": step, "member_id": member_id, **values},
                keys=("workshop_id", "step", "member_id"),
                changes=values,
            )
            self.store.bump(s, workshop_id)

    def checks(self, workshop_id: int, step: str) -> tuple[StepCheck, ...]:
        with self.store.read() as s:
            return tuple(
                StepCheck(member_id=c.member_id, step=c.step, score=c.score, concern=c.concern)
                for c in s.scalars(
                    select(_StepCheck)
                    .where(_StepCheck.workshop_id == workshop_id, _StepCheck.step == step)
                    .order_by(_StepCheck.id)
                )
            )

    # -- a ranked vote on the candidate results -------------------------------------
    def set_ballot(
        self, workshop_id: int, step: str, member_id: int, ranking: list[list[int]]
    ) -> None:
        with self.store.transaction() as s:
            values = {"ranking": json.dumps(ranking), "updated_at": now()}
            upsert(
                s,
                _StepBallot.__table__,
                {"workshop_id": workshop_id, "step": step, "member_id": member_id, **values},
                keys=("workshop_id", "step", "member_id"),
                changes=values,
            )
            self.store.bump(s, workshop_id)

    def ballots(self, workshop_id: int, step: str) -> dict[int, tuple[tuple[int, ...], ...]]:
        """Each member's ranking (groups of tied result ids, best first), by member id."""
        with self.store.read() as s:
            return {
                b.member_id: tuple(tuple(int(i) for i in g) for g in json.loads(b.ranking))
                for b in s.scalars(
                    select(_StepBallot)
                    .where(_StepBallot.workshop_id == workshop_id, _StepBallot.step == step)
                    .order_by(_StepBallot.id)
                )
            }

    def set_voting(self, workshop_id: int, step: str, voting: bool) -> None:
        """Open a vote (its ballots and the step's check start afresh) or close it."""
        with self.store.transaction() as s:
            self._write(s, workshop_id, self._agenda(s, workshop_id).items)  # rows exist
            if voting:
                s.execute(
                    delete(_StepBallot).where(
                        _StepBallot.workshop_id == workshop_id, _StepBallot.step == step
                    )
                )
                s.execute(
                    delete(_StepCheck).where(
                        _StepCheck.workshop_id == workshop_id, _StepCheck.step == step
                    )
                )
            s.execute(
                update(_AgendaItem)
                .where(_AgendaItem.workshop_id == workshop_id, _AgendaItem.step == step)
                .values(voting=voting)
            )
            self.store.bump(s, workshop_id)

    # -- the recommendations register ---------------------------------------------
    def add_recommendation(
        self, workshop_id: int, text: str, owner: str, sources: Iterable[int]
    ) -> int:
        with self.store.transaction() as s:
            row = _Recommendation(
                workshop_id=workshop_id,
                text=text,
                owner=owner,
                status="proposed",
                sources=json.dumps(sorted(set(sources))),
                ideas="[]",
                strengths="[]",
                commitments="[]",
                response="",
                created_at=now(),
            )
            s.add(row)
            s.flush()
            self.store.bump(s, workshop_id)
            return row.id

    def update_recommendation(
        self,
        workshop_id: int,
        rec_id: int,
        values: Mapping[str, object],
        *,
        taken_out: bool = False,
    ) -> bool:
        """Change the entry's fields; lists of ids are stored as JSON. False: no such entry
        (in the register, or with `taken_out`, among the entries taken out of it)."""
        stored = {
            k: json.dumps(sorted(set(cast(Iterable[int], v))))
            if k in ("ideas", "strengths", "commitments")
            else v
            for k, v in values.items()
        }
        with self.store.transaction() as s:
            done = s.execute(
                update(_Recommendation)
                .where(
                    _Recommendation.id == rec_id,
                    _Recommendation.workshop_id == workshop_id,
                    _Recommendation.removed_at.is_not(None)
                    if taken_out
                    else _Recommendation.removed_at.is_(None),
                )
                .values(**stored)
            )
            if not done.rowcount:  # type: ignore[attr-defined]
                return False
            self.store.bump(s, workshop_id)
            return True

    def taken_out(self, workshop_id: int) -> list[tuple[int, str]]:
        """(id, text) of the entries taken out of the register, the latest first."""
        with self.store.read() as s:
            return [
                (r.id, r.text)
                for r in s.execute(
                    select(_Recommendation.id, _Recommendation.text)
                    .where(
                        _Recommendation.workshop_id == workshop_id,
                        _Recommendation.removed_at.is_not(None),
                    )
                    .order_by(_Recommendation.removed_at.desc(), _Recommendation.id.desc())
                )
            ]

    def recommendations(self, workshop_id: int) -> list[Recommendation]:
        with self.store.read() as s:
            return [
                Recommendation(
                    id=r.id,
                    text=r.text,
                    owner=r.owner,
                    status=cast(RecStatus, r.status),
                    sources=_ids(r.sources),
                    ideas=_ids(r.ideas),
                    strengths=_ids(r.strengths),
                    commitments=_ids(r.commitments),
                    response=r.response,
                    responded_at=_utc(r.responded_at) if r.responded_at else None,
                    created_at=_utc(r.created_at),
                )
                for r in s.scalars(
                    select(_Recommendation)
                    .where(
                        _Recommendation.workshop_id == workshop_id,
                        _Recommendation.removed_at.is_(None),
                    )
                    .order_by(_Recommendation.id)
                )
            ]

    # -- ratings of current practice ---------------------------------------------
    def set_framework(self, workshop_id: int, framework: str) -> None:
        with self.store.transaction() as s:
            s.execute(
                update(_Workshop).where(_Workshop.id == workshop_id).values(framework=framework)
            )
            self.store.bump(s, workshop_id)

    def set_rating(
        self,
        workshop_id: int,
        member_id: int,
        framework: str,
        element: str,
        rating: int,
        comment: str,
    ) -> None:
        with self.store.transaction() as s:
            values = {"rating": rating, "comment": comment, "updated_at": now()}
            upsert(
                s,
                _Rating.__table__,
                {
                    "workshop_id": workshop_id,
                    "member_id": member_id,
                    "framework": framework,
                    "element": element,
                    **values,
                },
                keys=("member_id", "framework", "element"),
                changes=values,
            )
            self.store.bump(s, workshop_id)

    def ratings(self, workshop_id: int, framework: str | None = None) -> list[Rating]:
        with self.store.read() as s:
            q = select(_Rating).where(_Rating.workshop_id == workshop_id)
            if framework is not None:
                q = q.where(_Rating.framework == framework)
            return [
                Rating(
                    member_id=r.member_id,
                    framework=r.framework,
                    element=r.element,
                    rating=r.rating,
                    comment=r.comment,
                )
                for r in s.scalars(q.order_by(_Rating.id))
            ]
