"""An anonymous workshop names nobody on shared screens or in exports; a phone knows its own."""

from __future__ import annotations

from coach.bootstrap import Services
from coach.exports.formats import export
from coach.service import record

NAMES = ("Anastasia", "Bogdan", "Cyrille")


def test_an_anonymous_workshop_shows_stable_labels_everywhere_shared(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    members = [svc.workshops.join(w.code, n)[1] for n in NAMES]
    for i, m in enumerate(members):
        svc.workshops.submit(w.code, m.token, f"We welcome guest {i} like family.", f"n{i}")
    svc.workshops.set_privacy(w.code, key, anonymous=True)
    svc.workshops.set_revealed(w.code, key, True)
    workshop = svc.workshops.find(w.code)
    assert workshop.anonymous
    board = svc.workshops.board(workshop)
    assert [e.member.display_name for e in board.entries] == ["Member 1", "Member 2", "Member 3"]
    assert [d.member_name for d in board.visible_drafts] == ["Member 1", "Member 2", "Member 3"]
    _, own = svc.workshops.membership(w.code, members[1].token)
    assert own.own_name == "Bogdan" and own.display_name == "Member 2"
    svc.consensus.promote(w.code, key, board.visible_drafts[0].id)
    plan = svc.commitments.for_member(workshop, members[0])
    svc.commitments.add(plan.token, "I promise to greet every guest by name by Friday.")
    table = record.build(
        workshop,
        drafts=svc.store.drafts(w.id, include_deleted=True),
        rounds=svc.consensus.history(workshop),
        consensus=svc.consensus,
        team=svc.commitments.team(workshop),
        themes=[],
    )
    for fmt in ("csv", "md", "json", "html", "commitments-csv"):
        written = export(table, fmt).decode("utf-8-sig")
        assert not [n for n in NAMES if n in written], fmt
        assert "Member 1" in written, fmt


def test_names_come_back_when_anonymity_is_turned_off(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    svc.workshops.join(w.code, "Anastasia")
    svc.workshops.set_privacy(w.code, key, anonymous=True)
    assert [m.display_name for m in svc.store.members(w.id)] == ["Member 1"]
    svc.workshops.set_privacy(w.code, key, anonymous=False)
    assert [m.display_name for m in svc.store.members(w.id)] == ["Anastasia"]
