"""The consensus page's tabs. Everything a person wrote is shown as plain text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st

from coach.bootstrap import Services
from coach.domain import themes
from coach.domain.types import Candidate, Draft, Member, Round, Workshop
from coach.errors import CoachError
from coach.exports.formats import EXTRA_FORMATS, FORMATS, MEDIA_TYPES, export, filename
from coach.exports.table import FIRST_PREFERENCES_NOTE, PAIRWISE_NOTE, Vote
from coach.llm.protocol import LLMError
from coach.scoring.scorer import score_text
from coach.service import record
from coach.service.consensus import PHASE_NAMES, Consensus
from coach.ui import ballot_widgets, results
from coach.ui.common import act, fail, warn


@st.cache_data(show_spinner=False, max_entries=32)
def _themes(texts: tuple[str, ...]) -> tuple[list[themes.Theme], list[tuple[int, ...]]]:
    return themes.shared_themes(texts), themes.similar_groups(texts)


@dataclass
class Context:
    svc: Services
    workshop: Workshop
    key: str
    drafts: list[Draft]
    members: list[Member]
    rounds: list[Round]
    themes: list[themes.Theme]
    groups: list[tuple[int, ...]]

    @classmethod
    def load(cls, svc: Services, workshop: Workshop, key: str) -> Context:
        drafts = svc.store.drafts(workshop.id)
        found, groups = _themes(tuple(d.latest.text for d in drafts))
        return cls(
            svc,
            workshop,
            key,
            drafts,
            svc.store.members(workshop.id),
            svc.consensus.history(workshop),
            found,
            groups,
        )

    @property
    def c(self) -> Consensus:
        return self.svc.consensus

    @property
    def current(self) -> Round | None:
        return self.rounds[-1] if self.rounds else None

    def labels(self, rnd: Round) -> dict[int, str]:
        return {c.id: Consensus.label(rnd, c.id) for c in rnd.candidates}

    def act(self, action: Callable[[], object]) -> None:
        act(action)


def adopted_banner(ctx: Context) -> None:
    chosen = ctx.c.adopted(ctx.workshop)
    if chosen is not None:
        results.adopted(
            chosen.text, f"The team's mission statement, adopted in round {chosen.round}."
        )


def round_caption(ctx: Context) -> str:
    rnd = ctx.current
    if rnd is None:
        return "No round yet: promote a draft or write a merged candidate to start round 1."
    outcome = f" ({rnd.outcome})" if rnd.outcome else ""
    return f"Round {rnd.number}: {PHASE_NAMES[rnd.phase]}{outcome}."


def themes_tab(ctx: Context) -> None:
    names = [d.member_name for d in ctx.drafts]
    if not ctx.themes:
        st.info("No shared themes yet: themes are words and phrases used by two or more drafts.")
    else:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "theme": t.label,
                        "drafts": f"{t.count} of {len(ctx.drafts)}",
                        "who": ", ".join(names[i] for i in t.drafts),
                    }
                    for t in ctx.themes
                ]
            ),
            hide_index=True,
            key="themes_table",
        )
    for group in ctx.groups:
        st.text("These say nearly the same thing: " + ", ".join(names[i] for i in group))
    rnd = ctx.current
    cands = rnd.active if rnd else ()
    labels = ctx.labels(rnd) if rnd else {}
    rows = []
    for d in ctx.drafts:
        carried = themes.carried_by(d.latest.text, [c.text for c in cands], ctx.themes)
        via = {c.id for c in cands if d.id in c.sources} | {cands[i].id for i in carried}
        rows.append(
            {
                "member": d.member_name,
                "draft": d.latest.text,
                "carried by": ", ".join(labels[i] for i in sorted(via)) or "not yet",
            }
        )
    st.subheader("Every draft, and which candidates carry its ideas")
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="carried_table")


def candidates_tab(ctx: Context) -> None:
    rnd = ctx.current
    open_ = rnd is None or rnd.phase == "candidates"
    if rnd is not None:
        _candidate_list(ctx, rnd, withdraw=open_)
    if not open_:
        st.info("The vote has opened: this round's candidates are fixed.")
        return
    by_id = {d.id: d for d in ctx.drafts}
    pick = st.selectbox(
        "Promote a draft to a candidate",
        list(by_id),
        format_func=lambda i: f"{by_id[i].member_name}: {by_id[i].latest.text}",
        key="promote_pick",
    )
    if st.button("Promote", key="promote_go") and pick is not None:
        ctx.act(lambda: ctx.c.promote(ctx.workshop.code, ctx.key, pick))
    st.subheader("Write a merged candidate")
    text = st.text_area("Merged statement (Ctrl+Enter to see its scores)", key="merge_text")
    sources = st.multiselect(
        "It draws on", list(by_id), key="merge_sources", format_func=lambda i: by_id[i].member_name
    )
    if text.strip():
        _live_check(ctx, text)
    if st.button("Add as candidate", key="merge_go"):
        ctx.act(lambda: ctx.c.add_merged(ctx.workshop.code, ctx.key, text, list(sources)))
    _llm_merged(ctx)
    if (
        rnd is not None
        and rnd.active
        and st.button("Open the vote", type="primary", key="open_vote")
    ):
        ctx.act(lambda: ctx.c.open_vote(ctx.workshop.code, ctx.key))


def _llm_merged(ctx: Context) -> None:
    """Merged candidates the LLM proposes, rubric-scored and theme-checked before shown."""
    coach = ctx.svc.coach
    if not coach.enabled:
        return
    if st.button("Suggest merged candidates (LLM)", key="llm_merge"):
        with st.spinner("Asking the LLM coach for merged candidates…"):
            try:
                st.session_state["llm_merged"] = coach.merge(
                    [d.latest.text for d in ctx.drafts], ctx.themes, workshop_id=ctx.workshop.id
                )
            except LLMError as exc:
                warn(f"No LLM suggestions this time: {exc}")
    for i, (sug, cover, sources) in enumerate(st.session_state.get("llm_merged", [])):
        with st.container(border=True):
            st.text(sug.text)
            st.text(f"Rubric: overall {sug.result.overall} · {cover.summary()}")
            if st.button("Add as candidate", key=f"llm_merge_add_{i}"):
                ids = [ctx.drafts[j].id for j in sources if j < len(ctx.drafts)]
                ctx.act(partial(ctx.c.add_merged, ctx.workshop.code, ctx.key, sug.text, ids))


def _live_check(ctx: Context, text: str) -> None:
    try:
        result = score_text(text, "mission")
    except CoachError as exc:
        fail(exc)
        return
    results.scores_row(result)
    st.text(themes.coverage(text, ctx.themes).summary())


def _candidate_list(ctx: Context, rnd: Round, *, withdraw: bool) -> None:
    labels = ctx.labels(rnd)
    names = {d.id: d.member_name for d in ctx.drafts}
    for c in rnd.candidates:
        with st.container(border=True):
            result = score_text(c.text, "mission")
            state = " (withdrawn)" if c.withdrawn else ""
            st.text(
                f"{labels[c.id]}{state} · {c.kind} · overall {result.overall} · from "
                + (", ".join(names.get(s, "a removed draft") for s in c.sources) or "—")
            )
            st.text(c.text)
            st.text(themes.coverage(c.text, ctx.themes).summary())
            if withdraw and not c.withdrawn and st.button("Withdraw", key=f"withdraw_{c.id}"):
                ctx.act(partial(ctx.c.withdraw, ctx.workshop.code, ctx.key, c.id))


def vote_tab(ctx: Context) -> None:
    rnd = ctx.current
    if rnd is None or rnd.phase == "candidates":
        st.info("Open the vote from the Candidates tab when the candidates are ready.")
        return
    labels = ctx.labels(rnd)
    if rnd.phase == "voting":
        voted = {b.member_id for b in rnd.ballots}
        st.text(
            f"{len(voted)} of {len(ctx.members)} ballots in. Members on phones rank on "
            "their join page; here you can enter a member's ranking for them."
        )
        who = st.selectbox(
            "Ballot for",
            ctx.members,
            key="ballot_member",
            format_func=lambda m: m.display_name + (" ✓" if m.id in voted else ""),
        )
        order = ballot_widgets.ranking(rnd.active, labels, prefix="fac_rank")
        if st.button("Save this ballot", key="ballot_save") and who is not None:
            ctx.act(lambda: ctx.c.ballot(ctx.workshop.code, who.token, order))
    tally = ctx.c.tally(rnd)
    if tally is None:
        st.info("No ballots yet.")
        return
    ranking, points = record.tally_rows(tally, labels)
    if len(tally.winner) > 1:
        st.warning("Tie for first place: " + " = ".join(labels[int(w)] for w in tally.winner))
    st.dataframe(pd.DataFrame(ranking), hide_index=True, key="ranking_table")
    st.caption(PAIRWISE_NOTE)
    _pairwise(record.vote(tally, labels))
    st.caption(FIRST_PREFERENCES_NOTE)
    st.dataframe(pd.DataFrame(points), hide_index=True, key="points_table")
    if rnd.phase == "voting":
        tied = [int(w) for w in tally.winner]
        leader = None
        if len(tied) > 1:
            leader = st.radio(
                "The vote is tied: which candidate does the team check first?",
                tied,
                format_func=lambda i: labels[i],
                key="tie_pick",
            )
        if st.button("Close the vote", type="primary", key="close_vote"):
            ctx.act(lambda: ctx.c.close_vote(ctx.workshop.code, ctx.key, leader))


def _pairwise(vote: Vote) -> None:
    """Rows and columns named explicitly: the cell at row a, column b is a over b."""
    frame = pd.DataFrame(
        list(vote.pairwise), index=list(vote.candidates), columns=list(vote.candidates)
    ).astype("Int64")  # nullable: the empty diagonal stays empty, the counts stay whole
    st.dataframe(frame, key="pairwise_table")


def check_tab(ctx: Context) -> None:
    rnd = ctx.current
    if rnd is None or rnd.leader_id is None:
        st.info("The four-criteria check starts when the vote closes.")
        return
    leader = next(c for c in rnd.candidates if c.id == rnd.leader_id)
    st.text(f"Checking {ctx.labels(rnd)[leader.id]}: {leader.text}")
    outcome = ctx.c.check_result(ctx.workshop, rnd)
    st.dataframe(pd.DataFrame(record.check_rows(rnd)), hide_index=True, key="check_table")
    if outcome.missing:
        st.text("Still to answer: " + ", ".join(m.display_name for m in outcome.missing))
    for m, question, score, concern in outcome.below:
        st.text(f"Below 3: {m.display_name} on {question} ({score}): {concern}")
    if rnd.phase == "check":
        answered = {m.id for m in outcome.answered}
        who = st.selectbox(
            "Answers for",
            ctx.members,
            key="check_member",
            format_func=lambda m: m.display_name + (" ✓" if m.id in answered else ""),
        )
        scores, concern = ballot_widgets.fist_to_five("fac_check")
        if st.button("Save these answers", key="check_save") and who is not None:
            ctx.act(lambda: ctx.c.check(ctx.workshop.code, who.token, scores, concern))
        if st.button("Close the check", type="primary", key="close_check"):
            ctx.act(lambda: ctx.c.close_check(ctx.workshop.code, ctx.key))
    elif rnd.outcome == "concerns":
        _next_round(ctx, leader)
    elif rnd.outcome == "consensus" and ctx.workshop.adopted_id != leader.id:
        st.success("Consensus: everyone is at 3 or more on every question.")
        if st.button("Adopt this statement", type="primary", key="adopt"):
            ctx.act(lambda: ctx.c.adopt(ctx.workshop.code, ctx.key, leader.id))


def _next_round(ctx: Context, leader: Candidate) -> None:
    st.subheader("Revise it to answer the concerns")
    if "revise_text" not in st.session_state:
        st.session_state["revise_text"] = leader.text
    if (proposed := st.session_state.pop("llm_revision", None)) is not None:
        st.session_state["revise_text"] = proposed
    _llm_revision(ctx, leader)
    text = st.text_area("Revised candidate", key="revise_text")
    if text.strip():
        _live_check(ctx, text)
    if st.button("Open the next round", type="primary", key="next_round"):
        ctx.act(lambda: ctx.c.next_round(ctx.workshop.code, ctx.key, text))


def _llm_revision(ctx: Context, leader: Candidate) -> None:
    coach = ctx.svc.coach
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


def result_tab(ctx: Context) -> None:
    svc = ctx.svc
    table = record.build(
        ctx.workshop,
        drafts=svc.store.drafts(ctx.workshop.id, include_deleted=True),
        rounds=ctx.rounds,
        consensus=svc.consensus,
        team=svc.commitments.team(ctx.workshop),
        themes=ctx.themes,
    )
    st.subheader("The record of the rounds")
    if not table.rounds:
        st.info("No rounds yet.")
    for r in table.rounds:
        st.text(f"Round {r.number}: {r.status}" + (f" · leader: {r.winner}" if r.winner else ""))
        for concern in r.concerns:
            st.text(f"   concern: {concern}")
    st.subheader("The consensus table")
    st.dataframe(
        pd.DataFrame([r.model_dump() for r in table.rows]), hide_index=True, key="consensus_table"
    )
    downloads = FORMATS + (EXTRA_FORMATS if table.commitments else ())
    cols = st.columns(len(downloads))
    for col, fmt in zip(cols, downloads, strict=True):
        col.download_button(
            fmt.upper(),
            data=partial(export, table, fmt),
            file_name=filename(table, fmt),
            mime=MEDIA_TYPES[fmt],
            key=f"download_{fmt}",
            on_click="ignore",
        )
