"""Versioned schema migrations, applied in order on start.

Each migration keeps its own table definitions, frozen as they were at that version, so
an old database upgrades step by step however the current models change later.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
    text,
)

from coach.domain.codes import member_plan_token, token_hash
from coach.domain.voting import letters

VERSION_TABLE = "schema_version"


def _v1(conn: Connection) -> None:
    """Workshops, members, drafts and every version of each draft."""
    md = MetaData()
    Table(
        "workshops",
        md,
        Column("id", Integer, primary_key=True),
        Column("code", String(16), nullable=False, unique=True),
        Column("name", String(200), nullable=False),
        Column("organisation", String(200), nullable=False, default=""),
        Column("focus", String(300), nullable=False, default=""),
        Column("facilitator_key_hash", String(64), nullable=False),
        Column("revealed", Boolean, nullable=False, default=False),
        Column("locked", Boolean, nullable=False, default=False),
        Column("revision", Integer, nullable=False, default=0),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "members",
        md,
        Column("id", Integer, primary_key=True),
        Column("workshop_id", ForeignKey("workshops.id"), nullable=False, index=True),
        Column("name", String(80), nullable=False, default=""),
        Column("token", String(64), nullable=False, unique=True),
        Column("position", Integer, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "drafts",
        md,
        Column("id", Integer, primary_key=True),
        Column("workshop_id", ForeignKey("workshops.id"), nullable=False, index=True),
        Column("member_id", ForeignKey("members.id"), nullable=False, unique=True),
        Column("deleted_at", DateTime(timezone=True), nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "draft_versions",
        md,
        Column("id", Integer, primary_key=True),
        Column("draft_id", ForeignKey("drafts.id"), nullable=False, index=True),
        Column("version", Integer, nullable=False),
        Column("text", Text, nullable=False),
        Column("scores", Text, nullable=False),
        Column("rubric_version", String(40), nullable=False),
        Column("nonce", String(64), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("draft_id", "version"),
        UniqueConstraint("draft_id", "nonce"),
    )
    md.create_all(conn)


def _v2(conn: Connection) -> None:
    """Consensus: rounds, candidates, ranked ballots, fist-to-five checks, adoption."""
    md = MetaData()
    Table("workshops", md, Column("id", Integer, primary_key=True))
    Table("members", md, Column("id", Integer, primary_key=True))
    Table(
        "rounds",
        md,
        Column("id", Integer, primary_key=True),
        Column("workshop_id", ForeignKey("workshops.id"), nullable=False, index=True),
        Column("number", Integer, nullable=False),
        Column("phase", String(20), nullable=False),
        Column("outcome", String(20), nullable=False, default=""),
        Column("leader_id", Integer, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("workshop_id", "number"),
    )
    Table(
        "candidates",
        md,
        Column("id", Integer, primary_key=True),
        Column("workshop_id", ForeignKey("workshops.id"), nullable=False, index=True),
        Column("round_id", ForeignKey("rounds.id"), nullable=False, index=True),
        Column("text", Text, nullable=False),
        Column("kind", String(20), nullable=False),
        Column("sources", Text, nullable=False),
        Column("withdrawn", Boolean, nullable=False, default=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "ballots",
        md,
        Column("id", Integer, primary_key=True),
        Column("round_id", ForeignKey("rounds.id"), nullable=False, index=True),
        Column("member_id", ForeignKey("members.id"), nullable=False),
        Column("ranking", Text, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("round_id", "member_id"),
    )
    Table(
        "checks",
        md,
        Column("id", Integer, primary_key=True),
        Column("round_id", ForeignKey("rounds.id"), nullable=False, index=True),
        Column("candidate_id", ForeignKey("candidates.id"), nullable=False),
        Column("member_id", ForeignKey("members.id"), nullable=False),
        Column("desired", Integer, nullable=False),
        Column("bold", Integer, nullable=False),
        Column("clear", Integer, nullable=False),
        Column("stretching", Integer, nullable=False),
        Column("concern", String(300), nullable=False, default=""),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("round_id", "member_id"),
    )
    md.create_all(
        conn, tables=[md.tables[t] for t in ("rounds", "candidates", "ballots", "checks")]
    )
    stamp = DateTime(timezone=True).compile(dialect=conn.dialect)
    conn.execute(text("ALTER TABLE workshops ADD COLUMN adopted_id INTEGER"))
    conn.execute(text(f"ALTER TABLE workshops ADD COLUMN adopted_at {stamp}"))


def _v3(conn: Connection) -> None:
    """LLM answers cached by their inputs, and the tokens every call used."""
    md = MetaData()
    Table("workshops", md, Column("id", Integer, primary_key=True))
    Table(
        "llm_cache",
        md,
        Column("key", String(64), primary_key=True),
        Column("task", String(20), nullable=False),
        Column("model", String(200), nullable=False),
        Column("response", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "llm_usage",
        md,
        Column("id", Integer, primary_key=True),
        Column("workshop_id", ForeignKey("workshops.id"), nullable=True, index=True),
        Column("task", String(20), nullable=False),
        Column("model", String(200), nullable=False),
        Column("prompt_tokens", Integer, nullable=False),
        Column("completion_tokens", Integer, nullable=False),
        Column("cached", Boolean, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    md.create_all(conn, tables=[md.tables["llm_cache"], md.tables["llm_usage"]])


def _v4(conn: Connection) -> None:
    """Personal commitments, check-ins, management follow-up and feedback."""
    md = MetaData()
    Table("workshops", md, Column("id", Integer, primary_key=True))
    Table("members", md, Column("id", Integer, primary_key=True))
    Table(
        "plans",
        md,
        Column("id", Integer, primary_key=True),
        Column("token", String(64), nullable=False, unique=True),
        Column("workshop_id", ForeignKey("workshops.id"), nullable=True, index=True),
        Column("member_id", ForeignKey("members.id"), nullable=True, unique=True),
        Column("name", String(80), nullable=False, default=""),
        Column("mission", Text, nullable=False, default=""),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "commitments",
        md,
        Column("id", Integer, primary_key=True),
        Column("plan_id", ForeignKey("plans.id"), nullable=False, index=True),
        Column("text", Text, nullable=False),
        Column("position", Integer, nullable=False),
        Column("due", Date, nullable=True),
        Column("cadence", String(10), nullable=False, default=""),
        Column("partner_id", ForeignKey("members.id"), nullable=True),
        Column("status", String(20), nullable=False, default="planned"),
        Column("elements", Text, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("deleted_at", DateTime(timezone=True), nullable=True),
    )
    Table(
        "checkins",
        md,
        Column("id", Integer, primary_key=True),
        Column("commitment_id", ForeignKey("commitments.id"), nullable=False, index=True),
        Column("status", String(20), nullable=False),
        Column("note", String(300), nullable=False, default=""),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "manager_feedback",
        md,
        Column("id", Integer, primary_key=True),
        Column("workshop_id", ForeignKey("workshops.id"), nullable=False, index=True),
        Column("commitment_id", ForeignKey("commitments.id"), nullable=True),
        Column("author", String(80), nullable=False, default=""),
        Column("note", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    md.create_all(
        conn,
        tables=[md.tables[t] for t in ("plans", "commitments", "checkins", "manager_feedback")],
    )
    conn.execute(text("ALTER TABLE workshops ADD COLUMN followup_due DATE"))


def _v5(conn: Connection) -> None:
    """Member positions unique per workshop (people joining at once could share one)."""
    # Renumber first, by id, so a database with duplicates upgrades keeping every row.
    conn.execute(
        text(
            "UPDATE members SET position = (SELECT COUNT(*) FROM members m2 "
            "WHERE m2.workshop_id = members.workshop_id AND m2.id <= members.id)"
        )
    )
    conn.execute(text("CREATE UNIQUE INDEX ux_members_position ON members (workshop_id, position)"))


def _v6(conn: Connection) -> None:
    """Revision counters split over a few rows per workshop.

    Every write moved the workshop's one revision on, so all writers to a workshop queued
    for that row. Writers now add 1 to one of several rows; a workshop's revision is its
    old column (kept as the base, no longer written) plus the sum of its rows.
    """
    md = MetaData()
    Table("workshops", md, Column("id", Integer, primary_key=True))
    Table(
        "workshop_revisions",
        md,
        Column("workshop_id", ForeignKey("workshops.id"), primary_key=True),
        Column("shard", Integer, primary_key=True),
        Column("n", Integer, nullable=False),
    )
    md.create_all(conn, tables=[md.tables["workshop_revisions"]])


def _v7(conn: Connection) -> None:
    """Stable candidate letters; members the facilitator removes or marks absent."""
    conn.execute(text("ALTER TABLE candidates ADD COLUMN letter VARCHAR(4) NOT NULL DEFAULT ''"))
    stamp = DateTime(timezone=True).compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE members ADD COLUMN removed_at {stamp}"))
    conn.execute(text("ALTER TABLE members ADD COLUMN absent BOOLEAN NOT NULL DEFAULT FALSE"))
    # Letters for the candidates already there: one per distinct text, in order of first
    # appearance in each workshop, so a candidate carried into a new round keeps its letter.
    seen: dict[tuple[int, str], str] = {}
    count: dict[int, int] = {}
    rows = conn.execute(text("SELECT id, workshop_id, text FROM candidates ORDER BY id"))
    for cid, workshop_id, statement in rows.all():
        letter = seen.get((workshop_id, statement))
        if letter is None:
            letter = letters(count.get(workshop_id, 0))
            count[workshop_id] = count.get(workshop_id, 0) + 1
            seen[(workshop_id, statement)] = letter
        conn.execute(
            text("UPDATE candidates SET letter = :l WHERE id = :i"), {"l": letter, "i": cid}
        )


def _v8(conn: Connection) -> None:
    """Privacy on reveal: anonymous workshops, and scores shown only when the facilitator says."""
    conn.execute(text("ALTER TABLE workshops ADD COLUMN anonymous BOOLEAN NOT NULL DEFAULT FALSE"))
    conn.execute(
        text("ALTER TABLE workshops ADD COLUMN scores_shown BOOLEAN NOT NULL DEFAULT TRUE")
    )


def _v9(conn: Connection) -> None:
    """A timer for the silent writing time, which may close drafting when it runs out."""
    stamp = DateTime(timezone=True).compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE workshops ADD COLUMN timer_ends_at {stamp}"))
    conn.execute(text("ALTER TABLE workshops ADD COLUMN timer_lock BOOLEAN NOT NULL DEFAULT FALSE"))


def _v10(conn: Connection) -> None:
    """Admission: a workshop may hold new joins in a lobby until the facilitator lets them in."""
    conn.execute(text("ALTER TABLE workshops ADD COLUMN admission BOOLEAN NOT NULL DEFAULT FALSE"))
    conn.execute(text("ALTER TABLE members ADD COLUMN admitted BOOLEAN NOT NULL DEFAULT TRUE"))


def _v11(conn: Connection) -> None:
    """Room control: merge duplicate members, last seen, joins limited per client, and a
    join code the facilitator can rotate."""
    stamp = DateTime(timezone=True).compile(dialect=conn.dialect)
    conn.execute(text("ALTER TABLE members ADD COLUMN merged_into_id INTEGER"))
    conn.execute(text(f"ALTER TABLE members ADD COLUMN last_seen_at {stamp}"))
    for column in ("joined_browser", "joined_address"):
        conn.execute(
            text(f"ALTER TABLE members ADD COLUMN {column} VARCHAR(32) NOT NULL DEFAULT ''")
        )
    conn.execute(text("ALTER TABLE workshops ADD COLUMN join_code VARCHAR(16)"))
    conn.execute(text("CREATE UNIQUE INDEX ux_workshops_join_code ON workshops (join_code)"))


def _v12(conn: Connection) -> None:
    """Member and plan links kept as hashes; a member's plan link derived from theirs."""
    members: dict[int, str] = dict(conn.execute(text("SELECT id, token FROM members")).all())
    owned: set[int] = set()
    for plan_id, token, member_id in conn.execute(
        text("SELECT id, token, member_id FROM plans ORDER BY id")
    ).all():
        if member_id in members and member_id not in owned:  # the one the member's page opens
            owned.add(member_id)
            token = member_plan_token(members[member_id])
        conn.execute(
            text("UPDATE plans SET token = :t WHERE id = :i"),
            {"t": token_hash(token), "i": plan_id},
        )
    for member_id, token in members.items():
        conn.execute(
            text("UPDATE members SET token = :t WHERE id = :i"),
            {"t": token_hash(token), "i": member_id},
        )


