"""The whole workshop in the app: the agenda the facilitator moves through, and Steps 3, 5
and 7, the assessment, commitments and follow-up on the facilitator's screen, a member's
phone and the projector."""

from __future__ import annotations

from coach.bootstrap import Services
from tests.app.conftest import open_page, texts, unescaped

IDEA = "We could provide superior service if we knew every regular by name."


def _html(at) -> str:  # type: ignore[no-untyped-def]
    return unescaped(" ".join(h.proto.body for h in at.get("html")))


def _titles(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.value for t in at.title]


def _room(svc: Services, *names: str):  # type: ignore[no-untyped-def]
    w, key = svc.steps.create_workshop("Front desk", "Harbour Hotel")
    members = [svc.workshops.join(w.code, n)[1] for n in names]
    return w, key, members


def test_a_new_workshop_starts_at_step_3_and_next_moves_every_screen(svc: Services) -> None:
    at = open_page("home")
    at.text_input(key="create_name").input("Front desk")
    at.button(key="FormSubmitter:create_form-Create workshop").click().run()
    code = at.code[0].value.split("code=")[1].split("&")[0]
    w = svc.workshops.find(code)
    assert w.step == "image"
    _, ana = svc.workshops.join(code, "Ana")
    key = at.code[0].value.split("key=")[1]
    fac = open_page("workshop", code=code, key=key)
    assert _titles(fac)[0] == "Step 3: an image of the future"
    assert "Agenda, step 1 of 7" in " ".join(c.value for c in fac.caption)
    phone = open_page("join", code=code, member=ana.token)
    assert "Step 3: an image of the future" in [s.value for s in phone.subheader]
    fac.button(key="agenda_next").click().run()
    assert _titles(fac)[0] == "Step 4: the mission statement"
    assert svc.workshops.find(code).step == "mission"
    phone.run()
    assert phone.text_area(key=f"member_draft_{ana.id}")  # the mission draft box is back
    fac.button(key="agenda_back").click().run()
    assert _titles(fac)[0] == "Step 3: an image of the future"


def test_the_short_agenda_starts_at_step_4(svc: Services) -> None:
    at = open_page("home")
    at.text_input(key="create_name").input("Quick")
    at.radio(key="create_agenda").set_value(False)
    at.button(key="FormSubmitter:create_form-Create workshop").click().run()
    code = at.code[0].value.split("code=")[1].split("&")[0]
    assert svc.workshops.find(code).step == "mission"
    agenda = svc.steps.agenda(svc.workshops.find(code))
    assert [i.step for i in agenda.enabled] == ["mission", "commit", "followup"]


def test_the_agenda_form_switches_steps_and_sets_the_timer_minutes(svc: Services) -> None:
    w, key, _ = _room(svc, "Ana")
    fac = open_page("workshop", code=w.code, key=key)
    fac.button(key="agenda_edit").click().run()
    fac.checkbox(key="agenda_on_image").uncheck()
    fac.number_input(key="agenda_min_mission").set_value(35)
    fac.button(key="FormSubmitter:agenda_form-Save the agenda").click().run()
    agenda = svc.steps.agenda(w)
    assert not agenda.on("image") and agenda.current == "mission"
    assert agenda.item("mission").minutes == 35
    assert _titles(fac)[0] == "Step 4: the mission statement"
    assert fac.number_input(key="timer_minutes_mission").value == 35


