"""What the projector shows at each stage, large enough to read from the back of the room.

Every piece of text a person wrote goes through html.escape: shown exactly, never rendered.
Each chart has its figures beside it as a table, for anyone who cannot read the chart.
"""

from __future__ import annotations

import html

import altair as alt
import pandas as pd
import streamlit as st

from coach.domain.types import QUESTIONS, Draft, Round, Workshop
from coach.service import record
from coach.service.consensus import Consensus
from coach.ui import timer
from coach.ui.common import link, qr_png
from coach.ui.consensus_parts import themes_of

CSS = """
<style>
.mc-big { font-size: 28px; line-height: 1.35; }
.mc-huge { font-size: 56px; font-weight: 700; line-height: 1.2; }
.mc-code { font-size: 72px; font-weight: 700; letter-spacing: .08em; }
.mc-card { font-size: 30px; line-height: 1.3; padding: 14px 22px; border-radius: 12px;
           background: #f4f6f8; margin-bottom: 14px; }
.mc-who { font-size: 28px; color: #444; }  /* 28 px: read from the back of the room */
.mc-table { font-size: 26px; border-collapse: collapse; }
.mc-table th, .mc-table td { padding: 6px 18px; border-bottom: 1px solid #ddd; text-align: right; }
.mc-table th:first-child, .mc-table td:first-child { text-align: left; }
header[data-testid="stHeader"] { display: none; }  /* the projector shows no controls */
.mc-adopted { font-size: 60px; font-weight: 700; line-height: 1.2; padding: 32px;
              border-radius: 16px; background: #eef7ee; }
</style>
"""


def say(text: str, cls: str = "mc-big") -> None:
    st.html(f'<div class="{cls}">{html.escape(text)}</div>')


def joining(workshop: Workshop, submitted: int, members: int) -> None:
    left, right = st.columns([3, 2])
    with left:
        say("Join on your phone with the code", "mc-big")
        say(_grouped(workshop.joining_code), "mc-code")
        say(f"{submitted} of {members} have submitted a draft.")
        timer.show(workshop, key="timer_projector", large=True)
    right.image(qr_png(link("join", code=workshop.joining_code)), width=420)


def drafts(workshop: Workshop, shown: list[Draft]) -> None:
    found, _ = themes_of(tuple(d.latest.text for d in shown))  # cached: reruns are frequent
    if found:
        say("Shared themes: " + ", ".join(f"{t.label} ({t.count})" for t in found[:8]))
    cols = st.columns(2)
    for i, d in enumerate(shown):
        score = f" · overall {d.latest.scores.get('overall', 0)}" if workshop.scores_shown else ""
        cols[i % 2].html(
            f'<div class="mc-card">{html.escape(d.latest.text)}'
            f'<div class="mc-who">{html.escape(d.member_name)}{score}</div></div>'
        )


def candidates(rnd: Round, voting: bool, ballots: int, members: int) -> None:
    say(f"Round {rnd.number}: " + ("rank the candidates on your phone" if voting else "candidates"))
    for c in rnd.active:
        st.html(
            f'<div class="mc-card"><b>{html.escape(Consensus.label(rnd, c.id))}.</b> '
            f"{html.escape(c.text)}</div>"
        )
    if voting:
        say(f"Ballots in: {ballots} of {members}", "mc-huge")


def _points(consensus: Consensus, rnd: Round) -> list[dict[str, object]] | None:
    """Each candidate's Borda points and first preferences, or None before any ballot."""
    tally = consensus.tally(rnd)
    if tally is None:
        return None
    labels = {c.id: Consensus.label(rnd, c.id) for c in rnd.candidates}
    return record.tally_rows(tally, labels)[1]


def result(consensus: Consensus, rnd: Round) -> None:
    """The vote's result as a chart of Borda points, its figures in a table beside it."""
    points = _points(consensus, rnd)
    if points is None:
        return
    frame = pd.DataFrame(points).set_index("candidate")
    say("The vote")
    left, right = st.columns([3, 2])
    bars = frame.reset_index()[["candidate", "Borda points"]]
    left.altair_chart(
        _large(
            alt.Chart(bars)
            .mark_bar()
            .encode(
                x=alt.X("Borda points:Q", title="Borda points"),
                y=alt.Y("candidate:N", title="candidate", sort=None),
            ),
            height=320,
        ),
        width="stretch",
    )
    with right:
        table(frame)


def result_line(consensus: Consensus, rnd: Round) -> None:
    """The vote's result in one line, for the check, when the chart would not fit too."""
    points = _points(consensus, rnd)
    if points is None:
        return
    say(
        "The vote, in Borda points: "
        + " · ".join(f"{p['candidate']} {float(str(p['Borda points'])):g}" for p in points)
    )


def check(rnd: Round, members: int) -> None:
    """The fist-to-five answers per question as a histogram, with the counts as a table."""
    leader = next(c for c in rnd.candidates if c.id == rnd.leader_id)
    say(f"Checking {Consensus.label(rnd, leader.id)}: {leader.text}", "mc-huge")
    answers = [k for k in rnd.checks if k.candidate_id == rnd.leader_id]
    say(f"Answers in: {len(answers)} of {members}")
    if not answers:
        return
    counts = pd.DataFrame(
        {q: [sum(a.scores[q] == s for a in answers) for s in range(6)] for q in QUESTIONS},
        index=pd.Index(range(6), name="answer (0-5)"),
    )
    left, right = st.columns([3, 2])
    long = counts.reset_index().melt(
        id_vars="answer (0-5)", var_name="question", value_name="people"
    )
    left.altair_chart(
        _large(
            alt.Chart(long)
            .mark_bar()
            .encode(
                x=alt.X("answer (0-5):O", title="answer (0-5)", axis=alt.Axis(labelAngle=0)),
                xOffset=alt.XOffset("question:N", sort=list(QUESTIONS)),
                y=alt.Y("people:Q", title="people", axis=alt.Axis(tickMinStep=1)),
                color=alt.Color(
                    "question:N",
                    sort=list(QUESTIONS),
                    legend=alt.Legend(orient="bottom", columns=4),
                ),
            ),
            height=380,
        ),
        width="stretch",
    )
    with right:
        table(counts)


def _large(chart: alt.Chart, *, height: int) -> alt.Chart:
    """Axis labels, titles and legend at 24 px or more: read from the back of the room."""
    return (
        chart.properties(height=height)
        .configure_axis(labelFontSize=24, titleFontSize=24, labelLimit=400)
        .configure_legend(labelFontSize=24, titleFontSize=24, symbolSize=300, labelLimit=400)
    )


def table(frame: pd.DataFrame) -> None:
    """A chart's figures as a large table (the text alternative to the chart beside it)."""
    shown = frame.map(lambda v: f"{v:g}" if isinstance(v, float) else v)
    st.html(shown.to_html(classes="mc-table", escape=True, border=0))


def adopted(text: str) -> None:
    say("Our mission", "mc-big")
    st.html(f'<div class="mc-adopted">{html.escape(text)}</div>')


def _grouped(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
