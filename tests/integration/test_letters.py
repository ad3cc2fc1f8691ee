"""Candidate letters stay the same from round to round, and old databases get them too."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from coach.bootstrap import Services, build
from coach.config import Settings
from coach.domain.voting import letters
from coach.service.consensus import Consensus
from coach.storage.migrations import migrate
from coach.storage.workshops import Store

STAMP = "2026-01-01 00:00:00"
GOOD = {"desired": 4, "bold": 4, "clear": 4, "stretching": 4}


def test_letters_run_a_to_z_then_aa() -> None:
    assert [letters(i) for i in (0, 1, 25, 26, 27, 51, 52)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA",
    ]  # fmt: skip


def test_a_carried_candidate_keeps_its_letter_in_the_next_round(database_url: str) -> None:
    svc: Services = build(Settings(database_url=database_url, public_url=None))
    w, key = svc.workshops.create("Desk")
    members = [svc.workshops.join(w.code, n)[1] for n in ("Ana", "Bo", "Cy", "Di")]
    for i, m in enumerate(members):
        svc.workshops.submit(w.code, m.token, f"We welcome guest {i} like family.", f"n{i}")
    svc.workshops.set_revealed(w.code, key, True)
    for d in svc.store.drafts(w.id):
        svc.consensus.promote(w.code, key, d.id)
    svc.consensus.open_vote(w.code, key)
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    last = rnd.active[-1]  # D
    for m in members:
        svc.consensus.ballot(w.code, m.token, [[last.id]])
    svc.consensus.close_vote(w.code, key)
    for i, m in enumerate(members):
        svc.consensus.check(w.code, m.token, dict(GOOD, clear=1 if i else 4), "Vague." if i else "")
    svc.consensus.close_check(w.code, key)
    svc.consensus.next_round(w.code, key, "We welcome every hotel guest like family.")
    new = svc.consensus.current(svc.workshops.find(w.code))
    labels = {c.kind: Consensus.label(new, c.id) for c in new.candidates}
    assert labels == {"revised": "E", "carried": "D"}  # round 1's D is still D


def test_the_upgrade_gives_existing_candidates_their_letters(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        migrate(conn, upto=6)  # a database from before letters
        conn.execute(
            text(
                "INSERT INTO workshops (id, code, name, organisation, focus, "
                "facilitator_key_hash, revealed, locked, revision, created_at) "
                "VALUES (1, 'C', 'W', '', '', 'h', 1, 0, 0, :t)"
            ),
            {"t": STAMP},
        )
        rounds = [{"id": 1, "n": 1, "t": STAMP}, {"id": 2, "n": 2, "t": STAMP}]
        conn.execute(
            text(
                "INSERT INTO rounds (id, workshop_id, number, phase, outcome, created_at) "
                "VALUES (:id, 1, :n, 'closed', '', :t)"
            ),
            rounds,
        )
        rows = [(1, 1, "We A."), (2, 1, "We B."), (3, 2, "We C."), (4, 2, "We B.")]
        conn.execute(
            text(
                "INSERT INTO candidates (id, workshop_id, round_id, text, kind, sources, "
                "withdrawn, created_at) VALUES (:id, 1, :r, :words, 'merged', '[]', 0, :t)"
            ),
            [{"id": c, "r": r, "words": words, "t": STAMP} for c, r, words in rows],
        )
    Store(url)  # opens the database and upgrades it to the latest version
    with engine.connect() as conn:
        got = conn.execute(text("SELECT id, letter FROM candidates ORDER BY id")).all()
    assert [tuple(r) for r in got] == [(1, "A"), (2, "B"), (3, "C"), (4, "B")]
