"""Programmes: many team workshops of one organisation, followed on one dashboard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.bootstrap import Services, build
from coach.config import Settings
from coach.errors import InputError
from coach.service.workshops import AccessDenied, NotFound
from coach.storage.backup import backup, loads, restore


def _agree(svc: Services, code: str, key: str, members: list[str], step: str, text: str) -> None:
    svc.steps.propose(code, key, step, text)
    for token in members:
        svc.steps.check(code, token, step, 4)
    svc.steps.agree(code, key, step)


def test_a_lead_adds_teams_and_follows_each_of_them(svc: Services) -> None:
    programme, lead = svc.programmes.create("Service week", "Harbour Hotels")
    with pytest.raises(AccessDenied):
        svc.programmes.lead(programme.code, "not the lead key")
    with pytest.raises(NotFound):
        svc.programmes.lead("0000-0000-0000", lead)
    with pytest.raises(InputError, match="Give the programme name"):
        svc.programmes.create(" ")
    front, front_key = svc.programmes.add_team(programme.code, lead, "Front desk")
    kitchen, kitchen_key = svc.programmes.add_team(programme.code, lead, "Kitchen")
    assert front.programme_id == kitchen.programme_id == programme.id
    assert front.organisation == "Harbour Hotels"
    assert svc.workshops.is_facilitator(front, front_key)  # the link handed to the team
    assert not svc.workshops.is_facilitator(front, lead)  # the lead's key is not it
    with pytest.raises(AccessDenied):
        svc.programmes.add_team(programme.code, front_key, "Sneaky")
    for team, key in ((front, front_key), (kitchen, kitchen_key)):
        tokens = [svc.workshops.join(team.code, n)[1].token for n in ("A", "B")]
        _agree(svc, team.code, key, tokens, "image", "Every guest is known by name.")
        svc.steps.go(team.code, key, "mission", seen="image")
    svc.steps.go(front.code, front_key, "core", seen="mission")
    _, ana = svc.workshops.join(front.code, "Ana")
    plan = svc.commitments.for_member(svc.workshops.find(front.code), ana)
    svc.commitments.add(plan.token, "I will thank one colleague at every huddle.")
    svc.steps.add_recommendation(kitchen.code, kitchen_key, "Publish a call-back standard.")
    view = svc.programmes.view(programme)
    assert [(t.workshop.name, t.stage) for t in view.teams] == [
        ("Front desk", "Step 5: Positive core"),
        ("Kitchen", "Step 4: Mission statement"),
    ]
    assert [t.image for t in view.teams] == [("Every guest is known by name.",)] * 2
    shared = {t.label: t.teams for t in view.themes}
    assert shared["every guest"] == ("Front desk", "Kitchen")  # no team dropped
    coverage = {label: (n, teams) for label, n, teams in view.coverage}
    assert coverage["Recognise, reward & celebrate"] == (1, ("Front desk",))
    assert "Listen" in view.uncovered
    assert [(r.text, t.workshop.name) for t in view.teams for r in t.recommendations] == [
        ("Publish a call-back standard.", "Kitchen")
    ]
    before = svc.programmes.revision(programme)
    svc.workshops.join(kitchen.code, "C")
    assert svc.programmes.revision(programme) != before  # the dashboard redraws


def test_a_team_backed_up_alone_leaves_its_programme(svc: Services, tmp_path: Path) -> None:
    programme, lead = svc.programmes.create("Service week")
    team, _ = svc.programmes.add_team(programme.code, lead, "Front desk")
    data = loads(json.dumps(backup(svc.store, team.id)))
    assert data["tables"]["workshops"][0]["programme_id"] is None
    data["tables"]["workshops"][0]["programme_id"] = 12345  # a crafted file changes nothing
    other = build(Settings(database_url=f"sqlite:///{tmp_path / 'other.db'}", public_url=None))
    code = restore(other.store, data)
    assert other.workshops.find(code).programme_id is None


AGREE = {"desired": 4, "bold": 4, "clear": 4, "stretching": 4}


def _adopt(svc: Services, code: str, key: str, tokens: list[str], text: str) -> None:
    """A team's Step 4, quickly: two drafts promoted, the first voted, checked, adopted."""
    svc.workshops.submit(code, tokens[0], text, "n")
    svc.workshops.submit(code, tokens[1], "We help.", "n")
    svc.workshops.set_revealed(code, key, True)
    w = svc.workshops.find(code)
    first, second = svc.store.drafts(w.id)
    cand = svc.consensus.promote(code, key, first.id)
    svc.consensus.promote(code, key, second.id)
    svc.consensus.open_vote(code, key)
    for token in tokens:
        svc.consensus.ballot(code, token, [[cand.id]])
    svc.consensus.close_vote(code, key)
    for token in tokens:
        svc.consensus.check(code, token, AGREE, "")
    svc.consensus.close_check(code, key)
    svc.consensus.adopt(code, key, cand.id)


