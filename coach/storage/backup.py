"""Back up one workshop as JSON and restore it into any database, with every id remapped.

Rows keep their column names; datetimes and dates travel as ISO text and come back as
the column types in the metadata say. The LLM cache is shared, not per workshop: left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, get_args

from sqlalchemy import Column, ColumnElement, Connection, select, update
from sqlalchemy.exc import IntegrityError

from coach.domain.agenda import ITEM_STEPS, STEP_KEYS
from coach.domain.codes import (
    CODE_ALPHABET,
    CODE_LENGTH,
    format_code,
    member_plan_token,
    token_hash,
)
from coach.domain.elements import elements
from coach.domain.items import REC_STATUSES
from coach.domain.reminders import zone
from coach.domain.types import (
    CADENCES,
    NOTE_KINDS,
    QUESTIONS,
    STATUSES,
    CandidateKind,
    Outcome,
    Phase,
)
from coach.errors import CoachError
from coach.storage.migrations import LATEST, WHOLE_WORKSHOP
from coach.storage.rows import METADATA, REVISION, _Workshop
from coach.storage.workshops import Store

FORMAT = "mission-coach-backup"
MAX_CHARS = 200_000_000  # about 200 MB: far past any workshop, short of exhausting memory
VERSION = 1

# Table -> (column, parent) that puts a row in the workshop; parents come first, so
# every reference can be remapped as the rows go in.
SCOPE: dict[str, tuple[str, str]] = {
    "workshops": ("id", "workshops"),
    "members": ("workshop_id", "workshops"),
    "drafts": ("workshop_id", "workshops"),
    "draft_versions": ("draft_id", "drafts"),
    "rounds": ("workshop_id", "workshops"),
    "candidates": ("round_id", "rounds"),
    "ballots": ("round_id", "rounds"),
    "checks": ("round_id", "rounds"),
    "plans": ("workshop_id", "workshops"),
    "commitments": ("plan_id", "plans"),
    "checkins": ("commitment_id", "commitments"),
    "partner_notes": ("commitment_id", "commitments"),
    "ideas": ("plan_id", "plans"),
    "manager_feedback": ("workshop_id", "workshops"),
    "llm_usage": ("workshop_id", "workshops"),
    "agenda_items": ("workshop_id", "workshops"),
    "items": ("workshop_id", "workshops"),
    "step_results": ("workshop_id", "workshops"),
    "step_checks": ("workshop_id", "workshops"),
    "step_ballots": ("workshop_id", "workshops"),
    "recommendations": ("workshop_id", "workshops"),
    "ratings": ("workshop_id", "workshops"),
    "round_members": ("workshop_id", "workshops"),
}
# Tables a backup from an older schema does not have: restored empty.
SINCE = dict.fromkeys(WHOLE_WORKSHOP, 19) | {"round_members": 20}
TABLES = tuple(SCOPE)
# Not backed up: the LLM cache is shared by every workshop; a workshop's revision counters
# travel folded into its row's `revision`, as before schema 6; a programme backs up as a
# whole, its workshops with it (coach.storage.programme_backup).
LEFT_OUT = frozenset({"llm_cache", "workshop_revisions", "devices", "sent_messages", "programmes"})
# References out of the workshop: a workshop backed up and restored on its own belongs to
# no programme (the programme and its other teams are not in its backup).
DETACHED = {("workshops", "programme_id"), ("round_members", "team_id")}
# Integer references the schema does not declare as foreign keys.
PLAIN_REFS = {
    ("workshops", "adopted_id"): "candidates",
    ("rounds", "leader_id"): "candidates",
    ("members", "merged_into_id"): "members",
}
# Ids inside JSON text: a candidate's source drafts, a ballot's groups of candidates.
JSON_REFS = {
    ("candidates", "sources"): "drafts",
    ("ballots", "ranking"): "candidates",
    ("step_ballots", "ranking"): "step_results",
    ("step_results", "sources"): "items",
    ("recommendations", "sources"): "items",
    ("recommendations", "ideas"): "items",
    ("recommendations", "strengths"): "step_results",
    ("recommendations", "commitments"): "commitments",
}


def _references(name: str) -> dict[str, str]:
    table = METADATA.tables[name]
    refs = {
        c.name: next(iter(c.foreign_keys)).column.table.name
        for c in table.columns
        if c.foreign_keys and (name, c.name) not in DETACHED
    }
    return refs | {col: target for (t, col), target in PLAIN_REFS.items() if t == name}


REFERENCES: dict[str, dict[str, str]] = {name: _references(name) for name in TABLES}


class BackupError(CoachError):
    """A backup cannot be written, read or restored."""


def _not_backup(why: str) -> BackupError:
    return BackupError(
        f"This file is not a Mission Coach backup: {why}. Check that you chose the right file."
    )


def _damaged(where: str, why: str) -> BackupError:
    return BackupError(
        f"This backup is damaged ({where}: {why}). Use another copy of the backup, "
        "or back the workshop up again."
    )


# -- writing --------------------------------------------------------------------


def _scope(name: str, workshop_id: int) -> ColumnElement[bool]:
    column, parent = SCOPE[name]
    own = METADATA.tables[name].c[column]
    if parent == "workshops":
        return own == workshop_id
    # A subquery, not a list of ids, so a big workshop never hits a bind-parameter limit.
    return own.in_(select(METADATA.tables[parent].c.id).where(_scope(parent, workshop_id)))


def encode(value: Any) -> Any:
    """A value as JSON carries it: datetimes and dates as ISO text, in UTC."""
    if isinstance(value, datetime):  # before date: a datetime is a date too
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite drops the zone
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _read(conn: Connection, workshop_id: int) -> dict[str, list[dict[str, Any]]]:
    tables = {}
    for name in TABLES:
        table = METADATA.tables[name]
        result = conn.execute(select(table).where(_scope(name, workshop_id)).order_by(table.c.id))
        tables[name] = [
            {k: None if (name, k) in DETACHED else encode(v) for k, v in r._mapping.items()}
            for r in result
        ]
    for row in tables["workshops"]:
        row["revision"] = conn.execute(select(REVISION).where(_Workshop.id == row["id"])).scalar()
    return tables


def backup(store: Store, workshop_id: int) -> dict[str, Any]:
    """The workshop and everything in it, as JSON-safe data that `restore` takes back."""
    problem: BackupError | None = None
    for _ in range(3):  # tables are read one by one: a busy workshop can change in between
        with store.engine.connect() as conn:
            tables = _read(conn, workshop_id)
        if not tables["workshops"]:
            raise BackupError(f"There is no workshop {workshop_id} to back up. Check the code.")
        data = {
            "format": FORMAT,
            "version": VERSION,
            "schema": LATEST,
            "created_at": datetime.now(UTC).isoformat(),
            "tables": tables,
        }
        try:
            _decoded(data)  # never hand out a backup that would not restore
        except BackupError as exc:
            problem = exc
            continue
        return data
    raise BackupError(
        f"Could not back up workshop {workshop_id}: what was read did not hold together "
        f"({problem}). If the workshop is in use, try again when it is quiet."
    )


def dumps(data: dict[str, Any]) -> str:
    _decoded(data)  # refuse to write what could not be restored
    return json.dumps(data, ensure_ascii=False, indent=1)


def canonical(data: dict[str, Any]) -> dict[str, Any]:
    """The backup with each id replaced by its row's table and rank, to compare backups."""
    tables = {n: sorted(data["tables"][n], key=lambda r: r["id"]) for n in TABLES}
    label = {n: {r["id"]: f"{n}#{i}" for i, r in enumerate(rs, 1)} for n, rs in tables.items()}
    out: dict[str, list[dict[str, Any]]] = {}
    for name, rows in tables.items():
        out[name] = []
        for row in rows:
            row = {**row, "id": label[name][row["id"]]}
            for col, target in REFERENCES[name].items():
                if row.get(col) is not None:
                    row[col] = label[target][row[col]]
            for (t, col), target in JSON_REFS.items():
                if t == name:
                    row[col] = _remap(json.loads(row[col]), label[target])
            out[name].append(row)
    return {"format": data["format"], "schema": data["schema"], "tables": out}


