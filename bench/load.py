"""`make load`: many participants in several processes, all at once, in one or many teams.

By default it is an event: a programme of 20 team workshops of 12 (240 participants), each
team joining, drafting, voting and checking at the same time; `--teams 1` puts everyone in
one workshop.

Every write a participant sees succeed is recorded and checked against the database
afterwards: nothing acknowledged may be lost or stored twice, nothing unacknowledged may
appear. Latency is per write as the participant waits for it, retries included.

Both paces are far beyond human speed (a person writes about once a minute), to load the
store. One workshop: everyone starts within 2 s, then 0.2-1 s between one person's writes
(BURST). An event: everyone starts within 5 s, then 0.5-2 s between writes (EVENT, about
65 writes a second from 240 people); at the burst pace 240 people saturate a 2-core machine,
which `--ramp-ms 2000 --think-ms 200 1000` shows. The exit status answers durability
only, not latency. Then, at event scale, the cost of the event's idle phones on a real
server (bench.idle_phones).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import queue
import random
import secrets
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from coach.bootstrap import Services, build
from coach.config import DEFAULT_POOL_SIZE, Settings
from coach.domain.codes import token_hash
from coach.domain.types import QUESTIONS
from coach.scoring.scorer import score_text
from coach.storage.db import normalise_url

POSTGRES_ENV = "COACH_TEST_POSTGRES_URL"
TARGET_P95_MS = {"SQLite": 50.0, "PostgreSQL": 50.0}
EVENT_TEAMS, EVENT_TEAM_SIZE = 20, 12
ATTEMPTS = 3  # a participant presses the button again (same nonce) after an error
CANDIDATES = 3
STAGES = ("ready", "drafted", "voted", "result")

# (member token, kind, value, latency ms): kind is join | draft | ballot | check. Plain
# tuples, so they cross process boundaries without pickling classes from __main__.
Ack = tuple[str, str, Any, float]


@dataclass(frozen=True)
class Pace:
    """How hard participants push: start spread and pause between one person's writes."""

    ramp_ms: int = 2000
    think_ms: tuple[int, int] = (200, 1000)


BURST = Pace()
EVENT = Pace(5000, (500, 2000))


@dataclass
class Verdict:
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)  # in the database, never acknowledged
    # Wrong but not a lost or repeated write (e.g. two members given one position): shown,
    # not failed on, so `make load` keeps answering the durability question alone.
    anomalies: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.unexpected)


@dataclass
class LoadResult:
    backend: str
    participants: int
    processes: int
    workshop_ids: list[int]
    acks: list[Ack]
    errors: list[tuple[int, str, str]]  # participant, kind, message (each failed attempt)
    elapsed_s: float
    verdict: Verdict
    aborted: str | None = None

    @property
    def ok(self) -> bool:
        return self.aborted is None and self.verdict.ok

    @property
    def workshop_id(self) -> int:
        """The (first) workshop: the only one unless the run had teams."""
        return self.workshop_ids[0]


# -- PostgreSQL: a throwaway database per run ----------------------------------


