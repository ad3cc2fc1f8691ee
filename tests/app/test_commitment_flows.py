"""Step 6 and Step 8 through the real app script."""

from __future__ import annotations

import datetime as dt

from coach.bootstrap import Services
from coach.domain.reminders import to_ics
from coach.service.commitments import NO_LINK
from tests.app.conftest import frame, open_page, texts
from tests.support.partners import partnered

MISSION = "We welcome every guest like family and exceed their expectations."


def test_solo_start_write_score_and_come_back(svc: Services) -> None:
    at = open_page("commitments")
    at.text_input(key="plan_name").input("Ana")
    at.text_area(key="plan_mission").input(MISSION)
    at.button(key="FormSubmitter:plan_form-Start my commitments").click().run()
    token = at.query_params["plan"]
    token = token[0] if isinstance(token, list) else token
    assert f"/commitments?plan={token}" in at.code[0].value
    at.text_area(key="new_commitment").input(
        "I promise to welcome every guest by name, and file my expenses by Friday."
    )
    at.button(key="commitment_add").click().run()
    assert not at.exception
    assert "Saved 2 commitments" in at.success[0].value
    shown = texts(at)
    assert "I promise to welcome every guest by name" in shown
    assert "Shares with the mission: welcome, guest" in shown
    assert any(NO_LINK in w.value for w in at.warning)  # the expenses one has no line of sight
    # Another day, another device: the link brings it all back.
    again = open_page("commitments", plan=token)
    assert "I promise to file my expenses by Friday" in texts(again)
    assert len(svc.commitments.open(token).commitments) == 2
    assert not at.exception
    assert not again.exception


def test_due_date_cadence_status_check_in_and_calendar(svc: Services) -> None:
    plan = svc.commitments.start("Bo", MISSION)
    svc.commitments.add(plan.token, "I will thank one colleague for great service.")
    cid = svc.commitments.open(plan.token).commitments[0].id
    at = open_page("commitments", plan=plan.token)
    at.date_input(key=f"c{cid}_due").set_value(dt.date(2026, 12, 31))
    at.selectbox(key=f"c{cid}_cadence").set_value("weekly")
    at.selectbox(key=f"c{cid}_status").set_value("in progress")
    at.button(key=f"c{cid}_save").click().run()
    assert not at.exception
    c = svc.commitments.open(plan.token).commitments[0]
    assert (c.due, c.cadence, c.status) == (dt.date(2026, 12, 31), "weekly", "in progress")
    at.text_input(key=f"c{cid}_note").input("Thanked Cy at the Monday huddle.")
    at.button(key=f"c{cid}_checkin").click().run()
    assert "in progress: Thanked Cy at the Monday huddle." in texts(at)
    assert [b.key for b in at.get("download_button")] == ["ics_download"]
    assert not at.exception


def test_bad_commitment_keeps_the_text(svc: Services) -> None:
    plan = svc.commitments.start()
    at = open_page("commitments", plan=plan.token)
    long = "I will help. " * 120
    at.text_area(key="new_commitment").input(long)
    at.button(key="commitment_add").click().run()
    assert "the limit is 1,000" in at.error[0].value
    assert at.text_area(key="new_commitment").value == long
    assert not at.exception


