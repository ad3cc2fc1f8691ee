"""Acknowledged writes survive the app being killed (SIGKILL) mid-burst, on SQLite and PostgreSQL.

A child process submits drafts in a tight loop and prints one line per acknowledged write;
the test kills it, reopens the database with a fresh Store and looks for every line.
`database_url` (tests/conftest.py) gives a fresh database of each kind; PostgreSQL runs
when COACH_TEST_POSTGRES_URL points at a server and skips with the reason otherwise.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.load import Pace, run, verify
from coach.domain.codes import token_hash
from coach.storage.workshops import Store
from tests.conftest import ROOT

HOLD = "hold"  # kill inside an open, flushed, uncommitted write transaction
UNCOMMITTED = "uncommitted-"  # the nonce of every row the held transaction writes

# The app in miniature: one service per process, one write after another. With a hold
# count, it then opens a write transaction big enough to spill into the SQLite WAL (or
# PostgreSQL's), says so, and waits there to be killed.
WRITER = r"""
import json, sys, time
from sqlalchemy import text
from coach.config import Settings
from coach.bootstrap import build

hold_after = int(sys.argv[1])
services = build(Settings.from_env())
ws, _ = services.workshops.create("Crash test")
tokens = [services.workshops.join(ws.code, f"M{i}")[1].token for i in range(20)]
print(json.dumps({"workshop_id": ws.id}), flush=True)
i = 0
while True:
    token = tokens[i % len(tokens)]
    words = f"We get {i} families into a safe home within a week of their first call."
    sub = services.workshops.submit(ws.code, token, words, f"nonce-{i}")
    ack = {"token": token, "version": sub.version.version, "text": words, "new": sub.created}
    print(json.dumps(ack), flush=True)
    i += 1
    if i == hold_after:
        with services.store.transaction() as s:
            draft = s.execute(text("SELECT id FROM drafts ORDER BY id LIMIT 1")).scalar_one()
            rows = [
                {"d": draft, "v": 10_000 + n, "t": "x" * 2000, "n": f"uncommitted-{n}"}
                for n in range(4000)
            ]
            s.execute(
                text(
                    "INSERT INTO draft_versions "
                    "(draft_id, version, text, scores, rubric_version, nonce, created_at) "
                    "VALUES (:d, :v, :t, '{}', 'x', :n, CURRENT_TIMESTAMP)"
                ),
                rows,
            )
            print(json.dumps({"holding": True}), flush=True)
            time.sleep(120)
