"""The consensus page's context, themes and candidates. What people wrote is plain text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st

from coach.domain import themes
from coach.domain.types import Draft, Expect, Member, Round, Workshop
from coach.errors import CoachError, InputError
from coach.llm.coaching import Coach
from coach.scoring.scorer import score_text
from coach.service.commitments import Commitments
from coach.service.consensus import PHASE_NAMES, Consensus
from coach.ui import llm_panel, results, steps
from coach.ui.common import fail, warn


@st.cache_data(show_spinner=False, max_entries=32)
def themes_of(texts: tuple[str, ...]) -> tuple[list[themes.Theme], list[tuple[int, ...]]]:
    """Shared themes and near-duplicate groups, computed once per set of drafts."""
    return themes.shared_themes(texts), themes.similar_groups(texts)


@dataclass
class Context:
    """What the consensus page shows, read once per run, and the services it acts through."""

    c: Consensus
    coach: Coach
    commitments: Commitments
    workshop: Workshop
    key: str
    drafts: list[Draft]
    members: list[Member]  # everyone who counts: not removed, not absent
    rounds: list[Round]
    themes: list[themes.Theme]
    groups: list[tuple[int, ...]]

    @classmethod
    def load(
        cls, consensus: Consensus, coach: Coach, commitments: Commitments, workshop: Workshop,
        key: str,
    ) -> Context:  # fmt: skip
        store = consensus.ws.store
        drafts = store.drafts(workshop.id)
        found, groups = themes_of(tuple(d.latest.text for d in drafts))
        members = [m for m in store.members(workshop.id) if m.counted]
        rounds = consensus.history(workshop)
        return cls(
            consensus, coach, commitments, workshop, key, drafts, members, rounds, found, groups
        )

    @property
    def current(self) -> Round | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def expect(self) -> Expect:
        """The state this screen shows: every phase button sends it with its action."""
        rnd = self.current
        return (
            Expect(round=rnd.number, phase=rnd.phase)
            if rnd
            else Expect(round=0, phase="candidates")
        )

    def labels(self, rnd: Round) -> dict[int, str]:
        return {c.id: Consensus.label(rnd, c.id) for c in rnd.candidates}


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
    if pick is not None:
        steps.button("Promote", partial(_promote, ctx, ctx.expect), key="promote_go")
    st.subheader("Write a merged candidate")
    text = st.text_area("Merged statement (Ctrl+Enter to see its scores)", key="merge_text")
    st.multiselect(
        "It draws on", list(by_id), key="merge_sources", format_func=lambda i: by_id[i].member_name
    )
    if text.strip():
        live_check(ctx, text)
    steps.button("Add as candidate", partial(_merge, ctx, ctx.expect), key="merge_go")
    _llm_merged(ctx)
    if rnd is not None and rnd.active:
        steps.button(
            "Open the vote",
            partial(ctx.c.open_vote, ctx.workshop.code, ctx.key, expect=ctx.expect),
            key="open_vote",
            primary=True,
            done="The vote is open: phones now show the ballot.",
        )
    if rnd is not None and rnd.number > 1 and rnd.phase == "candidates":
        steps.confirmed(
            f"Undo: take back round {rnd.number}",
            f"Take back round {rnd.number}? Its candidates go, and round {rnd.number - 1} "
            "is back where it closed, with its concerns.",
            partial(ctx.c.undo_next_round, ctx.workshop.code, ctx.key, expect=ctx.expect),
            key="undo_next_round",
        )


def _promote(ctx: Context, expect: Expect) -> None:
    """On click: the draft chosen now, the round as the screen showed it."""
    pick = st.session_state.get("promote_pick")
    if pick is None:
        raise InputError("Choose a draft to promote.")
    ctx.c.promote(ctx.workshop.code, ctx.key, pick, expect=expect)


def _merge(ctx: Context, expect: Expect) -> None:
    text = str(st.session_state.get("merge_text", ""))
    sources = list(st.session_state.get("merge_sources", []))
    ctx.c.add_merged(ctx.workshop.code, ctx.key, text, sources, expect=expect)


def _llm_merged(ctx: Context) -> None:
    """Merged candidates the LLM proposes, rubric-scored and theme-checked before shown."""
    coach = ctx.coach
    if not coach.enabled:
        return
    about = f"merge:{ctx.workshop.id}"
    if st.button(
        "Suggest merged candidates (LLM)", key="llm_merge", disabled=llm_panel.asking("llm_merge")
    ):
        if (refusal := llm_panel.budget_refusal(ctx.workshop.id)) is not None:
            warn(refusal)
            return
        texts, themes, wid = [d.latest.text for d in ctx.drafts], ctx.themes, ctx.workshop.id
        llm_panel.start("llm_merge", about, lambda: coach.merge(texts, themes, workshop_id=wid))
    _, got, why = llm_panel.answer("llm_merge", about)
    if why is not None:
        warn(f"No LLM suggestions this time: {why}")
    elif got is not None:
        st.session_state["llm_merged"] = got
    for i, (sug, cover, sources) in enumerate(st.session_state.get("llm_merged", [])):
        with st.container(border=True):
            st.text(sug.text)
            st.text(f"Rubric: overall {sug.result.overall} · {cover.summary()}")
            ids = [ctx.drafts[j].id for j in sources if j < len(ctx.drafts)]
            steps.button(
                "Add as candidate",
                partial(
                    ctx.c.add_merged, ctx.workshop.code, ctx.key, sug.text, ids, expect=ctx.expect
                ),
                key=f"llm_merge_add_{i}",
            )


def live_check(ctx: Context, text: str) -> None:
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
            score = f" · overall {result.overall}" if ctx.workshop.scores_shown else ""
            st.text(
                f"{labels[c.id]}{state} · {c.kind}{score} · from "
                + (", ".join(names.get(s, "a removed draft") for s in c.sources) or "—")
            )
            st.text(c.text)
            st.text(themes.coverage(c.text, ctx.themes).summary())
            if withdraw and not c.withdrawn:
                steps.button(
                    "Withdraw",
                    partial(ctx.c.withdraw, ctx.workshop.code, ctx.key, c.id, expect=ctx.expect),
                    key=f"withdraw_{c.id}",
                )