STATEMENTS = {
    "Front desk": "We welcome every guest by name and make each stay easy.",
    "Kitchen": "We cook every guest's meal with care and serve it fast.",
    "Housekeeping": "We keep every guest's room spotless and welcoming.",
}


def test_an_organisation_statement_needs_every_team_s_delegates(svc: Services) -> None:
    programme, lead = svc.programmes.create("Service week", "Harbour Hotels")
    teams = {}
    for name, text in STATEMENTS.items():
        team, key = svc.programmes.add_team(programme.code, lead, name, whole=False)
        tokens = [svc.workshops.join(team.code, f"{name} {i}")[1].token for i in (1, 2)]
        if name != "Housekeeping":
            _adopt(svc, team.code, key, tokens, text)
        teams[name] = (team, key, tokens)
    empty, empty_lead = svc.programmes.create("Empty")
    with pytest.raises(InputError, match="two teams with an adopted statement"):
        svc.programmes.start_round(empty.code, empty_lead)
    house, house_key, house_tokens = teams["Housekeeping"]
    _adopt(svc, house.code, house_key, house_tokens, STATEMENTS["Housekeeping"])
    org = svc.programmes.start_round(programme.code, lead)
    programme = svc.programmes.lead(programme.code, lead)
    assert [w.name for w in svc.programmes.teams(programme)] == list(STATEMENTS)  # not org
    drafts = svc.store.drafts(org.id)
    assert [d.latest.text for d in drafts] == list(STATEMENTS.values())
    delegates = {
        name: svc.programmes.add_delegate(programme.code, lead, team.id, f"Delegate {n}")
        for n, (name, (team, _, _)) in enumerate(teams.items(), 1)
    }
    # The lead facilitates the round with the lead link: candidates carry teams' ideas.
    front, kitchen, rooms = (d.id for d in drafts)
    merged = svc.consensus.add_merged(
        org.code, lead, "We welcome every guest by name and serve them fast.", [front, kitchen]
    )
    svc.consensus.promote(org.code, lead, rooms)
    svc.consensus.open_vote(org.code, lead)
    for member in delegates.values():
        svc.consensus.ballot(org.code, member.token, [[merged.id]])
    svc.consensus.close_vote(org.code, lead)
    state = svc.programmes.org_round(programme)
    assert state is not None
    assert dict((t, teams_) for _, t, teams_ in state.candidates)[merged.text] == (
        "Front desk",
        "Kitchen",
    )
    for name, member in delegates.items():
        scores = dict(AGREE, clear=2) if name == "Housekeeping" else AGREE
        svc.consensus.check(org.code, member.token, scores, "Say 'spotless' too")
    state = svc.programmes.org_round(programme)
    votes = {t.team: t for t in state.teams}
    assert votes["Front desk"].agrees and not votes["Housekeeping"].agrees
    assert votes["Housekeeping"].below == (
        "Delegate 3 (Housekeeping): clear 2 (Say 'spotless' too)",
    )
    assert state.adopted is None and not state.every_team_agrees
    svc.consensus.check(org.code, delegates["Housekeeping"].token, AGREE, "")
    svc.consensus.close_check(org.code, lead)
    svc.consensus.adopt(org.code, lead, merged.id)
    view = svc.programmes.view(programme)
    assert view.statement == merged.text
    links = {t.workshop.name: t.links_up for t in view.teams}
    assert links == {"Front desk": True, "Kitchen": True, "Housekeeping": True}
    # Line of sight: a commitment that shares no word with either statement is named.
    plan = svc.commitments.for_member(house, svc.workshops.member(house, house_tokens[0]))
    svc.commitments.add(plan.token, "I will file the shift report on Fridays.")
    view = svc.programmes.view(programme)
    unlinked = {t.workshop.name: t.unlinked for t in view.teams}
    assert unlinked["Housekeeping"] == ("Housekeeping 1",)
    assert unlinked["Front desk"] == ()


