"""Back up a whole programme (its row, every team workshop and the organisation round) as
one JSON file, and restore it into any database with every id remapped.

Each workshop travels as its own workshop backup (coach.storage.backup), which leaves out
what points outside the workshop. The programme file adds those links back: which
workshops are the programme's, which one is the organisation round, and which team each
round member speaks for.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from coach.domain.codes import format_code
from coach.storage.backup import (
    BackupError,
    backup,
    check_row,
    decoded,
    encode,
    parse,
    restore,
    restore_into,
    restoring,
)
from coach.storage.migrations import LATEST
from coach.storage.rows import METADATA
from coach.storage.workshops import Store

FORMAT = "mission-coach-programme-backup"
VERSION = 1
MAX_WORKSHOPS = 201  # a programme's teams (MAX_TEAMS) and its organisation round, with room

_programmes = METADATA.tables["programmes"]
_workshops = METADATA.tables["workshops"]
_round_members = METADATA.tables["round_members"]


def _damaged(where: str, why: str) -> BackupError:
    return BackupError(
        f"This programme backup is damaged ({where}: {why}). Use another copy of the "
        "backup, or back the programme up again."
    )


def backup_programme(store: Store, programme_id: int) -> dict[str, Any]:
    """The programme and every workshop in it, as JSON-safe data `restore_programme` takes."""
    with store.engine.connect() as conn:
        row = conn.execute(select(_programmes).where(_programmes.c.id == programme_id)).first()
        if row is None:
            raise BackupError(f"There is no programme {programme_id} to back up. Check the code.")
        ids = conn.scalars(
            select(_workshops.c.id)
            .where(_workshops.c.programme_id == programme_id)
            .order_by(_workshops.c.id)
        ).all()
        teams = conn.execute(
            select(_round_members.c.id, _round_members.c.team_id).where(
                _round_members.c.workshop_id.in_(ids), _round_members.c.team_id.is_not(None)
            )
        ).all()
    data = {
        "format": FORMAT,
        "version": VERSION,
        "schema": LATEST,
        "created_at": datetime.now(UTC).isoformat(),
        "programme": {k: encode(v) for k, v in row._mapping.items()},
        "workshops": [backup(store, w) for w in ids],
        # round member id -> the team workshop it speaks for (ids as in this backup)
        "round_teams": {str(rm): team for rm, team in teams},
    }
    decode(data)  # never hand out a backup that would not restore
    return data


def is_programme_backup(data: Any) -> bool:
    return isinstance(data, dict) and data.get("format") == FORMAT


def loads_any(text: str) -> dict[str, Any]:
    """A workshop or programme backup in `text`, checked through (BackupError otherwise)."""
    data = parse(text)
    if is_programme_backup(data):
        decode(data)
    else:
        decoded(data)
    return data


def decode(
    data: Any,
) -> tuple[dict[str, Any], list[dict[str, list[dict[str, Any]]]], dict[int, int]]:
    """(programme row, each workshop's rows, round member -> team), all checked."""
    if not is_programme_backup(data):
        raise BackupError("This file is not a Mission Coach programme backup.")
    version = data.get("version")
    schema = data.get("schema")
    for label, value in (("version", version), ("schema", schema)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _damaged("header", f"{label} must be a whole number, not {value!r}")
    if version > VERSION or schema > LATEST:
        raise BackupError(
            f"This programme backup was written by a newer version of Mission Coach (format "
            f"{version}, schema {schema}); this one reads format {VERSION} up to schema "
            f"{LATEST}. Update Mission Coach, then restore again."
        )
    programme = check_row("programmes", 1, data.get("programme"))
    backups = data.get("workshops")
    if not isinstance(backups, list) or not 1 <= len(backups) <= MAX_WORKSHOPS:
        raise _damaged("workshops", f"a programme holds 1 to {MAX_WORKSHOPS} workshops")
    workshops = []
    for n, one in enumerate(backups, 1):
        try:
            workshops.append(decoded(one))
        except BackupError as exc:
            raise _damaged(f"workshop {n}", str(exc)) from exc
    ids = [w["workshops"][0]["id"] for w in workshops]
    if len(set(ids)) != len(ids):
        raise _damaged("workshops", "two workshops share an id")
    org = programme.get("org_workshop_id")
    if org is not None and org not in ids:
        raise _damaged("programme", f"its organisation round {org} is not in the backup")
    members = {rm["id"] for w in workshops for rm in w["round_members"]}
    raw = data.get("round_teams")
    if not isinstance(raw, dict):
        raise _damaged("round_teams", "must map round members to teams")
    teams: dict[int, int] = {}
    for key, team in raw.items():
        if not (isinstance(key, str) and key.isdigit() and int(key) in members):
            raise _damaged("round_teams", f"{key!r} is not a round member in the backup")
        if isinstance(team, bool) or team not in ids:
            raise _damaged("round_teams", f"team {team!r} is not a workshop in the backup")
        teams[int(key)] = team
    return programme, workshops, teams


def restore_programme(store: Store, data: dict[str, Any]) -> str:
    """Put a backed-up programme into this database in one transaction; returns its code."""
    programme, workshops, teams = decode(data)
    with restoring(store) as conn:
        code = programme["code"]
        if conn.scalar(select(_programmes.c.id).where(_programmes.c.code == code)):
            raise BackupError(
                f"This database already has the programme {format_code(code)}. Restore "
                "into another database, or delete that programme first."
            )
        values = {k: v for k, v in programme.items() if k not in ("id", "org_workshop_id")}
        new_id = int(conn.execute(_programmes.insert().values(values)).inserted_primary_key[0])  # type: ignore[index]
        new_workshop: dict[int, int] = {}
        new_member: dict[int, int] = {}
        for rows in workshops:
            new = restore_into(conn, rows)
            new_workshop |= new["workshops"]
            new_member |= new["round_members"]
        conn.execute(
            update(_workshops)
            .where(_workshops.c.id.in_(list(new_workshop.values())))
            .values(programme_id=new_id)
        )
        if (org := programme.get("org_workshop_id")) is not None:
            conn.execute(
                update(_programmes)
                .where(_programmes.c.id == new_id)
                .values(org_workshop_id=new_workshop[org])
            )
        for member, team in teams.items():
            conn.execute(
                update(_round_members)
                .where(_round_members.c.id == new_member[member])
                .values(team_id=new_workshop[team])
            )
    return str(code)


def restore_any(store: Store, data: dict[str, Any]) -> tuple[str, str]:
    """("programme" | "workshop", its code) once restored."""
    if is_programme_backup(data):
        return "programme", restore_programme(store, data)
    return "workshop", restore(store, data)