# -- reading and checking -----------------------------------------------------------


def loads(text: str) -> dict[str, Any]:
    """The backup in `text`, checked through; BackupError says what is wrong with it."""
    data = parse(text)
    _decoded(data)
    return data


def parse(text: str) -> dict[str, Any]:
    """The JSON in `text`, not yet checked as a backup of any kind."""
    if len(text) > MAX_CHARS:
        raise _not_backup(f"it is {len(text):,} characters; a backup is at most {MAX_CHARS:,}")
    try:
        data: dict[str, Any] = json.loads(text)
    except ValueError as exc:  # a huge number is a ValueError too
        raise _not_backup(f"it is not complete JSON ({str(exc)[:120]})") from exc
    except RecursionError as exc:
        raise _not_backup("it nests too deeply to be a backup") from exc
    return data


def _number(data: dict[str, Any], label: str) -> int:
    value = data.get(label)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _damaged("header", f"{label} must be a whole number, not {value!r}")
    return value


def _header(data: Any) -> dict[str, list[Any]]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        marker = f"its format is {found!r}" if found else "it has no format marker"
        raise _not_backup(f"{marker}, not {FORMAT!r}")
    version = _number(data, "version")
    schema = _number(data, "schema") if version <= VERSION else None  # a newer format may drop it
    if version > VERSION or (schema or 0) > LATEST:
        raise BackupError(
            f"This backup was written by a newer version of Mission Coach (format {version}, "
            f"schema {data.get('schema')}); this one reads format {VERSION} up to schema {LATEST}. "
            "Update Mission Coach, then restore again."
        )
    tables = data.get("tables")
    if not isinstance(tables, dict) or not all(isinstance(r, list) for r in tables.values()):
        raise _damaged("header", "'tables' must map each table to a list of rows")
    if unknown := sorted(set(tables) - set(TABLES)):
        raise _damaged("tables", f"unknown table {', '.join(unknown)}")
    written = schema or LATEST
    if missing := [t for t in TABLES if t not in tables and SINCE.get(t, 0) <= written]:
        raise _damaged("tables", f"missing table {', '.join(missing)}")
    return {t: tables.get(t, []) for t in TABLES}


