"""The sliding window behind the LLM budget: at most N events per key per window."""

from __future__ import annotations

from coach.domain.limits import Window


def test_at_most_n_per_window_then_a_wait_that_counts_down() -> None:
    now = [0.0]
    w = Window(3, 600, clock=lambda: now[0])
    assert [w.take("b1") for _ in range(3)] == [None, None, None]
    assert w.take("b1") == 600  # the fourth waits for the first to leave the window
    assert w.take("b2") is None  # another browser has its own budget
    now[0] = 450
    assert w.take("b1") == 150
    now[0] = 600
    assert [w.take("b1") for _ in range(3)] == [None, None, None]  # the first three left
    assert w.take("b1") == 600  # and three new ones fill it again
