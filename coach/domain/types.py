"""Every value type the core hands around: frozen models, plain data, no persistence."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

# The closed sets the database stores as text: a value outside them is refused when a row
# becomes a domain type, instead of reaching a page or an export.
Phase = Literal["candidates", "voting", "check", "closed"]
Outcome = Literal["", "consensus", "concerns"]
CandidateKind = Literal["promoted", "merged", "revised", "carried"]
Status = Literal["planned", "in progress", "done", "dropped"]
Cadence = Literal["", "weekly", "monthly"]
STATUSES: tuple[Status, ...] = get_args(Status)
CADENCES: tuple[Cadence, ...] = get_args(Cadence)


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class Workshop(_View):
    id: int
    code: str
    name: str
    organisation: str
    focus: str
    revealed: bool
    locked: bool
    revision: int
    created_at: datetime
    adopted_id: int | None = None  # the adopted candidate, once the team has agreed
    adopted_at: datetime | None = None
    followup_due: date | None = None  # when management gives feedback on the commitments
    anonymous: bool = False  # names hidden on the shared screen, the projector and exports
    scores_shown: bool = True  # scores on the shared screen (hidden until the team is ready)
    timer_ends_at: datetime | None = None  # the silent writing time runs out then
    timer_lock: bool = False  # and drafting closes when it does
    admission: bool = False  # new joins wait in a lobby until the facilitator lets them in
    join_code: str | None = None  # a rotated join code; None: people join with `code`
    manager_email: str = ""  # where follow-up reminders go, if given
    step: str = "mission"  # the agenda step the room is on (coach.domain.agenda.StepKey)
    framework: str = "service_strategy"  # its assessment of current practice
    programme_id: int | None = None  # the organisation's programme it belongs to, if any

    @property
    def joining_code(self) -> str:
        """The code new people join with (links already handed out keep `code`)."""
        return self.join_code or self.code

    def time_up(self, now: datetime) -> bool:
        """Whether a timer that closes drafting has run out."""
        return self.timer_lock and self.timer_ends_at is not None and now >= self.timer_ends_at


def _isolated(name: str) -> str:
    """A name (say, restored from an old backup) whose direction controls stay inside it."""
    if any("\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069" for ch in name):
        return "\u2068" + name + "\u2069"
    return name


class Programme(_View):
    """An organisation's event or campaign that holds many team workshops."""

    id: int
    code: str
    name: str
    organisation: str
    created_at: datetime
    org_workshop_id: int | None = None  # the organisation round, once started


class Member(_View):
    id: int
    workshop_id: int
    name: str
    token: str
    position: int
    anonymous: bool = False  # loaded from an anonymous workshop: shown as "Member N"
    removed: bool = False  # by the facilitator: out of every count, drafts kept as removed
    absent: bool = False  # not waited for; their answers count again once they are back
    admitted: bool = True  # False: waiting in the lobby (the workshop asks for admission)
    merged_into: int | None = None  # a duplicate folded into that member (and removed)
    last_seen: datetime | None = None  # the member's screen last asked for news then

    @property
    def counted(self) -> bool:
        """Whether this member's ballot and check answers count."""
        return self.admitted and not self.removed and not self.absent

    @property
    def display_name(self) -> str:
        """How shared screens and exports name this member: a stable label if anonymous."""
        return (
            f"Member {self.position}" if self.anonymous or not self.name else _isolated(self.name)
        )

    @property
    def own_name(self) -> str:
        """How the member's own phone names them (their name even when anonymous)."""
        return _isolated(self.name) if self.name else f"Member {self.position}"


class DraftVersion(_View):
    version: int
    text: str
    scores: dict[str, int]
    rubric_version: str
    created_at: datetime


class Draft(_View):
    id: int
    member_id: int
    member_name: str
    deleted: bool
    versions: tuple[DraftVersion, ...]

    @property
    def latest(self) -> DraftVersion:
        return self.versions[-1]


QUESTIONS = ("desired", "bold", "clear", "stretching")


class Expect(_View):
    """The round and phase a screen showed when a person pressed its button."""

    round: int  # 0: no round yet
    phase: Phase


class Candidate(_View):
    id: int
    round: int  # the round's number
    text: str
    kind: CandidateKind
    sources: tuple[int, ...]
    withdrawn: bool
    letter: str = ""  # the same letter in every round it appears in


class Ballot(_View):
    member_id: int
    ranking: tuple[tuple[int, ...], ...]


class Check(_View):
    member_id: int
    candidate_id: int
    scores: dict[str, int]  # question -> 0..5
    concern: str


class Round(_View):
    id: int
    number: int
    phase: Phase
    outcome: Outcome
    leader_id: int | None
    candidates: tuple[Candidate, ...]
    ballots: tuple[Ballot, ...]
    checks: tuple[Check, ...]

    @property
    def active(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if not c.withdrawn)


class RoundHead(_View):
    """The current round without its ballots and checks: what a member's write needs."""

    id: int
    number: int
    phase: Phase
    leader_id: int | None
    active: tuple[int, ...]  # candidate ids still in the round


class CheckIn(_View):
    status: Status
    note: str
    created_at: datetime


NoteKind = Literal["confirm", "question", "cheer"]
NOTE_KINDS: tuple[NoteKind, ...] = get_args(NoteKind)


class PartnerNote(_View):
    """What an accountability partner said about a commitment: a confirmed check-in, a
    question about it, or a word of encouragement."""

    id: int
    partner_id: int
    kind: NoteKind
    note: str
    created_at: datetime
    read: bool  # the owner has seen it


class Commitment(_View):
    id: int
    text: str
    due: date | None
    cadence: Cadence
    partner_id: int | None
    status: Status
    elements: tuple[str, ...] | None  # None: tagged automatically from the text
    created_at: datetime
    checkins: tuple[CheckIn, ...]
    notes: tuple[PartnerNote, ...] = ()  # from the accountability partner, oldest first


class Idea(_View):
    """A new service idea (004: ideas created, tried and implemented)."""

    id: int
    text: str
    created_at: datetime
    tried_on: date | None = None
    implemented_on: date | None = None


class Plan(_View):
    id: int
    token: str
    workshop_id: int | None
    member_id: int | None
    name: str
    mission: str
    commitments: tuple[Commitment, ...]
    timezone: str = ""  # IANA name for its reminders; "" until the person's browser tells
    feedback_seen: datetime | None = None  # management feedback read up to then
    email: str = ""  # where its weekly digest goes, if the person gave one
    ideas: tuple[Idea, ...] = ()


class Feedback(_View):
    commitment_id: int | None
    author: str
    note: str
    created_at: datetime


class UsageTotals(BaseModel):
    calls: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens
