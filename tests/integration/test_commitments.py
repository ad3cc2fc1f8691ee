"""Step 6 and Step 8: plans behind personal links, commitments, check-ins, the team, follow-up."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from coach.bootstrap import Services
from coach.domain.codes import token_hash
from coach.errors import InputError
from coach.service.commitments import NO_LINK
from coach.service.workshops import AccessDenied, NotFound
from tests.support.partners import partnered

MISSION = "We welcome every guest like family and exceed their expectations."


def test_a_solo_plan_lives_behind_its_link(svc: Services) -> None:
    plan = svc.commitments.start("Ana", MISSION)
    assert len(plan.token) >= 20
    assert svc.commitments.open(plan.token).mission == MISSION
    with pytest.raises(NotFound, match="No plan answers to this link"):
        svc.commitments.open("guess")


def test_a_line_of_several_actions_becomes_several_commitments(svc: Services) -> None:
    plan = svc.commitments.start("", MISSION)
    n = svc.commitments.add(
        plan.token,
        "I promise to welcome every guest by name, and call back every caller within 2 hours.",
    )
    assert n == 2
    texts = [c.text for c in svc.commitments.open(plan.token).commitments]
    assert texts == [
        "I promise to welcome every guest by name",
        "I promise to call back every caller within 2 hours",
    ]


def test_each_commitment_is_scored_with_line_of_sight(svc: Services) -> None:
    plan = svc.commitments.start("", MISSION)
    svc.commitments.add(plan.token, "I will welcome every guest by name at the door.")
    svc.commitments.add(plan.token, "I will file my expenses by Friday.")
    linked, unlinked = svc.commitments.view(svc.commitments.open(plan.token))
    assert set(linked.shared) >= {"welcome", "guest"}
    assert linked.line_of_sight.startswith("Shares with the mission:")
    assert unlinked.line_of_sight == NO_LINK
    assert linked.result.criteria["linked"].score > unlinked.result.criteria["linked"].score


def test_bad_commitments_and_fields_are_refused(svc: Services) -> None:
    plan = svc.commitments.start()
    with pytest.raises(InputError, match="write one sentence first"):
        svc.commitments.add(plan.token, "   ")
    svc.commitments.add(plan.token, "I will thank a colleague every Friday.")
    cid = svc.commitments.open(plan.token).commitments[0].id
    with pytest.raises(InputError, match="weekly or monthly"):
        svc.commitments.update(plan.token, cid, cadence="daily")
    with pytest.raises(InputError, match="planned, in progress, done or dropped"):
        svc.commitments.update(plan.token, cid, status="finished")
    with pytest.raises(InputError, match="another member of your workshop"):
        svc.commitments.update(plan.token, cid, partner_id=1)


def test_accountability_fields_and_dated_check_ins(svc: Services) -> None:
    plan = svc.commitments.start()
    svc.commitments.add(plan.token, "I will thank a colleague every Friday.")
    cid = svc.commitments.open(plan.token).commitments[0].id
    svc.commitments.update(plan.token, cid, due=date(2026, 12, 31), cadence="weekly")
    svc.commitments.check_in(plan.token, cid, "in progress", "Thanked Bo for the late check-in.")
    c = svc.commitments.open(plan.token).commitments[0]
    assert (c.due, c.cadence, c.status) == (date(2026, 12, 31), "weekly", "in progress")
    assert [(k.status, k.note) for k in c.checkins] == [
        ("in progress", "Thanked Bo for the late check-in.")
    ]
    other = svc.commitments.start()
    with pytest.raises(Exception, match="not in this plan"):
        svc.commitments.update(other.token, cid, status="done")


def test_members_share_a_workshop_plan_and_partners(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    _, bo = svc.workshops.join(w.code, "Bo")
    plan = svc.commitments.for_member(svc.workshops.find(w.code), ana)
    assert svc.commitments.for_member(svc.workshops.find(w.code), ana).token == plan.token
    assert [m.name for m in svc.commitments.partners(plan)] == ["Bo"]
    svc.commitments.add(plan.token, "I will recognise one colleague's great service every week.")
    cid = svc.commitments.open(plan.token).commitments[0].id
    svc.commitments.update(plan.token, cid, partner_id=bo.id)
    team = svc.commitments.team(svc.workshops.find(w.code))
    [row] = team.rows
    assert (row.person, row.view.partner) == ("Ana", "Bo")
    assert team.coverage["recognise"] == 1
    assert any("listen" in g.lower() for g in team.gaps)


def test_follow_up_and_feedback_need_the_facilitator(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    plan = svc.commitments.for_member(svc.workshops.find(w.code), ana)
    svc.commitments.add(plan.token, "I will thank a colleague every Friday.")
    with pytest.raises(AccessDenied):
        svc.commitments.set_followup(w.code, "nope", date(2026, 12, 15))
    svc.commitments.set_followup(w.code, key, date(2026, 12, 15))
    team = svc.commitments.team(svc.workshops.find(w.code))
    assert team.days_left(date(2026, 12, 10)) == 5
    assert team.days_left(date(2026, 12, 20)) == -5
    cid = team.rows[0].view.commitment.id
    svc.commitments.give_feedback(w.code, key, cid, "Dana (manager)", "Great start.")
    svc.commitments.give_feedback(w.code, key, None, "", "Proud of the team.")
    with pytest.raises(NotFound):
        svc.commitments.give_feedback(w.code, key, 99999, "", "x")
    notes = [
        (f.commitment_id, f.note) for f in svc.commitments.team(svc.workshops.find(w.code)).feedback
    ]
    assert notes == [(cid, "Great start."), (None, "Proud of the team.")]


def test_a_workshop_statement_becomes_the_mission(svc: Services) -> None:
    from coach.cli.demo import MERGED, create

    w, _ = create(svc)
    plan = svc.commitments.start()
    assert svc.commitments.use_workshop_mission(plan.token, w.code) == MERGED
    other, _ = svc.workshops.create("Not adopted")
    with pytest.raises(NotFound, match="not adopted a statement"):
        svc.commitments.use_workshop_mission(plan.token, other.code)


@pytest.mark.parametrize("token", ["\x00", "abc\x00", "' OR 1=1 --", "x" * 500])
def test_hostile_links_open_nothing(svc: Services, token: str) -> None:
    with pytest.raises(NotFound):
        svc.commitments.open(token)
    w, _ = svc.workshops.create("Desk")
    assert svc.workshops.member(svc.workshops.find(w.code), token) is None


def test_the_calendar_covers_every_page(svc: Services) -> None:
    plan = svc.commitments.start("Ana", "We welcome every guest like family.")
    svc.commitments.store.add_commitments(plan.id, [f"I will call guest {i}." for i in range(12)])
    plan = svc.commitments.open(plan.token)
    for c in plan.commitments[::3]:
        svc.commitments.update(plan.token, c.id, cadence="weekly")
    plan = svc.commitments.open(plan.token)
    everything = svc.commitments.reminders(plan, svc.commitments.view(plan))
    assert svc.commitments.calendar(plan) == everything
    assert len(everything) == 4


def test_a_line_of_actions_is_saved_as_promises_that_stand_alone(svc: Services) -> None:
    plan = svc.commitments.start("Ana", "Every caller feels heard.")
    n = svc.commitments.add(plan.token, "I will call back and thank every caller within 2 hours.")
    n += svc.commitments.add(
        plan.token,
        "I promise to greet every guest by name, and to answer every call bell within two minutes.",
    )
    assert n == 4
    assert [c.text for c in svc.commitments.open(plan.token).commitments] == [
        "I will call back every caller within 2 hours",
        "I will thank every caller within 2 hours",
        "I promise to greet every guest by name",
        "I promise to answer every call bell within two minutes",
    ]


def _pair(svc: Services) -> tuple[str, str, int]:
    """Ana's plan (one commitment, Bo as partner) and Bo's plan, both from their pages."""
    p = partnered(svc)
    return p.ana, p.bo, p.commitment_id


def test_a_partner_sees_confirms_asks_and_encourages(svc: Services) -> None:
    ana, bo, cid = _pair(svc)
    (item,) = svc.commitments.partnering(svc.commitments.open(bo))
    assert (item.owner, item.commitment.id) == ("Ana", cid)
    assert svc.commitments.partnering(svc.commitments.open(ana)) == []  # Ana partners nobody
    with pytest.raises(InputError, match="not checked in"):
        svc.commitments.respond(bo, cid, "confirm", "")
    with pytest.raises(InputError, match="Write a few words"):
        svc.commitments.respond(bo, cid, "cheer", "   ")
    with pytest.raises(InputError, match="one of"):
        svc.commitments.respond(bo, cid, "shout", "Hey")
    with pytest.raises(NotFound):
        svc.commitments.respond(ana, cid, "cheer", "I cannot partner myself")
    svc.commitments.check_in(ana, cid, "in progress", "Twenty guests by name today.")
    svc.commitments.respond(bo, cid, "confirm", "")
    svc.commitments.respond(bo, cid, "cheer", "Keep   going!\nGreat start.")
    notes = svc.commitments.open(ana).commitments[0].notes
    assert [(n.kind, n.note, n.read) for n in notes] == [
        ("confirm", "", False),
        ("cheer", "Keep going! Great start.", False),  # one line, spaces folded
    ]
    assert svc.commitments.mark_read(ana) == 2
    assert all(n.read for n in svc.commitments.open(ana).commitments[0].notes)
    assert svc.commitments.mark_read(ana) == 0


def test_a_partner_no_longer_named_can_no_longer_respond(svc: Services) -> None:
    ana, bo, cid = _pair(svc)
    svc.commitments.update(ana, cid, partner_id=None)
    assert svc.commitments.partnering(svc.commitments.open(bo)) == []
    with pytest.raises(NotFound, match="not the accountability partner"):
        svc.commitments.respond(bo, cid, "cheer", "Still here")


def test_a_managers_link_reads_gives_feedback_and_keeps_the_date_and_nothing_else(
    svc: Services,
) -> None:
    w, key = svc.workshops.create("Desk")
    manager = svc.workshops.manager_link(w.code, key)
    with svc.store.engine.connect() as conn:
        stored = conn.execute(text("SELECT manager_token FROM workshops")).scalar()
    assert stored == token_hash(manager)  # only its hash is kept
    assert svc.workshops.overseer(w.code, manager) == (svc.workshops.find(w.code), False)
    assert svc.workshops.overseer(w.code, key)[1] is True
    svc.commitments.set_followup(w.code, manager, date(2026, 12, 18))
    svc.commitments.give_feedback(w.code, manager, None, "Dana (manager)", "Proud of you all.")
    assert svc.workshops.find(w.code).followup_due == date(2026, 12, 18)
    for facilitator_only in (
        lambda: svc.workshops.facilitator(w.code, manager),
        lambda: svc.workshops.set_revealed(w.code, manager, True),
        lambda: svc.workshops.manager_link(w.code, manager),
        lambda: svc.workshops.rotate_key(w.code, manager),
    ):
        with pytest.raises(AccessDenied):
            facilitator_only()
    newer = svc.workshops.manager_link(w.code, key)
    with pytest.raises(AccessDenied, match="manager's link"):
        svc.workshops.overseer(w.code, manager)  # the old link stops
    svc.workshops.revoke_manager(w.code, key)
    with pytest.raises(AccessDenied):
        svc.commitments.give_feedback(w.code, newer, None, "", "Still here?")


def test_each_member_sees_the_feedback_for_them_until_read(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    plans = {}
    for name in ("Ana", "Bo"):
        _, m = svc.workshops.join(w.code, name)
        plan = svc.commitments.for_member(w, m)
        svc.commitments.add(plan.token, f"I will greet every guest by name, {name}.")
        plans[name] = plan.token
    ana = svc.commitments.open(plans["Ana"])
    assert svc.commitments.my_feedback(ana) == []
    manager = svc.workshops.manager_link(w.code, key)
    ana_c = ana.commitments[0].id
    bo_c = svc.commitments.open(plans["Bo"]).commitments[0].id
    svc.commitments.give_feedback(w.code, manager, ana_c, "Dana", "Lovely to see.")
    svc.commitments.give_feedback(w.code, manager, bo_c, "Dana", "For Bo only.")
    svc.commitments.give_feedback(w.code, key, None, "", "Thank you, team.")
    seen = svc.commitments.my_feedback(svc.commitments.open(plans["Ana"]))
    assert [(f.note, new) for f, new in seen] == [
        ("Lovely to see.", True),
        ("Thank you, team.", True),
    ]  # not Bo's
    svc.commitments.feedback_read(plans["Ana"])
    seen = svc.commitments.my_feedback(svc.commitments.open(plans["Ana"]))
    assert [new for _, new in seen] == [False, False]
    bo_seen = svc.commitments.my_feedback(svc.commitments.open(plans["Bo"]))
    assert [(f.note, new) for f, new in bo_seen] == [
        ("For Bo only.", True),
        ("Thank you, team.", True),
    ]  # read by Ana is not read by Bo


def test_ideas_are_created_tried_and_implemented(svc: Services) -> None:
    plan = svc.commitments.start("Ana", "We welcome every guest like family.")
    with pytest.raises(InputError, match="Write the idea first"):
        svc.commitments.add_idea(plan.token, "   ")
    with pytest.raises(InputError, match="one line"):
        svc.commitments.add_idea(plan.token, "x" * 301)
    svc.commitments.add_idea(plan.token, "A card of regulars'  names\nat the desk.")
    svc.commitments.add_idea(plan.token, "Umbrellas to borrow at the door.")
    first, second = svc.commitments.open(plan.token).ideas
    assert first.text == "A card of regulars' names at the desk."  # one line
    svc.commitments.idea_stage(plan.token, first.id, "tried", on=date(2026, 11, 2))
    svc.commitments.idea_stage(plan.token, second.id, "implemented", on=date(2026, 11, 9))
    first, second = svc.commitments.open(plan.token).ideas
    assert (first.tried_on, first.implemented_on) == (date(2026, 11, 2), None)
    assert (second.tried_on, second.implemented_on) == (date(2026, 11, 9),) * 2
    other = svc.commitments.start("Bo", "")
    with pytest.raises(NotFound):
        svc.commitments.idea_stage(other.token, first.id, "tried")
    with pytest.raises(InputError):
        svc.commitments.idea_stage(plan.token, first.id, "dreamt")


def test_the_team_sees_kept_rates_and_the_ideas_funnel(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    plan = svc.commitments.for_member(w, ana)
    svc.commitments.add(plan.token, "I will listen to every guest's complaint and thank them.")
    c = svc.commitments.open(plan.token).commitments[0]
    for status in ("in progress", "planned", "done"):
        svc.commitments.check_in(plan.token, c.id, status, "")
    svc.commitments.add_idea(plan.token, "Umbrellas to borrow at the door.")
    team = svc.commitments.team(svc.workshops.find(w.code))
    (week,) = team.kept_weeks
    assert (week.check_ins, week.kept) == (3, 2)
    listened = {r.label: (r.check_ins, r.kept) for r in team.kept_elements}
    assert any(v == (3, 2) for v in listened.values())  # the elements the line serves
    assert (team.funnel.created, team.funnel.tried, team.funnel.implemented) == (1, 0, 0)
    assert [(p, i.text) for p, i in team.ideas] == [("Ana", "Umbrellas to borrow at the door.")]