def _value(col: Column[Any], value: Any, where: str) -> Any:
    if value is None:
        if col.nullable and not col.primary_key:
            return None
        raise _damaged(where, f"{col.name} is empty")
    kind = col.type.python_type
    if kind in (datetime, date):
        try:
            parsed = kind.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise _damaged(where, f"{col.name} is not an ISO {kind.__name__}: {value!r}")
        if isinstance(parsed, datetime) and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed
    if type(value) is not kind:  # `type is`: True must not pass for an integer
        raise _damaged(where, f"{col.name} should be {kind.__name__}, not {str(value)[:40]!r}")
    if kind is int and not -(2**63) <= value < 2**63:
        raise _damaged(where, f"{col.name} is a number too large to store")
    length = getattr(col.type, "length", None)
    if length and len(value) > length:
        raise _damaged(where, f"{col.name} is longer than {length} characters")
    # What the app itself refuses to store (NUL, unpaired surrogates) stays out too.
    if isinstance(value, str) and ("\x00" in value or _unencodable(value)):
        raise _damaged(where, f"{col.name} holds a character that cannot be stored")
    return value


def _code(value: Any) -> str | None:
    if value is None or (
        isinstance(value, str)
        and len(value) == CODE_LENGTH
        and all(c in CODE_ALPHABET for c in value)
    ):
        return None
    return f"{str(value)[:40]!r} is not a workshop code (12 letters and digits)"


def _one_of(allowed: tuple[str, ...]) -> Any:
    def check(value: Any) -> str | None:
        if value in allowed:
            return None
        return f"{str(value)[:40]!r} is not one of {', '.join(map(repr, allowed))}"

    return check


def _json_of(kind: str) -> Any:
    """A JSON text holding what the app writes there, checked through."""

    def check(value: Any) -> str | None:
        if value is None:
            return None
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            return "is not JSON"
        if kind == "scores":  # {"overall": 81, "desired": 90, ...}
            ok = isinstance(parsed, dict) and all(
                isinstance(k, str) and type(v) is int and 0 <= v <= 100 for k, v in parsed.items()
            )
            return None if ok else "must map criteria to scores from 0 to 100"
        keys = {e.key for e in elements()}  # "elements": a list of known element keys
        ok = isinstance(parsed, list) and all(isinstance(k, str) and k in keys for k in parsed)
        return None if ok else f"must list element keys from {', '.join(sorted(keys))}"

    return check


def _fist(value: Any) -> str | None:
    return None if type(value) is int and 0 <= value <= 5 else f"{value!r} is not 0 to 5"


def _hex64(value: Any) -> str | None:
    ok = isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    return None if ok else "is not a key hash (64 hexadecimal digits)"


def _time_zone(value: Any) -> str | None:
    if value == "":
        return None
    try:
        zone(value)
    except CoachError:
        return f"{str(value)[:40]!r} is not a time zone"
    return None


