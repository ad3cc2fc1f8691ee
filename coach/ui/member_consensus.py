"""A member's part in consensus, on their phone: rank the candidates, answer the check."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from coach.domain.types import Member, Workshop
from coach.errors import CoachError
from coach.service.consensus import Consensus
from coach.ui import ballot_widgets
from coach.ui.common import fail, services


def stage(consensus: Consensus, workshop: Workshop) -> tuple[int, str, int | None]:
    """Where the round stands: a light read, as every phone asks every few seconds."""
    rnd = consensus.head(workshop)
    return (rnd.number, rnd.phase, workshop.adopted_id) if rnd else (0, "", None)


@st.fragment(run_every=3)
def watch(code: str, seen: tuple[int, str, int | None]) -> None:
    """Bring the phone to the vote or the check when the facilitator opens it."""
    svc = services()
    try:
        now = stage(svc.consensus, svc.workshops.find(code))
    except CoachError:
        return
    if now != seen:
        st.rerun(scope="app")


def render(consensus: Consensus, workshop: Workshop, member: Member) -> None:
    watch(workshop.code, stage(consensus, workshop))
    adopted = consensus.adopted(workshop)
    if adopted is not None:
        st.subheader("The team's mission statement")
        st.text(adopted.text)
        return
    rnd = consensus.current(workshop)
    if rnd is None or rnd.phase not in ("voting", "check"):
        return
    labels = {c.id: Consensus.label(rnd, c.id) for c in rnd.candidates}
    if rnd.phase == "voting":
        st.subheader(f"Round {rnd.number}: rank the candidates")
        if any(b.member_id == member.id for b in rnd.ballots):
            st.caption("Your ballot is in. You can replace it until the vote closes.")
        st.caption(
            "Give 1 to your favourite. The same place for two means a tie; leave a "
            "place blank to rank it last."
        )
        order = ballot_widgets.ranking(rnd.active, labels, prefix="my_rank")
        if st.button("Submit my ranking", type="primary", key="my_ballot"):
            _do(lambda: consensus.ballot(workshop.code, member.token, order), "Ranking saved ✓")
    else:
        leader = next(c for c in rnd.candidates if c.id == rnd.leader_id)
        st.subheader(f"Round {rnd.number}: the four-criteria check")
        st.text(leader.text)
        st.caption("0 = I cannot support it, 3 = I can live with it, 5 = fully behind it.")
        if any(c.member_id == member.id for c in rnd.checks):
            st.caption("Your answers are in. You can change them until the check closes.")
        scores, concern = ballot_widgets.fist_to_five("my_check")
        if st.button("Submit my answers", type="primary", key="my_check_go"):
            _do(
                lambda: consensus.check(workshop.code, member.token, scores, concern),
                "Answers saved ✓",
            )


def _do(action: Callable[[], object], done: str) -> None:
    try:
        action()
    except CoachError as exc:
        fail(exc)
    else:
        st.success(done)