def postgres_unavailable(url: str | None) -> str | None:
    """Why PostgreSQL cannot be used (None when it can)."""
    if not url:
        return f"{POSTGRES_ENV} is not set"
    try:
        engine = create_engine(
            normalise_url(url), poolclass=NullPool, connect_args={"connect_timeout": 3}
        )
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        reason = getattr(exc, "orig", None) or exc
        shown = normalise_url(url).render_as_string(hide_password=True)
        return f"cannot reach {shown}: {str(reason).strip().splitlines()[0]}"
    return None


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A fresh database on the server (a fresh schema without CREATEDB), dropped afterwards."""
    url = normalise_url(server_url)
    name = f"coach_load_{secrets.token_hex(4)}"
    admin = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        fresh = url.set(database=name)
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", "") != "42501":  # insufficient_privilege
            raise
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        fresh = url.update_query_dict({"options": f"-csearch_path={name}"})
        drop = f'DROP SCHEMA IF EXISTS "{name}" CASCADE'
    try:
        yield fresh.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(drop)
        admin.dispose()


# -- Participants (in worker processes) ------------------------------------------


def _draft_text(index: int, version: int) -> str:
    return (
        f"We help the {index + 1}th street's families find a safe, affordable home "
        f"within {version + 1} weeks of asking, every time."
    )


class _Worker:
    """One process's participants, each in its own thread, sharing one Services."""

    def __init__(self, services: Services, codes: list[str], first: int, count: int, seed: int):
        self.services = services
        self.codes = codes
        self.indexes = range(first, first + count)
        self.rng = {i: random.Random(seed * 100_003 + i) for i in self.indexes}
        self.tokens: dict[int, str] = {}
        # list.append is atomic under the GIL, and each participant writes from one thread
        # in order, so a participant's acks stay in the order they happened.
        self.acks: list[Ack] = []
        self.errors: list[tuple[int, str, str]] = []

    def write(self, index: int, kind: str, call: Callable[[], tuple[str, Any]]) -> bool:
        """Run one write, retrying as a person would; record it only once it returns."""
        start = time.perf_counter()
        for attempt in range(ATTEMPTS):
            try:
                token, value = call()
            except Exception as exc:  # every failure is a figure in the report
                self.errors.append((index, kind, f"{type(exc).__name__}: {exc}"[:300]))
                time.sleep(0.05 * (attempt + 1))
                continue
            self.acks.append((token, kind, value, (time.perf_counter() - start) * 1000))
            return True
        return False

    def code(self, index: int) -> str:
        """The participant's team: participants are dealt round the teams like cards."""
        return self.codes[index % len(self.codes)]

    def pause(self, index: int, pace: Pace) -> None:
        time.sleep(self.rng[index].uniform(*pace.think_ms) / 1000)

    def draft_phase(self, index: int, pace: Pace) -> None:
        rng = self.rng[index]
        time.sleep(rng.uniform(0, pace.ramp_ms) / 1000)

        def join() -> tuple[str, Any]:
            _, member = self.services.workshops.join(self.code(index), f"P{index}")
            self.tokens[index] = member.token
            return member.token, member.name

        if not self.write(index, "join", join):
            return
        token = self.tokens[index]
        nonce_base = secrets.token_hex(6)
        for version in range(2 + rng.randint(0, 1)):  # a first draft and one or two revisions
            self.pause(index, pace)
            words = _draft_text(index, version)

            def submit(
                words: str = words, nonce: str = f"{nonce_base}-{version}"
            ) -> tuple[str, Any]:
                sub = self.services.workshops.submit(self.code(index), token, words, nonce)
                return token, {"version": sub.version.version, "text": sub.version.text}

            self.write(index, "draft", submit)

    def vote_phase(self, index: int, pace: Pace, by_team: dict[str, list[int]]) -> None:
        token = self.tokens.get(index)
        if token is None:
            return
        candidates = by_team[self.code(index)]
        rng = self.rng[index]
        time.sleep(rng.uniform(0, pace.ramp_ms) / 1000)
        first = [[c] for c in rng.sample(candidates, len(candidates))]
        second = first
        while second == first:  # the replacement must differ, or a stale ballot looks fine
            order = rng.sample(candidates, len(candidates))
            second = (
                [order[:2], *([c] for c in order[2:])]
                if rng.random() < 0.3
                else [[c] for c in order]
            )
        for i, ranking in enumerate((first, second)):
            if i:
                self.pause(index, pace)

            def ballot(ranking: list[list[int]] = ranking) -> tuple[str, Any]:
                self.services.consensus.ballot(self.code(index), token, ranking)
                return token, ranking

            self.write(index, "ballot", ballot)

    def check_phase(self, index: int, pace: Pace) -> None:
        token = self.tokens.get(index)
        if token is None:
            return
        rng = self.rng[index]
        time.sleep(rng.uniform(0, pace.ramp_ms) / 1000)
        answers = 1 + (rng.random() < 0.35)  # about a third change their answer
        for i in range(answers):
            if i:
                self.pause(index, pace)
            scores = {q: rng.randint(2, 5) for q in QUESTIONS}
            concern = f"Name who we serve, says P{index} ({i})" if min(scores.values()) < 3 else ""

            def check(scores: dict[str, int] = scores, concern: str = concern) -> tuple[str, Any]:
                self.services.consensus.check(self.code(index), token, scores, concern)
                return token, {"scores": scores, "concern": concern}

            self.write(index, "check", check)


