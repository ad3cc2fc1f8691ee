"""Programmes: an organisation's event, and the team workshops in it."""

from __future__ import annotations

from sqlalchemy import select, update

from coach.domain.types import Programme, Workshop
from coach.storage.rows import (
    REVISION,
    _Programme,
    _RoundMember,
    _utc,
    _Workshop,
    _workshop,
    now,
)
from coach.storage.workshops import Store


def _programme(row: _Programme) -> Programme:
    return Programme(
        id=row.id,
        code=row.code,
        name=row.name,
        organisation=row.organisation,
        created_at=_utc(row.created_at),
        org_workshop_id=row.org_workshop_id,
    )


class ProgrammeStore:
    def __init__(self, store: Store):
        self.store = store

    def create(self, code: str, name: str, organisation: str, key_hash: str) -> Programme:
        with self.store.transaction() as s:
            row = _Programme(
                code=code,
                name=name,
                organisation=organisation,
                lead_key_hash=key_hash,
                created_at=now(),
            )
            s.add(row)
            s.flush()
            return _programme(row)

    def find(self, code: str) -> tuple[Programme, str] | None:
        """The programme and its lead key's hash."""
        with self.store.read() as s:
            row = s.scalar(select(_Programme).where(_Programme.code == code))
            return (_programme(row), row.lead_key_hash) if row is not None else None

    def by_round(self, workshop_id: int) -> Programme | None:
        """The programme whose organisation round this workshop is, if any."""
        with self.store.read() as s:
            row = s.scalar(select(_Programme).where(_Programme.org_workshop_id == workshop_id))
            return _programme(row) if row is not None else None

    def attach(self, programme_id: int, workshop_id: int) -> None:
        with self.store.transaction() as s:
            s.execute(
                update(_Workshop)
                .where(_Workshop.id == workshop_id)
                .values(programme_id=programme_id)
            )
            self.store.bump(s, workshop_id)

    def teams(self, programme_id: int) -> list[Workshop]:
        """The programme's team workshops, oldest first, each with its revision."""
        with self.store.read() as s:
            return [
                _workshop(row, revision)
                for row, revision in s.execute(
                    select(_Workshop, REVISION)
                    .where(_Workshop.programme_id == programme_id)
                    .order_by(_Workshop.id)
                )
            ]

    def set_round(self, programme_id: int, workshop_id: int) -> None:
        with self.store.transaction() as s:
            s.execute(
                update(_Programme)
                .where(_Programme.id == programme_id)
                .values(org_workshop_id=workshop_id)
            )

    def add_round_member(self, workshop_id: int, member_id: int, team_id: int, role: str) -> None:
        with self.store.transaction() as s:
            s.add(
                _RoundMember(
                    workshop_id=workshop_id, member_id=member_id, team_id=team_id, role=role
                )
            )
            self.store.bump(s, workshop_id)

    def round_members(self, workshop_id: int) -> list[tuple[int, int | None, str]]:
        """(member id, team workshop id, role) of an organisation round."""
        with self.store.read() as s:
            return [
                (r.member_id, r.team_id, r.role)
                for r in s.scalars(
                    select(_RoundMember)
                    .where(_RoundMember.workshop_id == workshop_id)
                    .order_by(_RoundMember.id)
                )
            ]
