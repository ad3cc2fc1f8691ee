"""Persistence through SQLAlchemy 2: a SQLite file by default, any SQLAlchemy URL by config.

Every method opens a short transaction and returns plain frozen models, never ORM rows,
so nothing outlives its session and pages can cache what they are given.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, ConfigDict
from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from coach.config import DEFAULT_POOL_SIZE
from coach.errors import CoachError, InputError
from coach.migrations import migrate

RECENT = 10  # versions add_version shows its guard (and searches for a repeated nonce)


class StoreError(CoachError):
    """The database cannot be reached or written."""


class WorkshopFull(InputError):
    """No room for one more member."""


def now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# -- ORM rows: the current schema (migrations.py builds it) -------------------


class _Base(DeclarativeBase):
    pass


class _Workshop(_Base):
    __tablename__ = "workshops"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    focus: Mapped[str] = mapped_column(String(300), default="")
    facilitator_key_hash: Mapped[str] = mapped_column(String(64))
    revealed: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    # The revision as it stood before schema 6; no longer written (see _Revision).
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    adopted_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    adopted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    followup_due: Mapped[date | None] = mapped_column(Date, nullable=True)


class _Revision(_Base):
    """One of a workshop's revision counters: a writer adds 1 to one of SHARDS rows."""

    __tablename__ = "workshop_revisions"
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


# With one counter, every writer to a workshop queued for its row until commit: on
# PostgreSQL that alone added about 8 ms to make load's p95 (no bump: 13-15 ms, one
# row: 20-23 ms). Eight rows make a queue eight times rarer; reading sums eight rows.
SHARDS = 8
_REVISIONS = cast(Table, _Revision.__table__)
# A workshop's revision: the old column plus its counters. It only ever grows, by
# exactly one per committed change, so a screen can never miss one.
REVISION: ColumnElement[int] = (
    _Workshop.revision
    + select(func.coalesce(func.sum(_REVISIONS.c.n), 0))
    .where(_REVISIONS.c.workshop_id == _Workshop.id)
    .scalar_subquery()
)


class _Member(_Base):
    __tablename__ = "members"
    __table_args__ = (Index("ux_members_position", "workshop_id", "position", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    token: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _Draft(_Base):
    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), unique=True)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _Version(_Base):
    __tablename__ = "draft_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    scores: Mapped[str] = mapped_column(Text)  # JSON: {"overall": n, criterion: n, ...}
    rubric_version: Mapped[str] = mapped_column(String(40))
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


METADATA = _Base.metadata


# -- What the store hands out -------------------------------------------------


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class Workshop(_View):
    id: int
    code: str
    name: str
    organisation: str
    focus: str
    revealed: bool
    locked: bool
    revision: int
    created_at: datetime
    adopted_id: int | None = None  # the adopted candidate, once the team has agreed
    adopted_at: datetime | None = None
    followup_due: date | None = None  # when management gives feedback on the commitments


class Member(_View):
    id: int
    workshop_id: int
    name: str
    token: str
    position: int

    @property
    def display_name(self) -> str:
        return self.name or f"Member {self.position}"


class DraftVersion(_View):
    version: int
    text: str
    scores: dict[str, int]
    rubric_version: str
    created_at: datetime


class Draft(_View):
    id: int
    member_id: int
    member_name: str
    deleted: bool
    versions: tuple[DraftVersion, ...]

    @property
    def latest(self) -> DraftVersion:
        return self.versions[-1]


def _workshop(row: _Workshop, revision: int) -> Workshop:
    return Workshop(
        id=row.id,
        code=row.code,
        name=row.name,
        organisation=row.organisation,
        focus=row.focus,
        revealed=row.revealed,
        locked=row.locked,
        revision=revision,
        created_at=_utc(row.created_at),
        adopted_id=row.adopted_id,
        adopted_at=_utc(row.adopted_at) if row.adopted_at else None,
        followup_due=row.followup_due,
    )


def _member(row: _Member) -> Member:
    return Member(
        id=row.id,
        workshop_id=row.workshop_id,
        name=row.name,
        token=row.token,
        position=row.position,
    )


