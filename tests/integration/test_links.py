"""Member, plan and facilitator links: kept as hashes, renewable, and old ones refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from coach.bootstrap import Services, build
from coach.cli import demo
from coach.config import Settings
from coach.domain.codes import member_plan_token, token_hash
from coach.errors import CoachError
from coach.service.workshops import AccessDenied, NotFound, OnBehalf
from coach.storage.backup import backup, dumps, loads, restore
from coach.storage.migrations import migrate
from coach.storage.workshops import Store

GOOD = {"desired": 4, "bold": 4, "clear": 4, "stretching": 4}


def _stored_tokens(svc: Services) -> set[str]:
    with svc.store.engine.connect() as conn:
        rows = conn.execute(text("SELECT token FROM members UNION ALL SELECT token FROM plans"))
        return {r[0] for r in rows}


def test_the_database_and_backups_hold_no_link(svc: Services) -> None:
    workshop, key, links = demo.create_with_links(svc)
    plan = svc.commitments.start("Solo", "We help.")
    stored = _stored_tokens(svc)
    secrets = [*links.values(), plan.token]
    secrets += [member_plan_token(t) for t in links.values()]
    assert not stored & set(secrets), "a link's secret is in the database"
    assert {token_hash(t) for t in links.values()} <= stored
    assert token_hash(plan.token) in stored
    text_of_backup = dumps(backup(svc.store, workshop.id))
    assert not [s for s in secrets if s in text_of_backup], "a link's secret is in the backup"
    assert key not in text_of_backup
    # Every link still opens its page.
    for name, link in links.items():
        w, member = svc.workshops.membership(workshop.code, link)
        assert member.token == link
        if name in demo.COMMITMENTS:
            assert svc.commitments.for_member(w, member).commitments
    assert svc.commitments.open(plan.token).mission == "We help."


def test_a_renewed_member_link_shuts_the_old_one(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    svc.workshops.submit(w.code, ana.token, "We greet every guest by name.", "n1")
    _, with_link = svc.workshops.membership(w.code, ana.token)
    plan = svc.commitments.for_member(w, with_link)
    svc.commitments.add(plan.token, "I will greet every guest by name, every shift.")

    with pytest.raises(AccessDenied):
        svc.workshops.new_member_link(w.code, "wrong key", ana.id)
    new = svc.workshops.new_member_link(w.code, key, ana.id)

    with pytest.raises(NotFound, match="not part of the workshop"):
        svc.workshops.membership(w.code, ana.token)
    with pytest.raises(NotFound):
        svc.commitments.open(plan.token)
    _, again = svc.workshops.membership(w.code, new)
    assert again.id == ana.id
    assert svc.workshops.own_draft(w, again) is not None  # the draft stayed
    assert [c.text for c in svc.commitments.for_member(w, again).commitments] == [
        "I will greet every guest by name, every shift."
    ]


def test_a_renewed_link_also_shuts_a_merged_duplicate(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    _, twin = svc.workshops.join(w.code, "Ana")
    svc.workshops.merge(w.code, key, ana.id, twin.id)
    assert svc.workshops.membership(w.code, twin.token)[1].id == ana.id
    with pytest.raises(CoachError, match="merged"):
        svc.workshops.new_member_link(w.code, key, twin.id)
    svc.workshops.new_member_link(w.code, key, ana.id)
    with pytest.raises(NotFound):
        svc.workshops.membership(w.code, twin.token)


def test_a_rotated_facilitator_key_shuts_the_old_key_and_projector_link(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    projector = svc.workshops.presenter_token(w.code, key)
    new = svc.workshops.rotate_key(w.code, key)
    assert new != key
    with pytest.raises(AccessDenied):
        svc.workshops.facilitator(w.code, key)
    with pytest.raises(AccessDenied):
        svc.workshops.presenter(w.code, projector)
    assert svc.workshops.facilitator(w.code, new).id == w.id
    assert svc.workshops.presenter(w.code, svc.workshops.presenter_token(w.code, new)).id == w.id
    with pytest.raises(AccessDenied):
        svc.workshops.rotate_key(w.code, key)  # the old key cannot take the workshop back


def test_the_facilitator_enters_for_a_member_with_the_key_not_the_link(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    done = svc.workshops.submit(w.code, OnBehalf(key, ana.id), "We greet every guest.", "n")
    assert done.created
    with pytest.raises(AccessDenied):
        svc.workshops.submit(w.code, OnBehalf("not the key", ana.id), "We greet.", "n2")
    with pytest.raises(NotFound):
        svc.workshops.submit(w.code, OnBehalf(key, 999_999), "We greet.", "n3")
    _, bo = svc.workshops.join(w.code, "Bo")
    svc.workshops.submit(w.code, bo.token, "We answer every call within a minute.", "b")
    svc.workshops.set_revealed(w.code, key, True)
    cand, other = (svc.consensus.promote(w.code, key, d.id) for d in svc.store.drafts(w.id))
    svc.consensus.open_vote(w.code, key)
    svc.consensus.ballot(w.code, bo.token, [[cand.id], [other.id]])
    svc.consensus.ballot(w.code, OnBehalf(key, ana.id), [[cand.id]])
    svc.consensus.close_vote(w.code, key)
    svc.consensus.check(w.code, OnBehalf(key, ana.id), GOOD, "")
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    assert rnd is not None
    assert sorted(b.member_id for b in rnd.ballots) == [ana.id, bo.id]
    assert [c.member_id for c in rnd.checks] == [ana.id]
    svc.workshops.remove_member(w.code, key, ana.id)
    with pytest.raises(AccessDenied, match="removed"):
        svc.workshops.submit(w.code, OnBehalf(key, ana.id), "We greet.", "n4")


def test_the_upgrade_hashes_links_that_keep_working(tmp_path: Path) -> None:
    """A database from before hashing: every member's link and every plan link opens the
    same page after the upgrade, and the member's plan is found from their page."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    stamp = "2026-01-01 00:00:00"
    engine = create_engine(url)
    with engine.begin() as conn:
        migrate(conn, upto=11)
        conn.execute(
            text(
                "INSERT INTO workshops (id, code, name, organisation, focus, facilitator_key_hash,"
                " revealed, locked, revision, created_at) "
                "VALUES (1, '0123456789AB', 'W', '', '', :h, 0, 0, 0, :t)"
            ),
            {"h": "a" * 64, "t": stamp},
        )
        conn.execute(
            text(
                "INSERT INTO members (id, workshop_id, name, token, position, created_at) "
                "VALUES (1, 1, 'Ana', 'ana-old-link', 1, :t)"
            ),
            {"t": stamp},
        )
        for plan_id, token, member in ((1, "ana-plan-old", 1), (2, "solo-plan-link", None)):
            conn.execute(
                text(
                    "INSERT INTO plans (id, token, name, mission, workshop_id, member_id, "
                    "created_at) VALUES (:i, :k, 'P', 'We help.', :w, :m, :t)"
                ),
                {"i": plan_id, "k": token, "w": 1 if member else None, "m": member, "t": stamp},
            )
    engine.dispose()
    svc = build(Settings(database_url=url, public_url=None))  # upgrades on open
    assert not _stored_tokens(svc) & {"ana-old-link", "ana-plan-old", "solo-plan-link"}
    w, ana = svc.workshops.membership("0123456789AB", "ana-old-link")
    assert ana.name == "Ana"
    assert svc.commitments.for_member(w, ana).id == 1
    assert svc.commitments.open("solo-plan-link").id == 2


