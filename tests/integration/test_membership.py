"""The facilitator controls who counts: remove a member, or mark them absent."""

from __future__ import annotations

import pytest

from coach.bootstrap import Services
from coach.domain.types import Member, Workshop
from coach.service.consensus import PhaseError
from coach.service.workshops import AccessDenied

GOOD = {"desired": 4, "bold": 4, "clear": 4, "stretching": 4}


def _team(svc: Services) -> tuple[Workshop, str, list[Member]]:
    w, key = svc.workshops.create("Desk")
    members = [svc.workshops.join(w.code, n)[1] for n in ("Ana", "Bo", "Cy")]
    for i, m in enumerate(members):
        svc.workshops.submit(w.code, m.token, f"We welcome guest {i} like family.", f"n{i}")
    svc.workshops.set_revealed(w.code, key, True)
    for d in svc.store.drafts(w.id)[:2]:
        svc.consensus.promote(w.code, key, d.id)
    svc.consensus.open_vote(w.code, key)
    return svc.workshops.find(w.code), key, members


def _round(svc: Services, w: Workshop):  # type: ignore[no-untyped-def]
    return svc.consensus.current(svc.workshops.find(w.code))


def test_a_removed_member_leaves_every_count_and_can_come_back(svc: Services) -> None:
    w, key, (ana, bo, cy) = _team(svc)
    a, b = _round(svc, w).active
    svc.consensus.ballot(w.code, ana.token, [[a.id]])
    svc.consensus.ballot(w.code, bo.token, [[b.id]])
    svc.consensus.ballot(w.code, cy.token, [[b.id]])  # the same person, joined twice
    assert [int(x) for x in svc.consensus.tally(_round(svc, w)).winner] == [b.id]
    svc.workshops.remove_member(w.code, key, cy.id)
    assert len(_round(svc, w).ballots) == 2
    assert [int(x) for x in svc.consensus.tally(_round(svc, w)).winner] == [a.id, b.id]
    board = svc.workshops.board(svc.workshops.find(w.code))
    assert [e.deleted for e in board.entries] == [False, False, True]  # draft kept, removed
    with pytest.raises(AccessDenied, match="removed you from this workshop"):
        svc.consensus.ballot(w.code, cy.token, [[a.id]])
    svc.workshops.remove_member(w.code, key, cy.id, removed=False)
    assert len(_round(svc, w).ballots) == 3
    assert not svc.workshops.board(svc.workshops.find(w.code)).entries[2].deleted


def test_a_check_closes_without_an_absent_member(svc: Services) -> None:
    w, key, (ana, bo, cy) = _team(svc)
    a = _round(svc, w).active[0]
    svc.consensus.ballot(w.code, ana.token, [[a.id]])
    svc.consensus.close_vote(w.code, key)
    svc.consensus.check(w.code, ana.token, GOOD, "")
    svc.consensus.check(w.code, bo.token, GOOD, "")
    with pytest.raises(PhaseError, match="Waiting for 1 to answer: Cy"):
        svc.consensus.close_check(w.code, key)
    svc.workshops.set_absent(w.code, key, cy.id, True)
    assert svc.consensus.close_check(w.code, key).consensus


def test_an_absent_members_answer_does_not_count_until_they_answer_again(
    svc: Services,
) -> None:
    w, key, (ana, _bo, cy) = _team(svc)
    a = _round(svc, w).active[0]
    svc.consensus.ballot(w.code, ana.token, [[a.id]])
    svc.consensus.close_vote(w.code, key)
    svc.consensus.check(w.code, cy.token, dict(GOOD, bold=1), "Too timid.")
    svc.workshops.set_absent(w.code, key, cy.id, True)
    result = svc.consensus.check_result(svc.workshops.find(w.code), _round(svc, w))
    assert result.below == () and [m.name for m in result.missing] == ["Ana", "Bo"]
    svc.consensus.check(w.code, cy.token, dict(GOOD, bold=2), "Still timid.")  # back
    result = svc.consensus.check_result(svc.workshops.find(w.code), _round(svc, w))
    assert [(m.name, q, s) for m, q, s, _ in result.below] == [("Cy", "bold", 2)]
    assert not next(m for m in svc.store.members(w.id) if m.id == cy.id).absent


def test_with_admission_a_join_waits_and_counts_only_once_let_in(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    svc.workshops.set_admission(w.code, key, True)
    _, guest = svc.workshops.join(w.code, "Mallory")
    assert not guest.admitted and not guest.counted
    with pytest.raises(AccessDenied, match="waiting for the facilitator to let you in"):
        svc.workshops.submit(w.code, guest.token, "We outvote everyone.", "n1")
    added = svc.workshops.add_member(w.code, key, "Ana")  # added at the shared screen
    assert added.admitted
    svc.workshops.admit(w.code, key, guest.id)
    svc.workshops.submit(w.code, guest.token, "We welcome every guest.", "n2")
    assert [m.counted for m in svc.store.members(w.id)] == [True, True]