def normalise_url(url: str) -> URL:
    """A PostgreSQL URL without a driver means psycopg 3, the driver this project ships."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


class Store:
    def __init__(self, url: str, *, pool_size: int = DEFAULT_POOL_SIZE):
        parsed = normalise_url(url)
        self.url = parsed.render_as_string(hide_password=True)  # never the password
        where = parsed.render_as_string(hide_password=True)
        try:
            if parsed.get_backend_name() == "sqlite" and parsed.database not in (
                None,
                "",
                ":memory:",
            ):
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # A burst queues for a connection in the replica instead of crowding the
            # server; SQLite keeps SQLAlchemy's own pool.
            extra = (
                {}
                if parsed.get_backend_name() == "sqlite"
                else {"pool_size": pool_size, "max_overflow": 0}
            )
            self.engine = create_engine(parsed, pool_pre_ping=True, **extra)
            if parsed.get_backend_name() == "sqlite":
                _sqlite_pragmas(self.engine)
            self._migrate()
        except (OperationalError, OSError) as exc:
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(
                f"Cannot open the database at {where}: {reason}. Check COACH_DATABASE_URL, "
                "or unset it to use the local file."
            ) from exc
        except ModuleNotFoundError as exc:
            raise StoreError(
                f"No driver for {where}: install it (e.g. pip install 'psycopg[binary]')."
            ) from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Reads need no transaction: every statement sees what is committed, as it would
        # under READ COMMITTED, and autocommit saves the BEGIN and COMMIT round trips.
        self._reads = sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
        )

    def _migrate(self) -> None:
        """Upgrade the schema; replicas starting together take turns."""
        for attempt in range(5):
            try:
                with self.engine.begin() as conn:
                    if conn.dialect.name == "postgresql":
                        # One migrator at a time across every replica on this database.
                        conn.execute(text("SELECT pg_advisory_xact_lock(724001)"))
                    migrate(conn)
                return
            except (OperationalError, ProgrammingError, IntegrityError):
                # SQLite has no advisory lock: a replica that lost the race to create the
                # schema sees the other's tables and tries again.
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    _tx = transaction

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only (it never commits)."""
        with self._reads() as session:
            yield session

    def bump(self, s: Session, workshop_id: int) -> None:
        """Every change moves the workshop's revision on, so screens know to refresh.

        Call it last in a transaction: its counter row stays locked until commit. One
        transaction always uses one counter, so two bumps in it cannot deadlock another.
        """
        shard = s.info.setdefault("revision_shard", random.randrange(SHARDS))  # noqa: S311
        upsert(
            s,
            _REVISIONS,
            {"workshop_id": workshop_id, "shard": shard, "n": 1},
            keys=("workshop_id", "shard"),
            changes={"n": _REVISIONS.c.n + 1},
        )

    def load_workshop(self, s: Session, where: ColumnElement[bool]) -> Workshop | None:
        """The workshop matching `where`, with its revision, in this session."""
        found = s.execute(select(_Workshop, REVISION).where(where)).first()
        return _workshop(*found) if found else None

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
        with self.read() as s:
            return self.load_workshop(s, _Workshop.code == code)

    def key_hash(self, workshop_id: int) -> str:
        with self._tx() as s:
            return str(
                s.scalar(select(_Workshop.facilitator_key_hash).where(_Workshop.id == workshop_id))
            )

    def revision(self, workshop_id: int) -> int:
        with self.read() as s:
            return int(s.scalar(select(REVISION).where(_Workshop.id == workshop_id)) or 0)

    def set_flags(
        self, workshop_id: int, *, revealed: bool | None = None, locked: bool | None = None
    ) -> Workshop:
        values = {k: v for k, v in (("revealed", revealed), ("locked", locked)) if v is not None}
        with self._tx() as s:
            s.execute(update(_Workshop).where(_Workshop.id == workshop_id).values(**values))
            self.bump(s, workshop_id)
            found = self.load_workshop(s, _Workshop.id == workshop_id)
            if found is None:
                raise StoreError(f"There is no workshop {workshop_id}.")
            return found

    # -- members -----------------------------------------------------------
    def add_member(
        self, workshop_id: int, name: str, token: str, *, capacity: int | None = None
    ) -> Member:
        """The next position in the workshop, or WorkshopFull past `capacity` members.

        Position and room are decided in the inserting statement itself (members are never
        deleted, so the highest position is the count): a rush can neither share a
        position nor overfill the workshop.
        """
        members = cast(Table, _Member.__table__)
        for attempt in range(30):
            try:
                with self._tx() as s:
                    if s.get_bind().dialect.name == "postgresql":
                        # Joins to one workshop queue here instead of clashing and retrying.
                        s.execute(text("SELECT pg_advisory_xact_lock(1, :w)"), {"w": workshop_id})
                    so_far = (
                        select(func.coalesce(func.max(members.c.position), 0).label("n"))
                        .where(members.c.workshop_id == workshop_id)
                        .subquery()
                    )
                    joined = now()
                    nxt = select(
                        literal(workshop_id),
                        literal(name, String),
                        literal(token, String),
                        so_far.c.n + 1,
                        literal(joined, DateTime(timezone=True)),
                    )
                    if capacity is not None:
                        nxt = nxt.where(so_far.c.n < capacity)
                    added = s.execute(
                        insert(members)
                        .from_select(
                            ["workshop_id", "name", "token", "position", "created_at"], nxt
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
                    )
            except IntegrityError:
                time.sleep(random.uniform(0, 0.01 * (attempt + 1)))  # noqa: S311 - jitter only
        raise StoreError("Too many people are joining at once: try again in a moment.")

    def member(self, token: str) -> Member | None:
        with self._tx() as s:
            row = s.scalar(select(_Member).where(_Member.token == token))
            return _member(row) if row else None

    def membership(self, code: str, token: str) -> tuple[Workshop | None, Member | None]:
        """The workshop with this code and, if the token belongs to it, that member: one query."""
        with self.read() as s:
            found = s.execute(
                select(_Workshop, REVISION, _Member)
                .outerjoin(
                    _Member, (_Member.workshop_id == _Workshop.id) & (_Member.token == token)
                )
                .where(_Workshop.code == code)
            ).first()
            if found is None:
                return None, None
            workshop, revision, member = found
            return _workshop(workshop, revision), _member(member) if member else None

    def members(self, workshop_id: int) -> list[Member]:
        with self._tx() as s:
            rows = s.scalars(
                select(_Member).where(_Member.workshop_id == workshop_id).order_by(_Member.position)
            )
            return [_member(r) for r in rows]

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
        self.bump(s, member.workshop_id)  # last: the workshop row stays locked to commit
        return _version(row), True

    def drafts(
        self, workshop_id: int, *, include_deleted: bool = False, member_id: int | None = None
    ) -> list[Draft]:
        """Every draft (or one member's) with all its versions, in member order."""
        with self._tx() as s:
            q = (
                select(_Draft, _Member)
                .join(_Member, _Member.id == _Draft.member_id)
                .where(_Draft.workshop_id == workshop_id)
                .order_by(_Member.position)
            )
            if member_id is not None:
                q = q.where(_Draft.member_id == member_id)
            if not include_deleted:
                q = q.where(_Draft.deleted_at.is_(None))
            pairs = s.execute(q).all()
            ids = [d.id for d, _ in pairs]
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
                    member_name=_member(m).display_name,
                    deleted=d.deleted_at is not None,
                    versions=tuple(versions[d.id]),
                )
                for d, m in pairs
                if versions[d.id]
            ]

    def set_draft_deleted(self, workshop_id: int, draft_id: int, deleted: bool) -> None:
        with self._tx() as s:
            row = s.get_one(_Draft, draft_id)
            if row.workshop_id != workshop_id:
                raise StoreError("That draft belongs to another workshop.")
            row.deleted_at = now() if deleted else None
            self.bump(s, workshop_id)