def _worker_main(
    plan: dict[str, Any],
    out: Any,
    go: Any,
    vote_open: Any,
    vote_closed: Any,
) -> None:
    """Entry point of a worker process: three phases, each after the coordinator's signal."""
    w = plan["worker"]
    deadline = plan["deadline"]
    pace = Pace(plan["ramp_ms"], (plan["think_ms"][0], plan["think_ms"][1]))
    services = build(
        Settings(database_url=plan["url"], public_url=None, pool_size=plan["pool_size"])
    )
    worker = _Worker(services, plan["codes"], plan["first"], plan["count"], plan["seed"])
    aborted = None
    try:
        # A running app has scored before and holds connections: measure it warm.
        score_text(_draft_text(-1, 0), "mission")
        for code in plan["codes"]:
            services.workshops.find(code)
        out.put(("ready", w))
        if not go.wait(max(0.0, deadline - time.time())):
            raise TimeoutError("no start signal")
        with ThreadPoolExecutor(max_workers=plan["count"]) as pool:
            list(pool.map(lambda i: worker.draft_phase(i, pace), worker.indexes))
            out.put(("drafted", w))
            if not vote_open.wait(max(0.0, deadline - time.time())):
                raise TimeoutError("the vote never opened")
            by_team = {}
            for code in plan["codes"]:
                rnd = services.consensus.current(services.workshops.find(code))
                by_team[code] = [c.id for c in rnd.active] if rnd else []
                if len(by_team[code]) < 2:
                    raise RuntimeError(f"{len(by_team[code])} candidates to rank in {code}")
            list(pool.map(lambda i: worker.vote_phase(i, pace, by_team), worker.indexes))
            out.put(("voted", w))
            if not vote_closed.wait(max(0.0, deadline - time.time())):
                raise TimeoutError("the vote never closed")
            list(pool.map(lambda i: worker.check_phase(i, pace), worker.indexes))
    except Exception as exc:
        aborted = f"worker {w}: {type(exc).__name__}: {exc}"
    finally:
        out.put(("result", w, worker.acks, worker.errors, aborted))
        services.store.engine.dispose()


# -- Coordinator -----------------------------------------------------------------


class _Coordinator:
    def __init__(self, out: Any, procs: list[Any], deadline: float):
        self.out = out
        self.procs = procs
        self.deadline = deadline
        self.stage = [-1] * len(procs)
        self.results: dict[int, tuple[list[Ack], list[tuple[int, str, str]], str | None]] = {}

    def await_stage(self, stage: str) -> str | None:
        """Wait until every worker reached the stage; the reason when it cannot."""
        need = STAGES.index(stage)
        while min(self.stage) < need:
            if time.time() > self.deadline:
                return f"timed out waiting for workers to reach '{stage}'"
            try:
                msg = self.out.get(timeout=0.5)
            except queue.Empty:
                for w, p in enumerate(self.procs):
                    if p.exitcode is not None and w not in self.results:
                        return f"worker {w} died (exit code {p.exitcode}) before reporting"
                continue
            w = msg[1]
            if msg[0] == "result":
                self.results[w] = (msg[2], msg[3], msg[4])
                self.stage[w] = len(STAGES) - 1
            else:
                self.stage[w] = max(self.stage[w], STAGES.index(msg[0]))
        return None