def test_step_3_from_private_ideas_to_an_agreed_image(svc: Services) -> None:
    w, key, (ana, bo) = _room(svc, "Ana", "Bo")
    phone = open_page("join", code=w.code, member=ana.token)
    phone.text_area(key="item_text_image").input(IDEA)
    phone.button(key="FormSubmitter:add_item_image-Add").click().run()
    assert IDEA in texts(phone)
    assert any("Tip:" in c.value or "private" in c.value for c in phone.caption)
    fac = open_page("workshop", code=w.code, key=key)
    assert "1 of 2 have written" in [s.value for s in fac.subheader]
    assert IDEA not in str([d.value for d in fac.dataframe])  # private until the reveal
    present = open_page("present", code=w.code, view=svc.workshops.presenter_token(w.code, key))
    assert "1 of 2 have written." in _html(present) and IDEA not in _html(present)
    fac.button(key="reveal_image").click().run()
    assert IDEA in fac.dataframe[0].value["text"].tolist()
    present.run()
    assert IDEA in _html(present)
    image = "Every regular is known by name, from the door to the desk."
    fac.text_area(key="propose_text_image").input(image)
    fac.button(key="FormSubmitter:propose_image-Put it to the team").click().run()
    assert "Fist-to-five: 0 of 2 have answered." in texts(fac)
    phone.run()
    phone.radio(key="fist_image").set_value(4)
    phone.button(key="FormSubmitter:check_image-Send my answer").click().run()
    svc.steps.check(w.code, bo.token, "image", 2, "Say what we do at the door.")
    fac.run()
    assert "Bo gives 2: Say what we do at the door." in texts(fac)
    assert fac.button(key="agree_image").disabled  # not until all give 3 or more
    svc.steps.check(w.code, bo.token, "image", 3)
    fac.run()  # the screen follows the answers by itself; here, one run
    fac.button(key="agree_image").click().run()
    assert "The team agreed this ✓" in fac.success[-1].value
    phone.run()
    assert "The team agreed this ✓" in [s.value for s in phone.success]
    present.run()
    assert image in _html(present) and "agreed" in _html(present)
    svc.steps.go(w.code, key, "mission", seen="image")
    phone.run()
    assert image in texts(phone)  # Step 3's image feeds Step 4


def test_step_5_flags_an_aspect_without_an_example(svc: Services) -> None:
    w, key, (ana,) = _room(svc, "Ana")
    svc.steps.go(w.code, key, "core", seen="image")
    phone = open_page("join", code=w.code, member=ana.token)
    phone.text_area(key="item_text_core").input("We are already good at fixing things fast.")
    phone.button(key="FormSubmitter:add_item_core-Add").click().run()
    assert "This one has no example yet" in phone.warning[0].value
    fac = open_page("workshop", code=w.code, key=key)
    fac.button(key="reveal_core").click().run()
    assert fac.dataframe[0].value["example"].tolist() == ["⚠ no example yet"]
    fac.text_area(key="propose_text_core").input("We fix things fast.")
    fac.text_input(key="propose_example_core").input("The lift in March: 20 minutes.")
    fac.button(key="FormSubmitter:propose_core-Put it to the team").click().run()
    assert "We fix things fast.\nFor example: The lift in March: 20 minutes." in texts(fac)
    svc.steps.go(w.code, key, "commit", seen="core")
    phone.run()
    assert "• We fix things fast." in texts(phone)  # Step 5's core feeds Step 6


def test_the_assessment_names_the_gap_on_the_facilitator_screen(svc: Services) -> None:
    w, key, (ana, bo) = _room(svc, "Ana", "Bo")
    svc.steps.go(w.code, key, "assess", seen="image")
    phone = open_page("join", code=w.code, member=ana.token)
    phone.radio(key="rate_listen").set_value(1)
    phone.text_input(key="rate_note_listen").input("Nobody asks guests")
    phone.radio(key="rate_recognise").set_value(4)
    phone.button(key="FormSubmitter:assess_form-Save my ratings").click().run()
    assert "Saved ✓ (2 of 6 rated)." in unescaped(phone.success[0].value)
    svc.steps.rate(w.code, bo.token, "listen", 2)
    fac = open_page("workshop", code=w.code, key=key)
    table = fac.dataframe[0].value.set_index("element")
    assert table.loc["Listen", "answers"] == 2 and str(table.loc["Listen", "mean"]) == "1.5"
    assert table.loc["Develop & recruit", "mean"] == ""  # nobody rated it: blank, not None
    gaps = [unescaped(x.value) for x in fac.warning]
    assert any("Listen: everyone rates it low and nobody commits" in x for x in gaps), gaps
    present = open_page("present", code=w.code, view=svc.workshops.presenter_token(w.code, key))
    assert "Everyone rates it low and nobody commits to it: Listen" in _html(present)


