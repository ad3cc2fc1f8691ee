"""The schema as ORM rows, and the converters from rows to domain types.

Rows never leave a session; callers get the frozen domain types. migrations.py builds
the schema; a test checks it matches these rows.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from coach.domain.types import (
    Cadence,
    CandidateKind,
    DraftVersion,
    Member,
    Outcome,
    Phase,
    Status,
    Workshop,
)


def now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class _Base(DeclarativeBase):
    pass


class _Workshop(_Base):
    __tablename__ = "workshops"
    __table_args__ = (Index("ux_workshops_join_code", "join_code", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    focus: Mapped[str] = mapped_column(String(300), default="")
    facilitator_key_hash: Mapped[str] = mapped_column(String(64))
    revealed: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    # The revision before schema 6, or as a backup brought it; writers now move the
    # workshop's counters instead (see _Revision and REVISION).
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    adopted_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    adopted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    followup_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    anonymous: Mapped[bool] = mapped_column(default=False)  # names hidden on shared screens
    scores_shown: Mapped[bool] = mapped_column(default=True)  # on the shared screen
    timer_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    timer_lock: Mapped[bool] = mapped_column(default=False)  # drafting closes at zero
    admission: Mapped[bool] = mapped_column(default=False)  # joins wait until let in
    # Set once the facilitator rotates it: new people join with this code only, while
    # every link already handed out keeps working with `code`.
    join_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The hash of the manager's link (view commitments, give feedback, set the follow-up
    # date; nothing else), or None when there is none.
    manager_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    manager_email: Mapped[str] = mapped_column(String(254), default="")  # follow-up reminders
    step: Mapped[str] = mapped_column(String(12), default="mission")  # where the room is
    # The assessment of current practice the team uses (a file in rubrics/assessments/).
    framework: Mapped[str] = mapped_column(String(40), default="service_strategy")
    # The programme (an organisation's event) this team workshop belongs to, if any.
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id"), nullable=True, index=True
    )


class _Programme(_Base):
    """An organisation's event or campaign: many team workshops, one lead."""

    __tablename__ = "programmes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    lead_key_hash: Mapped[str] = mapped_column(String(64))
    # The organisation round: a workshop whose drafts are the teams' statements.
    org_workshop_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _RoundMember(_Base):
    """A member of an organisation round: a team's statement (as its draft) or a delegate."""

    __tablename__ = "round_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), unique=True)
    team_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the team workshop
    role: Mapped[str] = mapped_column(String(10))  # "statement" or "delegate"


class _Revision(_Base):
    """One of a workshop's revision counters: a writer adds 1 to one of SHARDS rows."""

    __tablename__ = "workshop_revisions"
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


# With one counter, every writer to a workshop queued for its row until commit: on
# PostgreSQL that alone added about 8 ms to make load's p95 (no bump: 13-15 ms, one
# row: 20-23 ms). Eight rows make a queue eight times rarer; reading sums eight rows.
SHARDS = 8


_REVISIONS = cast(Table, _Revision.__table__)


# A workshop's revision: the old column plus its counters. It only ever grows, by
# exactly one per committed change, so a screen can never miss one.
REVISION: ColumnElement[int] = (
    _Workshop.revision
    + select(func.coalesce(func.sum(_REVISIONS.c.n), 0))
    .where(_REVISIONS.c.workshop_id == _Workshop.id)
    .scalar_subquery()
)