def _workshops(services: Services, teams: int) -> list[tuple[str, str, int]]:
    """(code, facilitator key, id) of each workshop: one alone, or a programme's teams."""
    if teams == 1:
        workshop, key = services.workshops.create("Load test")
        return [(workshop.code, key, workshop.id)]
    programme, lead = services.programmes.create("Load test event", "Load test")
    made = [
        services.programmes.add_team(programme.code, lead, f"Team {t + 1}", whole=False)
        for t in range(teams)
    ]
    return [(w.code, key, w.id) for w, key in made]


def run(
    url: str,
    participants: int = 200,
    processes: int = 4,
    *,
    teams: int = 1,
    pace: Pace | None = None,
    timeout_s: float = 50.0,
    seed: int = 7,
    backend: str = "SQLite",
    pool_size: int = DEFAULT_POOL_SIZE,
) -> LoadResult:
    """Run Step 4 in each workshop against `url` at once and verify what was acknowledged."""
    if teams < 1 or participants < CANDIDATES * teams:
        raise ValueError(
            f"need at least {CANDIDATES} participants a team for {CANDIDATES} candidates"
        )
    pace = pace or Pace()
    processes = max(1, min(processes, participants))
    services = build(Settings(database_url=url, public_url=None))
    made = _workshops(services, teams)
    ctx = mp.get_context("spawn")  # no engine or lock state inherited from this process
    out = ctx.Queue()
    go, vote_open, vote_closed = ctx.Event(), ctx.Event(), ctx.Event()
    deadline = time.time() + timeout_s
    share, extra = divmod(participants, processes)
    procs, first = [], 0
    for w in range(processes):
        count = share + (w < extra)
        plan = {
            "worker": w,
            "url": url,
            "codes": [code for code, _, _ in made],
            "first": first,
            "count": count,
            "seed": seed,
            "ramp_ms": pace.ramp_ms,
            "think_ms": list(pace.think_ms),
            "deadline": deadline,
            "pool_size": pool_size,
        }
        first += count
        procs.append(ctx.Process(target=_worker_main, args=(plan, out, go, vote_open, vote_closed)))
    for p in procs:
        p.start()
    coord = _Coordinator(out, procs, deadline)
    started = time.perf_counter()
    try:
        aborted = coord.await_stage("ready")
        started = time.perf_counter()  # from here on, everyone is at work
        if aborted is None:
            go.set()
            aborted = coord.await_stage("drafted")
        if aborted is None:  # each team's facilitator reveals and opens the vote
            for code, key, workshop_id in made:
                services.workshops.set_revealed(code, key, True)
                for draft in services.store.drafts(workshop_id)[:CANDIDATES]:
                    services.consensus.promote(code, key, draft.id)
                services.consensus.open_vote(code, key)
            vote_open.set()
            aborted = coord.await_stage("voted")
        for code, key, _ in made if aborted is None else ():
            rnd = services.consensus.current(services.workshops.find(code))
            tally = services.consensus.tally(rnd) if rnd else None
            if tally is None:
                aborted = f"no ballots were recorded in {code}"
                break
            # a tie is fine here: the facilitator picks one of the winners
            services.consensus.close_vote(code, key, int(tally.winner[0]))
        if aborted is None:
            vote_closed.set()
        if aborted is None:
            aborted = coord.await_stage("result")
    except Exception as exc:
        aborted = f"coordinator: {type(exc).__name__}: {exc}"
    finally:
        if len(coord.results) < len(procs):  # let waiting workers report what they have
            for event in (go, vote_open, vote_closed):
                event.set()
            coord.deadline = time.time() + 15  # a phase in progress finishes first
            coord.await_stage("result")
        for p in procs:
            p.join(timeout=max(1.0, coord.deadline - time.time()))
            if p.is_alive():
                p.terminate()
                p.join(5)
    elapsed = time.perf_counter() - started
    services.store.engine.dispose()
    acks = [a for w in sorted(coord.results) for a in coord.results[w][0]]
    errors = [e for w in sorted(coord.results) for e in coord.results[w][1]]
    reasons = [r for w in sorted(coord.results) if (r := coord.results[w][2])]
    aborted = aborted or ("; ".join(reasons) if reasons else None)
    return LoadResult(
        backend=backend,
        participants=participants,
        processes=processes,
        workshop_ids=[w for _, _, w in made],
        acks=acks,
        errors=errors,
        elapsed_s=elapsed,
        verdict=verify(url, [w for _, _, w in made], acks),
        aborted=aborted,
    )


