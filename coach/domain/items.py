"""Steps 3, 5 and 7: what members write (items), what the team agrees (results), the
fist-to-five check on it, the recommendations register, and practice ratings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

RecStatus = Literal["proposed", "agreed", "in progress", "done", "declined"]
REC_STATUSES: tuple[RecStatus, ...] = get_args(RecStatus)
AGREE = 3  # a fist-to-five answer of at least this supports the result


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class Item(_View):
    """One member's idea (Step 3), strength with its example (Step 5) or recommendation
    (Step 7)."""

    id: int
    member_id: int
    member_name: str  # as shared screens show it ("Member 3" when anonymous)
    step: str
    text: str
    example: str
    created_at: datetime
    deleted: bool = False  # withdrawn by its author or removed by the facilitator

    @property
    def needs_example(self) -> bool:
        return not self.example.strip()


class Result(_View):
    """What the team agreed in a step: the image (Step 3) or one core aspect (Step 5)."""

    id: int
    step: str
    text: str
    example: str
    sources: tuple[int, ...]  # the items it came from
    created_at: datetime


class StepCheck(_View):
    member_id: int
    step: str
    score: int  # 0..5
    concern: str


class Recommendation(_View):
    """One entry of the Step 7 register, with what it builds on and management's answer."""

    id: int
    text: str
    owner: str
    status: RecStatus
    sources: tuple[int, ...]  # the Step 7 items it came from
    ideas: tuple[int, ...]  # Step 3 items it builds on
    strengths: tuple[int, ...]  # Step 5 results it builds on
    commitments: tuple[int, ...]  # Step 6 commitments it builds on
    response: str  # management's response (Step 8)
    responded_at: datetime | None
    created_at: datetime


class Rating(_View):
    member_id: int
    framework: str
    element: str
    rating: int  # 1..5
    comment: str


def agreement(
    counted: tuple[int, ...], checks: tuple[StepCheck, ...]
) -> tuple[tuple[int, ...], tuple[StepCheck, ...]]:
    """Who still has to answer, and the answers below AGREE, among the members who count."""
    answered = {c.member_id: c for c in checks if c.member_id in counted}
    missing = tuple(m for m in counted if m not in answered)
    below = tuple(c for c in answered.values() if c.score < AGREE)
    return missing, below