def test_step_7_builds_a_register_from_members_recommendations(svc: Services) -> None:
    w, key, (ana,) = _room(svc, "Ana")
    svc.steps.go(w.code, key, "recommend", seen="image")
    rec = "Publish a call-back standard: every voicemail answered within 2 hours."
    svc.steps.add_item(w.code, ana.token, "recommend", rec)
    fac = open_page("workshop", code=w.code, key=key)
    assert "The register is empty" in fac.info[-1].value
    # Off Step 4, the People table has no draft, vote or check columns (those are Step 4's).
    people = next(d.value for d in fac.dataframe if "state" in d.value.columns)
    assert list(people.columns) == ["member", "state", "last seen", "note"]
    fac.button(key="reveal_recommend").click().run()
    fac.selectbox(key="register_pick").select_index(1)
    fac.text_input(key="register_owner").input("Ops lead")
    fac.button(key="FormSubmitter:register_add-Add to the register").click().run()
    (entry,) = svc.steps.recommendations(w)
    assert (entry.text, entry.owner, entry.status) == (rec, "Ops lead", "proposed")
    fac.selectbox(key=f"rec_status_{entry.id}").set_value("agreed")
    fac.button(key=f"FormSubmitter:register_edit_{entry.id}-Save").click().run()
    assert svc.steps.recommendations(w)[0].status == "agreed"
    register = next(d.value for d in fac.dataframe if "status" in d.value.columns)
    assert register["status"].tolist() == ["agreed"]
    # Taken out by mistake: it goes back from the list of what was taken out.
    fac.button(key=f"FormSubmitter:register_edit_{entry.id}-Take it out of the register").click()
    fac.run()
    assert svc.steps.recommendations(w) == []
    assert "The register is empty" in fac.info[-1].value
    assert "Taken out of the register (1)" in [e.label for e in fac.expander]
    fac.button(key=f"rec_back_{entry.id}").click().run()
    assert [r.status for r in svc.steps.recommendations(w)] == ["agreed"]
    assert "Back in the register." in [unescaped(x.value) for x in fac.success]
    assert not [e for e in fac.expander if e.label.startswith("Taken out")]


def test_the_manager_responds_to_the_register_from_their_link(svc: Services) -> None:
    w, key, (ana, bo) = _room(svc, "Ana", "Bo")
    svc.steps.go(w.code, key, "recommend", seen="image")
    rec = svc.steps.add_recommendation(w.code, key, "Publish a call-back standard.", "Ops lead")
    svc.steps.set_agenda(w.code, key, {"assess": True}, {})
    svc.steps.rate(w.code, ana.token, "measure", 1)
    svc.steps.rate(w.code, bo.token, "measure", 2)
    manager = svc.workshops.manager_link(w.code, key)
    at = open_page("team", code=w.code, manager=manager)
    assert "Recommendations: management's response (Step 8)" in [s.value for s in at.subheader]
    assert "0 of 1 have a response." in [c.value for c in at.caption]
    at.text_area(key=f"response_{rec}").input("Yes: from January, owned by Ops.")
    at.button(key=f"FormSubmitter:respond_{rec}-Save the response").click().run()
    assert svc.steps.recommendations(w)[0].response == "Yes: from January, owned by Ops."
    assert "1 of 1 have a response." in [c.value for c in at.caption]
    gaps = [unescaped(x.value) for x in at.warning]
    assert any(g.startswith("Measure & respond: everyone rates it low") for g in gaps), gaps


def test_a_ranked_vote_between_two_images_on_the_phones(svc: Services) -> None:
    w, key, (ana, bo) = _room(svc, "Ana", "Bo")
    for text in ("Every guest is known by name.", "Every call is answered in three rings."):
        svc.steps.propose(w.code, key, "image", text)
    a, b = (r.id for r in svc.steps.results(w, "image"))
    fac = open_page("workshop", code=w.code, key=key)
    assert "A. Every guest is known by name." in texts(fac)
    assert "agree_image" not in {x.key for x in fac.button}  # no check between two images
    fac.button(key="open_vote_image").click().run()
    assert "Ranked vote: 0 of 2 have ranked the candidates." in texts(fac)
    phone = open_page("join", code=w.code, member=ana.token)
    phone.selectbox(key=f"step_rank_image_{b}").select("1")
    phone.selectbox(key=f"step_rank_image_{a}").select("2")
    phone.button(key="send_rank_image").click().run()
    assert any("Your ranking: B > A." in c.value for c in phone.caption)
    svc.steps.rank(w.code, bo.token, "image", [[b]])
    present = open_page("present", code=w.code, view=svc.workshops.presenter_token(w.code, key))
    assert "Ranked vote: 2 of 2 have ranked." in _html(present)
    fac.run()
    fac.button(key="close_vote_image").click().run()
    assert "The vote (2 ballots): B > A" in texts(fac)
    fac.button(key="keep_image").click().run()
    assert [r.id for r in svc.steps.results(w, "image")] == [b]
    phone.run()
    assert phone.radio(key="fist_image")  # the check follows, on one image


