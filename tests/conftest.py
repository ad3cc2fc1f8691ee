"""Shared fixtures: every test runs with no LLM configured and caches in a temp dir."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    import psycopg

    server = request.getfixturevalue("_pg_server")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{server}?application_name={schema}&options=-csearch_path%3D{schema}"
    # The schema itself goes with the scratch database at the end of the run: dropping
    # its tables one test at a time would cost as much as making them.
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (schema,),
        )
