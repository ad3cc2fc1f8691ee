"""The whole workshop through the services, on SQLite and PostgreSQL: the agenda the room
follows, Steps 3, 5 and 7, the register, and the self-assessment of current practice."""

from __future__ import annotations

import pytest

from coach.bootstrap import Services
from coach.domain.agenda import STEP_KEYS
from coach.errors import InputError, RubricError
from coach.service.steps import StepError
from coach.service.workshops import AccessDenied, AlreadyDone, NotFound


def _room(svc: Services, people: int = 2, *, whole: bool = True):
    ws, steps = svc.workshops, svc.steps
    workshop, key = ws.create("Front desk", "Harbour Hotel")
    steps.plan(workshop.code, key, whole=whole)
    tokens = [ws.join(workshop.code, f"P{i}")[1].token for i in range(people)]
    return workshop, key, tokens


def test_a_new_agenda_starts_at_step_3_and_a_short_one_at_step_4(svc: Services) -> None:
    workshop, _key, _ = _room(svc)
    agenda = svc.steps.agenda(workshop)
    assert agenda.current == "image"
    assert [i.step for i in agenda.enabled] == list(STEP_KEYS)
    short, _skey, _ = _room(svc, whole=False)
    agenda = svc.steps.agenda(short)
    assert agenda.current == "mission"
    assert [i.step for i in agenda.enabled] == ["mission", "commit", "followup"]


def test_a_workshop_from_before_the_agenda_is_on_step_4(svc: Services) -> None:
    workshop, _ = svc.workshops.create("Old")
    agenda = svc.steps.agenda(workshop)
    assert agenda.current == "mission" and agenda.on("mission") and not agenda.on("image")


def test_the_room_moves_only_from_the_step_the_screen_showed(svc: Services) -> None:
    workshop, key, _ = _room(svc)
    code = workshop.code
    svc.steps.go(code, key, "mission", seen="image")
    assert svc.steps.agenda(workshop).current == "mission"
    assert svc.workshops.find(code).step == "mission"
    with pytest.raises(StepError, match="Another screen moved the room"):
        svc.steps.go(code, key, "core", seen="image")  # a stale tab
    with pytest.raises(AlreadyDone):
        svc.steps.go(code, key, "mission", seen="mission")
    with pytest.raises(AccessDenied):
        svc.steps.go(code, "not the key", "core", seen="mission")


def test_switching_off_the_current_step_moves_the_room_on(svc: Services) -> None:
    workshop, key, _ = _room(svc)
    agenda = svc.steps.set_agenda(workshop.code, key, {"image": False}, {"mission": 20})
    assert agenda.current == "mission"
    assert agenda.item("mission").minutes == 20
    with pytest.raises(InputError, match="1 to 240 minutes"):
        svc.steps.set_agenda(workshop.code, key, {}, {"core": 0})
    with pytest.raises(InputError, match="at least one step"):
        svc.steps.set_agenda(workshop.code, key, dict.fromkeys(STEP_KEYS, False), {})


def test_items_stay_private_until_the_reveal(svc: Services) -> None:
    workshop, key, (ana, ben) = _room(svc)
    code = workshop.code
    svc.steps.add_item(code, ana, "image", "We could greet every guest by name if we did X.")
    svc.steps.add_item(code, ben, "image", "We could greet guests by name at check-in.")
    view = svc.steps.view(workshop, "image")
    assert (view.writers, view.counted, view.items) == (2, 2, ())
    svc.steps.set_revealed(code, key, "image", True)
    view = svc.steps.view(workshop, "image")
    assert [i.member_name for i in view.items] == ["P0", "P1"]
    assert any("greet" in t.label for t in view.themes())


def test_a_member_writes_only_in_the_step_the_room_is_on(svc: Services) -> None:
    workshop, _key, (ana, _) = _room(svc)
    with pytest.raises(StepError, match="moved on to Image of the future"):
        svc.steps.add_item(workshop.code, ana, "core", "We are already good at smiling.")
    with pytest.raises(InputError, match="Your idea is empty"):
        svc.steps.add_item(workshop.code, ana, "image", "   ")


