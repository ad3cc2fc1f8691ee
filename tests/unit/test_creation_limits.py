"""Creation has limits a person never meets and a script always does."""

from __future__ import annotations

import pytest

from coach.bootstrap import build
from coach.errors import InputError
from coach.service.commitments import MAX_COMMITMENTS


def test_a_plan_keeps_at_most_so_many_commitments() -> None:
    cm = build().commitments
    plan = cm.start("Ana")
    for i in range(MAX_COMMITMENTS):
        cm.add(plan.token, f"I will call customer number {i} by Friday.")
    with pytest.raises(InputError, match=f"at most {MAX_COMMITMENTS} commitments"):
        cm.add(plan.token, "I will call one more customer by Friday.")
    assert len(cm.open(plan.token).commitments) == MAX_COMMITMENTS


def test_a_commitment_keeps_at_most_so_many_check_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("coach.service.commitments.MAX_CHECKINS", 3)
    cm = build().commitments
    plan = cm.start("Ana")
    cm.add(plan.token, "I will call every new customer within a day.")
    first = cm.open(plan.token).commitments[0]
    for _ in range(3):
        cm.check_in(plan.token, first.id, "in progress", "")
    with pytest.raises(InputError, match="already has 3 check-ins"):
        cm.check_in(plan.token, first.id, "done", "")