def test_steps_6_and_8_on_the_facilitator_screen_and_the_projector(svc: Services) -> None:
    w, key, (ana,) = _room(svc, "Ana")
    svc.steps.go(w.code, key, "commit", seen="image")
    plan = svc.commitments.for_member(w, ana)
    svc.commitments.add(plan.token, "I will call back every guest within 2 hours.")
    fac = open_page("workshop", code=w.code, key=key)
    assert "1 commitment from 1 person" in [s.value for s in fac.subheader]
    phone = open_page("join", code=w.code, member=ana.token)
    assert phone.button(key="my_commitments_step")
    fac.button(key="agenda_next").click().run()  # Step 7
    fac.button(key="agenda_next").click().run()  # Step 8
    assert _titles(fac)[0] == "Step 8: management follows up"
    assert "No follow-up date yet" in [s.value for s in fac.subheader]
    assert fac.button(key="agenda_next").disabled  # the last step
    svc.steps.add_recommendation(w.code, key, "Publish a call-back standard.", "Ops lead")
    present = open_page("present", code=w.code, view=svc.workshops.presenter_token(w.code, key))
    assert "Publish a call-back standard. · Ops lead · proposed" in _html(present)


def test_the_facilitator_enters_an_item_for_someone_without_a_phone(svc: Services) -> None:
    w, key, (_ana, bo) = _room(svc, "Ana", "Bo")
    svc.steps.go(w.code, key, "core", seen="image")
    fac = open_page("workshop", code=w.code, key=key)
    fac.selectbox(key="behalf_who_core").select_index(1)
    fac.text_area(key="behalf_text_core").input("We are already good at calling back.")
    fac.text_input(key="behalf_example_core").input("Every voicemail, same day.")
    fac.button(key="FormSubmitter:behalf_core-Add their item").click().run()
    (item,) = svc.steps.own_items(w, bo, "core")
    assert (item.text, item.example) == (
        "We are already good at calling back.",
        "Every voicemail, same day.",
    )
    assert "1 of 2 have written" in [s.value for s in fac.subheader]


def test_step_5_keeps_the_vote_s_top_aspects_in_one_press(svc: Services) -> None:
    w, key, (ana, bo, cy) = _room(svc, "Ana", "Bo", "Cy")
    svc.steps.go(w.code, key, "core", seen="image")
    aspects = ("We know our regulars.", "We fix things fast.", "We laugh a lot.", "We share.")
    for text in aspects:
        svc.steps.propose(w.code, key, "core", text, "Like last Tuesday.")
    a, b, c, d = (r.id for r in svc.steps.results(w, "core"))
    fac = open_page("workshop", code=w.code, key=key)
    assert "keep_top_core" not in {x.key for x in fac.button}  # nothing to keep before a vote
    fac.button(key="open_vote_core").click().run()
    for token in (ana.token, bo.token):
        svc.steps.rank(w.code, token, "core", [[b], [a], [c], [d]])
    svc.steps.rank(w.code, cy.token, "core", [[a], [b], [d], [c]])
    fac.run()
    fac.button(key="close_vote_core").click().run()
    assert "The vote (3 ballots): B > A > C > D" in texts(fac)
    assert fac.number_input(key="keep_n_core").value == 3
    fac.number_input(key="keep_n_core").set_value(2).run()
    (keep,) = [x for x in fac.button if x.key == "keep_top_core"]
    assert keep.label == "Keep B, A, take the others out"
    keep.click().run()
    assert [r.text for r in svc.steps.results(w, "core")] == [aspects[0], aspects[1]]