def test_at_most_so_many_items_and_withdrawing_frees_one(svc: Services) -> None:
    workshop, key, (ana, ben) = _room(svc)
    code = workshop.code
    svc.steps.go(code, key, "core", seen="image")
    made = [
        svc.steps.add_item(code, ana, "core", f"We are already good at thing {i}.", "")
        for i in range(3)
    ]
    assert all(i.needs_example for i in made)  # flagged: no example given
    with pytest.raises(InputError, match="the most for this step"):
        svc.steps.add_item(code, ana, "core", "One more.", "An example.")
    with pytest.raises(NotFound):
        svc.steps.withdraw_item(code, ben, made[0].id)  # not Ben's
    svc.steps.withdraw_item(code, ana, made[0].id)
    added = svc.steps.add_item(code, ana, "core", "We remember regulars.", "Mrs Lee's tea")
    assert not added.needs_example
    assert [
        i.text for i in svc.steps.own_items(workshop, svc.workshops.member(workshop, ana), "core")
    ] == [
        "We are already good at thing 1.",
        "We are already good at thing 2.",
        "We remember regulars.",
    ]


def test_the_team_agrees_a_result_only_when_everyone_gives_three_or_more(svc: Services) -> None:
    workshop, key, (ana, ben) = _room(svc)
    code = workshop.code
    idea = svc.steps.add_item(code, ana, "image", "We could know every guest by name.")
    with pytest.raises(StepError, match="no result"):
        svc.steps.check(code, ana, "image", 4)
    svc.steps.propose(code, key, "image", "Every guest is known by name.", sources=[idea.id])
    svc.steps.check(code, ana, "image", 5)
    with pytest.raises(StepError, match="Waiting for 1 to answer: P1"):
        svc.steps.agree(code, key, "image")
    with pytest.raises(InputError, match="what would have to change"):
        svc.steps.check(code, ben, "image", 2)
    svc.steps.check(code, ben, "image", 2, "Name the front desk too.")
    with pytest.raises(StepError, match="1 cannot support it"):
        svc.steps.agree(code, key, "image")
    # A second candidate: the check waits until the team keeps one, and starts again.
    svc.steps.propose(code, key, "image", "Every guest is known by name, from door to desk.")
    with pytest.raises(StepError, match="2 candidate images"):
        svc.steps.check(code, ana, "image", 4)
    _first, second = svc.steps.results(workshop, "image")
    svc.steps.keep(code, key, "image", [second.id])
    assert [r.text for r in svc.steps.results(workshop, "image")] == [
        "Every guest is known by name, from door to desk."
    ]
    assert svc.steps.view(workshop, "image").missing  # both must answer again
    svc.steps.check(code, ana, "image", 4)
    svc.steps.check(code, ben, "image", 3)
    svc.steps.agree(code, key, "image")
    assert svc.steps.view(workshop, "image").agreed
    with pytest.raises(StepError, match="agreed this step"):
        svc.steps.add_item(code, ana, "image", "Too late.")
    svc.steps.reopen(code, key, "image")  # undo
    assert not svc.steps.view(workshop, "image").agreed


def test_the_positive_core_keeps_several_aspects_with_examples(svc: Services) -> None:
    workshop, key, _ = _room(svc)
    code = workshop.code
    svc.steps.propose(code, key, "core", "We remember regulars.", "Mrs Lee's tea, no asking")
    svc.steps.propose(code, key, "core", "We fix things fast.", "The broken lift, 20 minutes")
    got = svc.steps.results(workshop, "core")
    assert [(r.text, r.example) for r in got] == [
        ("We remember regulars.", "Mrs Lee's tea, no asking"),
        ("We fix things fast.", "The broken lift, 20 minutes"),
    ]
    svc.steps.remove_result(code, key, "core", got[0].id)
    assert [r.text for r in svc.steps.results(workshop, "core")] == ["We fix things fast."]