"""

MOMENTS = {  # acks seen before the kill; HOLD kills inside the big transaction after 40
    "early": 30,
    "middle": 45,
    "late": 60,
    HOLD: 40,
}


def _reader(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _kill_during_burst(url: str, tmp_path: Path, moment: str) -> tuple[list[dict[str, Any]], int]:
    """Start the writer, SIGKILL it at the moment, and return every ack it got out."""
    env = {**os.environ, "COACH_DATABASE_URL": url}
    hold_after = MOMENTS[moment] if moment == HOLD else 0
    with (tmp_path / "writer.err").open("w+") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(hold_after)],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            cwd=ROOT,
            env=env,
        )
        assert proc.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True)
        reader.start()
        header: dict[str, Any] | None = None
        acks: list[dict[str, Any]] = []
        deadline = time.monotonic() + 20
        try:
            while True:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
                if line is None:
                    break  # the writer died on its own: the asserts below say so
                msg = json.loads(line)
                if header is None:
                    header = msg
                elif "token" in msg:
                    acks.append(msg)
                if msg.get("holding") or (moment != HOLD and len(acks) >= MOMENTS[moment]):
                    break
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        reader.join(timeout=10)
        # Lines written before the kill are still in the pipe: those writes were acked too.
        while not lines.empty():
            rest = lines.get_nowait()
            if rest is not None and "token" in (msg := json.loads(rest)):
                acks.append(msg)
        err.seek(0)
        errors = err.read()
    assert proc.returncode == -signal.SIGKILL, f"writer ended on its own:\n{errors[-2000:]}"
    assert header is not None, f"writer never started:\n{errors[-2000:]}"
    assert len(acks) >= MOMENTS[moment]
    return acks, int(header["workshop_id"])


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_sigkill_loses_no_acknowledged_write(database_url: str, tmp_path: Path, moment: str):
    acks, workshop_id = _kill_during_burst(database_url, tmp_path, moment)
    sqlite = make_url(database_url).get_backend_name() == "sqlite"
    if sqlite:
        wal = Path(str(make_url(database_url).database) + "-wal")
        assert wal.exists(), "no WAL left behind: the recovery path was not exercised"
        if moment == HOLD:  # the uncommitted transaction really reached the WAL file
            assert wal.stat().st_size > 4_000_000

    store = Store(database_url)  # a fresh process would open it exactly like this
    try:
        with store.engine.connect() as conn:
            if sqlite:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            rows = conn.execute(
                text(
                    "SELECT m.token, v.version, v.text, v.nonce FROM draft_versions v "
                    "JOIN drafts d ON d.id = v.draft_id JOIN members m ON m.id = d.member_id "
                    "WHERE d.workshop_id = :w"
                ),
                {"w": workshop_id},
            ).all()
        stored = Counter((r[0], r[1], r[2]) for r in rows)
        for ack in acks:
            assert ack["new"], ack  # every submission in the burst was a new version
            n = stored[(token_hash(ack["token"]), ack["version"], ack["text"])]
            assert n == 1, f"acknowledged write stored {n} times: {ack}"
        assert not [r for r in rows if r[3].startswith(UNCOMMITTED)], "uncommitted rows survived"
        # Each member's versions run 1..n with no gap or repeat.
        versions: dict[str, list[int]] = {}
        for token, version, _, _ in rows:
            versions.setdefault(token, []).append(version)
        for token, numbers in versions.items():
            assert sorted(numbers) == list(range(1, len(numbers) + 1)), token
        # Only the write in flight at the kill may have committed without its ack getting out.
        assert len(acks) <= len(rows) <= len(acks) + (0 if moment == HOLD else 1)
    finally:
        store.engine.dispose()


def test_load_quick_run_loses_and_duplicates_nothing(tmp_path: Path):
    """bench/load.py's core, small: participants in two processes, checked against the rows."""
    url = f"sqlite:///{tmp_path / 'load.db'}"
    result = run(url, participants=12, processes=2, pace=Pace(300, (10, 60)), timeout_s=45)
    assert result.aborted is None
    assert result.verdict.lost == []
    assert result.verdict.duplicated == []
    assert result.verdict.unexpected == []
    kinds = Counter(a[1] for a in result.acks)
    assert kinds["join"] == 12 and kinds["ballot"] == 24
    assert kinds["draft"] >= 24 and kinds["check"] >= 12

    # The check itself must notice a lost ballot and a version nobody was told about.
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM ballots WHERE id = (SELECT min(id) FROM ballots)"))
        conn.execute(
            text(
                "INSERT INTO draft_versions "
                "(draft_id, version, text, scores, rubric_version, nonce, created_at) "
                "SELECT min(id), 99, 'Stray', '{}', 'x', 'stray', CURRENT_TIMESTAMP FROM drafts"
            )
        )
    engine.dispose()
    tampered = verify(url, result.workshop_id, result.acks)
    assert [x.split(" of ")[0] for x in tampered.lost] == ["ballot"]
    assert len(tampered.unexpected) == 1 and tampered.unexpected[0].endswith("v99")


def test_an_event_load_run_covers_every_team_and_loses_nothing(database_url: str):
    """bench/load.py at event shape, small: a programme of three teams of four in two
    processes, each team through Step 4 at once; every write checked against the rows."""
    result = run(
        database_url, participants=12, processes=2, teams=3, pace=Pace(300, (10, 60)), timeout_s=60
    )
    assert result.aborted is None
    assert (result.verdict.lost, result.verdict.duplicated, result.verdict.unexpected) == (
        [],
        [],
        [],
    )
    assert result.verdict.anomalies == []
    assert len(set(result.workshop_ids)) == 3
    store = Store(database_url)
    try:
        with store.engine.connect() as conn:
            programmes = conn.execute(
                text("SELECT DISTINCT programme_id FROM workshops WHERE id IN (:a, :b, :c)"),
                dict(zip("abc", result.workshop_ids, strict=True)),
            ).all()
            per_team = dict(
                conn.execute(
                    text("SELECT workshop_id, count(*) FROM members GROUP BY workshop_id")
                ).all()
            )
            ballots = dict(
                conn.execute(
                    text(
                        "SELECT r.workshop_id, count(*) FROM ballots b "
                        "JOIN rounds r ON r.id = b.round_id GROUP BY r.workshop_id"
                    )
                ).all()
            )
        # A write acknowledged in one team but missing there is caught, whichever team.
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM checks WHERE id = (SELECT max(id) FROM checks)"))
    finally:
        store.engine.dispose()
    # The teams belong to one programme, and each has its own four members and ballots:
    # participants were dealt round the teams, not piled into one.
    assert len(programmes) == 1 and programmes[0][0] is not None
    assert per_team == dict.fromkeys(result.workshop_ids, 4)
    assert ballots == dict.fromkeys(result.workshop_ids, 4)
    kinds = Counter(a[1] for a in result.acks)
    assert kinds["join"] == 12 and kinds["ballot"] == 24

    tampered = verify(database_url, result.workshop_ids, result.acks)
    assert [x.split(" of ")[0] for x in tampered.lost] == ["check"]