# -- Verification ------------------------------------------------------------------


def verify(url: str, workshop_ids: int | list[int], acks: list[Ack]) -> Verdict:
    """Compare acknowledged writes with the raw rows of the workshops (not the app's read
    path). The rows hold each member link's hash, so the acknowledged links are hashed
    alike."""
    ids = [workshop_ids] if isinstance(workshop_ids, int) else list(workshop_ids)
    acks = [(token_hash(a[0]), *a[1:]) for a in acks]  # type: ignore[misc]
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    rows: dict[str, list[Any]] = defaultdict(list)
    for workshop_id in ids:
        for kind, found in _rows(engine, workshop_id).items():
            rows[kind] += found
    engine.dispose()
    return _compare(acks, rows["members"], rows["versions"], rows["ballots"], rows["checks"])


def _rows(engine: Any, workshop_id: int) -> dict[str, list[Any]]:
    with engine.connect() as conn:
        member_rows = list(
            conn.execute(
                text("SELECT token, position, workshop_id FROM members WHERE workshop_id = :w"),
                {"w": workshop_id},
            )
        )
        versions = list(
            conn.execute(
                text(
                    "SELECT m.token, v.version, v.text FROM draft_versions v "
                    "JOIN drafts d ON d.id = v.draft_id JOIN members m ON m.id = d.member_id "
                    "WHERE d.workshop_id = :w"
                ),
                {"w": workshop_id},
            )
        )
        ballots = list(
            conn.execute(
                text(
                    "SELECT b.round_id, m.token, b.ranking FROM ballots b "
                    "JOIN members m ON m.id = b.member_id JOIN rounds r ON r.id = b.round_id "
                    "WHERE r.workshop_id = :w"
                ),
                {"w": workshop_id},
            )
        )
        cols = ", ".join(f"c.{q}" for q in QUESTIONS)
        checks = list(
            conn.execute(
                text(
                    f"SELECT c.round_id, m.token, {cols}, c.concern FROM checks c "  # noqa: S608
                    "JOIN members m ON m.id = c.member_id JOIN rounds r ON r.id = c.round_id "
                    "WHERE r.workshop_id = :w"
                ),
                {"w": workshop_id},
            )
        )
    return {"members": member_rows, "versions": versions, "ballots": ballots, "checks": checks}


