"""Room control beyond remove and absent: merge a duplicate join, limit joins per client,
rotate the join code, and note when each member's screen was last seen."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from coach.bootstrap import Services, build
from coach.config import Settings
from coach.errors import InputError
from coach.service.workshops import JOINS_PER_BROWSER, AccessDenied, NotFound
from coach.storage.backup import backup, canonical, restore


def test_merging_a_duplicate_moves_what_the_kept_member_lacks(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    _, ana2 = svc.workshops.join(w.code, "")  # the same person, on a second tab
    _, bo = svc.workshops.join(w.code, "Bo")
    svc.workshops.submit(w.code, ana2.token, "We greet every guest by name.", "n1")
    svc.workshops.submit(w.code, bo.token, "We make every guest feel at home.", "n2")
    svc.workshops.set_revealed(w.code, key, True)
    for d in svc.store.drafts(w.id):
        svc.consensus.promote(w.code, key, d.id)
    svc.consensus.open_vote(w.code, key)
    a, b = svc.consensus.current(svc.workshops.find(w.code)).active
    svc.consensus.ballot(w.code, ana2.token, [[a.id], [b.id]])
    svc.consensus.ballot(w.code, ana.token, [[b.id], [a.id]])

    kept = svc.workshops.merge(w.code, key, ana.id, ana2.id)

    assert kept.id == ana.id and kept.name == "Ana"
    members = {m.id: m for m in svc.store.members(w.id)}
    assert members[ana2.id].removed and members[ana2.id].merged_into == ana.id
    # The draft Ana lacked came over; her own ballot stayed, the duplicate's is out of count.
    drafts = {d.member_id: d for d in svc.store.drafts(w.id)}
    assert drafts[ana.id].latest.text == "We greet every guest by name."
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    counted = [x for x in rnd.ballots if members[x.member_id].counted]
    assert sorted(x.member_id for x in counted) == [ana.id]
    # The duplicate's link now acts as Ana, on the page and in the service.
    _, through_dup = svc.workshops.membership(w.code, ana2.token)
    assert through_dup.id == ana.id
    assert svc.workshops.own_draft(w, through_dup) is not None


def test_when_both_wrote_a_draft_the_duplicates_stays_in_the_record_removed(
    svc: Services,
) -> None:
    w, key = svc.workshops.create("Desk")
    _, one = svc.workshops.join(w.code, "Cy")
    _, two = svc.workshops.join(w.code, "Cy")
    svc.workshops.submit(w.code, one.token, "We answer every call within three rings.", "a")
    svc.workshops.submit(w.code, two.token, "We call every customer back the same day.", "b")
    svc.workshops.merge(w.code, key, one.id, two.id)
    drafts = {d.member_id: d for d in svc.store.drafts(w.id, include_deleted=True)}
    assert not drafts[one.id].deleted and drafts[two.id].deleted
    assert drafts[two.id].latest.text == "We call every customer back the same day."


def test_merge_refuses_the_same_member_twice_and_strangers(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    other, _ = svc.workshops.create("Another")
    _, ana = svc.workshops.join(w.code, "Ana")
    _, stranger = svc.workshops.join(other.code, "Zed")
    with pytest.raises(InputError, match="two different members"):
        svc.workshops.merge(w.code, key, ana.id, ana.id)
    with pytest.raises(NotFound):
        svc.workshops.merge(w.code, key, ana.id, stranger.id)
    with pytest.raises(AccessDenied):
        svc.workshops.merge(w.code, "wrong key", ana.id, stranger.id)


def test_one_browser_cannot_join_over_and_over(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    for i in range(JOINS_PER_BROWSER):
        svc.workshops.join(w.code, f"P{i}", browser="cookie-1", address="10.0.0.7")
    with pytest.raises(InputError, match="joined this workshop several times"):
        svc.workshops.join(w.code, "Sock puppet", browser="cookie-1", address="10.0.0.7")
    # Another phone behind the same venue router still gets in; so does a join elsewhere.
    svc.workshops.join(w.code, "Real person", browser="cookie-2", address="10.0.0.7")
    other, _ = svc.workshops.create("Other room")
    svc.workshops.join(other.code, "P", browser="cookie-1", address="10.0.0.7")
    assert len(svc.store.members(w.id)) == JOINS_PER_BROWSER + 1
    # Only keyed hashes of where joins came from are stored, never the address itself.
    dump = str(backup(svc.store, w.id))
    assert "10.0.0.7" not in dump and "cookie-1" not in dump


def test_a_rotated_join_code_admits_nobody_new_but_keeps_every_link(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    rotated = svc.workshops.rotate_join_code(w.code, key)
    assert rotated.join_code and rotated.joining_code == rotated.join_code != w.code
    with pytest.raises(AccessDenied, match="join code has been replaced"):
        svc.workshops.join(w.code, "Outsider")
    _, bo = svc.workshops.join(rotated.joining_code, "Bo")
    assert svc.workshops.membership(w.code, ana.token)[1].id == ana.id
    assert svc.workshops.membership(rotated.joining_code, bo.token)[1].id == bo.id
    assert svc.workshops.facilitator(w.code, key).id == w.id
    again = svc.workshops.rotate_join_code(w.code, key)
    assert again.join_code not in (rotated.join_code, w.code)
    with pytest.raises(NotFound, match="No workshop has the code"):  # gone for good
        svc.workshops.join(rotated.joining_code, "Late")
    assert svc.workshops.membership(w.code, bo.token)[1].id == bo.id  # Bo's link still works


def test_last_seen_is_noted_without_moving_the_revision(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    before = svc.workshops.find(w.code).revision
    assert svc.store.members(w.id)[0].last_seen is None
    svc.workshops.seen(ana.token)
    svc.workshops.seen("not-a-token")  # unknown links change nothing
    seen = svc.store.members(w.id)[0].last_seen
    assert seen is not None and abs((datetime.now(UTC) - seen).total_seconds()) < 60
    assert svc.workshops.find(w.code).revision == before  # no screen redraws for it


def test_backup_keeps_merges_and_the_rotated_code(svc: Services, tmp_path: Path) -> None:
    w, key = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    _, dup = svc.workshops.join(w.code, "Ana again")
    svc.workshops.merge(w.code, key, ana.id, dup.id)
    svc.workshops.rotate_join_code(w.code, key)
    data = backup(svc.store, w.id)
    target = build(Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", public_url=None))
    new = target.workshops.find(restore(target.store, data))
    assert new.join_code is not None and new.joining_code != new.code
    assert canonical(backup(target.store, new.id)) == canonical(data)
    restored = {m.name: m for m in target.store.members(new.id)}
    assert restored["Ana again"].merged_into == restored["Ana"].id