class _Member(_Base):
    __tablename__ = "members"
    __table_args__ = (Index("ux_members_position", "workshop_id", "position", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    token: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Removed: out of every count, their drafts kept in the record as removed. Absent: not
    # waited for, and their answers do not count, until they come back.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    absent: Mapped[bool] = mapped_column(default=False)
    admitted: Mapped[bool] = mapped_column(default=True)  # False: waiting in the lobby
    # A duplicate join folded into another member: its link now acts as that member.
    merged_into_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Keyed hashes of where a join came from (browser, address), to limit joins per client.
    joined_browser: Mapped[str] = mapped_column(String(32), default="")
    joined_address: Mapped[str] = mapped_column(String(32), default="")


class _Draft(_Base):
    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), unique=True)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _Version(_Base):
    __tablename__ = "draft_versions"
    __table_args__ = (
        UniqueConstraint("draft_id", "version"),
        UniqueConstraint("draft_id", "nonce"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    scores: Mapped[str] = mapped_column(Text)  # JSON: {"overall": n, criterion: n, ...}
    rubric_version: Mapped[str] = mapped_column(String(40))
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


METADATA = _Base.metadata


def _workshop(row: _Workshop, revision: int) -> Workshop:
    return Workshop(
        id=row.id,
        code=row.code,
        name=row.name,
        organisation=row.organisation,
        focus=row.focus,
        revealed=row.revealed,
        locked=row.locked,
        revision=revision,
        created_at=_utc(row.created_at),
        adopted_id=row.adopted_id,
        adopted_at=_utc(row.adopted_at) if row.adopted_at else None,
        followup_due=row.followup_due,
        anonymous=row.anonymous,
        scores_shown=row.scores_shown,
        timer_ends_at=_utc(row.timer_ends_at) if row.timer_ends_at else None,
        timer_lock=row.timer_lock,
        admission=row.admission,
        join_code=row.join_code,
        manager_email=row.manager_email,
        step=row.step,
        framework=row.framework,
        programme_id=row.programme_id,
    )


def _member(row: _Member, anonymous: bool = False, token: str = "") -> Member:
    """A member as the app sees it; `token` is their link's secret when the caller came
    with it (the database keeps only its hash)."""
    return Member(
        anonymous=anonymous,
        id=row.id,
        workshop_id=row.workshop_id,
        name=row.name,
        token=token,
        position=row.position,
        removed=row.removed_at is not None,
        absent=row.absent,
        admitted=row.admitted,
        merged_into=row.merged_into_id,
        last_seen=_utc(row.last_seen_at) if row.last_seen_at else None,
    )


def _version(row: _Version) -> DraftVersion:
    return DraftVersion(
        version=row.version,
        text=row.text,
        scores=json.loads(row.scores),
        rubric_version=row.rubric_version,
        created_at=_utc(row.created_at),
    )


class _Round(_Base):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("workshop_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    phase: Mapped[Phase] = mapped_column(String(20))
    outcome: Mapped[Outcome] = mapped_column(String(20), default="")
    leader_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _Candidate(_Base):
    __tablename__ = "candidates"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[CandidateKind] = mapped_column(String(20))
    sources: Mapped[str] = mapped_column(Text)  # JSON list of draft ids
    withdrawn: Mapped[bool] = mapped_column(default=False)
    letter: Mapped[str] = mapped_column(String(4), default="")  # kept across rounds
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _Ballot(_Base):
    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("round_id", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    ranking: Mapped[str] = mapped_column(Text)  # JSON: groups of tied candidate ids, best first
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _Check(_Base):
    __tablename__ = "checks"
    __table_args__ = (UniqueConstraint("round_id", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    desired: Mapped[int] = mapped_column(Integer)
    bold: Mapped[int] = mapped_column(Integer)
    clear: Mapped[int] = mapped_column(Integer)
    stretching: Mapped[int] = mapped_column(Integer)
    concern: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _Plan(_Base):
    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id"), nullable=True, index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id"), nullable=True, unique=True
    )
    name: Mapped[str] = mapped_column(String(80), default="")
    mission: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(64), default="")
    feedback_seen_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    email: Mapped[str] = mapped_column(String(254), default="")  # weekly digest, if given


class _Commitment(_Base):
    __tablename__ = "commitments"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    cadence: Mapped[Cadence] = mapped_column(String(10), default="")
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    status: Mapped[Status] = mapped_column(String(20), default="planned")
    elements: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON; None = automatic
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class _CheckIn(_Base):
    __tablename__ = "checkins"
    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    status: Mapped[Status] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _PartnerNote(_Base):
    __tablename__ = "partner_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class _Feedback(_Base):
    __tablename__ = "manager_feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"), nullable=True)
    author: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _Device(_Base):
    """A browser that remembers a workshop for its facilitator: the token's hash, never
    the facilitator key."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class _Idea(_Base):
    __tablename__ = "ideas"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tried_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    implemented_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class _Sent(_Base):
    """One message claimed or sent, by its idempotency key: nothing is sent twice."""

    __tablename__ = "sent_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10))  # "sending", then "sent"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _AgendaItem(_Base):
    """One step of a workshop's agenda: on or off, its minutes, reveal and agreement."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("workshop_id", "step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    step: Mapped[str] = mapped_column(String(12))
    position: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column()
    minutes: Mapped[int] = mapped_column(Integer)
    revealed: Mapped[bool] = mapped_column(default=False)
    voting: Mapped[bool] = mapped_column(default=False)  # a ranked vote on its results is open
    agreed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class _Item(_Base):
    """A member's idea (Step 3), strength and example (Step 5) or recommendation (Step 7)."""

    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    step: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    example: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class _Result(_Base):
    """What the team agreed in a step: its image, or one of its core aspects."""

    __tablename__ = "step_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    step: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    example: Mapped[str] = mapped_column(String(500), default="")
    sources: Mapped[str] = mapped_column(Text)  # JSON list of item ids
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class _StepCheck(_Base):
    """A member's fist-to-five on a step's result."""

    __tablename__ = "step_checks"
    __table_args__ = (UniqueConstraint("workshop_id", "step", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    step: Mapped[str] = mapped_column(String(12))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    score: Mapped[int] = mapped_column(Integer)
    concern: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _StepBallot(_Base):
    """A member's ranking of a step's candidate results (Step 3's images, Step 5's aspects)."""

    __tablename__ = "step_ballots"
    __table_args__ = (UniqueConstraint("workshop_id", "step", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    step: Mapped[str] = mapped_column(String(12))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    ranking: Mapped[str] = mapped_column(Text)  # JSON: groups of tied result ids, best first
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _Recommendation(_Base):
    """One entry of the Step 7 register."""

    __tablename__ = "recommendations"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[str] = mapped_column(String(20))
    sources: Mapped[str] = mapped_column(Text)  # JSON: Step 7 item ids
    ideas: Mapped[str] = mapped_column(Text)  # JSON: Step 3 item ids
    strengths: Mapped[str] = mapped_column(Text)  # JSON: Step 5 result ids
    commitments: Mapped[str] = mapped_column(Text)  # JSON: commitment ids
    response: Mapped[str] = mapped_column(Text, default="")  # management's, in Step 8
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class _Rating(_Base):
    """A member's rating of one element of current practice."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("member_id", "framework", "element"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    framework: Mapped[str] = mapped_column(String(40))
    element: Mapped[str] = mapped_column(String(40))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _Cache(_Base):
    __tablename__ = "llm_cache"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    task: Mapped[str] = mapped_column(String(20))
    model: Mapped[str] = mapped_column(String(200))
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _Usage(_Base):
    __tablename__ = "llm_usage"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id"), nullable=True, index=True
    )
    task: Mapped[str] = mapped_column(String(20))
    model: Mapped[str] = mapped_column(String(200))
    prompt_tokens: Mapped[int] = mapped_column(Integer)
    completion_tokens: Mapped[int] = mapped_column(Integer)
    cached: Mapped[bool] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
