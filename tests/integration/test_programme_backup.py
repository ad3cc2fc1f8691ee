"""A whole programme backs up as one file and restores into any database: its teams, the
organisation round, and the links between them (the round, each statement's and each
delegate's team), with every id remapped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coach.bootstrap import Services, build
from coach.config import Settings
from coach.storage.backup import BackupError, backup, canonical
from coach.storage.programme_backup import backup_programme, loads_any, restore_programme
from coach.storage.rows import METADATA
from tests.integration.test_programmes import AGREE, STATEMENTS, _adopt
from tests.support.cli_runner import Cli


def _event(svc: Services) -> tuple[str, str]:
    """Three teams that adopted their statements, a fourth still drafting, and an
    organisation round with a delegate of each adopted team who voted and checked."""
    programme, lead = svc.programmes.create("Service week", "Harbour Hotels")
    for name, text in STATEMENTS.items():
        team, key = svc.programmes.add_team(programme.code, lead, name, whole=False)
        tokens = [svc.workshops.join(team.code, f"{name} {i}")[1].token for i in (1, 2)]
        _adopt(svc, team.code, key, tokens, text)
    late, _ = svc.programmes.add_team(programme.code, lead, "Night shift")
    svc.workshops.join(late.code, "Ola")
    org = svc.programmes.start_round(programme.code, lead)
    programme = svc.programmes.lead(programme.code, lead)
    teams = [t for t in svc.programmes.teams(programme) if t.name in STATEMENTS]
    delegates = [
        svc.programmes.add_delegate(programme.code, lead, t.id, f"D{n}")
        for n, t in enumerate(teams)
    ]
    first = svc.store.drafts(org.id)[0]
    cand = svc.consensus.promote(org.code, lead, first.id)
    svc.consensus.promote(org.code, lead, svc.store.drafts(org.id)[1].id)
    svc.consensus.open_vote(org.code, lead)
    for d in delegates:
        svc.consensus.ballot(org.code, d.token, [[cand.id]])
    svc.consensus.close_vote(org.code, lead)
    for d in delegates:
        svc.consensus.check(org.code, d.token, AGREE, "")
    return programme.code, lead


def _summary(svc: Services, code: str, lead: str) -> dict[str, object]:
    """What the lead sees, by names and texts (ids differ between databases)."""
    programme = svc.programmes.lead(code, lead)
    view = svc.programmes.view(programme)
    org = view.round
    assert org is not None
    return {
        "programme": (programme.name, programme.organisation),
        "teams": [(t.workshop.name, t.statement) for t in view.teams],
        "round": (
            [(text, teams) for _, text, teams in org.candidates],
            [(t.team, t.agrees, t.delegates) for t in org.teams],
        ),
    }


def _count(svc: Services, table: str) -> int:
    with svc.store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(METADATA.tables[table])) or 0)


def _other(tmp_path: Path) -> Services:
    return build(Settings(database_url=f"sqlite:///{tmp_path / 'other.db'}", public_url=None))


def test_a_programme_round_trips_with_its_teams_and_round(svc: Services, tmp_path: Path) -> None:
    code, lead = _event(svc)
    before = _summary(svc, code, lead)
    source = svc.programmes.lead(code, lead)
    data = loads_any(json.dumps(backup_programme(svc.store, source.id)))
    assert len(data["workshops"]) == 5  # four teams and the organisation round

    other = _other(tmp_path)
    assert restore_programme(other.store, data) == code
    assert _summary(other, code, lead) == before  # the lead link works as before
    restored = other.programmes.lead(code, lead)
    # Every workshop is the same, row for row, and belongs to the restored programme.
    source_ids = sorted(w["tables"]["workshops"][0]["id"] for w in data["workshops"])
    restored_ids = sorted(w.id for w in other.programmes.store.teams(restored.id))
    assert len(source_ids) == len(restored_ids) == 5
    for was, now in zip(source_ids, restored_ids, strict=True):
        assert canonical(backup(other.store, now)) == canonical(backup(svc.store, was))
    assert restored_ids.index(restored.org_workshop_id) == source_ids.index(source.org_workshop_id)
    # The delegates still speak for their teams: the round counts them by team.
    org = other.programmes.org_round(restored)
    assert org is not None
    assert {t.team: (len(t.delegates), t.agrees) for t in org.teams} == {
        "Front desk": (1, True),
        "Kitchen": (1, True),
        "Housekeeping": (1, True),
        "Night shift": (0, False),  # no statement yet, so no delegate
    }

    # Restoring it again into a database that has it is refused, and changes nothing.
    counts = {t: _count(other, t) for t in ("programmes", "workshops", "members")}
    with pytest.raises(BackupError, match="already has the programme"):
        restore_programme(other.store, data)
    assert {t: _count(other, t) for t in counts} == counts


def test_a_programme_made_elsewhere_restores_here(svc: Services, tmp_path: Path) -> None:
    """Made in SQLite, restored into this database (PostgreSQL where configured)."""
    elsewhere = _other(tmp_path)
    code, lead = _event(elsewhere)
    programme = elsewhere.programmes.lead(code, lead)
    data = loads_any(json.dumps(backup_programme(elsewhere.store, programme.id)))
    restore_programme(svc.store, data)
    assert _summary(svc, code, lead) == _summary(elsewhere, code, lead)


def test_a_damaged_programme_backup_is_refused_with_the_reason(
    svc: Services, tmp_path: Path
) -> None:
    code, lead = _event(svc)
    data = backup_programme(svc.store, svc.programmes.lead(code, lead).id)
    ids = [w["tables"]["workshops"][0]["id"] for w in data["workshops"]]
    member = next(iter(data["round_teams"]))

    def broken(change: object) -> str:
        copy = json.loads(json.dumps(data))
        change(copy)  # type: ignore[operator]
        with pytest.raises(BackupError) as caught:
            loads_any(json.dumps(copy))
        return str(caught.value)

    assert "organisation round" in broken(
        lambda d: d["programme"].update(org_workshop_id=max(ids) + 99)
    )
    assert "not a workshop in the backup" in broken(
        lambda d: d["round_teams"].update({member: max(ids) + 99})
    )
    assert "not a round member" in broken(lambda d: d["round_teams"].update({"999999": ids[0]}))
    assert "workshop 2" in broken(lambda d: d["workshops"][1]["tables"].pop("members"))
    assert "lead_key_hash" in broken(lambda d: d["programme"].update(lead_key_hash="x"))
    assert "newer version" in broken(lambda d: d.update(version=99))
    # Nothing was restored anywhere along the way.
    other = _other(tmp_path)
    assert _count(other, "programmes") == 0


def test_the_cli_backs_up_and_restores_a_programme_by_its_code(
    svc: Services,
    migrated_database_url: str,
    tmp_path: Path,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, lead = _event(svc)
    team = svc.programmes.teams(svc.programmes.lead(code, lead))[0]
    monkeypatch.setenv("COACH_DATABASE_URL", migrated_database_url)
    alone = cli("backup", team.code, "-o", str(tmp_path / "team.json"))
    assert alone.code == 0 and "give the programme's code" in alone.err  # the way to all
    file = tmp_path / "programme.json"
    made = cli("backup", code, "-o", str(file))
    assert made.code == 0, made.err
    assert "with the programme 'Service week'" in made.err
    assert "(the organisation round)" in made.err and "Night shift" in made.err
    assert file.stat().st_mode & 0o777 == 0o600  # holds every link's hash: the owner's only
    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    monkeypatch.setenv("COACH_DATABASE_URL", restored_url)
    back = cli("restore", str(file))
    assert back.code == 0, back.err
    shown = back.stdout
    assert "Restored the programme 'Service week'" in shown
    assert "Night shift" in shown and "organisation round" in shown
    restored = build(Settings(database_url=restored_url, public_url=None))
    assert _summary(restored, code, lead) == _summary(svc, code, lead)
    again = cli("restore", str(file))  # into the database that has it now
    assert again.code == 2 and "already has the programme" in again.err