def test_the_register_links_and_the_manager_responds(svc: Services) -> None:
    workshop, key, (ana, _) = _room(svc)
    code = workshop.code
    idea = svc.steps.add_item(code, ana, "image", "We could answer every call in 3 rings.")
    svc.steps.propose(code, key, "core", "We fix things fast.", "The lift")
    strength = svc.steps.results(workshop, "core")[0]
    plan = svc.commitments.for_member(workshop, svc.workshops.member(workshop, ana))
    svc.commitments.add(plan.token, "I will call back every guest within 2 hours.")
    commitment = svc.commitments.open(plan.token).commitments[0].id
    rec = svc.steps.add_recommendation(code, key, "Publish a call-back standard.", "Ops lead")
    svc.steps.update_recommendation(
        code,
        key,
        rec,
        status="agreed",
        ideas=[idea.id],
        strengths=[strength.id],
        commitments=[commitment],
    )
    other, _other_key, (eve,) = _room(svc, 1)  # another workshop's idea cannot be linked
    elsewhere = svc.steps.add_item(other.code, eve, "image", "We could smile more.")
    with pytest.raises(NotFound, match="not in this workshop"):
        svc.steps.update_recommendation(code, key, rec, ideas=[elsewhere.id])
    with pytest.raises(InputError, match="Choose a status"):
        svc.steps.update_recommendation(code, key, rec, status="maybe")
    link = svc.workshops.manager_link(code, key)
    svc.steps.respond(code, link, rec, "Yes: from January, owned by Ops.")
    with pytest.raises(AccessDenied):
        svc.steps.respond(code, "wrong", rec, "No.")
    (got,) = svc.steps.recommendations(workshop)
    assert (got.status, got.owner, got.ideas, got.strengths, got.commitments) == (
        "agreed",
        "Ops lead",
        (idea.id,),
        (strength.id,),
        (commitment,),
    )
    assert got.response == "Yes: from January, owned by Ops." and got.responded_at
    svc.steps.update_recommendation(code, key, rec, removed=True)
    assert svc.steps.recommendations(workshop) == []
    assert svc.steps.taken_out(workshop) == [(rec, got.text)]
    # Taking it out can be undone: the entry comes back as it was, response and links too.
    with pytest.raises(AccessDenied):
        svc.steps.put_back_recommendation(code, "wrong", rec)
    svc.steps.put_back_recommendation(code, key, rec)
    assert svc.steps.recommendations(workshop) == [got]
    assert svc.steps.taken_out(workshop) == []
    with pytest.raises(NotFound, match="not taken out"):
        svc.steps.put_back_recommendation(code, key, rec)


def test_the_assessment_names_a_low_element_nobody_commits_to(svc: Services) -> None:
    workshop, _key, (ana, ben) = _room(svc)
    code = workshop.code
    for token, listen, recognise in ((ana, 1, 2), (ben, 2, 5)):
        svc.steps.rate(code, token, "listen", listen, "We never ask")
        svc.steps.rate(code, token, "recognise", recognise)
    svc.steps.rate(code, ana, "listen", 2, "Rarely")  # a second answer replaces the first
    with pytest.raises(InputError, match="from 1"):
        svc.steps.rate(code, ana, "listen", 6)
    with pytest.raises(InputError, match="no element"):
        svc.steps.rate(code, ana, "nonsense", 3)
    team = svc.commitments.team(workshop)
    spread = {e.key: e for e in svc.steps.assessment(workshop, team.coverage)}
    assert spread["listen"].ratings == (2, 2) and spread["listen"].gap
    assert spread["listen"].comments == ("Rarely", "We never ask")
    assert spread["recognise"].spread == 3 and not spread["recognise"].gap
    # A commitment that carries the element closes the gap.
    plan = svc.commitments.for_member(workshop, svc.workshops.member(workshop, ana))
    svc.commitments.add(plan.token, "I will listen to two guests a day and note what they say.")
    team = svc.commitments.team(workshop)
    spread = {e.key: e for e in svc.steps.assessment(workshop, team.coverage)}
    assert spread["listen"].commitments == 1 and not spread["listen"].gap