def _version(row: _Version) -> DraftVersion:
    return DraftVersion(
        version=row.version,
        text=row.text,
        scores=json.loads(row.scores),
        rubric_version=row.rubric_version,
        created_at=_utc(row.created_at),
    )


def upsert(
    s: Session,
    table: Any,
    values: dict[str, Any],
    *,
    keys: tuple[str, ...],
    changes: dict[str, Any],
) -> None:
    """Insert `values`, or apply `changes` to the row whose `keys` match: one statement
    on PostgreSQL and SQLite; elsewhere an update, then an insert if nothing matched (a
    race there ends in IntegrityError, which writers retry)."""
    dialect = s.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        make = postgresql.insert if dialect == "postgresql" else sqlite.insert
        s.execute(
            make(table).values(values).on_conflict_do_update(index_elements=keys, set_=changes)
        )
        return
    portable_upsert(s, table, values, keys=keys, changes=changes)


def portable_upsert(
    s: Session,
    table: Any,
    values: dict[str, Any],
    *,
    keys: tuple[str, ...],
    changes: dict[str, Any],
) -> None:
    """`upsert` for databases without ON CONFLICT: update, else insert."""
    match = [table.c[k] == values[k] for k in keys]
    if s.execute(update(table).where(*match).values(changes)).rowcount == 0:  # type: ignore[attr-defined]
        s.execute(insert(table).values(values))
