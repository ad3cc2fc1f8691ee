"""The consensus page's ranked vote and four-criteria check, each step bound to its screen."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from coach.domain.types import Candidate, Expect, Member, Round
from coach.errors import InputError
from coach.exports.table import FIRST_PREFERENCES_NOTE, PAIRWISE_NOTE, Vote
from coach.llm.protocol import LLMError
from coach.service import record
from coach.service.workshops import OnBehalf
from coach.ui import ballot_widgets, steps
from coach.ui.common import warn
from coach.ui.consensus_parts import Context, live_check


def vote_tab(ctx: Context) -> None:
    rnd = ctx.current
    if rnd is None or rnd.phase == "candidates":
        st.info("Open the vote from the Candidates tab when the candidates are ready.")
        return
    labels = ctx.labels(rnd)
    if rnd.phase == "voting":
        _voting(ctx, rnd, labels)
        return
    tally = ctx.c.tally(rnd)
    if tally is None:
        st.info("No ballots were cast in this round.")
        return
    ranking, points = record.tally_rows(tally, labels)
    if len(tally.winner) > 1:
        st.warning("Tie for first place: " + " = ".join(labels[int(w)] for w in tally.winner))
    st.dataframe(pd.DataFrame(ranking), hide_index=True, key="ranking_table")
    st.caption(PAIRWISE_NOTE)
    _pairwise(record.vote(tally, labels))
    st.caption(FIRST_PREFERENCES_NOTE)
    st.dataframe(pd.DataFrame(points), hide_index=True, key="points_table")


def _voting(ctx: Context, rnd: Round, labels: dict[int, str]) -> None:
    """While the vote is open only the count shows: early votes must not anchor later ones."""
    voted = {b.member_id for b in rnd.ballots}
    st.metric("Ballots in", f"{len(voted)} of {len(ctx.members)}")
    st.caption(
        "The result shows when you close the vote. Members rank on their phones; here you "
        "can enter a ranking for someone at the shared screen."
    )
    st.selectbox(
        "Ballot for",
        ctx.members,
        key="ballot_member",
        format_func=lambda m: m.display_name + (" ✓" if m.id in voted else ""),
    )
    ballot_widgets.ranking(rnd.active, labels, prefix="fac_rank")
    steps.button("Save this ballot", partial(_ballot, ctx, rnd), key="ballot_save")
    steps.confirmed(
        "Close the vote",
        f"Close the vote with {len(voted)} of {len(ctx.members)} ballots in? Nobody can vote "
        "after this; you can undo it until the check closes.",
        partial(ctx.c.close_vote, ctx.workshop.code, ctx.key, expect=ctx.expect),
        key="close_vote",
        done="The vote is closed: see the result on this tab.",
    )


def _ballot(ctx: Context, rnd: Round) -> None:
    """On click: the member and the places as the widgets hold them now."""
    who = st.session_state.get("ballot_member")
    if who is None:
        raise InputError("Choose whose ballot this is.")
    order = ballot_widgets.ranking_chosen(rnd.active, "fac_rank")
    ctx.c.ballot(ctx.workshop.code, OnBehalf(ctx.key, who.id), order)
    st.session_state[steps.FLASH] = ("success", f"Ballot saved for {who.display_name}.")


def _pairwise(vote: Vote) -> None:
    """Rows and columns named explicitly: the cell at row a, column b is a over b."""
    frame = pd.DataFrame(
        list(vote.pairwise), index=list(vote.candidates), columns=list(vote.candidates)
    ).astype("Int64")  # nullable: the empty diagonal stays empty, the counts stay whole
    st.dataframe(frame, key="pairwise_table")


def check_tab(ctx: Context) -> None:
    rnd = ctx.current
    if rnd is not None and (tied := ctx.c.tied(rnd)):
        _choose_leader(ctx, rnd, tied)
        return
    if rnd is None or rnd.leader_id is None:
        st.info("The four-criteria check starts when the vote closes.")
        return
    leader = next(c for c in rnd.candidates if c.id == rnd.leader_id)
    st.text(f"Checking {ctx.labels(rnd)[leader.id]}: {leader.text}")
    outcome = ctx.c.check_result(ctx.workshop, rnd)
    rows = pd.DataFrame(record.check_rows(rnd)).astype(object).fillna("—")  # none yet: a dash
    st.dataframe(rows, hide_index=True, key="check_table")
    if outcome.missing:
        st.text("Still to answer: " + ", ".join(m.display_name for m in outcome.missing))
    for m, question, score, concern in outcome.below:
        st.text(f"Below 3: {m.display_name} on {question} ({score}): {concern}")
    if rnd.phase == "check":
        _checking(ctx, outcome.answered)
        return
    if rnd.outcome == "concerns":
        _next_round(ctx, leader)
    elif rnd.outcome == "consensus" and ctx.workshop.adopted_id != leader.id:
        st.success("Consensus: everyone is at 3 or more on every question.")
        steps.confirmed(
            "Adopt this statement",
            "Adopt it as the team's mission statement? Phones and exports show it at once; "
            "you can undo the adoption.",
            partial(ctx.c.adopt, ctx.workshop.code, ctx.key, leader.id, expect=ctx.expect),
            key="adopt",
            done="Adopted: this is the team's mission statement.",
        )
    elif ctx.workshop.adopted_id == leader.id:
        steps.confirmed(
            "Undo the adoption",
            "Undo the adoption? The statement goes back to being the leading candidate.",
            partial(ctx.c.undo_adopt, ctx.workshop.code, ctx.key),
            key="undo_adopt",
        )
    if ctx.workshop.adopted_id is None:
        steps.confirmed(
            "Undo: reopen the check",
            "Reopen the four-criteria check? Every answer is kept and members can change theirs.",
            partial(ctx.c.undo_close_check, ctx.workshop.code, ctx.key, expect=ctx.expect),
            key="undo_close_check",
        )


def _choose_leader(ctx: Context, rnd: Round, tied: list[int]) -> None:
    labels = ctx.labels(rnd)
    st.warning("The vote is tied: the team chooses which candidate to check first.")
    st.radio(
        "Check first",
        tied,
        format_func=lambda i: f"{labels[i]}: {next(c.text for c in rnd.candidates if c.id == i)}",
        key="tie_pick",
    )
    steps.button(
        "Check this one first", partial(_choose, ctx, ctx.expect), key="tie_go", primary=True
    )


def _choose(ctx: Context, expect: Expect) -> None:
    chosen = st.session_state.get("tie_pick")
    if chosen is None:
        raise InputError("Choose one of the tied candidates.")
    ctx.c.choose_leader(ctx.workshop.code, ctx.key, int(chosen), expect=expect)


def _checking(ctx: Context, answered: tuple[Member, ...]) -> None:
    done = {m.id for m in answered}
    st.selectbox(
        "Answers for",
        ctx.members,
        key="check_member",
        format_func=lambda m: m.display_name + (" ✓" if m.id in done else ""),
    )
    ballot_widgets.fist_to_five("fac_check")
    steps.button("Save these answers", partial(_answers, ctx), key="check_save")
    steps.confirmed(
        "Close the check",
        f"Close the check with {len(answered)} of {len(ctx.members)} answers in? You can "
        "undo it until a statement is adopted or the next round opens.",
        partial(ctx.c.close_check, ctx.workshop.code, ctx.key, expect=ctx.expect),
        key="close_check",
    )
    steps.confirmed(
        "Undo: reopen the vote",
        "Reopen the vote? Every ballot is kept and members can change theirs; the answers "
        "given so far stay on record.",
        partial(ctx.c.undo_close_vote, ctx.workshop.code, ctx.key, expect=ctx.expect),
        key="undo_close_vote",
    )


def _answers(ctx: Context) -> None:
    who = st.session_state.get("check_member")
    if who is None:
        raise InputError("Choose whose answers these are.")
    scores, concern = ballot_widgets.answers_chosen("fac_check")
    ctx.c.check(ctx.workshop.code, OnBehalf(ctx.key, who.id), scores, concern)
    st.session_state[steps.FLASH] = ("success", f"Answers saved for {who.display_name}.")


def _next_round(ctx: Context, leader: Candidate) -> None:
    st.subheader("Revise it to answer the concerns")
    if "revise_text" not in st.session_state:
        st.session_state["revise_text"] = leader.text
    if (proposed := st.session_state.pop("llm_revision", None)) is not None:
        st.session_state["revise_text"] = proposed
    _llm_revision(ctx, leader)
    text = st.text_area("Revised candidate", key="revise_text")
    if text.strip():
        live_check(ctx, text)
    steps.confirmed(
        "Open the next round",
        "Open the next round with the revised candidate and the one it revises? The "
        "candidates are fixed until the vote; you can undo it until then.",
        partial(_next, ctx, ctx.expect),
        key="next_round",
    )


def _next(ctx: Context, expect: Expect) -> None:
    revised = str(st.session_state.get("revise_text", ""))
    ctx.c.next_round(ctx.workshop.code, ctx.key, revised, expect=expect)


def _llm_revision(ctx: Context, leader: Candidate) -> None:
    coach = ctx.coach
    if not coach.enabled:
        return
    if st.button("Suggest a revision that answers the concerns (LLM)", key="llm_revise"):
        rnd = ctx.current
        below = ctx.c.check_result(ctx.workshop, rnd).below if rnd else ()
        with st.spinner("Asking the LLM coach for a revision…"):
            try:
                revision = coach.revise(
                    leader.text, [f"{q}: {c}" for _, q, _, c in below], workshop_id=ctx.workshop.id
                )
            except LLMError as exc:
                warn(f"No LLM revision this time: {exc}")
                return
        if revision is not None:
            st.session_state["llm_revision"] = revision.text
            st.session_state["llm_revision_why"] = revision.why
            st.rerun()
    if why := st.session_state.get("llm_revision_why"):
        st.text(f"The LLM's revision: {why}")
