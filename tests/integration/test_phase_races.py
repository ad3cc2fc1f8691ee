"""Phase changes are race-free: each race is driven step by step with threads and events,
on SQLite and PostgreSQL. One actor is paused while it holds its lock; the other must wait
for it, and the outcome is one consistent result."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

import pytest

from coach.bootstrap import Services
from coach.domain.types import Expect, Member, Workshop
from coach.service.consensus import PhaseError, StaleAction
from coach.storage.consensus import ConsensusStore

GOOD = {"desired": 4, "bold": 4, "clear": 4, "stretching": 4}
HOLD = 0.25  # seconds the second actor is given to (wrongly) get past the lock


def _voting(svc: Services, n: int = 3) -> tuple[Workshop, str, list[Member]]:
    w, key = svc.workshops.create("Desk")
    members = [svc.workshops.join(w.code, f"M{i}")[1] for i in range(n)]
    texts = ["We welcome every guest.", "We exceed every expectation.", "We listen first."]
    for i, m in enumerate(members):
        svc.workshops.submit(w.code, m.token, texts[i], f"n{i}")
    svc.workshops.set_revealed(w.code, key, True)
    for d in svc.store.drafts(w.id)[:2]:
        svc.consensus.promote(w.code, key, d.id)
    svc.consensus.open_vote(w.code, key)
    return w, key, members


class Pause:
    """Stops the thread named `who` right after it takes a round lock, until released."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, who: str) -> None:
        self.holding, self.go = threading.Event(), threading.Event()
        real = ConsensusStore.lock_round

        def lock_round(store: ConsensusStore, round_id: int, *, exclusive: bool) -> None:
            real(store, round_id, exclusive=exclusive)
            if threading.current_thread().name.startswith(who) and not self.holding.is_set():
                self.holding.set()
                assert self.go.wait(30)

        monkeypatch.setattr(ConsensusStore, "lock_round", lock_round)


def _race(
    pause: Pause, first: Callable[[], Any], second: Callable[[], Any]
) -> tuple[Future[Any], Future[Any]]:
    """`first` takes its lock and pauses; `second` starts and must not finish meanwhile."""
    with (
        ThreadPoolExecutor(1, thread_name_prefix="first") as a,
        ThreadPoolExecutor(1, thread_name_prefix="second") as b,
    ):
        one = a.submit(first)
        assert pause.holding.wait(30), "the first actor never took its lock"
        two = b.submit(second)
        wait([two], timeout=HOLD)
        finished_while_held = two.done()
        early = two.exception() if finished_while_held else None
        pause.go.set()
        wait([one, two], timeout=30)
    assert not finished_while_held, f"the second actor did not wait for the lock: {early!r}"
    return one, two


def test_a_ballot_in_flight_is_counted_by_the_close_that_waits_for_it(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, key, members = _voting(svc)
    svc.consensus.ballot(w.code, members[0].token, [[1], [2]])
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    a, b = (c.id for c in rnd.active)
    pause = Pause(monkeypatch, "first")
    one, two = _race(
        pause,
        lambda: svc.consensus.ballot(w.code, members[1].token, [[b], [a]]),
        lambda: svc.consensus.close_vote(w.code, key, b),  # b wins only with the 2nd ballot
    )
    assert one.exception() is None and two.exception() is None
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    assert len(rnd.ballots) == 2 and rnd.phase == "check" and rnd.leader_id == b
    assert [int(x) for x in svc.consensus.tally(rnd).winner] == [a, b]  # a tie, b chosen


def test_a_ballot_that_arrives_while_the_vote_closes_is_refused(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, key, members = _voting(svc)
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    a, b = (c.id for c in rnd.active)
    svc.consensus.ballot(w.code, members[0].token, [[a], [b]])
    pause = Pause(monkeypatch, "first")
    one, two = _race(
        pause,
        lambda: svc.consensus.close_vote(w.code, key),
        lambda: svc.consensus.ballot(w.code, members[1].token, [[b], [a]]),
    )
    assert one.exception() is None
    assert isinstance(two.exception(), PhaseError)
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    assert len(rnd.ballots) == 1 and rnd.leader_id == a  # the record and the tally agree
    assert [int(x) for x in svc.consensus.tally(rnd).winner] == [a]


def test_two_tabs_closing_the_vote_close_it_once(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, key, members = _voting(svc)
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    a, b = (c.id for c in rnd.active)
    svc.consensus.ballot(w.code, members[0].token, [[a], [b]])
    seen = Expect(round=1, phase="voting")
    pause = Pause(monkeypatch, "first")
    one, two = _race(
        pause,
        lambda: svc.consensus.close_vote(w.code, key, expect=seen),
        lambda: svc.consensus.close_vote(w.code, key, expect=seen),
    )
    assert one.exception() is None
    assert isinstance(two.exception(), StaleAction)
    assert "out of date" in str(two.exception()) and "four-criteria check" in str(two.exception())


def test_two_tabs_adding_the_same_candidate_add_one(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, key = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Ana")
    svc.workshops.submit(w.code, m.token, "We help.", "n")
    svc.workshops.set_revealed(w.code, key, True)
    svc.consensus.promote(w.code, key, svc.store.drafts(w.id)[0].id)  # round 1 exists
    text = "We welcome every guest and exceed every expectation."
    pause = Pause(monkeypatch, "first")
    one, two = _race(
        pause,
        lambda: svc.consensus.add_merged(w.code, key, text, []),
        lambda: svc.consensus.add_merged(w.code, key, text, []),
    )
    assert one.result().id == two.result().id
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    assert [c.text for c in rnd.candidates].count(text) == 1


def test_two_tabs_opening_the_next_round_open_one(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, key, members = _voting(svc)
    svc.consensus.ballot(w.code, members[0].token, [[svc.consensus.head(w).active[0]]])
    svc.consensus.close_vote(w.code, key)
    for i, m in enumerate(members):
        scores = dict(GOOD, clear=2) if i == 0 else GOOD
        svc.consensus.check(w.code, m.token, scores, "Who do we serve?" if i == 0 else "")
    svc.consensus.close_check(w.code, key)
    seen = Expect(round=1, phase="closed")
    pause = Pause(monkeypatch, "first")
    revised = "We welcome every hotel guest like family."
    one, two = _race(
        pause,
        lambda: svc.consensus.next_round(w.code, key, revised, expect=seen),
        lambda: svc.consensus.next_round(w.code, key, revised, expect=seen),
    )
    assert one.result() == 2
    assert isinstance(two.exception(), StaleAction)
    assert [r.number for r in svc.consensus.history(svc.workshops.find(w.code))] == [1, 2]
