"""Whether commitments are kept, over time: rates per week and per service element, and
the service-ideas funnel (created, tried, implemented)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

# A check-in that says the promise is being kept; "planned" and "dropped" say it is not.
KEPT = frozenset({"done", "in progress"})


@dataclass(frozen=True)
class Rate:
    label: str  # "2026-W48", or an element's name
    check_ins: int
    kept: int

    @property
    def rate(self) -> float:
        return self.kept / self.check_ins if self.check_ins else 0.0


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def by_week(check_ins: Iterable[tuple[date, str]]) -> list[Rate]:
    """Per ISO week with check-ins, oldest first: how many, and how many said kept."""
    counts: dict[str, list[int]] = {}
    for day, status in check_ins:
        c = counts.setdefault(_week(day), [0, 0])
        c[0] += 1
        c[1] += status in KEPT
    return [Rate(week, n, k) for week, (n, k) in sorted(counts.items())]


def by_element(
    check_ins: Iterable[tuple[str, tuple[str, ...]]], labels: dict[str, str]
) -> list[Rate]:
    """Per service element (in `labels` order): check-ins on commitments serving it."""
    counts = {key: [0, 0] for key in labels}
    for status, elements in check_ins:
        for key in elements:
            if key in counts:
                counts[key][0] += 1
                counts[key][1] += status in KEPT
    return [Rate(labels[k], n, kept) for k, (n, kept) in counts.items()]


@dataclass(frozen=True)
class Funnel:
    created: int
    tried: int
    implemented: int


def funnel(ideas: Iterable[tuple[date | None, date | None]]) -> Funnel:
    """(tried on, implemented on) per idea: how many were created, tried, implemented. An
    idea implemented counts as tried."""
    created = tried = implemented = 0
    for tried_on, implemented_on in ideas:
        created += 1
        tried += tried_on is not None or implemented_on is not None
        implemented += implemented_on is not None
    return Funnel(created, tried, implemented)
