"""The consensus table: the one document every export format writes."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict

# Characters that reorder what follows them (U+202E turns "overall 52" into "25"). They
# are kept in stored text (verbatim) and isolated wherever text shares a line with more.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)


def isolate(text: str) -> str:
    """Text whose direction controls cannot reach past its end (FSI ... PDI)."""
    if any(ch in BIDI_CONTROLS for ch in text):
        return "\u2068" + text + "\u2069"
    return text


def _scrub(value: str) -> str:
    # A lone surrogate (JSON can carry "\ud800") cannot be encoded, so every export would fail.
    return re.sub(r"[\ud800-\udfff]", "\ufffd", value)


Text = Annotated[str, AfterValidator(_scrub)]


# One wording for screen, exports and CLI, so every place reads its figures the same way.
PAIRWISE_NOTE = (
    "Pairwise preferences: each cell counts the voters who rank the row's candidate above "
    "the column's."
)
FIRST_PREFERENCES_NOTE = (
    "First preferences: each ballot gives one. A ballot that ties several candidates first "
    "splits its one first preference equally among them, hence halves and thirds."
)


# No NaN/inf: JSON would write them as null and the export would no longer round-trip.
# Any line break a person or a pasted file can carry.
NEWLINES = re.compile(r"\r\n|\r|\n")
_CONFIG = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class ConsensusRow(BaseModel):
    """One draft, candidate or adopted statement with its scores and votes."""

    model_config = _CONFIG
    text: Text
    kind: Literal["draft", "candidate", "adopted"]
    author: Text = ""
    sources: Text = ""
    round: int | None = None
    label: Text = ""  # the candidate's letter in its round, as on the vote's tables
    desired: int
    bold: int
    clear: int
    stretching: int
    overall: int
    rubric: Text = ""  # the rubric and version that gave the scores, e.g. "mission v1"
    llm_desired: int | None = None
    llm_bold: int | None = None
    llm_clear: int | None = None
    llm_stretching: int | None = None
    themes_covered: Text = ""
    schulze_rank: int | None = None
    borda: float | None = None
    first_preferences: float | None = None
    f2f_desired_min: int | None = None
    f2f_desired_mean: float | None = None
    f2f_bold_min: int | None = None
    f2f_bold_mean: float | None = None
    f2f_clear_min: int | None = None
    f2f_clear_mean: float | None = None
    f2f_stretching_min: int | None = None
    f2f_stretching_mean: float | None = None
    status: Text = ""


class Vote(BaseModel):
    """One round's ranked vote: pairwise[i][j] counts voters ranking candidates[i] above [j]."""

    model_config = _CONFIG
    ballots: int
    candidates: tuple[Text, ...]  # the candidates' letters, in the round's order
    pairwise: tuple[tuple[int | None, ...], ...]  # None on the diagonal


class RoundSummary(BaseModel):
    """How one voting round ended."""

    model_config = _CONFIG
    number: int
    status: Text
    winner: Text = ""
    concerns: tuple[Text, ...] = ()
    vote: Vote | None = None


class CommitmentRow(BaseModel):
    """One personal commitment (workshop Step 6) with its rubric scores and follow-up."""

    model_config = _CONFIG
    person: Text  # "" when anonymous
    text: Text
    specific: int
    measurable: int
    time_bound: int
    owned: int
    linked: int
    overall: int
    rubric: Text = ""
    line_of_sight: Text = ""
    elements: Text = ""
    due: date | None = None
    cadence: Text = ""
    partner: Text = ""
    status: Text = "planned"
    last_check_in: Text = ""
    manager_feedback: Text = ""  # every note, oldest first, one a line: "date author: note"


class KeptRow(BaseModel):
    """Check-ins in one ISO week (or on one service element), and how many said kept."""

    model_config = _CONFIG
    text: Text  # "2026-W48", or the element's name
    check_ins: int
    kept: int
    kept_rate: Text  # "75%"


class IdeaRow(BaseModel):
    """One new service idea, and whether it was tried and implemented."""

    model_config = _CONFIG
    person: Text
    text: Text
    created: date
    tried: date | None = None
    implemented: date | None = None


class AgendaRow(BaseModel):
    """One step of the workshop's agenda and where it stands."""

    model_config = _CONFIG
    step: Text  # "Step 3", or "" for a step 000 does not number
    title: Text
    on: bool
    minutes: int
    status: Text  # "agreed", "adopted", "the room is here", "" (not reached), "off"


class StepRow(BaseModel):
    """A member's item in Step 3, 5 or 7, or what the team agreed from them."""

    model_config = _CONFIG
    step: Text  # "Step 3"
    kind: Literal["idea", "strength", "recommendation", "image", "core aspect"]
    author: Text = ""  # "" for the team's result; "Member 2" when anonymous
    text: Text
    example: Text = ""
    note: Text = ""  # "no example", "agreed"
    overall: int | None = None  # the step's rubric, for members' items
    rubric: Text = ""
    sources: Text = ""  # the items a result came from, by number in this export


class RegisterRow(BaseModel):
    """One entry of the Step 7 register, with what it builds on and management's response."""

    model_config = _CONFIG
    text: Text
    owner: Text = ""
    status: Text
    builds_on_ideas: Text = ""
    builds_on_strengths: Text = ""
    builds_on_commitments: Text = ""
    response: Text = ""
    responded: date | None = None


class AssessmentRow(BaseModel):
    """How the team rated one element of current practice (1 to 5)."""

    model_config = _CONFIG
    element: Text
    answers: int
    mean: float | None = None
    lowest: int | None = None
    highest: int | None = None
    spread: int | None = None
    commitments: int = 0
    recommendations: int = 0
    gap: Text = ""  # named when everyone rates it low and nobody commits to it
    comments: Text = ""  # one a line


class ConsensusTable(BaseModel):
    """Everything the facilitator exports about one workshop."""

    model_config = _CONFIG
    workshop: Text
    organisation: Text = ""
    focus: Text = ""
    code: Text = ""
    generated_at: datetime
    rubric: Text = ""  # what scored the statements, e.g. "mission v1"
    commitment_rubric: Text = ""
    adopted: Text | None = None
    rounds: tuple[RoundSummary, ...] = ()
    rows: tuple[ConsensusRow, ...] = ()
    commitments: tuple[CommitmentRow, ...] = ()
    followup_due: date | None = None  # when management gives its feedback
    team_feedback: tuple[Text, ...] = ()  # notes on the whole team, "date author: note"
    kept_weeks: tuple[KeptRow, ...] = ()
    kept_elements: tuple[KeptRow, ...] = ()
    ideas: tuple[IdeaRow, ...] = ()
    # The whole workshop (Steps 3, 5 and 7, the assessment, the register), when it ran.
    agenda: tuple[AgendaRow, ...] = ()
    steps: tuple[StepRow, ...] = ()
    recommendations: tuple[RegisterRow, ...] = ()
    assessment_title: Text = ""
    assessment: tuple[AssessmentRow, ...] = ()


COLUMNS: tuple[str, ...] = tuple(ConsensusRow.model_fields)


COMMITMENT_COLUMNS: tuple[str, ...] = tuple(CommitmentRow.model_fields)


def cells(row: BaseModel) -> list[object]:
    """The row's values in column order, dates as ISO text (read the same in every locale)."""
    values = [getattr(row, name) for name in type(row).model_fields]
    return [v.isoformat() if isinstance(v, date) else v for v in values]
