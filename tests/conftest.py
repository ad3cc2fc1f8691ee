"""Shared fixtures: every test runs with no LLM configured and caches in a temp dir."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
LLM_VARS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COACH_MODEL", "COACH_LIVE_LLM")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in LLM_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COACH_DATABASE_URL", f"sqlite:///{tmp_path / 'coach.db'}")


# -- PostgreSQL: the store suites run against it as well as SQLite -------------------
PG_ADMIN_ENV = "COACH_TEST_POSTGRES_URL"  # e.g. postgresql://coach:coach@127.0.0.1:5432/postgres


def _pg_unavailable() -> str | None:
    admin = os.environ.get(PG_ADMIN_ENV)
    if not admin:
        return f"set {PG_ADMIN_ENV} to a PostgreSQL server's URL to run these"
    try:
        import psycopg

        with psycopg.connect(_libpq(admin), connect_timeout=3):
            return None
    except Exception as exc:
        return f"PostgreSQL at {PG_ADMIN_ENV} is not reachable ({type(exc).__name__})"


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session")
def _pg_server() -> Iterator[str]:
    """One scratch database for the whole run; each test gets its own schema in it.

    A database per test cost about half a second to create and drop; a schema costs a
    few milliseconds and is just as empty and just as private."""
    reason = _pg_unavailable()
    if reason:
        if os.environ.get("COACH_PG") == "1":
            pytest.fail(f"COACH_PG=1 but {reason}")
        pytest.skip(f"PostgreSQL: {reason}")
    import psycopg

    admin = _libpq(os.environ[PG_ADMIN_ENV])
    name = f"coach_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind; PostgreSQL is mandatory where COACH_PG=1.

    On PostgreSQL that is a new schema, the only one on the connection's search_path;
    its connections carry the schema's name, so teardown can end any the test left open."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'coach.db'}"
        return
    yield from _pg_schema(request)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty PostgreSQL schema, for what runs on PostgreSQL only (the hosted
    setup); mandatory where COACH_PG=1."""
    yield from _pg_schema(request)


def _pg_schema(request: pytest.FixtureRequest) -> Iterator[str]:
    import psycopg

    server = request.getfixturevalue("_pg_server")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{server}?application_name={schema}&options=-csearch_path%3D{schema}"
    # The schema itself goes with the scratch database at the end of the run: dropping
    # its tables one test at a time would cost as much as making them.
    _end_connections(server, schema)


def _end_connections(server: str, schema: str) -> None:
    """End every connection a test left open to its schema (they carry its name)."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (schema,),
        )


# -- The same, with the schema already in place: for tests that start with build() ----------
class _PgSchemas:
    """Migrated PostgreSQL schemas, emptied and handed out again, test after test."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.free: list[str] = []
        self.reset: dict[str, sql.Composed] = {}

    def url(self, schema: str) -> str:
        return f"{self.server}?application_name={schema}&options=-csearch_path%3D{schema}"

    def take(self) -> str:
        import psycopg

        if self.free:
            schema = self.free.pop()
            with psycopg.connect(self.server) as conn:  # one transaction: all rows or none
                conn.execute(self.reset[schema])
            return schema
        from coach.storage.migrations import VERSION_TABLE
        from coach.storage.rows import METADATA
        from coach.storage.workshops import Store

        schema = f"m_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        Store(self.url(schema)).engine.dispose()
        with psycopg.connect(self.server, autocommit=True) as conn:
            tables = {
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
                )
            } - {VERSION_TABLE}
            sequences = [
                r[0]
                for r in conn.execute(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = %s", (schema,)
                )
            ]
        # Children before parents; the migration's bookkeeping stays, so build() finds the
        # schema current and the test sees exactly what a freshly migrated one holds.
        known = [t.name for t in reversed(METADATA.sorted_tables) if t.name in tables]
        order = sorted(tables - set(known)) + known
        self.reset[schema] = sql.SQL("").join(
            [sql.SQL("DELETE FROM {};").format(sql.Identifier(schema, t)) for t in order]
            + [
                sql.SQL("ALTER SEQUENCE {} RESTART;").format(sql.Identifier(schema, q))
                for q in sequences
            ]
        )
        return schema

    def give_back(self, schema: str) -> None:
        _end_connections(self.server, schema)
        self.free.append(schema)


@pytest.fixture(scope="session")
def _pg_schemas(_pg_server: str) -> _PgSchemas:
    return _PgSchemas(_pg_server)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from coach.storage.workshops import Store

    path = tmp_path_factory.mktemp("template") / "coach.db"
    Store(f"sqlite:///{path}").engine.dispose()
    assert not path.with_name("coach.db-wal").exists()  # all in one file, safe to copy
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind with the current schema, as build() leaves a fresh
    one: what `database_url` gives a test that starts with build(), without paying for
    every migration again (about 40 ms on SQLite, 100-300 ms on PostgreSQL).

    Tests of migrations themselves take `database_url`."""
    if request.param == "sqlite":
        path = tmp_path / "coach.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    schemas: _PgSchemas = request.getfixturevalue("_pg_schemas")
    schema = schemas.take()
    yield schemas.url(schema)
    schemas.give_back(schema)
