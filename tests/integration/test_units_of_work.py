"""A use case with several writes commits all of them or none: a failure forced between
the writes leaves nothing half-done, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from coach.bootstrap import Services, build
from coach.cli import demo
from coach.config import Settings
from coach.domain.types import Workshop
from coach.storage import backup as backup_mod
from coach.storage.backup import backup, restore
from coach.storage.commitments import CommitmentStore
from coach.storage.consensus import ConsensusStore
from coach.storage.db import StoreError
from coach.storage.rows import _CheckIn, _Commitment, _Workshop

GOOD = {"desired": 4, "bold": 4, "clear": 4, "stretching": 4}


class Boom(StoreError):
    """The failure forced between two writes."""


def _after_concerns(svc: Services) -> tuple[Workshop, str]:
    w, key = svc.workshops.create("Desk")
    members = [svc.workshops.join(w.code, n)[1] for n in ("Ana", "Bo")]
    for i, m in enumerate(members):
        svc.workshops.submit(w.code, m.token, f"We welcome guest {i} like family.", f"n{i}")
    svc.workshops.set_revealed(w.code, key, True)
    svc.consensus.promote(w.code, key, svc.store.drafts(w.id)[0].id)
    svc.consensus.open_vote(w.code, key)  # one candidate: straight to the check
    svc.consensus.check(w.code, members[0].token, dict(GOOD, clear=2), "Who do we serve?")
    svc.consensus.check(w.code, members[1].token, GOOD, "")
    assert not svc.consensus.close_check(w.code, key).consensus
    return w, key


def _fail_on_call(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, n: int) -> None:
    """The n-th call of owner.name raises (after the earlier calls really wrote)."""
    real, calls = getattr(owner, name), []

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == n:
            raise Boom("forced failure between the writes")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapped)


def test_next_round_opens_nothing_when_a_candidate_cannot_be_written(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, key = _after_concerns(svc)
    # next_round writes the round, then the revised candidate, then the carried one.
    _fail_on_call(monkeypatch, ConsensusStore, "add_candidate", 2)
    with pytest.raises(Boom):
        svc.consensus.next_round(w.code, key, "We welcome every hotel guest like family.")
    rounds = svc.consensus.history(svc.workshops.find(w.code))
    assert [(r.number, r.phase, r.outcome) for r in rounds] == [(1, "closed", "concerns")]
    monkeypatch.undo()
    assert svc.consensus.next_round(w.code, key, "We welcome every hotel guest like family.") == 2
    rounds = svc.consensus.history(svc.workshops.find(w.code))
    assert [c.kind for c in rounds[1].candidates] == ["revised", "carried"]


def test_a_check_in_changes_no_status_when_its_note_cannot_be_written(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = svc.commitments.start("Ana", "We welcome every guest.")
    cid = svc.commitments.add(plan.token, "I promise to greet every guest by name by Friday.")
    # check_in sets the commitment's status, then writes the dated check-in row.
    _fail_on_call(monkeypatch, CommitmentStore, "add_check_in", 1)
    with pytest.raises(Boom):
        svc.commitments.check_in(plan.token, cid, "done", "Greeted all 40 guests.")
    with svc.store.read() as s:
        assert s.scalar(select(_Commitment.status).where(_Commitment.id == cid)) == "planned"
        assert s.scalar(select(func.count()).select_from(_CheckIn)) == 0
    monkeypatch.undo()
    svc.commitments.check_in(plan.token, cid, "done", "Greeted all 40 guests.")
    [c] = svc.commitments.open(plan.token).commitments
    assert c.status == "done" and [k.note for k in c.checkins] == ["Greeted all 40 guests."]


def test_a_restore_that_fails_part_way_leaves_no_rows(
    svc: Services, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = build(Settings(database_url=f"sqlite:///{tmp_path / 'src.db'}", public_url=None))
    workshop, _ = demo.create(source)
    data = backup(source.store, workshop.id)
    real_insert = backup_mod._insert

    def insert_then_fail(conn: Any, rows: Any) -> None:
        real_insert(conn, rows)  # every row written ...
        raise Boom("forced failure after the inserts")  # ... then the commit never comes

    monkeypatch.setattr(backup_mod, "_insert", insert_then_fail)
    with pytest.raises(Boom):
        restore(svc.store, data)
    with svc.store.read() as s:
        assert s.scalar(select(func.count()).select_from(_Workshop)) == 0
    monkeypatch.undo()
    assert svc.workshops.find(restore(svc.store, data)).name == workshop.name


def test_a_unit_inside_a_unit_joins_it(svc: Services) -> None:
    """Nested use cases share the outer transaction: the outer failure undoes both."""
    with pytest.raises(Boom), svc.store.unit_of_work():
        svc.workshops.create("First")
        with svc.store.unit_of_work():
            svc.workshops.create("Second")
        raise Boom("the outer use case fails last")
    with svc.store.read() as s:
        assert s.scalar(select(func.count()).select_from(_Workshop)) == 0
