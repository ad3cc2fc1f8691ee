"""Workshops, members and drafts: every method a short transaction, returning frozen models.

Nothing outlives its session, so pages can cache what they are given.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import (
    ColumnElement,
    DateTime,
    String,
    Table,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coach.domain.codes import new_link_secret, token_hash
from coach.domain.types import Draft, DraftVersion, Member, Workshop
from coach.errors import InputError
from coach.storage.db import Database, StoreError
from coach.storage.rows import (
    METADATA,
    REVISION,
    _Device,
    _Draft,
    _Member,
    _member,
    _Plan,
    _Sent,
    _utc,
    _Version,
    _version,
    _Workshop,
    _workshop,
    now,
)

JOIN_WINDOW = timedelta(minutes=10)  # joins per client are counted over this window
RECENT = 10  # versions add_version shows its guard (and searches for a repeated nonce)


def _known_as(code: str) -> ColumnElement[bool]:
    return or_(_Workshop.code == code, _Workshop.join_code == code)


def _move_missing(
    s: Session, table_name: str, column: str, old: int, new: int, *, group: str | None
) -> bool:
    """Give `new` the `old` member's rows in `table_name` where `new` has none (per
    `group`, or at all): the unique constraints stay kept. True if anything moved."""
    table = METADATA.tables[table_name]
    owner = table.c[column]
    if group is None:
        if s.scalar(select(func.count()).select_from(table).where(owner == new)):
            return False
        moved = s.execute(update(table).where(owner == old).values({column: new}))
        return bool(moved.rowcount)  # type: ignore[attr-defined]
    key = table.c[group]
    taken = select(key).where(owner == new).scalar_subquery()
    done = s.execute(update(table).where(owner == old, key.not_in(taken)).values({column: new}))
    return bool(done.rowcount)  # type: ignore[attr-defined]


class WorkshopFull(InputError):
    """No room for one more member."""


class Store(Database):
    """Step 4's records: the workshop, who joined, and every version of every draft."""

    # -- workshops ---------------------------------------------------------
    def create_workshop(
        self, *, code: str, name: str, organisation: str, focus: str, key_hash: str
    ) -> Workshop:
        with self._tx() as s:
            row = _Workshop(
                code=code,
                name=name,
                organisation=organisation,
                focus=focus,
                facilitator_key_hash=key_hash,
                revealed=False,
                locked=False,
                revision=0,
                created_at=now(),
            )
            s.add(row)
            s.flush()
            return _workshop(row, 0)

    def workshop(self, code: str) -> Workshop | None:
        """The workshop with this code, or whose rotated join code it is."""
        with self.read() as s:
            return self.load_workshop(s, _known_as(code))

    def set_join_code(self, workshop_id: int, join_code: str) -> Workshop:
        """A new join code: new people need it; links already handed out keep working."""
        taken = select(_Workshop.id).where(_known_as(join_code))
        with self._tx() as s:
            if s.scalar(taken) is not None:
                raise StoreError("That join code is taken: try again.")
            s.execute(
                update(_Workshop).where(_Workshop.id == workshop_id).values(join_code=join_code)
            )
            self.bump(s, workshop_id)
            return self.reload_workshop(s, workshop_id)

    def set_key_hash(self, workshop_id: int, key_hash: str) -> None:
        """A new facilitator key: the old key (and the projector link made from it) stops
        working at once, and so does every device that remembered the workshop."""
        with self._tx() as s:
            s.execute(
                update(_Workshop)
                .where(_Workshop.id == workshop_id)
                .values(facilitator_key_hash=key_hash)
            )
            s.execute(
                update(_Device)
                .where(_Device.workshop_id == workshop_id, _Device.revoked_at.is_(None))
                .values(revoked_at=now())
            )
            self.bump(s, workshop_id)

    def new_member_link(
        self, workshop_id: int, member_id: int, token: str, plan_token: str
    ) -> None:
        """The member's link becomes `token` (their plan's, `plan_token`); the old links,
        and those of duplicates merged into the member, stop working."""
        with self._tx() as s:
            row = s.get_one(_Member, member_id)
            if row.workshop_id != workshop_id:
                raise StoreError("That member belongs to another workshop.")
            row.token = token_hash(token)
            for dup in s.scalars(select(_Member).where(_Member.merged_into_id == member_id)):
                dup.token = token_hash(new_link_secret())  # nobody holds this one
            s.execute(
                update(_Plan)
                .where(_Plan.member_id == member_id)
                .values(token=token_hash(plan_token))
            )
            self.bump(s, workshop_id)

    # -- devices that remember a workshop for its facilitator -------------------
    def add_device(self, workshop_id: int, token: str) -> None:
        with self._tx() as s:
            s.add(_Device(workshop_id=workshop_id, token=token_hash(token), created_at=now()))

    def device_workshop(self, token: str) -> int | None:
        """The workshop this device token opens, if it is still good."""
        with self.read() as s:
            found = s.scalar(
                select(_Device.workshop_id).where(
                    _Device.token == token_hash(token), _Device.revoked_at.is_(None)
                )
            )
            return int(found) if found is not None else None

    def devices(self, workshop_id: int) -> list[tuple[int, datetime]]:
        """(id, remembered at) of each device that still remembers the workshop."""
        with self.read() as s:
            rows = s.execute(
                select(_Device.id, _Device.created_at)
                .where(_Device.workshop_id == workshop_id, _Device.revoked_at.is_(None))
                .order_by(_Device.id)
            ).all()
            return [(r.id, _utc(r.created_at)) for r in rows]

    def revoke_devices(
        self, workshop_id: int, *, token: str | None = None, device_id: int | None = None
    ) -> int:
        """Forget one device (by its token or id), or every device; returns how many."""
        where = [_Device.workshop_id == workshop_id, _Device.revoked_at.is_(None)]
        if token is not None:
            where.append(_Device.token == token_hash(token))
        if device_id is not None:
            where.append(_Device.id == device_id)
        with self._tx() as s:
            done = s.execute(update(_Device).where(*where).values(revoked_at=now()))
            return int(done.rowcount or 0)  # type: ignore[attr-defined]

    def set_manager_token(self, workshop_id: int, token: str | None) -> None:
        """The manager's link becomes `token` (only its hash is kept), or none."""
        with self._tx() as s:
            s.execute(
                update(_Workshop)
                .where(_Workshop.id == workshop_id)
                .values(manager_token=token_hash(token) if token else None)
            )

    def manager_hash(self, workshop_id: int) -> str | None:
        with self.read() as s:
            found = s.scalar(select(_Workshop.manager_token).where(_Workshop.id == workshop_id))
            return str(found) if found else None

    def set_manager_email(self, workshop_id: int, email: str) -> None:
        with self._tx() as s:
            s.execute(
                update(_Workshop).where(_Workshop.id == workshop_id).values(manager_email=email)
            )

    def workshops_with_followup(self) -> list[Workshop]:
        """Every workshop with a follow-up date: their managers may be reminded."""
        with self.read() as s:
            rows = s.execute(
                select(_Workshop, REVISION)
                .where(_Workshop.followup_due.is_not(None))
                .order_by(_Workshop.id)
            ).all()
            return [_workshop(w, rev) for w, rev in rows]

    # -- the send log: nothing is sent twice ---------------------------------
    def claim_send(self, key: str, channel: str) -> bool:
        """Claim a message by its key before sending it; False if it was claimed (being
        sent, or sent) already. A unique key makes two runs at once send it once."""
        try:
            with self._tx() as s:
                s.add(_Sent(key=key, channel=channel, state="sending", created_at=now()))
        except IntegrityError:
            return False
        return True

    def sent(self, key: str) -> None:
        with self._tx() as s:
            s.execute(update(_Sent).where(_Sent.key == key).values(state="sent"))

    def release_send(self, key: str) -> None:
        """A send that failed: give the message back, so a later run tries again."""
        with self._tx() as s:
            s.execute(delete(_Sent).where(_Sent.key == key, _Sent.state == "sending"))

    def key_hash(self, workshop_id: int) -> str:
        with self._tx() as s:
            return str(
                s.scalar(select(_Workshop.facilitator_key_hash).where(_Workshop.id == workshop_id))
            )

    def revision(self, workshop_id: int) -> int:
        with self.read() as s:
            return int(s.scalar(select(REVISION).where(_Workshop.id == workshop_id)) or 0)

    def set_flags(
        self,
        workshop_id: int,
        *,
        revealed: bool | None = None,
        locked: bool | None = None,
        anonymous: bool | None = None,
        scores_shown: bool | None = None,
        admission: bool | None = None,
    ) -> Workshop:
        flags = {
            "admission": admission,
            "revealed": revealed,
            "locked": locked,
            "anonymous": anonymous,
            "scores_shown": scores_shown,
        }
        values = {k: v for k, v in flags.items() if v is not None}
        return self._set(workshop_id, values)

    def set_timer(self, workshop_id: int, ends_at: datetime | None, lock: bool) -> Workshop:
        return self._set(workshop_id, {"timer_ends_at": ends_at, "timer_lock": lock})

    def _set(self, workshop_id: int, values: Mapping[str, object]) -> Workshop:
        with self._tx() as s:
            s.execute(update(_Workshop).where(_Workshop.id == workshop_id).values(**values))
            self.bump(s, workshop_id)
            return self.reload_workshop(s, workshop_id)

    # -- members -----------------------------------------------------------
    def add_member(
        self,
        workshop_id: int,
        name: str,
        token: str,
        *,
        capacity: int | None = None,
        admitted: bool = True,
        joined_from: tuple[str, str] = ("", ""),
        guard: Callable[[int, int], None] | None = None,
    ) -> Member:
        """The next position in the workshop, or WorkshopFull past `capacity` members.

        Position and room are decided in the inserting statement itself (members are never
        deleted, so the highest position is the count): a rush can neither share a
        position nor overfill the workshop.

        `joined_from` is (browser, address), keyed hashes of where the join came from;
        `guard(joins_from_browser, joins_from_address)` may refuse it, counting this
        workshop's joins from the same client in the last JOIN_WINDOW, in the same
        transaction as the insert.
        """
        members = cast(Table, _Member.__table__)
        for attempt in range(30):
            try:
                with self._tx() as s:
                    if s.get_bind().dialect.name == "postgresql":
                        # Joins to one workshop queue here instead of clashing and retrying.
                        s.execute(text("SELECT pg_advisory_xact_lock(1, :w)"), {"w": workshop_id})
                    if guard is not None:
                        guard(*self._recent_joins(s, workshop_id, joined_from))
                    so_far = (
                        select(func.coalesce(func.max(members.c.position), 0).label("n"))
                        .where(members.c.workshop_id == workshop_id)
                        .subquery()
                    )
                    joined = now()
                    nxt = select(
                        literal(workshop_id),
                        literal(name, String),
                        literal(token_hash(token), String),
                        so_far.c.n + 1,
                        literal(joined, DateTime(timezone=True)),
                        literal(admitted),
                        literal(joined_from[0], String),
                        literal(joined_from[1], String),
                    )
                    if capacity is not None:
                        nxt = nxt.where(so_far.c.n < capacity)
                    added = s.execute(
                        insert(members)
                        .from_select(
                            [
                                "workshop_id",
                                "name",
                                "token",
                                "position",
                                "created_at",
                                "admitted",
                                "joined_browser",
                                "joined_address",
                            ],
                            nxt,
                        )
                        .returning(members.c.id, members.c.position)
                    ).first()
                    if added is None:
                        raise WorkshopFull(
                            f"This workshop is full ({capacity} members). Ask the "
                            "facilitator to start another one."
                        )
                    self.bump(s, workshop_id)  # last: its counter stays locked to commit
                    return Member(
                        id=added.id,
                        workshop_id=workshop_id,
                        name=name,
                        token=token,
                        position=added.position,
                        admitted=admitted,
                    )
            except IntegrityError:
                time.sleep(random.uniform(0, 0.01 * (attempt + 1)))  # noqa: S311 - jitter only
        raise StoreError("Too many people are joining at once: try again in a moment.")

    @staticmethod
    def _recent_joins(s: Session, workshop_id: int, joined_from: tuple[str, str]) -> list[int]:
        since = now() - JOIN_WINDOW
        counts = []
        for column, value in zip(
            (_Member.joined_browser, _Member.joined_address), joined_from, strict=True
        ):
            counts.append(
                int(
                    s.scalar(
                        select(func.count())
                        .select_from(_Member)
                        .where(
                            _Member.workshop_id == workshop_id,
                            column == value,
                            _Member.created_at >= since,
                        )
                    )
                    or 0
                )
                if value
                else 0
            )
        return counts

    def member(self, token: str) -> Member | None:
        """The member this link is for; a merged duplicate's link gives the member it
        was merged into."""
        with self._tx() as s:
            row = s.scalar(select(_Member).where(_Member.token == token_hash(token)))
            if row is not None and row.merged_into_id is not None:
                row = s.get(_Member, row.merged_into_id) or row
            # The member's own view: their own name, and the link they came with.
            return _member(row, token=token) if row else None

    def seen(self, token: str) -> None:
        """The member's screen is open: note the time (no revision bump, so no screen
        redraws for it)."""
        with self._tx() as s:
            s.execute(
                update(_Member).where(_Member.token == token_hash(token)).values(last_seen_at=now())
            )

    def merge_members(self, workshop_id: int, keep_id: int, duplicate_id: int) -> Member:
        """Fold a duplicate join into `keep`: whatever `keep` lacks (a draft, a ballot or
        check in a round, a commitment plan) moves over; the rest stays with the duplicate,
        which is removed and whose link now acts as `keep`."""
        with self._tx() as s:
            keep = s.get_one(_Member, keep_id)
            dup = s.get_one(_Member, duplicate_id)
            if {keep.workshop_id, dup.workshop_id} != {workshop_id}:
                raise StoreError("Both members must belong to this workshop.")
            moved = _move_missing(s, "drafts", "member_id", dup.id, keep.id, group=None)
            for table in ("ballots", "checks"):
                _move_missing(s, table, "member_id", dup.id, keep.id, group="round_id")
            _move_missing(s, "plans", "member_id", dup.id, keep.id, group=None)
            if not moved:  # both wrote a draft: the duplicate's stays in the record, removed
                s.execute(
                    update(_Draft)
                    .where(_Draft.member_id == dup.id, _Draft.deleted_at.is_(None))
                    .values(deleted_at=now())
                )
            dup.merged_into_id = keep.id
            dup.removed_at = dup.removed_at or now()
            if not keep.name and dup.name:
                keep.name = dup.name
            keep.absent = keep.absent and dup.absent
            keep.admitted = keep.admitted or dup.admitted
            self.bump(s, workshop_id)
            return _member(keep, self._anonymous(s, workshop_id))

    def membership(self, code: str, token: str) -> tuple[Workshop | None, Member | None]:
        """The workshop with this code and, if the token belongs to it, that member: one query."""
        with self.read() as s:
            found = s.execute(
                select(_Workshop, REVISION, _Member)
                .outerjoin(
                    _Member,
                    (_Member.workshop_id == _Workshop.id) & (_Member.token == token_hash(token)),
                )
                .where(_known_as(code))
            ).first()
            if found is None:
                return None, None
            workshop, revision, member = found
            if member is not None and member.merged_into_id is not None:
                member = s.get(_Member, member.merged_into_id) or member
            shown = _member(member, workshop.anonymous, token=token) if member else None
            return _workshop(workshop, revision), shown

    def members(self, workshop_id: int) -> list[Member]:
        """Everyone who joined, in order; named "Member N" if the workshop is anonymous."""
        with self._tx() as s:
            rows = s.execute(
                select(_Member, _Workshop.anonymous)
                .join(_Workshop, _Workshop.id == _Member.workshop_id)
                .where(_Member.workshop_id == workshop_id)
                .order_by(_Member.position)
            )
            return [_member(r, anonymous) for r, anonymous in rows]

    def member_states(self, workshop_id: int) -> dict[str, tuple[bool, bool, bool]]:
        """Per member link's hash (`token_hash`): (absent, removed, admitted) of the member
        it acts as (a merged duplicate's link acts as the member it was merged into). One
        light query."""
        with self.read() as s:
            rows = s.execute(
                select(
                    _Member.id,
                    _Member.token,
                    _Member.absent,
                    _Member.removed_at,
                    _Member.admitted,
                    _Member.merged_into_id,
                ).where(_Member.workshop_id == workshop_id)
            ).all()
        state = {r.id: (r.absent, r.removed_at is not None, r.admitted) for r in rows}
        return {
            r.token: state.get(r.merged_into_id, state[r.id])
            if r.merged_into_id is not None
            else state[r.id]
            for r in rows
        }

    @staticmethod
    def _anonymous(s: Session, workshop_id: int) -> bool:
        return bool(s.scalar(select(_Workshop.anonymous).where(_Workshop.id == workshop_id)))

    def set_member_state(
        self,
        workshop_id: int,
        member_id: int,
        *,
        removed: bool | None = None,
        absent: bool | None = None,
        admitted: bool | None = None,
    ) -> Member:
        """Remove a member (their draft goes with them, kept as removed) or bring them
        back; mark them absent or present."""
        with self._tx() as s:
            row = s.get_one(_Member, member_id)
            if row.workshop_id != workshop_id:
                raise StoreError("That member belongs to another workshop.")
            if removed is not None:
                row.removed_at = now() if removed else None
                s.execute(
                    update(_Draft)
                    .where(_Draft.member_id == member_id)
                    .values(deleted_at=now() if removed else None)
                )
            if absent is not None:
                row.absent = absent
            if admitted is not None:
                row.admitted = admitted
            self.bump(s, workshop_id)
            return _member(row, self._anonymous(s, workshop_id))

    def rename_member(self, member_id: int, name: str) -> Member:
        with self._tx() as s:
            row = s.get_one(_Member, member_id)
            row.name = name
            self.bump(s, row.workshop_id)
            return _member(row)

    # -- drafts ------------------------------------------------------------
    def add_version(
        self,
        member: Member,
        text: str,
        scores: dict[str, int],
        rubric_version: str,
        nonce: str,
        *,
        guard: Callable[[int, list[datetime]], None] | None = None,
    ) -> tuple[DraftVersion, bool]:
        """Store a new version of the member's draft; (version, False) when it is a repeat.

        A repeat is the same nonce as a recent version (a double submit) or the same text
        as the latest. Otherwise `guard(versions_so_far, recent_times)` may refuse the new
        version (too many); it sees the latest RECENT versions' times, newest first.
        """
        for _ in range(3):  # a concurrent first submit can race on the unique member draft
            try:
                with self._tx() as s:
                    return self._add_version(s, member, text, scores, rubric_version, nonce, guard)
            except IntegrityError:
                continue
        raise StoreError("Could not save the draft: too many simultaneous changes. Try again.")

    def _add_version(
        self,
        s: Session,
        member: Member,
        text: str,
        scores: dict[str, int],
        rubric_version: str,
        nonce: str,
        guard: Callable[[int, list[datetime]], None] | None,
    ) -> tuple[DraftVersion, bool]:
        draft = s.scalar(select(_Draft).where(_Draft.member_id == member.id))
        if draft is None:
            draft = _Draft(workshop_id=member.workshop_id, member_id=member.id, created_at=now())
            s.add(draft)
            s.flush()
        recent = list(
            s.scalars(
                select(_Version)
                .where(_Version.draft_id == draft.id)
                .order_by(_Version.version.desc())
                .limit(RECENT)
            )
        )
        latest = recent[0] if recent else None
        for earlier in recent:
            if earlier.nonce == nonce:
                return _version(earlier), False
        if latest is not None and latest.text == text:
            return _version(latest), False
        if guard is not None:
            guard(latest.version if latest else 0, [_utc(v.created_at) for v in recent])
        row = _Version(
            draft_id=draft.id,
            version=(latest.version if latest else 0) + 1,
            text=text,
            scores=json.dumps(scores),
            rubric_version=rubric_version,
            nonce=nonce,
            created_at=now(),
        )
        s.add(row)
        draft.deleted_at = None  # a new version brings a removed draft back
        s.flush()
        self.bump(s, member.workshop_id)  # last: its counter row stays locked to commit
        return _version(row), True

    def drafts(
        self, workshop_id: int, *, include_deleted: bool = False, member_id: int | None = None
    ) -> list[Draft]:
        """Every draft (or one member's) with all its versions, in member order."""
        with self._tx() as s:
            q = (
                select(_Draft, _Member, _Workshop.anonymous)
                .join(_Member, _Member.id == _Draft.member_id)
                .join(_Workshop, _Workshop.id == _Draft.workshop_id)
                .where(_Draft.workshop_id == workshop_id)
                .order_by(_Member.position)
            )
            if member_id is not None:
                q = q.where(_Draft.member_id == member_id)
            if not include_deleted:
                q = q.where(_Draft.deleted_at.is_(None))
            found = s.execute(q).all()
            ids = [d.id for d, _, _ in found]
            versions: dict[int, list[DraftVersion]] = {i: [] for i in ids}
            if ids:
                for v in s.scalars(
                    select(_Version)
                    .where(_Version.draft_id.in_(ids))
                    .order_by(_Version.draft_id, _Version.version)
                ):
                    versions[v.draft_id].append(_version(v))
            return [
                Draft(
                    id=d.id,
                    member_id=m.id,
                    member_name=_member(m, anonymous).display_name,
                    deleted=d.deleted_at is not None,
                    versions=tuple(versions[d.id]),
                )
                for d, m, anonymous in found
                if versions[d.id]
            ]

    def set_draft_deleted(self, workshop_id: int, draft_id: int, deleted: bool) -> None:
        with self._tx() as s:
            row = s.get_one(_Draft, draft_id)
            if row.workshop_id != workshop_id:
                raise StoreError("That draft belongs to another workshop.")
            row.deleted_at = now() if deleted else None
            self.bump(s, workshop_id)