def test_the_programme_record_in_every_format(svc: Services) -> None:
    import io
    from html.parser import HTMLParser

    import openpyxl

    from coach.exports import programme as exports
    from coach.exports.programme import ProgrammeRecord

    programme, lead = svc.programmes.create("Service week", "Harbour Hotels")
    hostile = '=HYPERLINK("x") <script>alert(1)</script>'
    for name in ("Front desk", "Front desk"[:5] + "/desk:2", hostile[:30]):
        team, _key = svc.programmes.add_team(programme.code, lead, name)
        _, member = svc.workshops.join(team.code, "Ana")
        plan = svc.commitments.for_member(team, member)
        svc.commitments.add(plan.token, "I will greet every guest by name.")
    record = svc.programmes.record(programme)
    assert [t.name for t in record.teams] == ["Front desk", "Front/desk:2", hostile[:30]]
    assert ProgrammeRecord.model_validate_json(exports.to_json(record)) == record
    wb = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(record)))
    assert wb.sheetnames[0] == "Programme" and len(wb.sheetnames) == 4  # a sheet per team
    front = wb[wb.sheetnames[1]]
    rows = list(front.iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == ("commitment", "I will greet every guest by name.", "Ana")
    cell = next(c for c in wb["Programme"]["A"] if c.value == hostile[:30])
    assert cell.data_type == "s" and cell.quotePrefix  # text, never a formula

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.text, self.tags = [], []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.text.append(data)

    page = Text()
    page.feed(exports.to_html(record))
    shown = "".join(page.text)
    assert hostile[:30] in shown and "script" not in page.tags
    assert "No organisation statement adopted yet." in shown


def test_an_organisation_round_backs_up_without_its_teams(svc: Services, tmp_path: Path) -> None:
    programme, lead = svc.programmes.create("Service week")
    for name in list(STATEMENTS)[:2]:
        team, key = svc.programmes.add_team(programme.code, lead, name, whole=False)
        tokens = [svc.workshops.join(team.code, f"{name} {i}")[1].token for i in (1, 2)]
        _adopt(svc, team.code, key, tokens, STATEMENTS[name])
    org = svc.programmes.start_round(programme.code, lead)
    data = loads(json.dumps(backup(svc.store, org.id)))
    rows = data["tables"]["round_members"]
    assert [r["role"] for r in rows] == ["statement", "statement"]
    assert all(r["team_id"] is None for r in rows)  # the teams are not in this backup
    other = build(Settings(database_url=f"sqlite:///{tmp_path / 'other.db'}", public_url=None))
    code = restore(other.store, data)
    restored = other.workshops.find(code)
    assert [d.latest.text for d in other.store.drafts(restored.id)] == [
        STATEMENTS[n] for n in list(STATEMENTS)[:2]
    ]


def test_each_team_s_runner_up_can_join_the_round(svc: Services) -> None:
    """The statement a team ranked second becomes a draft of the round too, its team's."""
    programme, lead = svc.programmes.create("Service week")
    seconds = {
        "Front desk": "We answer every guest's question within the hour.",
        "Kitchen": "We serve every guest a warm meal within twenty minutes.",
    }
    for name, second in seconds.items():
        team, key = svc.programmes.add_team(programme.code, lead, name, whole=False)
        tokens = [svc.workshops.join(team.code, f"{name} {i}")[1].token for i in (1, 2, 3)]
        for token, text in zip(tokens, (STATEMENTS[name], second, "We try."), strict=True):
            svc.workshops.submit(team.code, token, text, "n")
        svc.workshops.set_revealed(team.code, key, True)
        w = svc.workshops.find(team.code)
        first, runner, third = (
            svc.consensus.promote(team.code, key, d.id) for d in svc.store.drafts(w.id)
        )
        svc.consensus.open_vote(team.code, key)
        for token in tokens:  # everyone ranks all three: the runner-up is second
            svc.consensus.ballot(team.code, token, [[first.id], [runner.id], [third.id]])
        svc.consensus.close_vote(team.code, key)
        for token in tokens:
            svc.consensus.check(team.code, token, AGREE, "")
        svc.consensus.close_check(team.code, key)
        svc.consensus.adopt(team.code, key, first.id)
    org = svc.programmes.start_round(programme.code, lead, runner_up=True)
    drafts = svc.store.drafts(org.id)
    assert [d.latest.text for d in drafts] == [
        STATEMENTS["Front desk"],
        seconds["Front desk"],
        STATEMENTS["Kitchen"],
        seconds["Kitchen"],
    ]
    names = {m.id: m.display_name for m in svc.store.members(org.id)}
    assert [names[d.member_id] for d in drafts] == [
        "Front desk",
        "Front desk (runner-up)",
        "Kitchen",
        "Kitchen (runner-up)",
    ]
    # A candidate from a runner-up carries its team's ideas, as a statement would.
    svc.consensus.promote(org.code, lead, drafts[3].id)
    state = svc.programmes.org_round(svc.programmes.lead(programme.code, lead))
    assert state is not None
    assert [(text, teams) for _, text, teams in state.candidates] == [
        (seconds["Kitchen"], ("Kitchen",))
    ]


def test_everyone_can_join_the_round_for_their_team(svc: Services) -> None:
    programme, lead = svc.programmes.create("Service week")
    teams = {}
    for name in list(STATEMENTS)[:2]:
        team, key = svc.programmes.add_team(programme.code, lead, name, whole=False)
        tokens = [svc.workshops.join(team.code, f"{name} {i}")[1].token for i in (1, 2)]
        _adopt(svc, team.code, key, tokens, STATEMENTS[name])
        teams[name] = team
    front, kitchen = teams["Front desk"], teams["Kitchen"]
    alone, _ = svc.workshops.create("Not in a programme")
    org = svc.programmes.start_round(programme.code, lead)
    assert svc.programmes.round_teams(org) == [(front.id, "Front desk"), (kitchen.id, "Kitchen")]
    assert svc.programmes.round_teams(svc.workshops.find(front.code)) == []
    assert svc.programmes.round_teams(alone) == []
    before = len(svc.store.members(org.id))
    for team_id in (None, alone.id):
        with pytest.raises(InputError, match="Choose your team"):
            svc.programmes.join_round(org.joining_code, "Ana", team_id)
    with pytest.raises(InputError, match="not an organisation round"):
        svc.programmes.join_round(front.code, "Ana", front.id)
    assert len(svc.store.members(org.id)) == before  # nobody half-joined
    _, ana = svc.programmes.join_round(org.joining_code, "Ana", front.id)
    _, someone = svc.programmes.join_round(org.joining_code, "", kitchen.id)
    assert (ana.display_name, someone.display_name) == ("Ana (Front desk)", "Someone from Kitchen")

    # Whoever joined counts as one of their team's delegates.
    first = svc.store.drafts(org.id)[0]
    cand = svc.consensus.promote(org.code, lead, first.id)
    svc.consensus.promote(org.code, lead, svc.store.drafts(org.id)[1].id)
    svc.consensus.open_vote(org.code, lead)
    for member in (ana, someone):
        svc.consensus.ballot(org.code, member.token, [[cand.id]])
    svc.consensus.close_vote(org.code, lead)
    svc.consensus.check(org.code, ana.token, AGREE, "")
    svc.consensus.check(org.code, someone.token, dict(AGREE, bold=2), "Say who we serve")
    state = svc.programmes.org_round(svc.programmes.lead(programme.code, lead))
    assert state is not None
    assert {t.team: (t.delegates, t.agrees) for t in state.teams} == {
        "Front desk": (("Ana (Front desk)",), True),
        "Kitchen": (("Someone from Kitchen",), False),
    }
    svc.consensus.check(org.code, someone.token, AGREE, "")
    state = svc.programmes.org_round(svc.programmes.lead(programme.code, lead))
    assert state is not None and state.every_team_agrees
