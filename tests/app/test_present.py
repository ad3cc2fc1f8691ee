"""The projector page: read-only, opened without the key, following the workshop's stage."""

from __future__ import annotations

from coach.bootstrap import Services
from tests.app.conftest import open_page, unescaped

TEXTS = ["We welcome every guest like family.", "We exceed every guest's expectations."]


def _html(at) -> str:  # type: ignore[no-untyped-def]
    return " ".join(h.proto.body for h in at.get("html"))


def test_the_presentation_link_shows_the_stage_and_no_controls(svc: Services) -> None:
    w, key = svc.workshops.create("Front desk")
    members = [svc.workshops.join(w.code, n)[1] for n in ("Anastasia", "Bogdan")]
    for i, m in enumerate(members):
        svc.workshops.submit(w.code, m.token, TEXTS[i], f"n{i}")
    token = svc.workshops.presenter_token(w.code, key)
    assert key not in token and len(token) == 32
    at = open_page("present", code=w.code, view=token)
    assert "view" not in at.query_params  # the projected address bar holds no secret
    assert "2 of 2 have submitted a draft." in _html(at)
    assert not at.button  # read-only: no control on the projector
    svc.workshops.set_privacy(w.code, key, anonymous=True)
    svc.workshops.set_revealed(w.code, key, True)
    at.run()
    shown = _html(at)
    assert TEXTS[0] in shown and "Member 1" in shown
    assert "Anastasia" not in shown and "Bogdan" not in shown
    drafts = svc.store.drafts(w.id)
    svc.consensus.promote(w.code, key, drafts[0].id)
    svc.consensus.promote(w.code, key, drafts[1].id)
    svc.consensus.open_vote(w.code, key)
    svc.consensus.ballot(w.code, members[0].token, [[svc.consensus.head(w).active[0]]])  # type: ignore[union-attr]
    at.run()
    assert "Ballots in: 1 of 2" in _html(at) and "Borda" not in _html(at)  # no tally yet
    svc.consensus.close_vote(w.code, key)
    at.run()
    assert "Borda points" in _html(at)  # the result, with its figures as a table
    assert "Checking A" in unescaped(_html(at)) and "Answers in: 0 of 2" in _html(at)


def test_a_wrong_presentation_link_opens_nothing(svc: Services) -> None:
    w, key = svc.workshops.create("Front desk")
    at = open_page("present", code=w.code, view=key)  # the key itself is not the link
    assert "presentation link is not right" in unescaped(at.error[0].value)
    assert not at.get("html") or "Join on your phone" not in _html(at)
