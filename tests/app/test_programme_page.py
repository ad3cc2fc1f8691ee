"""The programme page: a lead starts a programme, adds teams, and follows them."""

from __future__ import annotations

from coach.bootstrap import Services
from coach.domain.codes import format_code
from tests.app.conftest import open_page, unescaped


def test_a_lead_starts_a_programme_adds_teams_and_sees_them(svc: Services) -> None:
    at = open_page("programme")
    at.text_input(key="programme_name").input("Service week")
    at.text_input(key="programme_org").input("Harbour Hotels")
    at.button(key="FormSubmitter:programme_form-Create programme").click().run()
    lead_link = at.code[0].value
    assert "/programme?code=" in lead_link and "&lead=" in lead_link
    assert "lead" not in at.query_params  # the secret left the address bar
    assert "Save your lead link now" in at.warning[0].value
    assert "No teams yet" in at.info[0].value
    for name in ("Front desk", "Kitchen"):
        at.text_input(key="team_name").input(name)
        at.button(key="FormSubmitter:team_form-Add team").click().run()
    team_links = [c.value for c in at.code if "/workshop?code=" in c.value]
    assert len(team_links) == 2
    code = team_links[0].split("code=")[1].split("&")[0]
    key = team_links[0].split("key=")[1]
    front = svc.workshops.find(code)
    assert front.name == "Front desk" and svc.workshops.is_facilitator(front, key)
    svc.steps.go(code, key, "mission", seen="image")
    at.run()
    teams = next(d.value for d in at.dataframe if "stage" in d.value.columns)
    assert teams["team"].tolist() == ["Front desk", "Kitchen"]
    assert teams["stage"].tolist() == ["Step 4: Mission statement", "Step 3: Image of the future"]
    warned = [unescaped(w.value) for w in at.warning]
    assert any(w.startswith("No team's commitments carry: Understanding") for w in warned)
    # Whoever runs the server can back the whole programme up with the code shown.
    programme_code = lead_link.split("code=")[1].split("&")[0]
    shown = format_code(programme_code)
    assert any(f"mission-coach backup {shown}" in c.value for c in at.caption)


def test_a_wrong_lead_link_opens_nothing(svc: Services) -> None:
    programme, _ = svc.programmes.create("Service week")
    at = open_page("programme", code=programme.code, lead="wrong")
    assert "Only the programme's lead can open this" in unescaped(at.error[0].value)
    assert not at.dataframe


def test_the_lead_starts_the_organisation_round_and_sends_delegates(svc: Services) -> None:
    from tests.integration.test_programmes import STATEMENTS, _adopt

    programme, lead = svc.programmes.create("Service week")
    for name in list(STATEMENTS)[:2]:
        team, key = svc.programmes.add_team(programme.code, lead, name, whole=False)
        tokens = [svc.workshops.join(team.code, f"{name} {i}")[1].token for i in (1, 2)]
        _adopt(svc, team.code, key, tokens, STATEMENTS[name])
    at = open_page("programme", code=programme.code, lead=lead)
    assert "2 of 2 teams have adopted a statement" in " ".join(c.value for c in at.caption)
    at.checkbox(key="round_runner_up").check()
    at.button(key="round_start").click().run()
    org_id = svc.programmes.lead(programme.code, lead).org_workshop_id
    assert org_id is not None
    # With the box ticked, each team's second choice ("We help.") is a draft too.
    assert [d.latest.text for d in svc.store.drafts(org_id)] == [
        STATEMENTS["Front desk"],
        "We help.",
        STATEMENTS["Kitchen"],
        "We help.",
    ]
    (button,) = at.get("link_button")
    assert button.proto.url.endswith(f"key={lead}")  # the lead facilitates with their key
    assert not any(lead in c.value for c in at.code)  # and the key is never shown as text
    at.selectbox(key="delegate_team").select_index(1)
    at.text_input(key="delegate_name").input("Dana")
    at.button(key="FormSubmitter:delegate_form-Add a delegate").click().run()
    assert any("/join?code=" in c.value and "member=" in c.value for c in at.code)
    teams = next(d.value for d in at.dataframe if "delegates" in d.value.columns)
    assert teams.set_index("team").loc["Kitchen", "delegates"] == "Dana (Kitchen)"
    assert teams.set_index("team").loc["Front desk", "delegates"] == "none yet"


def test_everyone_joins_the_organisation_round_choosing_their_team(svc: Services) -> None:
    from tests.integration.test_programmes import STATEMENTS, _adopt

    programme, lead = svc.programmes.create("Service week")
    for name in list(STATEMENTS)[:2]:
        team, key = svc.programmes.add_team(programme.code, lead, name, whole=False)
        tokens = [svc.workshops.join(team.code, f"{name} {i}")[1].token for i in (1, 2)]
        _adopt(svc, team.code, key, tokens, STATEMENTS[name])
    org = svc.programmes.start_round(programme.code, lead)
    lead_page = open_page("programme", code=programme.code, lead=lead)
    links = [c.value for c in lead_page.code if "/join?code=" in c.value]
    assert len(links) == 1 and links[0].endswith(f"/join?code={org.joining_code}")
    at = open_page("join", code=org.joining_code)
    assert at.selectbox(key="member_team").options == ["Front desk", "Kitchen"]
    at.text_input(key="member_name").input("Ana")
    before = len(svc.store.members(org.id))
    at.button(key="FormSubmitter:join_name_form-Join").click().run()
    assert "Choose your team" in unescaped(at.error[0].value)
    assert len(svc.store.members(org.id)) == before
    assert at.text_input(key="member_name").value == "Ana"  # what they typed stays
    at.selectbox(key="member_team").select("Kitchen")
    at.button(key="FormSubmitter:join_name_form-Join").click().run()
    assert not at.exception
    joined = [m for m in svc.store.members(org.id) if m.own_name == "Ana (Kitchen)"]
    assert len(joined) == 1
    assert at.query_params["member"]  # the phone now holds Ana's link to the round
    # In the round the teams' statements are the drafts: no box to write one.
    assert not at.text_area
    assert "You are Ana (Kitchen)." in [t.value for t in at.text]
    assert "My draft and its scores" not in [e.label for e in at.expander]
    # A team's own phone page keeps its draft (the team has revealed: it is folded away).
    front = svc.programmes.teams(svc.programmes.lead(programme.code, lead))[0]
    _, bo = svc.workshops.join(front.code, "Bo")
    team_phone = open_page("join", code=front.code, member=bo.token)
    assert "My draft and its scores" in [e.label for e in team_phone.expander]