def test_member_reaches_their_plan_from_the_join_page(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Cy")
    at = open_page("join", code=w.code, member=m.token)
    at.button(key="my_commitments").click().run()
    assert not at.exception
    plan = svc.store  # the plan now exists for this member
    from coach.storage.commitments import CommitmentStore

    assert CommitmentStore(plan).plan_of_member(m.id) is not None
    assert not at.exception


def test_team_view_coverage_gaps_follow_up_and_feedback(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    for name, line in (
        ("Ana", "I will ask every guest what they expect at check-in."),
        ("Bo", "I will thank one colleague for great service every Friday."),
    ):
        _, m = svc.workshops.join(w.code, name)
        plan = svc.commitments.for_member(svc.workshops.find(w.code), m)
        svc.commitments.add(plan.token, line)
    at = open_page("team", code=w.code, key=key)
    table = frame(at, "commitment")
    assert list(table["person"]) == ["Ana", "Bo"]
    assert at.warning  # some element of the service strategy has no commitment
    at.date_input(key="followup_due").set_value(dt.date.today() + dt.timedelta(days=10))
    at.button(key="followup_save").click().run()
    assert "10 days left" in at.info[0].value
    at.text_input(key="feedback_author").input("Dana")
    at.text_area(key="feedback_note").input("Good, specific promises.")
    at.button(key="feedback_save").click().run()
    assert "Dana on the team: Good, specific promises." in texts(at)
    assert not at.exception


def test_team_view_needs_the_facilitator_key(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    at = open_page("team", code=w.code, key="nope")
    assert "Only the facilitator" in at.error[0].value
    assert not at.exception


def test_a_long_plan_is_paged(svc: Services) -> None:
    """The service caps a plan at 50 commitments; a restored or older plan may hold more.
    It is drawn (and scored) ten at a time, with a page picker."""
    plan = svc.commitments.start("Ana", "We welcome every guest like family.")
    lines = [f"I will greet guest number {i + 1} by name, every shift." for i in range(25)]
    svc.commitments.store.add_commitments(plan.id, lines)
    at = open_page("commitments", plan=plan.token)
    shown = [t.value for t in at.text if t.value.startswith("I will greet guest number")]
    assert shown == lines[:10]
    assert "Commitments 1–10 of 25." in [c.value for c in at.caption]
    at.number_input(key="plan_page").set_value(3).run()
    shown = [t.value for t in at.text if t.value.startswith("I will greet guest number")]
    assert shown == lines[20:]
    assert "Commitments 21–25 of 25." in [c.value for c in at.caption]
    assert not at.exception


def test_reminders_ring_in_the_time_zone_chosen(svc: Services) -> None:
    from icalendar import Calendar

    plan = svc.commitments.start("Ana", "We welcome every guest like family.")
    svc.commitments.add(plan.token, "I will thank one colleague at every Friday huddle.")
    c = svc.commitments.open(plan.token).commitments[0]
    svc.commitments.update(plan.token, c.id, cadence="weekly")
    at = open_page("commitments", plan=plan.token)
    at.selectbox(key="plan_timezone").set_value("Asia/Tokyo").run()
    assert not at.exception
    assert svc.commitments.open(plan.token).timezone == "Asia/Tokyo"
    assert [b.proto.label for b in at.get("download_button")] == [
        "Add reminders to my calendar (.ics)"
    ]
    (event,) = Calendar.from_ical(
        to_ics(svc.commitments.calendar(svc.commitments.open(plan.token)))
    ).walk("VEVENT")
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "Asia/Tokyo" and start.hour == 9 and start.weekday() == 4


def test_a_partner_confirms_and_encourages_and_the_owner_sees_it(svc: Services) -> None:
    p = partnered(svc)
    cid = p.commitment_id
    svc.commitments.check_in(p.ana, cid, "in progress", "Twenty today.")

    partner = open_page("commitments", plan=p.bo)
    assert "You are accountability partner for" in [h.value for h in partner.subheader]
    assert "Ana: I will greet every guest by name every shift." in texts(partner)
    partner.button(key=f"p{cid}_confirm").click().run()
    partner.text_input(key=f"p{cid}_note").input("Proud of you!")
    partner.button(key=f"p{cid}_cheer").click().run()
    assert "Sent: Ana sees it on their page." in [s.value for s in partner.success]
    assert partner.text_input(key=f"p{cid}_note").value == ""  # the box starts empty again
    partner.button(key=f"p{cid}_question").click().run()  # nothing written: refused
    assert "Write a few words first" in partner.error[0].value

    owner = open_page("commitments", plan=p.ana)
    assert "2 new notes from Bo" in owner.info[0].value
    shown = texts(owner)
    assert "✓ Bo confirmed your check-in" in shown and "💬 Bo: Proud of you!" in shown
    owner.button(key="notes_read").click().run()
    assert not [i for i in owner.info if "new note" in i.value]
    assert " · new" not in texts(owner)
    assert not owner.exception and not partner.exception


def test_the_managers_page_gives_feedback_that_reaches_the_member(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    plan = svc.commitments.for_member(w, ana)
    svc.commitments.add(plan.token, "I will greet every guest by name every shift.")

    fac = open_page("team", code=w.code, key=key)
    fac.button(key="manager_make").click().run()
    url = next(c.value for c in fac.code if "manager=" in c.value)
    manager = url.split("manager=")[1]

    at = open_page("team", code=w.code, manager=manager)
    assert "manager" not in at.query_params  # the secret left the address bar
    assert "you are here as manager" in at.caption[0].value
    keys = {b.key for b in at.button}
    assert "manager_make" not in keys and "manager_revoke" not in keys  # no facilitator power
    assert not [p for p in at.get("page_link")]  # no way into the facilitator's pages
    at.text_input(key="feedback_author").input("Dana")
    at.text_area(key="feedback_note").input("A great start, Ana.")
    at.selectbox(key="feedback_target").set_value(None)  # to the team as a whole
    at.button(key="feedback_save").click().run()
    assert not at.exception

    member = open_page("commitments", plan=plan.token)
    assert "Feedback from management" in [h.value for h in member.subheader]
    assert "1 new: read it below." in member.info[0].value
    assert "Dana to the team: A great start, Ana. · new" in texts(member)
    member.button(key="feedback_read").click().run()
    assert " · new" not in texts(member) and not member.exception

    fac.button(key="manager_revoke").click().run()
    gone = open_page("team", code=w.code, manager=manager)
    assert "not right, or the facilitator has replaced it" in gone.error[0].value


def test_a_person_opts_in_to_the_weekly_email(svc: Services) -> None:
    plan = svc.commitments.start("Ana", "We welcome every guest like family.")
    svc.commitments.add(plan.token, "I will thank one colleague at every Friday huddle.")
    at = open_page("commitments", plan=plan.token)
    assert "Email is not set up on this server yet" in " ".join(c.value for c in at.caption)
    at.text_input(key="digest_email").input("not an address")
    at.button(key="digest_save").click().run()
    assert "not an email address" in at.error[0].value
    at.text_input(key="digest_email").input("ana@example.com")
    at.button(key="digest_save").click().run()
    assert svc.commitments.open(plan.token).email == "ana@example.com"
    assert not at.exception


def test_ideas_and_kept_rates_from_the_member_to_the_team_and_the_export(svc: Services) -> None:
    import io

    import openpyxl

    from coach.exports.formats import to_json, to_xlsx
    from coach.exports.table import ConsensusTable
    from coach.service import record

    w, key = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    plan = svc.commitments.for_member(w, ana)
    svc.commitments.add(plan.token, "I will thank one colleague at every Friday huddle.")
    c = svc.commitments.open(plan.token).commitments[0]
    svc.commitments.check_in(plan.token, c.id, "in progress", "")
    svc.commitments.check_in(plan.token, c.id, "done", "")

    at = open_page("commitments", plan=plan.token)
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")  # the timeline
    at.text_input(key="new_idea").input("Umbrellas to borrow at the door.")
    at.button(key="idea_add").click().run()
    idea = svc.commitments.open(plan.token).ideas[0]
    assert at.text_input(key="new_idea").value == ""
    at.button(key=f"idea_{idea.id}_tried").click().run()
    at.button(key=f"idea_{idea.id}_implemented").click().run()
    assert svc.commitments.open(plan.token).ideas[0].implemented_on is not None
    assert not at.exception

    team = open_page("team", code=w.code, key=key)
    heads = [h.value for h in team.subheader]
    assert "Kept, week by week" in heads and "Service ideas: created, tried, implemented" in heads
    assert frame(team, "kept rate")["kept rate"].tolist() == ["100%"]
    assert frame(team, "idea")["idea"].tolist() == ["Umbrellas to borrow at the door."]
    assert not team.exception

    ws = svc.workshops.find(w.code)
    table = record.build(
        ws,
        drafts=svc.store.drafts(ws.id),
        rounds=svc.consensus.history(ws),
        consensus=svc.consensus,
        team=svc.commitments.team(ws),
        themes=[],
    )
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(table)))
    kept = [r for r in book["Kept"].iter_rows(values_only=True)]
    assert kept[0] == ("text", "check_ins", "kept", "kept_rate")
    assert kept[1][1:] == (2, 2, "100%")
    ideas = list(book["Ideas"].iter_rows(values_only=True))
    assert ideas[1][:2] == ("Ana", "Umbrellas to borrow at the door.")
    back = ConsensusTable.model_validate_json(to_json(table))
    assert back.ideas == table.ideas and back.kept_weeks == table.kept_weeks
