"""Each phase change can be taken back until the next one starts; a stale button does nothing."""

from __future__ import annotations

import pytest

from coach.bootstrap import Services
from coach.domain.types import Expect, Member, Workshop
from coach.service.consensus import PhaseError, StaleAction

GOOD = {"desired": 4, "bold": 4, "clear": 4, "stretching": 4}


def _checking(svc: Services) -> tuple[Workshop, str, list[Member]]:
    w, key = svc.workshops.create("Desk")
    members = [svc.workshops.join(w.code, n)[1] for n in ("Ana", "Bo")]
    for i, m in enumerate(members):
        svc.workshops.submit(w.code, m.token, f"We welcome guest {i} like family.", f"n{i}")
    svc.workshops.set_revealed(w.code, key, True)
    for d in svc.store.drafts(w.id):
        svc.consensus.promote(w.code, key, d.id)
    svc.consensus.open_vote(w.code, key)
    first = svc.consensus.head(svc.workshops.find(w.code)).active[0]
    for m in members:
        svc.consensus.ballot(w.code, m.token, [[first]])
    svc.consensus.close_vote(w.code, key)
    return svc.workshops.find(w.code), key, members


def _phase(svc: Services, w: Workshop) -> tuple[int, str, str]:
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    assert rnd is not None
    return rnd.number, rnd.phase, rnd.outcome


def test_closing_the_vote_can_be_undone_and_keeps_every_ballot(svc: Services) -> None:
    w, key, _ = _checking(svc)
    svc.consensus.undo_close_vote(w.code, key, expect=Expect(round=1, phase="check"))
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    assert (rnd.phase, rnd.leader_id, len(rnd.ballots)) == ("voting", None, 2)
    svc.consensus.close_vote(w.code, key)  # and closed again, as before
    assert _phase(svc, w)[1] == "check"


def test_closing_the_check_and_adopting_can_be_undone_in_order(svc: Services) -> None:
    w, key, members = _checking(svc)
    for m in members:
        svc.consensus.check(w.code, m.token, GOOD, "")
    assert svc.consensus.close_check(w.code, key).consensus
    leader = svc.consensus.current(svc.workshops.find(w.code)).leader_id
    svc.consensus.adopt(w.code, key, leader)
    with pytest.raises(PhaseError, match="undo the adoption first"):
        svc.consensus.undo_close_check(w.code, key)
    assert svc.consensus.undo_adopt(w.code, key).adopted_id is None
    svc.consensus.undo_close_check(w.code, key, expect=Expect(round=1, phase="closed"))
    assert _phase(svc, w) == (1, "check", "")
    assert len(svc.consensus.current(svc.workshops.find(w.code)).checks) == 2


def test_the_next_round_can_be_undone_while_it_gathers_candidates(svc: Services) -> None:
    w, key, members = _checking(svc)
    svc.consensus.check(w.code, members[0].token, dict(GOOD, bold=1), "Too timid.")
    svc.consensus.check(w.code, members[1].token, GOOD, "")
    svc.consensus.close_check(w.code, key)
    assert svc.consensus.next_round(w.code, key, "We boldly welcome every guest.") == 2
    svc.consensus.undo_next_round(w.code, key, expect=Expect(round=2, phase="candidates"))
    assert _phase(svc, w) == (1, "closed", "concerns")
    with pytest.raises(PhaseError, match="round 1 is closed, and that step needs it gathering"):
        svc.consensus.undo_next_round(w.code, key)


def test_a_stale_button_changes_nothing_and_says_why(svc: Services) -> None:
    w, key, _ = _checking(svc)
    before = _phase(svc, w)
    with pytest.raises(StaleAction, match="out of date: round 1 is in its four-criteria check"):
        svc.consensus.close_vote(w.code, key, expect=Expect(round=1, phase="voting"))
    with pytest.raises(StaleAction, match="nothing was changed"):
        svc.consensus.open_vote(w.code, key, expect=Expect(round=0, phase="candidates"))
    assert _phase(svc, w) == before