def test_every_change_moves_the_revision_so_screens_follow(svc: Services) -> None:
    workshop, key, (ana, _) = _room(svc)
    before = svc.store.revision(workshop.id)
    svc.steps.add_item(workshop.code, ana, "image", "We could smile.")
    svc.steps.set_revealed(workshop.code, key, "image", True)
    svc.steps.go(workshop.code, key, "mission", seen="image")
    assert svc.store.revision(workshop.id) == before + 3


def test_one_low_rating_is_not_everyone(svc: Services) -> None:
    workshop, _key, (ana, _ben) = _room(svc)
    svc.steps.rate(workshop.code, ana, "measure", 1)
    spread = {e.key: e for e in svc.steps.assessment(workshop, {})}
    assert spread["measure"].low and not spread["measure"].gap


def test_a_ranked_vote_picks_between_candidate_images(svc: Services) -> None:
    workshop, key, (ana, ben, cy) = _room(svc, 3)
    code = workshop.code
    for text in ("Every guest is known by name.", "Every call is answered in three rings."):
        svc.steps.propose(code, key, "image", text)
    a, b = (r.id for r in svc.steps.results(workshop, "image"))
    with pytest.raises(StepError, match="vote has closed"):
        svc.steps.rank(code, ana, "image", [[a]])
    svc.steps.open_vote(code, key, "image")
    with pytest.raises(StepError, match="close it first"):
        svc.steps.propose(code, key, "image", "A third.")
    with pytest.raises(StepError, match="ranking the candidates first"):
        svc.steps.check(code, ana, "image", 4)
    with pytest.raises(InputError, match="one place only"):
        svc.steps.rank(code, ana, "image", [[a], [a]])
    svc.steps.rank(code, ana, "image", [[b], [a]])
    svc.steps.rank(code, ben, "image", [[b]])
    svc.steps.rank(code, cy, "image", [[a], [b]])
    svc.steps.rank(code, cy, "image", [[b], [a]])  # a changed mind replaces the ballot
    view = svc.steps.view(workshop, "image")
    assert view.ballots == 3 and view.tally is not None
    assert view.tally.winner == (str(b),) and view.label(b) == "B"
    svc.steps.close_vote(code, key, "image")
    svc.steps.keep(code, key, "image", [b])
    view = svc.steps.view(workshop, "image")
    assert view.checking and [r.id for r in view.results] == [b]
    # Opening a new vote starts its ballots afresh.
    svc.steps.propose(code, key, "image", "Every guest leaves lighter than they came.")
    svc.steps.open_vote(code, key, "image")
    assert svc.steps.view(workshop, "image").ballots == 0


def test_the_team_chooses_its_assessment(svc: Services, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    own = tmp_path / "frameworks"
    own.mkdir()
    (own / "blocks.toml").write_text(
        'key = "blocks"\ntitle = "Our building blocks"\n'
        'scale = ["No", "Rarely", "Sometimes", "Mostly", "Always"]\n'
        '[[element]]\nkey = "listen"\nlabel = "Listening"\nquestion = "Do we listen?"\n'
        '[[element]]\nkey = "welcome"\nlabel = "Welcome"\nquestion = "Do we welcome?"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("COACH_ASSESSMENTS_DIR", str(own))
    workshop, key, (ana, ben) = _room(svc)
    with pytest.raises(RubricError, match="no assessment 'nope'"):
        svc.steps.set_framework(workshop.code, key, "nope")
    svc.steps.set_framework(workshop.code, key, "blocks")
    workshop = svc.workshops.find(workshop.code)
    svc.steps.rate(workshop.code, ana, "welcome", 1)
    svc.steps.rate(workshop.code, ben, "welcome", 2)
    with pytest.raises(InputError, match="Our building blocks has no element 'standards'"):
        svc.steps.rate(workshop.code, ana, "standards", 3)
    spread = svc.steps.assessment(workshop, {})
    assert [e.label for e in spread] == ["Listening", "Welcome"]
    assert [e.key for e in spread if e.gap] == ["welcome"]
