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