def _compare(
    acks: list[Ack],
    member_rows: list[Any],
    versions: list[Any],
    ballots: list[Any],
    checks: list[Any],
) -> Verdict:
    verdict = Verdict()
    by_kind: dict[str, list[Ack]] = defaultdict(list)
    for ack in acks:
        by_kind[ack[1]].append(ack)

    # Members: each acknowledged join is one row, and no row joined unacknowledged.
    joined = Counter(a[0] for a in by_kind["join"])
    stored = Counter(r[0] for r in member_rows)
    for token, n in joined.items():
        if stored[token] == 0:
            verdict.lost.append(f"join of {token[:8]}")
        if stored[token] > 1 or n > 1:
            verdict.duplicated.append(f"member {token[:8]} x{max(n, stored[token])}")
    verdict.unexpected += [f"member {t[:8]}" for t in stored if t not in joined]
    positions = Counter((r[2], r[1]) for r in member_rows)  # a position is per workshop
    shared = sorted(p for p, n in positions.items() if n > 1)
    if shared:
        verdict.anomalies.append(
            f"{sum(positions[p] for p in shared)} members share {len(shared)} positions "
            f"(e.g. {', '.join(f'{p[1]} x{positions[p]}' for p in shared[:4])})"
        )

    # Drafts: each acknowledged (version, text) exactly once; nothing else.
    acked: dict[tuple[str, int], set[str]] = defaultdict(set)
    for token, _, value, _ in by_kind["draft"]:
        acked[(token, value["version"])].add(value["text"])
    rows = Counter((t, v, txt) for t, v, txt in versions)
    texts = Counter((t, txt) for t, _, txt in versions)
    for (token, version), words in acked.items():
        if len(words) > 1:  # two acknowledgements claimed one version number
            verdict.lost.append(f"draft {token[:8]} v{version}: {len(words)} texts acknowledged")
        for w in words:
            n = rows[(token, version, w)]
            if n == 0:
                verdict.lost.append(f"draft {token[:8]} v{version}")
            elif n > 1 or texts[(token, w)] > 1:
                verdict.duplicated.append(f"draft {token[:8]} v{version} x{texts[(token, w)]}")
    verdict.unexpected += [f"draft {t[:8]} v{v}" for (t, v, _) in rows if (t, v) not in acked]

    # Ballots and checks: one row per member per round, equal to the last acknowledgement.
    def last_of(kind: str) -> dict[str, Any]:
        return {a[0]: a[2] for a in by_kind[kind]}  # later acks overwrite earlier ones

    for kind, stored_rows in (
        ("ballot", [(r[0], r[1], json.loads(r[2])) for r in ballots]),
        (
            "check",
            [
                (r[0], r[1], {"scores": dict(zip(QUESTIONS, r[2:6], strict=True)), "concern": r[6]})
                for r in checks
            ],
        ),
    ):
        expected = last_of(kind)
        per_member = Counter((rnd, token) for rnd, token, _ in stored_rows)
        verdict.duplicated += [
            f"{kind} {token[:8]} x{n}" for (_, token), n in per_member.items() if n > 1
        ]
        found = {token: value for _, token, value in stored_rows}
        for token, value in expected.items():
            if token not in found:
                verdict.lost.append(f"{kind} of {token[:8]}")
            elif found[token] != value:
                verdict.lost.append(f"{kind} of {token[:8]}: stored {found[token]} != {value}")
        verdict.unexpected += [f"{kind} {t[:8]}" for t in found if t not in expected]
    return verdict


# -- Report ------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(len(ordered) * q / 100))
    return ordered[min(len(ordered), rank) - 1]


