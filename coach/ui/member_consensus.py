"""A member's part in consensus, on their phone: rank the candidates, answer the check."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from coach.domain.types import Member, Round, Workshop
from coach.errors import CoachError
from coach.service.consensus import Consensus
from coach.ui import ballot_widgets
from coach.ui.common import fail


def render(consensus: Consensus, workshop: Workshop, member: Member, rnd: Round | None) -> None:
    """`rnd` is the current round, as the page read it."""
    adopted = consensus.adopted(workshop)
    if adopted is not None:
        st.subheader("The team's mission statement")
        st.text(adopted.text)
        return
    if member.absent and rnd is not None and rnd.phase in ("voting", "check"):
        st.info("The facilitator marked you absent: your answers count again once you answer.")
    waiting = _waiting(workshop, rnd)
    if waiting or rnd is None:
        if waiting:
            st.info(waiting)
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
        if any(c.member_id == member.id for c in rnd.checks):
            st.caption("Your answers are in. You can change them until the check closes.")
        scores, concern = ballot_widgets.fist_to_five("my_check")
        if st.button("Submit my answers", type="primary", key="my_check_go"):
            _do(
                lambda: consensus.check(workshop.code, member.token, scores, concern),
                "Answers saved ✓",
            )


def _waiting(workshop: Workshop, rnd: Round | None) -> str:
    """What the phone says between the steps a member takes part in: what comes next."""
    if rnd is None:
        if not workshop.revealed:
            return ""  # drafting: the page shows the draft form
        return (
            "All drafts are revealed on the shared screen. Next, the facilitator gathers "
            "candidates from them; the vote opens here."
        )
    if rnd.phase == "candidates":
        return (
            f"Round {rnd.number}: the facilitator is gathering candidates. The vote opens "
            "here when they are ready."
        )
    if rnd.phase == "check" and rnd.leader_id is None:
        return "The vote is tied: the facilitator is choosing which candidate to check first."
    if rnd.phase == "closed" and rnd.outcome == "concerns":
        return (
            f"Round {rnd.number} closed with concerns. The facilitator is revising the "
            "statement to answer them; the next round opens here."
        )
    if rnd.phase == "closed":
        return (
            "Consensus: everyone is at 3 or more on every question. The facilitator "
            "adopts the statement next."
        )
    return ""


def _do(action: Callable[[], object], done: str) -> None:
    try:
        action()
    except CoachError as exc:
        fail(exc)
    else:
        st.success(done)
