"""Persistence for the road to consensus: rounds, candidates, ballots, fist-to-five checks."""

from __future__ import annotations

import json

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coach.domain.types import (
    QUESTIONS,
    Ballot,
    Candidate,
    CandidateKind,
    Check,
    Outcome,
    Phase,
    Round,
    RoundHead,
    Workshop,
)
from coach.domain.voting import letters
from coach.storage.db import StoreError, upsert
from coach.storage.rows import _Ballot, _Candidate, _Check, _Member, _Round, _Workshop, now
from coach.storage.workshops import Store


class ConsensusStore:
    """Rounds and what happens in them, in the same database and transactions as Store."""

    def __init__(self, store: Store):
        self.store = store

    def rounds(self, workshop_id: int, *, latest_only: bool = False) -> list[Round]:
        """Every round (or only the current one) with its candidates, ballots and checks."""
        with self.store.transaction() as s:
            q = select(_Round).where(_Round.workshop_id == workshop_id)
            if latest_only:
                q = q.order_by(_Round.number.desc()).limit(1)
            rounds = sorted(s.scalars(q), key=lambda r: r.number)
            ids = [r.id for r in rounds]
            number = {r.id: r.number for r in rounds}
            cands: dict[int, list[Candidate]] = {i: [] for i in ids}
            ballots: dict[int, list[Ballot]] = {i: [] for i in ids}
            checks: dict[int, list[Check]] = {i: [] for i in ids}
            if ids:
                for c in s.scalars(
                    select(_Candidate).where(_Candidate.round_id.in_(ids)).order_by(_Candidate.id)
                ):
                    cands[c.round_id].append(
                        Candidate(
                            id=c.id,
                            round=number[c.round_id],
                            text=c.text,
                            kind=c.kind,
                            sources=tuple(json.loads(c.sources)),
                            withdrawn=c.withdrawn,
                            letter=c.letter,
                        )
                    )
                # Only members who count: a removed or absent member's answers stay in the
                # database (they count again if the member is back) but in no tally.
                counted = select(_Member.id).where(
                    _Member.workshop_id == workshop_id,
                    _Member.removed_at.is_(None),
                    _Member.absent.is_(False),
                    _Member.admitted.is_(True),
                )
                for b in s.scalars(
                    select(_Ballot)
                    .where(_Ballot.round_id.in_(ids), _Ballot.member_id.in_(counted))
                    .order_by(_Ballot.id)
                ):
                    ballots[b.round_id].append(
                        Ballot(
                            member_id=b.member_id,
                            ranking=tuple(tuple(g) for g in json.loads(b.ranking)),
                        )
                    )
                for k in s.scalars(
                    select(_Check)
                    .where(_Check.round_id.in_(ids), _Check.member_id.in_(counted))
                    .order_by(_Check.id)
                ):
                    checks[k.round_id].append(
                        Check(
                            member_id=k.member_id,
                            candidate_id=k.candidate_id,
                            scores={q: getattr(k, q) for q in QUESTIONS},
                            concern=k.concern,
                        )
                    )
            return [
                Round(
                    id=r.id,
                    number=r.number,
                    phase=r.phase,
                    outcome=r.outcome,
                    leader_id=r.leader_id,
                    candidates=tuple(cands[r.id]),
                    ballots=tuple(ballots[r.id]),
                    checks=tuple(checks[r.id]),
                )
                for r in rounds
            ]

    def head(self, workshop_id: int) -> RoundHead | None:
        """The latest round's phase, leader and active candidates."""
        with self.store.read() as s:
            rnd = s.scalar(
                select(_Round)
                .where(_Round.workshop_id == workshop_id)
                .order_by(_Round.number.desc())
                .limit(1)
            )
            return None if rnd is None else _head(s, rnd)

    def lock_workshop(self, workshop_id: int) -> None:
        with self.store.transaction() as s:
            self.store.lock_workshop(s, workshop_id)

    def lock_round(self, round_id: int, *, exclusive: bool) -> None:
        """Hold one round until the transaction ends. A member's ballot or check holds it
        shared while it checks the phase and writes; closing a phase holds it exclusive
        before it reads the answers: so no answer lands after the phase it was meant for."""
        with self.store.transaction() as s:
            if s.get_bind().dialect.name == "postgresql":
                locked = select(_Round.id).where(_Round.id == round_id)
                s.execute(locked.with_for_update(read=not exclusive))  # FOR UPDATE | FOR SHARE
            else:  # SQLite: one writer at a time; a no-op write takes that lock now
                s.execute(update(_Round).where(_Round.id == round_id).values(id=_Round.id))

    def round_head(self, round_id: int) -> RoundHead:
        """One round's phase, leader and active candidates (read after lock_round)."""
        with self.store.read() as s:
            return _head(s, s.get_one(_Round, round_id))

    def delete_round(self, workshop_id: int, round_id: int) -> None:
        """Undo a round that has only just opened: it and its candidates go."""
        with self.store.transaction() as s:
            s.execute(delete(_Candidate).where(_Candidate.round_id == round_id))
            s.execute(
                delete(_Round).where(_Round.id == round_id, _Round.workshop_id == workshop_id)
            )
            self.store.bump(s, workshop_id)

    def open_round(self, workshop_id: int) -> int:
        """A new round in the 'candidates' phase; returns its number."""
        with self.store.transaction() as s:
            n = (
                s.scalar(select(func.max(_Round.number)).where(_Round.workshop_id == workshop_id))
                or 0
            ) + 1
            s.add(
                _Round(
                    workshop_id=workshop_id,
                    number=n,
                    phase="candidates",
                    outcome="",
                    created_at=now(),
                )
            )
            self.store.bump(s, workshop_id)
            return n

    def set_round(
        self,
        workshop_id: int,
        round_id: int,
        *,
        phase: Phase | None = None,
        outcome: Outcome | None = None,
        leader_id: int | None = None,
    ) -> None:
        values: dict[str, object] = {}
        if phase is not None:
            values["phase"] = phase
        if outcome is not None:
            values["outcome"] = outcome
        if leader_id is not None:
            values["leader_id"] = leader_id or None  # 0 clears the leader (an undone close)
        with self.store.transaction() as s:
            s.execute(
                update(_Round)
                .where(_Round.id == round_id, _Round.workshop_id == workshop_id)
                .values(**values)
            )
            self.store.bump(s, workshop_id)

    def add_candidate(
        self, workshop_id: int, round_id: int, text: str, kind: CandidateKind, sources: list[int]
    ) -> Candidate:
        with self.store.transaction() as s:
            rnd = s.get_one(_Round, round_id)
            row = _Candidate(
                workshop_id=workshop_id,
                round_id=round_id,
                text=text,
                kind=kind,
                letter=self._letter(s, workshop_id, text),
                sources=json.dumps(sorted(set(sources))),
                withdrawn=False,
                created_at=now(),
            )
            s.add(row)
            self.store.bump(s, workshop_id)
            s.flush()
            return Candidate(
                id=row.id,
                round=rnd.number,
                text=text,
                kind=kind,
                sources=tuple(sorted(set(sources))),
                withdrawn=False,
                letter=row.letter,
            )

    @staticmethod
    def _letter(s: Session, workshop_id: int, text: str) -> str:
        """The letter this text had in an earlier round, else the next unused one (the
        caller holds the workshop, so two candidates cannot take the same new letter)."""
        earlier = s.scalar(
            select(_Candidate.letter).where(
                _Candidate.workshop_id == workshop_id, _Candidate.text == text
            )
        )
        if earlier:
            return earlier
        used = s.scalar(
            select(func.count(func.distinct(_Candidate.letter))).where(
                _Candidate.workshop_id == workshop_id
            )
        )
        return letters(int(used or 0))

    def set_withdrawn(self, workshop_id: int, candidate_id: int, withdrawn: bool) -> None:
        with self.store.transaction() as s:
            s.execute(
                update(_Candidate)
                .where(_Candidate.id == candidate_id, _Candidate.workshop_id == workshop_id)
                .values(withdrawn=withdrawn)
            )
            self.store.bump(s, workshop_id)

    def put_ballot(
        self, workshop_id: int, round_id: int, member_id: int, ranking: list[list[int]]
    ) -> None:
        """One ballot per member per round: a second one replaces the first."""
        payload = json.dumps(ranking)
        self._upsert(workshop_id, _Ballot, round_id, member_id, ranking=payload)

    def put_check(
        self,
        workshop_id: int,
        round_id: int,
        member_id: int,
        candidate_id: int,
        scores: dict[str, int],
        concern: str,
    ) -> None:
        self._upsert(
            workshop_id,
            _Check,
            round_id,
            member_id,
            candidate_id=candidate_id,
            concern=concern,
            **{q: scores[q] for q in QUESTIONS},
        )

    def _upsert(
        self,
        workshop_id: int,
        table: type[_Ballot] | type[_Check],
        round_id: int,
        member_id: int,
        **values: object,
    ) -> None:
        for _ in range(3):  # two sessions of one member can race to insert first
            try:
                with self.store.transaction() as s:
                    stamped = {**values, "updated_at": now()}
                    upsert(
                        s,
                        table.__table__,
                        {"round_id": round_id, "member_id": member_id, **stamped},
                        keys=("round_id", "member_id"),
                        changes=stamped,
                    )
                    self.store.bump(s, workshop_id)
                return
            except IntegrityError:
                continue
        raise StoreError("Could not save: too many simultaneous changes. Try again.")

    def adopt(self, workshop_id: int, candidate_id: int | None) -> Workshop:
        with self.store.transaction() as s:
            s.execute(
                update(_Workshop)
                .where(_Workshop.id == workshop_id)
                .values(adopted_id=candidate_id, adopted_at=now() if candidate_id else None)
            )
            self.store.bump(s, workshop_id)
            return self.store.reload_workshop(s, workshop_id)


def _head(s: Session, rnd: _Round) -> RoundHead:
    """A round without its ballots and checks: phase, leader and the candidates still in."""
    active = s.scalars(
        select(_Candidate.id)
        .where(_Candidate.round_id == rnd.id, _Candidate.withdrawn.is_(False))
        .order_by(_Candidate.id)
    )
    return RoundHead(
        id=rnd.id,
        number=rnd.number,
        phase=rnd.phase,
        leader_id=rnd.leader_id,
        active=tuple(active),
    )
