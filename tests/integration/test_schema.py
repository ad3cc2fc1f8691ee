"""The migrated database matches the ORM rows: every table, column, type and constraint.

Alembic's compare_metadata does the diff. All rows live in coach/storage/rows.py, so the
metadata is whole however this file is collected (alone or with others).
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, String

from coach.storage.migrations import VERSION_TABLE
from coach.storage.rows import METADATA
from coach.storage.workshops import Store

TABLES = {
    "workshops", "workshop_revisions", "members", "drafts", "draft_versions",
    "rounds", "candidates", "ballots", "checks",
    "plans", "commitments", "checkins", "manager_feedback", "llm_cache", "llm_usage",
    "devices", "partner_notes", "sent_messages", "ideas",
    "agenda_items", "items", "step_results", "step_checks", "step_ballots", "recommendations",
    "ratings", "programmes", "round_members",
}  # fmt: skip


def _not_bookkeeping(obj: Any, name: str | None, kind: str, reflected: bool, other: Any) -> bool:
    return not (kind == "table" and name == VERSION_TABLE)


def _drift(database_url: str, metadata: MetaData) -> list[Any]:
    store = Store(database_url)  # runs every migration on an empty database
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": _not_bookkeeping}
        )
        return list(compare_metadata(ctx, metadata))


def test_the_migrated_database_is_exactly_the_orm_rows(database_url: str) -> None:
    # Every row class, not just those some imported module happened to register.
    assert set(METADATA.tables) == TABLES
    assert _drift(database_url, METADATA) == []


def test_a_drifted_model_is_caught(database_url: str) -> None:
    """The same comparison fails on a model a migration does not build: a new column,
    a changed type, a lost constraint."""
    drifted = MetaData()
    for table in METADATA.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["members"].append_column(Column("nickname", String(40)))
    drifted.tables["workshops"].c.name.type = Integer()
    ballots = drifted.tables["ballots"]
    ballots.constraints = {
        c for c in ballots.constraints if not c.__class__.__name__.startswith("Unique")
    }
    kinds = {(d[0] if isinstance(d, tuple) else d[0][0]) for d in _drift(database_url, drifted)}
    assert "add_column" in kinds  # the model has a column no migration builds
    assert "modify_type" in kinds
    if database_url.startswith("postgresql"):  # SQLite does not name, so cannot reflect, these
        assert "remove_constraint" in kinds
