"""`make load`'s idle phones (bench.idle_phones) against a real server: each emulated phone
opens the join page over Streamlit's websocket, polls the watch endpoint, and when its
facilitator locks drafting, has the live part drawn again showing the lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.idle_phones import measure

pytestmark = pytest.mark.e2e


def test_emulated_phones_join_follow_and_redraw_as_the_browser_would(tmp_path: Path) -> None:
    r = measure(f"sqlite:///{tmp_path / 'coach.db'}", teams=2, size=3, idle_s=2.0)
    assert r.failures == []
    assert r.connected == 6
    # Each phone kept asking about every 0.4 s while idle (at most 2.5 answers a second).
    assert 6 * 1.0 <= r.polls_per_s <= 6 * 2.6
    # The first team's lock reached its three phones; the second team's, its three.
    assert (r.one_team.phones, r.all_teams.phones) == (3, 3)
    assert r.missed == 0
    assert 0 < r.one_team.drawn_max_s < 10