def test_a_backup_from_before_hashing_restores_with_working_links(svc: Services) -> None:
    """Schema 11 backups carry the links themselves: restored, they are hashed on the way in."""
    source = build(Settings(database_url="sqlite://", public_url=None))
    workshop, _, links = demo.create_with_links(source)
    data = json.loads(dumps(backup(source.store, workshop.id)))
    data["schema"] = 11
    by_id = {}
    members = data["tables"]["members"]
    names = {m.id: m.name for m in source.store.members(workshop.id)}
    for row in members:  # as schema 11 wrote it: the link itself
        row["token"] = links[names[row["id"]]]
        by_id[row["id"]] = row["token"]
    for row in data["tables"]["plans"]:
        row["token"] = f"old-plan-{row['id']}"
    code = restore(svc.store, loads(json.dumps(data)))
    restored = svc.workshops.find(code)
    assert not _stored_tokens(svc) & set(by_id.values())
    for name in demo.COMMITMENTS:
        w, member = svc.workshops.membership(code, links[name])
        assert svc.commitments.for_member(w, member).commitments
    assert restored.code == workshop.code


def test_a_store_opened_twice_does_not_hash_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    a = build(Settings(database_url=url, public_url=None))
    w, _ = a.workshops.create("Desk")
    _, ana = a.workshops.join(w.code, "Ana")
    a.store.engine.dispose()
    Store(url).engine.dispose()  # opening again applies no migration twice
    b = build(Settings(database_url=url, public_url=None))
    assert b.workshops.membership(w.code, ana.token)[1].id == ana.id


def test_a_remembered_device_opens_the_workshop_until_it_is_forgotten(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    laptop = svc.workshops.remember_device(w.code, key)
    tablet = svc.workshops.remember_device(w.code, key)
    assert laptop not in (key, tablet)
    with svc.store.engine.connect() as conn:
        stored = set(conn.execute(text("SELECT token FROM devices")).scalars())
    assert stored == {token_hash(laptop), token_hash(tablet)}  # hashes, never the tokens
    assert svc.workshops.facilitator(w.code, laptop).id == w.id
    svc.workshops.set_revealed(w.code, laptop, True)  # a device acts as the facilitator
    assert svc.workshops.find(w.code).revealed
    with pytest.raises(AccessDenied, match="facilitator link itself"):
        svc.workshops.rotate_key(w.code, laptop)  # but cannot take the key
    other, _ = svc.workshops.create("Other")
    with pytest.raises(AccessDenied):
        svc.workshops.facilitator(other.code, laptop)  # one workshop per token

    svc.workshops.forget_device(w.code, laptop)  # the laptop forgets itself
    with pytest.raises(AccessDenied):
        svc.workshops.facilitator(w.code, laptop)
    assert svc.workshops.facilitator(w.code, tablet)
    assert len(svc.workshops.devices(w.code, key)) == 1
    assert svc.workshops.forget_devices(w.code, key) == 1  # every device, from the screen
    with pytest.raises(AccessDenied):
        svc.workshops.facilitator(w.code, tablet)


def test_a_new_key_makes_every_device_forget(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    laptop = svc.workshops.remember_device(w.code, key)
    new = svc.workshops.rotate_key(w.code, key)
    with pytest.raises(AccessDenied):
        svc.workshops.facilitator(w.code, laptop)
    assert svc.workshops.devices(w.code, new) == []