# What the app itself would write in these fields; anything else would crash a page later.
FIELD_RULES: dict[tuple[str, str], Any] = {
    ("workshops", "code"): _code,
    ("programmes", "code"): _code,
    ("programmes", "lead_key_hash"): _hex64,
    ("workshops", "join_code"): _code,
    ("workshops", "facilitator_key_hash"): _hex64,
    ("workshops", "manager_token"): lambda v: None if v is None else _hex64(v),
    ("members", "token"): _hex64,
    ("plans", "token"): _hex64,
    ("plans", "timezone"): _time_zone,
    ("rounds", "phase"): _one_of(get_args(Phase)),
    ("rounds", "outcome"): _one_of(get_args(Outcome)),
    ("candidates", "kind"): _one_of(get_args(CandidateKind)),
    ("draft_versions", "scores"): _json_of("scores"),
    ("commitments", "cadence"): _one_of(CADENCES),
    ("commitments", "status"): _one_of(STATUSES),
    ("commitments", "elements"): _json_of("elements"),
    ("checkins", "status"): _one_of(STATUSES),
    ("partner_notes", "kind"): _one_of(NOTE_KINDS),
    ("workshops", "step"): _one_of(STEP_KEYS),
    ("agenda_items", "step"): _one_of(STEP_KEYS),
    ("items", "step"): _one_of(ITEM_STEPS),
    ("step_results", "step"): _one_of(ITEM_STEPS),
    ("step_checks", "step"): _one_of(ITEM_STEPS),
    ("step_ballots", "step"): _one_of(ITEM_STEPS),
    ("step_checks", "score"): _fist,
    ("recommendations", "status"): _one_of(REC_STATUSES),
    ("ratings", "rating"): lambda v: None if 1 <= v <= 5 else f"{v!r} is not 1 to 5",
    **{("checks", q): _fist for q in QUESTIONS},
}


def _unencodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _row(name: str, n: int, row: Any) -> dict[str, Any]:
    where = f"{name} row {n}"
    table = METADATA.tables[name]
    if not isinstance(row, dict):
        raise _damaged(where, "a row must be an object")
    if unknown := sorted(set(row) - set(table.c.keys())):
        raise _damaged(where, f"unknown column {', '.join(unknown)}")
    for col in table.columns:  # a column added since has a default, or may be left empty
        if col.name not in row and not col.nullable and col.default is None:
            raise _damaged(where, f"missing column {col.name}")
    values = {k: _value(table.c[k], v, where) for k, v in row.items()}
    for table_name, column_name in DETACHED:  # never out of the backup, whatever it says
        if table_name == name and column_name in values:
            values[column_name] = None
    for column, value in values.items():
        rule = FIELD_RULES.get((name, column))
        if rule is not None and (problem := rule(value)) is not None:
            raise _damaged(where, f"{column}: {problem}")
    if (name, "text") in _STATEMENTS:
        text = values.get("text", "")
        if not text.strip() or len(text) > _STATEMENT_CHARS:
            raise _damaged(where, "a statement is empty or longer than the app allows")
    return values


# Statements the app scores: it never stores one it cannot score, nor may a restore.
_STATEMENTS = {
    ("draft_versions", "text"),
    ("candidates", "text"),
    ("commitments", "text"),
    ("ideas", "text"),
    ("items", "text"),
    ("step_results", "text"),
    ("recommendations", "text"),
}
_STATEMENT_CHARS = 1000


def _json_ids(value: Any, where: str) -> Iterator[int]:
    if isinstance(value, list):
        for item in value:
            yield from _json_ids(item, where)
    elif type(value) is int:
        yield value
    else:
        raise _damaged(where, f"{value!r} is not an id")


HASHED_LINKS = 12  # from this schema on, member and plan links are stored as hashes


