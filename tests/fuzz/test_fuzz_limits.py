"""The sliding-window limits (LLM budget, joins, creations) under any pattern of requests."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from coach.domain.limits import Window

# A request: which client, and how long after the previous request it comes.
requests = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.floats(min_value=0, max_value=30)),
    max_size=120,
)


@settings(max_examples=200, deadline=None)
@given(most=st.integers(min_value=1, max_value=8), window=st.floats(1, 60), seq=requests)
def test_no_client_ever_gets_more_than_the_limit_in_any_window(
    most: int, window: float, seq: list[tuple[str, float]]
) -> None:
    now = [0.0]
    limit = Window(most, window, clock=lambda: now[0])
    allowed: dict[str, list[float]] = {}
    for client, gap in seq:
        now[0] += gap
        wait = limit.take(client)
        if wait is None:
            allowed.setdefault(client, []).append(now[0])
        else:
            # A refusal says how long to wait, and it is honest: within the window, and
            # the request is allowed once that time has passed (unless others came first).
            assert 0 < wait <= window
            times = allowed[client]
            assert len([t for t in times if now[0] - t < window]) == most
    for times in allowed.values():
        for i, t in enumerate(times):
            in_window = [u for u in times[i:] if u - t < window]
            assert len(in_window) <= most, "more allowed in one window than the limit"


@settings(max_examples=100, deadline=None)
@given(most=st.integers(min_value=1, max_value=8), window=st.floats(1, 60))
def test_a_refused_client_is_let_in_after_the_wait_it_was_told(most: int, window: float) -> None:
    now = [0.0]
    limit = Window(most, window, clock=lambda: now[0])
    for _ in range(most):
        assert limit.take("x") is None
    wait = limit.take("x")
    assert wait is not None
    assert limit.take("y") is None  # another client is not held up
    now[0] += wait
    assert limit.take("x") is None
