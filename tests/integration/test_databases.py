"""The test databases themselves: a reused one must look exactly like a fresh one."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coach.bootstrap import build
from coach.config import Settings
from coach.storage.migrations import LATEST, current_version
from coach.storage.rows import METADATA
from tests.conftest import _PgSchemas


def _state(url: str) -> tuple[int, dict[str, int], int]:
    """Schema version, rows per table, and the id the next workshop gets."""
    svc = build(Settings(database_url=url, public_url=None))
    with svc.store.engine.connect() as conn:
        version = current_version(conn)
        rows = {
            t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
            for t in METADATA.sorted_tables
        }
    w, _ = svc.workshops.create("Desk")
    svc.workshops.join(w.code, "Ana")
    svc.store.engine.dispose()
    return version, rows, w.id


def test_a_migrated_database_is_empty_and_current(migrated_database_url: str) -> None:
    version, rows, first_id = _state(migrated_database_url)
    assert version == LATEST and set(rows.values()) == {0} and first_id == 1


def test_a_postgresql_schema_handed_out_again_is_as_good_as_new(
    request: pytest.FixtureRequest,
) -> None:
    schemas: _PgSchemas = request.getfixturevalue("_pg_schemas")
    used = schemas.take()
    assert _state(schemas.url(used))[2] == 1  # leaves a workshop and a member behind
    schemas.give_back(used)
    again = schemas.take()
    try:
        assert again == used
        version, rows, first_id = _state(schemas.url(again))
        assert version == LATEST and set(rows.values()) == {0} and first_id == 1
    finally:
        schemas.give_back(again)