def report(result: LoadResult) -> None:
    v = result.verdict
    kinds = Counter(a[1] for a in result.acks)
    lat = [a[3] for a in result.acks]
    rate = len(result.acks) / result.elapsed_s if result.elapsed_s else 0.0
    target = TARGET_P95_MS[result.backend]
    p50, p95, worst = percentile(lat, 50), percentile(lat, 95), max(lat, default=0.0)
    met = "n/a" if not lat else "OK" if p95 <= target else "MISSED"
    print(f"== {result.backend}")
    print(
        f"  acknowledged writes {len(result.acks)} "
        f"({', '.join(f'{k} {kinds[k]}' for k in ('join', 'draft', 'ballot', 'check'))}) "
        f"in {result.elapsed_s:.1f} s ({rate:.0f}/s); failed attempts {len(result.errors)}"
    )
    mark = "OK" if v.ok else "FAIL"
    print(
        f"  lost {len(v.lost)}  duplicated {len(v.duplicated)}  "
        f"unacknowledged but stored {len(v.unexpected)}"
        f"{'':8}target: 0 / 0 / 0  {mark}"
    )
    print(
        f"  latency ms  p50 {p50:6.1f}  p95 {p95:6.1f}  max {worst:7.1f}"
        f"{'':6}target: p95 <= {target:.0f} ms  {met}"
    )
    for kind in ("join", "draft", "ballot", "check"):
        ms = [a[3] for a in result.acks if a[1] == kind]
        print(
            f"    {kind:<7} p50 {percentile(ms, 50):6.1f}  p95 {percentile(ms, 95):6.1f}  "
            f"max {max(ms, default=0):7.1f}"
        )
    for label, items in (
        ("lost", v.lost),
        ("duplicated", v.duplicated),
        ("unexpected", v.unexpected),
    ):
        for item in items[:5]:
            print(f"    {label}: {item}")
    for item in v.anomalies:
        print(f"  anomaly (not counted above): {item}")
    for index, kind, message in result.errors[:5]:
        print(f"    failed attempt: P{index} {kind}: {message}")
    if result.aborted:
        print(f"  ABORTED: {result.aborted}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument(
        "--participants", type=int, default=EVENT_TEAMS * EVENT_TEAM_SIZE, help="in all"
    )
    parser.add_argument(
        "--teams", type=int, default=EVENT_TEAMS, help="team workshops in one programme"
    )
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument(
        "--ramp-ms",
        type=int,
        help=f"start spread (default {EVENT.ramp_ms} with teams, {BURST.ramp_ms} without)",
    )
    parser.add_argument(
        "--think-ms",
        type=int,
        nargs=2,
        metavar=("MIN", "MAX"),
        help=f"pause between writes (default {EVENT.think_ms[0]} {EVENT.think_ms[1]} with "
        f"teams, {BURST.think_ms[0]} {BURST.think_ms[1]} without)",
    )
    parser.add_argument(
        "--pool-size",
        type=int,
        default=Settings.from_env().pool_size,  # read and checked as the app does
        help="PostgreSQL connections per process (default: $COACH_DB_POOL_SIZE or "
        f"{DEFAULT_POOL_SIZE}, as in the app)",
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per backend")
    parser.add_argument(
        "--quick", action="store_true", help="12 participants in one team, 2 processes"
    )
    parser.add_argument(
        "--postgres-url", default=os.environ.get(POSTGRES_ENV), help=f"default: ${POSTGRES_ENV}"
    )
    parser.add_argument(
        "--no-phones", action="store_true", help="skip the idle phones on a real server"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.participants, args.processes, args.teams = 12, 2, 1
    base = EVENT if args.teams > 1 else BURST
    think = args.think_ms or base.think_ms
    pace = Pace(base.ramp_ms if args.ramp_ms is None else args.ramp_ms, (think[0], think[1]))
    where = (
        "one workshop"
        if args.teams == 1
        else f"{args.teams} team workshops of a programme, all at once"
    )
    print(
        f"Load: {args.participants} participants in {args.processes} processes, in {where}; "
        f"each: join, 2-3 draft versions, ballot + replacement, fist-to-five "
        f"(a third revise it); start spread {pace.ramp_ms} ms, think {pace.think_ms[0]}-"
        f"{pace.think_ms[1]} ms between writes; PostgreSQL pool {args.pool_size} per "
        f"process; {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at start"
    )
    results = []
    one_run = partial(
        run,
        participants=args.participants,
        processes=args.processes,
        teams=args.teams,
        pace=pace,
        timeout_s=args.timeout,
    )
    with tempfile.TemporaryDirectory(prefix="coach-load-") as tmp:
        results.append(one_run(f"sqlite:///{Path(tmp) / 'load.db'}"))
        report(results[-1])
    why_not = postgres_unavailable(args.postgres_url)
    if why_not:
        print(f"== PostgreSQL\n  skipped: {why_not}")
    else:
        with postgres_database(args.postgres_url) as url:
            results.append(one_run(url, backend="PostgreSQL", pool_size=args.pool_size))
            report(results[-1])
    phones_ok = True
    if args.teams > 1 and not args.no_phones:
        from bench import idle_phones  # a real server and a phone per participant

        size = math.ceil(args.participants / args.teams)
        phones_ok = (
            idle_phones.main(
                ["--teams", str(args.teams), "--size", str(size)]
                + (["--postgres-url", args.postgres_url] if args.postgres_url else [])
            )
            == 0
        )
    return 0 if all(r.ok for r in results) and phones_ok else 1


if __name__ == "__main__":
    sys.exit(main())
