"""The database: engine, migrations on start, transactions, revisions and upserts.

A SQLite file by default, any SQLAlchemy URL by config (PostgreSQL through psycopg 3).
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from functools import wraps
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, create_engine, event, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from coach.config import DEFAULT_POOL_SIZE
from coach.domain.types import Workshop
from coach.errors import CoachError
from coach.storage.migrations import migrate
from coach.storage.rows import _REVISIONS, REVISION, SHARDS, _Workshop, _workshop


class StoreError(CoachError):
    """The database cannot be reached or written.

    str(exc) is what anyone may read (a phone, a projected page): what happened and what
    to do. `detail` (driver text, host and port) is for the server log and the operator's
    command line only.
    """

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


_log = logging.getLogger("coach.storage")


# The session of the unit of work running in this thread (Streamlit runs each browser
# session's script in a thread of its own), with the database it belongs to.
_UNIT: ContextVar[tuple[Database, Session] | None] = ContextVar("unit_of_work", default=None)


def normalise_url(url: str) -> URL:
    """A PostgreSQL URL without a driver means psycopg 3, the driver this project ships."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _private_file(path: Path) -> None:
    """The SQLite file (and the folder it goes in, if new) readable by its owner only:
    it holds member links and drafts. SQLite gives its -wal and -shm files the same mode."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _sqlite_pragmas(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


def _unavailable(exc: OperationalError | PoolTimeout) -> StoreError:
    """An outage or a jam, said so a person knows what happened and what to do."""
    if isinstance(exc, PoolTimeout):
        return StoreError(
            "The database is busy: every connection this app keeps to it stayed in use. "
            "Your last action was not saved; try it again in a moment. If this keeps "
            "happening, raise COACH_DB_POOL_SIZE."
        )
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
    _log.warning("database error: %s", reason)
    lowered = reason.lower()
    if "readonly" in lowered or "read-only" in lowered or "read only" in lowered:
        return StoreError(
            "The app cannot save: its database is read-only. Tell whoever runs the app to "
            "check that the data folder can be written. What you typed is still here.",
            reason,
        )
    if "disk is full" in lowered or "no space" in lowered or "disk full" in lowered:
        return StoreError(
            "The app cannot save: the server's disk is full. Tell whoever runs the app to "
            "free some space. What you typed is still here.",
            reason,
        )
    return StoreError(
        "The database did not answer. Your last action was not saved; try it again in a "
        "moment. (Whoever runs the app can see why in the server log.)",
        reason,
    )


@contextmanager
def _said(sessions: AbstractContextManager[Session]) -> Iterator[Session]:
    """A session whose outage or jam comes out as a StoreError a person can act on."""
    try:
        with sessions as session:
            yield session
    except (OperationalError, PoolTimeout) as exc:
        raise _unavailable(exc) from exc


class Database:
    """One engine per process; the stores for each part of the product share it."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = DEFAULT_POOL_SIZE,
        pool_timeout: float = 10.0,
        busy_timeout_ms: int = 10_000,
    ):
        parsed = normalise_url(url)
        self.url = parsed.render_as_string(hide_password=True)  # never the password
        where = parsed.render_as_string(hide_password=True)
        try:
            if parsed.get_backend_name() == "sqlite" and parsed.database not in (
                None,
                "",
                ":memory:",
            ):
                _private_file(Path(parsed.database))
            # A burst queues for a connection in the replica instead of crowding the
            # server; SQLite keeps SQLAlchemy's own pool.
            extra = (
                {}
                if parsed.get_backend_name() == "sqlite"
                else {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": pool_timeout}
            )
            self.engine = create_engine(parsed, pool_pre_ping=True, **extra)
            if parsed.get_backend_name() == "sqlite":
                _sqlite_pragmas(self.engine, busy_timeout_ms)
            self._migrate()
        except (OperationalError, OSError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip()
            _log.error("cannot open the database at %s: %s", where, reason)
            raise StoreError(
                "The app cannot open its database. Whoever runs it should check "
                "COACH_DATABASE_URL (or unset it to use the local file); the server log "
                "says why.",
                f"{where}: {reason}",
            ) from exc
        except ModuleNotFoundError as exc:
            raise StoreError(
                "The app has no driver for its database: whoever runs it should install it "
                "(e.g. pip install 'psycopg[binary]').",
                where,
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
    def unit_of_work(self) -> Iterator[None]:
        """Every store call in the block shares one transaction: all of it commits when
        the block ends, or none of it if anything raises. A unit inside a unit joins it."""
        if self._joined() is not None:
            yield
            return
        with _said(self._sessions.begin()) as session:
            token = _UNIT.set((self, session))
            try:
                yield
            finally:
                _UNIT.reset(token)

    def _joined(self) -> Session | None:
        unit = _UNIT.get()
        return unit[1] if unit is not None and unit[0] is self else None

    def transaction(self) -> AbstractContextManager[Session]:
        """A transaction: committed when the block ends, rolled back if it raises; inside
        a unit of work, that unit's (which commits or rolls back as a whole)."""
        joined = self._joined()
        return nullcontext(joined) if joined is not None else _said(self._sessions.begin())

    _tx = transaction

    def read(self) -> AbstractContextManager[Session]:
        """A session for reading only (it never commits); inside a unit of work, the
        unit's own, so a use case reads what it has written so far."""
        joined = self._joined()
        return nullcontext(joined) if joined is not None else _said(self._reads())

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

    def lock_workshop(self, s: Session, workshop_id: int) -> None:
        """Hold the workshop until this transaction ends: facilitator actions on one workshop
        take turns, so each sees what the one before it did (two tabs, one result)."""
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(3, :w)"), {"w": workshop_id})
        else:  # SQLite: the first write takes the database's write lock until commit
            s.execute(update(_Workshop).where(_Workshop.id == workshop_id).values(id=_Workshop.id))

    def load_workshop(self, s: Session, where: ColumnElement[bool]) -> Workshop | None:
        """The workshop matching `where`, with its revision, in this session."""
        found = s.execute(select(_Workshop, REVISION).where(where)).first()
        return _workshop(*found) if found else None

    def reload_workshop(self, s: Session, workshop_id: int) -> Workshop:
        """The workshop as this session now sees it (after a change to it)."""
        found = self.load_workshop(s, _Workshop.id == workshop_id)
        if found is None:
            raise StoreError(f"There is no workshop {workshop_id}.")
        return found


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


class _HasDatabase(Protocol):
    @property
    def database(self) -> Database: ...


R = TypeVar("R")


def one_transaction(method: Callable[..., R]) -> Callable[..., R]:
    """A use case as one unit of work: every write in it commits together, or none does."""

    @wraps(method)
    def run(self: _HasDatabase, *args: Any, **kwargs: Any) -> R:
        with self.database.unit_of_work():
            return method(self, *args, **kwargs)

    return run