def _hash_links(tables: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """A backup from before links were hashed: its links hashed as migration 12 does, so
    the people holding them get in after the restore."""
    members: dict[Any, str] = {
        r.get("id"): r["token"]
        for r in tables.get("members", [])
        if isinstance(r, dict) and isinstance(r.get("token"), str)
    }
    owned: set[Any] = set()
    out = dict(tables)
    plans = []
    for r in tables.get("plans", []):
        if isinstance(r, dict) and isinstance(r.get("token"), str):
            r = dict(r)
            owner = r.get("member_id")
            if owner in members and owner not in owned:
                owned.add(owner)
                r["token"] = token_hash(member_plan_token(members[owner]))
            else:
                r["token"] = token_hash(r["token"])
        plans.append(r)
    out["plans"] = plans
    out["members"] = [
        {**r, "token": token_hash(r["token"])}
        if isinstance(r, dict) and isinstance(r.get("token"), str)
        else r
        for r in tables.get("members", [])
    ]
    return out


def decoded(data: Any) -> dict[str, list[dict[str, Any]]]:
    """A workshop backup's rows, checked (see `_decoded`)."""
    return _decoded(data)


def check_row(name: str, n: int, row: Any) -> dict[str, Any]:
    """One row of any table, checked as a backup's rows are."""
    return _row(name, n, row)


def _decoded(data: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row checked and with Python values, or BackupError; references included."""
    tables = _header(data)
    if data.get("schema", HASHED_LINKS) < HASHED_LINKS:
        tables = _hash_links(tables)
    rows = {name: [_row(name, n, r) for n, r in enumerate(tables[name], 1)] for name in TABLES}
    if len(rows["workshops"]) != 1:
        raise _damaged("workshops", "a backup holds exactly one workshop")
    ids: dict[str, set[int]] = {}
    for name in TABLES:
        ids[name] = {r["id"] for r in rows[name]}
        if len(ids[name]) != len(rows[name]):
            raise _damaged(name, "two rows share an id")
    for name in TABLES:
        for n, row in enumerate(rows[name], 1):
            where = f"{name} row {n}"
            pointers = [(col, row.get(col), target) for col, target in REFERENCES[name].items()]
            for (table, col), target in JSON_REFS.items():
                if table == name:
                    try:
                        found = list(_json_ids(json.loads(row[col]), where))
                    except ValueError as exc:
                        raise _damaged(where, f"{col} is not JSON") from exc
                    pointers += [(col, i, target) for i in found]
            for col, old, target in pointers:
                if old is not None and old not in ids[target]:
                    raise _damaged(where, f"{col} points at {target} {old}, not in the backup")
    return rows


# -- restoring -------------------------------------------------------------------


def _refuse_clashes(conn: Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
    code = rows["workshops"][0]["code"]
    t = METADATA.tables
    if conn.scalar(select(t["workshops"].c.id).where(t["workshops"].c.code == code)):
        raise BackupError(
            f"This database already has the workshop {format_code(code)}. Restore into "
            "another database, or delete that workshop first."
        )
    for name, what in (("members", "member"), ("plans", "plan")):
        tokens = [r["token"] for r in rows[name]]
        taken = conn.scalars(select(t[name].c.token).where(t[name].c.token.in_(tokens))).all()
        if taken:
            raise BackupError(
                f"{len(taken)} {what} link(s) in this backup already belong to another "
                "workshop in this database. Restore into another database."
            )


def _remap(value: Any, new: dict[int, Any]) -> Any:
    return [_remap(v, new) for v in value] if isinstance(value, list) else new[value]


def _insert(conn: Connection, rows: dict[str, list[dict[str, Any]]]) -> dict[str, dict[int, int]]:
    """Insert the rows with new ids; returns table -> old id -> new id."""
    new: dict[str, dict[int, int]] = {}  # table -> old id -> id in this database
    later: list[tuple[str, int, str, int]] = []  # references to rows inserted after theirs
    for name in TABLES:
        table, new[name] = METADATA.tables[name], {}
        for row in rows[name]:
            values = {k: v for k, v in row.items() if k != "id"}
            pending = {}
            for col, target in REFERENCES[name].items():
                if values.get(col) is None:
                    continue
                if target in new and target != name:
                    values[col] = new[target][values[col]]
                else:  # e.g. the adopted candidate: set once the candidates are in
                    pending[col] = values.pop(col)
            for (t, col), target in JSON_REFS.items():
                if t == name:
                    values[col] = json.dumps(_remap(json.loads(values[col]), new[target]))
            result = conn.execute(table.insert().values(values))
            row_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            new[name][row["id"]] = row_id
            later += [(name, row_id, col, old) for col, old in pending.items()]
    for name, row_id, col, old in later:
        table = METADATA.tables[name]
        target = REFERENCES[name][col]
        conn.execute(update(table).where(table.c.id == row_id).values({col: new[target][old]}))
    return new


def restore_into(
    conn: Connection, rows: dict[str, list[dict[str, Any]]]
) -> dict[str, dict[int, int]]:
    """A checked workshop's rows into the database in `conn`'s transaction; its new ids."""
    _refuse_clashes(conn, rows)
    return _insert(conn, rows)


@contextmanager
def restoring(store: Store) -> Iterator[Connection]:
    """One transaction for a restore: any error rolls everything back, and a clash with
    what the database holds is said as such."""
    try:
        with store.engine.begin() as conn:
            yield conn
    except IntegrityError as exc:
        raise BackupError(
            f"The backup clashes with what is in this database ({exc.orig}), so nothing was "
            "restored. Restore into another database."
        ) from exc


def restore(store: Store, data: dict[str, Any]) -> str:
    """Put a backed-up workshop into this database in one transaction; returns its code."""
    rows = _decoded(data)
    with restoring(store) as conn:
        restore_into(conn, rows)
    return str(rows["workshops"][0]["code"])
