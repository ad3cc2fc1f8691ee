"""The store against a real SQLite file in a temp dir."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from coach.domain.types import Member, Workshop
from coach.storage.db import StoreError, normalise_url, portable_upsert, upsert
from coach.storage.migrations import LATEST, current_version
from coach.storage.rows import SHARDS, _Revision
from coach.storage.workshops import Store


@pytest.fixture
def store(database_url: str) -> Store:
    """Every test here runs on SQLite and on PostgreSQL."""
    return Store(database_url)


def _workshop(store: Store, code: str = "ABCDEFGHJK12") -> Workshop:
    return store.create_workshop(
        code=code, name="Front desk", organisation="Hotel", focus="", key_hash="h" * 64
    )


def test_the_sqlite_file_and_its_folder_are_created(tmp_path: Path) -> None:
    Store(f"sqlite:///{tmp_path / 'sub' / 'coach.db'}")
    assert (tmp_path / "sub" / "coach.db").is_file()


def test_a_bare_postgresql_url_uses_psycopg_3() -> None:
    assert normalise_url("postgresql://u:p@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.db").drivername == "sqlite"


def test_schema_is_created_and_versioned(store: Store) -> None:
    with store.engine.connect() as conn:
        assert current_version(conn) == LATEST


def test_reopening_applies_nothing_and_keeps_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    w = _workshop(Store(url))
    again = Store(url)
    assert again.workshop(w.code) == w


def test_members_drafts_and_versions_round_trip(store: Store) -> None:
    w = _workshop(store)
    ana = store.add_member(w.id, "Ana", "tok-ana")
    anon = store.add_member(w.id, "", "tok-anon")
    assert anon.display_name == "Member 2"
    v1, created = store.add_version(ana, "We serve.", {"overall": 40}, "1", "n1")
    assert created and v1.version == 1
    v2, created = store.add_version(ana, "We serve every guest.", {"overall": 60}, "1", "n2")
    assert created and v2.version == 2
    [draft] = store.drafts(w.id)
    assert [v.text for v in draft.versions] == ["We serve.", "We serve every guest."]
    assert draft.latest.scores == {"overall": 60}
    assert draft.member_name == "Ana"


def test_double_submit_and_same_text_create_no_new_version(store: Store) -> None:
    w = _workshop(store)
    m = store.add_member(w.id, "Bo", "tok-bo")
    store.add_version(m, "We care.", {"overall": 1}, "1", "same-nonce")
    _, created = store.add_version(m, "We care!", {"overall": 1}, "1", "same-nonce")
    assert not created
    _, created = store.add_version(m, "We care.", {"overall": 1}, "1", "other-nonce")
    assert not created
    assert len(store.drafts(w.id)[0].versions) == 1


def test_text_is_stored_verbatim(store: Store) -> None:
    w = _workshop(store)
    m = store.add_member(w.id, "Cy", "tok-cy")
    odd = "  <script>x</script> **b** 🚀 نحن \u200f\n end  "
    store.add_version(m, odd, {"overall": 1}, "1", "n")
    assert store.drafts(w.id)[0].latest.text == odd


def test_soft_delete_hides_and_restores(store: Store) -> None:
    w = _workshop(store)
    m = store.add_member(w.id, "Di", "tok-di")
    store.add_version(m, "We help.", {"overall": 1}, "1", "n")
    draft = store.drafts(w.id)[0]
    store.set_draft_deleted(w.id, draft.id, True)
    assert store.drafts(w.id) == []
    assert store.drafts(w.id, include_deleted=True)[0].deleted
    store.set_draft_deleted(w.id, draft.id, False)
    assert len(store.drafts(w.id)) == 1


def test_soft_delete_refuses_another_workshops_draft(store: Store) -> None:
    w1, w2 = _workshop(store, "AAAAAAAAAAAA"), _workshop(store, "BBBBBBBBBBBB")
    m = store.add_member(w1.id, "Ed", "tok-ed")
    store.add_version(m, "We help.", {"overall": 1}, "1", "n")
    with pytest.raises(StoreError, match="another workshop"):
        store.set_draft_deleted(w2.id, store.drafts(w1.id)[0].id, True)


def test_every_change_moves_the_revision_on(store: Store) -> None:
    w = _workshop(store)
    r0 = store.revision(w.id)
    m = store.add_member(w.id, "Fa", "tok-fa")
    r1 = store.revision(w.id)
    store.add_version(m, "We help.", {"overall": 1}, "1", "n")
    r2 = store.revision(w.id)
    store.set_flags(w.id, revealed=True)
    assert r0 < r1 < r2 < store.revision(w.id)


def test_concurrent_writes_each_move_the_revision_exactly_once(store: Store) -> None:
    """Writers spread over several counters; none of their increments may be lost."""
    w = _workshop(store)
    members = [store.add_member(w.id, f"P{i}", f"tok-{i}") for i in range(24)]
    before = store.revision(w.id)
    start = threading.Barrier(len(members))

    def submit(m: Member) -> None:
        start.wait()
        store.add_version(m, f"We help {m.name}.", {"overall": 1}, "1", f"n-{m.id}")

    with ThreadPoolExecutor(len(members)) as pool:
        list(pool.map(submit, members))
    assert store.revision(w.id) == before + len(members)
    assert store.workshop(w.code).revision == before + len(members)  # type: ignore[union-attr]
    with store.engine.connect() as conn:
        used = conn.execute(select(func.count()).where(_Revision.workshop_id == w.id)).scalar_one()
    assert 1 <= used <= SHARDS


def test_a_transaction_that_bumps_twice_uses_one_counter(store: Store) -> None:
    w = _workshop(store)
    with store.transaction() as s:
        store.bump(s, w.id)
        store.bump(s, w.id)
    with store.engine.connect() as conn:
        rows = conn.execute(select(_Revision.n).where(_Revision.workshop_id == w.id)).all()
    assert [r.n for r in rows] == [2]
    assert store.revision(w.id) == 2


@pytest.mark.parametrize("native", [True, False], ids=["on-conflict", "portable"])
def test_upsert_inserts_then_changes_the_matching_row(store: Store, native: bool) -> None:
    """Both paths: ON CONFLICT where the database has it, update-else-insert elsewhere."""
    w = _workshop(store)
    other = _workshop(store, code="ZZZZZZZZZZZZ")
    table = _Revision.__table__
    write = upsert if native else portable_upsert
    for workshop_id in (w.id, w.id, w.id, other.id):
        with store.transaction() as s:
            write(
                s,
                table,
                {"workshop_id": workshop_id, "shard": 5, "n": 1},
                keys=("workshop_id", "shard"),
                changes={"n": table.c.n + 1},
            )
    assert (store.revision(w.id), store.revision(other.id)) == (3, 1)


def test_unreachable_database_gets_a_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open its database") as caught:
        Store(f"sqlite:///{blocker / 'coach.db'}")
    assert str(blocker) not in str(caught.value)  # no path, host or port for the page
    assert str(blocker) in caught.value.detail  # the operator's command line shows it


def test_an_outage_names_no_host_or_port_on_the_page() -> None:
    from sqlalchemy.exc import OperationalError

    from coach.storage.db import _unavailable

    orig = Exception('connection to server at "10.0.0.5", port 5432 failed: refused')
    said = _unavailable(OperationalError("SELECT 1", {}, orig))
    assert "10.0.0.5" not in str(said) and "5432" not in str(said)
    assert "5432" in said.detail
    full = _unavailable(OperationalError("INSERT", {}, Exception("database or disk is full")))
    assert "disk is full" in str(full) and "free some space" in str(full)
    ro = _unavailable(
        OperationalError("INSERT", {}, Exception("attempt to write a readonly database"))
    )
    assert "read-only" in str(ro) and "data folder can be written" in str(ro)


def test_duplicate_positions_are_renumbered_on_upgrade_and_now_impossible(
    database_url: str,
) -> None:
    from sqlalchemy import create_engine, text

    from coach.storage.migrations import migrate

    engine = create_engine(normalise_url(database_url))
    with engine.begin() as conn:
        migrate(conn, upto=4)
        conn.exec_driver_sql(
            "INSERT INTO workshops (id, code, name, organisation, focus, facilitator_key_hash,"
            " revealed, locked, revision, created_at) VALUES (7, 'ZZZZYYYYXXXX', 'Old', '', '',"
            " 'h', false, false, 0, '2026-01-01 10:00:00')"
        )
        for member_id, token in ((1, "t1"), (2, "t2"), (3, "t3")):
            conn.execute(
                text(
                    "INSERT INTO members (id, workshop_id, name, token, position, created_at) "
                    "VALUES (:i, 7, '', :t, 1, '2026-01-01 10:00:00')"
                ),
                {"i": member_id, "t": token},
            )
    engine.dispose()
    store = Store(database_url)
    assert [m.position for m in store.members(7)] == [1, 2, 3]
    assert [m.display_name for m in store.members(7)] == ["Member 1", "Member 2", "Member 3"]


def test_membership_finds_the_workshop_and_only_its_own_members(store: Store) -> None:
    w = _workshop(store)
    ana = store.add_member(w.id, "Ana", "tok-ana")
    now = store.workshop(w.code)
    assert store.membership(w.code, "tok-ana") == (now, ana)
    found, nobody = store.membership(w.code, "tok-nobody")
    assert found == now and nobody is None
    assert store.membership("NOSUCHCODE00", "tok-ana") == (None, None)


def test_a_server_database_keeps_the_configured_pool(database_url: str) -> None:
    """PostgreSQL gets a small fixed pool (a burst queues in the app, not on the server)."""
    store = Store(database_url, pool_size=3)
    pool = store.engine.pool
    shape = (pool.size(), pool._max_overflow)  # type: ignore[attr-defined]
    # SQLite writes one at a time whatever the pool: it keeps SQLAlchemy's defaults.
    assert shape == ((5, 10) if store.engine.dialect.name == "sqlite" else (3, 0))
    store.engine.dispose()


@pytest.mark.parametrize("raw", ["0", "many", "-2", "101"])
def test_a_bad_pool_size_setting_says_what_to_give(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.config import ConfigError, Settings

    monkeypatch.setenv("COACH_DB_POOL_SIZE", raw)
    with pytest.raises(ConfigError, match=r"COACH_DB_POOL_SIZE .* whole number .* 1 to 100"):
        Settings.from_env()
    monkeypatch.setenv("COACH_DB_POOL_SIZE", " 7 ")
    assert Settings.from_env().pool_size == 7


def test_an_outage_mid_action_says_so_saves_nothing_and_passes(database_url: str) -> None:
    """A lost connection or a jam is a StoreError a person can act on, not a traceback."""
    store = Store(database_url, pool_size=1, pool_timeout=0.3, busy_timeout_ms=100)
    w = _workshop(store)
    m = store.add_member(w.id, "Ana", "tok-ana")
    before = store.revision(w.id)
    not_saved = r"Your last action was not saved; try it again in a moment"
    if store.engine.dialect.name == "sqlite":
        # Another program holds the write lock past the busy timeout.
        blocker = sqlite3.connect(store.engine.url.database or "")
        blocker.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreError, match=rf"did not answer\. {not_saved}") as caught:
            store.add_version(m, "We help.", {"overall": 1}, "1", "n1")
        assert caught.value.detail == "database is locked"  # for the server log
        blocker.rollback()
        blocker.close()
    else:
        import psycopg

        # The server drops this app's connection in the middle of a transaction.
        outage = pytest.raises(StoreError, match=rf"did not answer\. {not_saved}")
        with outage, store.transaction() as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with psycopg.connect(database_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            store.bump(s, w.id)
        # Every connection (one here) stays in use longer than the app waits for one.
        with store.transaction() as s:
            s.execute(text("SELECT 1"))
            with pytest.raises(StoreError, match="The database is busy"):
                store.workshop(w.code)
    assert store.revision(w.id) == before and store.drafts(w.id) == []
    store.add_version(m, "We help.", {"overall": 1}, "1", "n1")  # and it works again
    assert store.revision(w.id) == before + 1