def _v13(conn: Connection) -> None:
    """Devices that remember a workshop for its facilitator, each by a revocable token."""
    md = MetaData()
    Table("workshops", md, Column("id", Integer, primary_key=True))
    Table(
        "devices",
        md,
        Column("id", Integer, primary_key=True),
        Column("workshop_id", ForeignKey("workshops.id"), nullable=False, index=True),
        Column("token", String(64), nullable=False, unique=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("revoked_at", DateTime(timezone=True), nullable=True),
    )
    md.create_all(conn, tables=[md.tables["devices"]])


def _v14(conn: Connection) -> None:
    """A time zone per plan, for reminders at a sensible local time."""
    conn.execute(text("ALTER TABLE plans ADD COLUMN timezone VARCHAR(64) NOT NULL DEFAULT ''"))


def _v15(conn: Connection) -> None:
    """Accountability partners: a confirmed check-in, a question, a word of encouragement."""
    md = MetaData()
    Table("commitments", md, Column("id", Integer, primary_key=True))
    Table("members", md, Column("id", Integer, primary_key=True))
    Table(
        "partner_notes",
        md,
        Column("id", Integer, primary_key=True),
        Column("commitment_id", ForeignKey("commitments.id"), nullable=False, index=True),
        Column("member_id", ForeignKey("members.id"), nullable=False),
        Column("kind", String(10), nullable=False),
        Column("note", String(300), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("read_at", DateTime(timezone=True), nullable=True),
    )
    md.create_all(conn, tables=[md.tables["partner_notes"]])


def _v16(conn: Connection) -> None:
    """A manager's link per workshop (its hash), and when each member last read feedback."""
    stamp = DateTime(timezone=True).compile(dialect=conn.dialect)
    conn.execute(text("ALTER TABLE workshops ADD COLUMN manager_token VARCHAR(64)"))
    conn.execute(text(f"ALTER TABLE plans ADD COLUMN feedback_seen_at {stamp}"))


def _v17(conn: Connection) -> None:
    """Reminders that reach people: an email per plan and per manager, and a send log so
    nothing is sent twice."""
    conn.execute(text("ALTER TABLE plans ADD COLUMN email VARCHAR(254) NOT NULL DEFAULT ''"))
    conn.execute(
        text("ALTER TABLE workshops ADD COLUMN manager_email VARCHAR(254) NOT NULL DEFAULT ''")
    )
    md = MetaData()
    Table(
        "sent_messages",
        md,
        Column("id", Integer, primary_key=True),
        Column("key", String(120), nullable=False, unique=True),
        Column("channel", String(20), nullable=False),
        Column("state", String(10), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    md.create_all(conn, tables=[md.tables["sent_messages"]])


def _v18(conn: Connection) -> None:
    """Service ideas per person: created, tried, implemented."""
    md = MetaData()
    Table("plans", md, Column("id", Integer, primary_key=True))
    Table(
        "ideas",
        md,
        Column("id", Integer, primary_key=True),
        Column("plan_id", ForeignKey("plans.id"), nullable=False, index=True),
        Column("text", String(300), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("tried_on", Date, nullable=True),
        Column("implemented_on", Date, nullable=True),
    )
    md.create_all(conn, tables=[md.tables["ideas"]])


# The tables schema 19 adds (a backup from before it has none of them).
WHOLE_WORKSHOP = (
    "agenda_items",
    "items",
    "step_results",
    "step_checks",
    "step_ballots",
    "recommendations",
    "ratings",
)


def _v19(conn: Connection) -> None:
    """The whole workshop: an agenda of steps, members' items in Steps 3, 5 and 7, the
    team's results and their checks, the recommendations register, practice ratings."""
    conn.execute(
        text("ALTER TABLE workshops ADD COLUMN step VARCHAR(12) NOT NULL DEFAULT 'mission'")
    )
    conn.execute(
        text(
            "ALTER TABLE workshops ADD COLUMN framework VARCHAR(40) NOT NULL "
            "DEFAULT 'service_strategy'"
        )
    )
    md = MetaData()
    Table("workshops", md, Column("id", Integer, primary_key=True))
    Table("members", md, Column("id", Integer, primary_key=True))

    def owned(name: str, *columns: Column[object] | UniqueConstraint) -> None:
        Table(
            name,
            md,
            Column("id", Integer, primary_key=True),
            Column("workshop_id", ForeignKey("workshops.id"), nullable=False, index=True),
            *columns,
        )

    stamp = DateTime(timezone=True)
    owned(
        "agenda_items",
        Column("step", String(12), nullable=False),
        Column("position", Integer, nullable=False),
        Column("enabled", Boolean, nullable=False),
        Column("minutes", Integer, nullable=False),
        Column("revealed", Boolean, nullable=False),
        Column("voting", Boolean, nullable=False),
        Column("agreed_at", stamp, nullable=True),
        UniqueConstraint("workshop_id", "step"),
    )
    owned(
        "items",
        Column("member_id", ForeignKey("members.id"), nullable=False),
        Column("step", String(12), nullable=False),
        Column("text", Text, nullable=False),
        Column("example", String(500), nullable=False),
        Column("created_at", stamp, nullable=False),
        Column("deleted_at", stamp, nullable=True),
    )
    owned(
        "step_results",
        Column("step", String(12), nullable=False),
        Column("text", Text, nullable=False),
        Column("example", String(500), nullable=False),
        Column("sources", Text, nullable=False),
        Column("created_at", stamp, nullable=False),
        Column("removed_at", stamp, nullable=True),
    )
    owned(
        "step_checks",
        Column("step", String(12), nullable=False),
        Column("member_id", ForeignKey("members.id"), nullable=False),
        Column("score", Integer, nullable=False),
        Column("concern", String(300), nullable=False),
        Column("updated_at", stamp, nullable=False),
        UniqueConstraint("workshop_id", "step", "member_id"),
    )
    owned(
        "step_ballots",
        Column("step", String(12), nullable=False),
        Column("member_id", ForeignKey("members.id"), nullable=False),
        Column("ranking", Text, nullable=False),
        Column("updated_at", stamp, nullable=False),
        UniqueConstraint("workshop_id", "step", "member_id"),
    )
    owned(
        "recommendations",
        Column("text", Text, nullable=False),
        Column("owner", String(80), nullable=False),
        Column("status", String(20), nullable=False),
        Column("sources", Text, nullable=False),
        Column("ideas", Text, nullable=False),
        Column("strengths", Text, nullable=False),
        Column("commitments", Text, nullable=False),
        Column("response", Text, nullable=False),
        Column("responded_at", stamp, nullable=True),
        Column("created_at", stamp, nullable=False),
        Column("removed_at", stamp, nullable=True),
    )
    owned(
        "ratings",
        Column("member_id", ForeignKey("members.id"), nullable=False),
        Column("framework", String(40), nullable=False),
        Column("element", String(40), nullable=False),
        Column("rating", Integer, nullable=False),
        Column("comment", String(300), nullable=False),
        Column("updated_at", stamp, nullable=False),
        UniqueConstraint("member_id", "framework", "element"),
    )
    md.create_all(conn, tables=[md.tables[n] for n in WHOLE_WORKSHOP])


def _v20(conn: Connection) -> None:
    """Programmes: an organisation's event holds many team workshops, and an organisation
    round whose members are the teams' statements and delegates."""
    md = MetaData()
    Table(
        "programmes",
        md,
        Column("id", Integer, primary_key=True),
        Column("code", String(16), nullable=False, unique=True),
        Column("name", String(200), nullable=False),
        Column("organisation", String(200), nullable=False),
        Column("lead_key_hash", String(64), nullable=False),
        Column("org_workshop_id", Integer, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Table("workshops", md, Column("id", Integer, primary_key=True))
    Table("members", md, Column("id", Integer, primary_key=True))
    Table(
        "round_members",
        md,
        Column("id", Integer, primary_key=True),
        Column("workshop_id", ForeignKey("workshops.id"), nullable=False, index=True),
        Column("member_id", ForeignKey("members.id"), nullable=False, unique=True),
        Column("team_id", Integer, nullable=True),
        Column("role", String(10), nullable=False),
    )
    md.create_all(conn, tables=[md.tables["programmes"], md.tables["round_members"]])
    conn.execute(
        text("ALTER TABLE workshops ADD COLUMN programme_id INTEGER REFERENCES programmes(id)")
    )
    conn.execute(text("CREATE INDEX ix_workshops_programme_id ON workshops (programme_id)"))


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "workshops, members, drafts and draft versions", _v1),
    (2, "consensus rounds, candidates, ballots, checks and adoption", _v2),
    (3, "LLM answer cache and token usage", _v3),
    (4, "personal commitments, check-ins, follow-up and manager feedback", _v4),
    (5, "unique member positions within a workshop", _v5),
    (6, "revision counters split over rows, so writers do not queue for one", _v6),
    (7, "stable candidate letters; removed and absent members", _v7),
    (8, "anonymous workshops; scores shown when the facilitator says", _v8),
    (9, "a writing timer that may close drafting at zero", _v9),
    (10, "admission: new joins wait in a lobby until let in", _v10),
    (11, "merged members, last seen, joins per client, rotated join codes", _v11),
    (12, "member and plan links kept as hashes", _v12),
    (13, "devices that remember a workshop, each revocable", _v13),
    (14, "a time zone per plan", _v14),
    (15, "notes from accountability partners", _v15),
    (16, "a manager's link; feedback read by each member", _v16),
    (17, "emails for reminders, and a log of what was sent", _v17),
    (18, "service ideas: created, tried, implemented", _v18),
    (19, "the whole workshop: agenda, Steps 3, 5 and 7, register, practice ratings", _v19),
    (20, "programmes: many team workshops, one organisation", _v20),
]
LATEST = MIGRATIONS[-1][0]


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table(VERSION_TABLE):
        return 0
    return int(conn.execute(text(f"SELECT max(version) FROM {VERSION_TABLE}")).scalar() or 0)  # noqa: S608


def migrate(conn: Connection, upto: int | None = None) -> list[int]:
    """Apply every migration newer than the database (up to `upto`); returns those applied."""
    md = MetaData()
    versions = Table(
        VERSION_TABLE,
        md,
        Column("version", Integer, primary_key=True),
        Column("description", String(200), nullable=False),
    )
    md.create_all(conn)
    done = set(conn.execute(select(versions.c.version)).scalars())
    applied = []
    for number, description, step in MIGRATIONS:
        if number in done or (upto is not None and number > upto):
            continue
        step(conn)
        conn.execute(versions.insert().values(version=number, description=description))
        applied.append(number)
    return applied
