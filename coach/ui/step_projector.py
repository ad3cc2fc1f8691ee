"""What the projector shows in every step but Step 4, large enough for the back of the room.

Every text a person wrote goes through html.escape (projector.say): shown, never rendered."""

from __future__ import annotations

import html

import streamlit as st

from coach.domain.agenda import Agenda, info
from coach.domain.codes import format_code
from coach.domain.types import Workshop
from coach.service.steps import StepView
from coach.ui import assessment_view, projector, timer
from coach.ui.common import link, qr_png, services


def render(workshop: Workshop, agenda: Agenda) -> None:
    s = info(agenda.current)
    projector.say(s.title, "mc-huge")
    if s.kind == "items":
        _items(workshop, services().steps.view(workshop, s.key, agenda))
    elif s.kind == "assess":
        projector.say(s.ask)
        team = services().commitments.team(workshop)
        spread = services().steps.assessment(workshop, team.coverage)
        st.html(assessment_view.projected(spread))
        gaps = [e.label for e in spread if e.gap]
        if gaps:
            projector.say("⚠ Everyone rates it low and nobody commits to it: " + ", ".join(gaps))
    elif s.kind == "commit":
        projector.say(s.ask)
        projector.say(f"In the workshop's words: “{s.form}”")
        for r in services().steps.results(workshop, "core"):
            projector.say(f"Already good at: {r.text}", "mc-card")
    else:
        due = workshop.followup_due
        projector.say(f"Management follows up by {due:%d %B %Y}." if due else s.ask)
        _register(workshop)


def _register(workshop: Workshop) -> bool:
    """The register as cards: each recommendation, its owner and status, any response."""
    recs = services().steps.recommendations(workshop)
    for rec in recs:
        answer = f" · response: {rec.response}" if rec.response else ""
        projector.say(
            f"{rec.text} · {rec.owner or 'no owner yet'} · {rec.status}{answer}", "mc-card"
        )
    return bool(recs)


def _items(workshop: Workshop, view: StepView) -> None:
    s = view.info
    if view.voting:
        projector.say(f"Ranked vote: {view.ballots} of {view.counted} have ranked.", "mc-big")
        for r in view.results:
            projector.say(f"{view.label(r.id)}. {r.text}", "mc-card")
        return
    if view.results:
        projector.say(s.result + (" ✓ agreed" if view.agreed else ""), "mc-big")
        if view.tally is not None and len(view.results) > 1:
            order = " > ".join(
                " = ".join(view.label(int(c)) for c in g) for g in view.tally.ranking
            )
            projector.say(f"The vote: {order}")
        for r in view.results:
            example = f"<div class='mc-who'>For example: {html.escape(r.example)}</div>"
            letter = f"{view.label(r.id)}. " if len(view.results) > 1 else ""
            body = html.escape(letter + r.text) + (example if r.example else "")
            st.html(
                f'<div class="mc-adopted">{body}</div>'
                if not s.result_many
                else f'<div class="mc-card">{body}</div>'
            )
        if view.checking:
            answered = view.counted - len(view.missing)
            projector.say(f"Fist-to-five: {answered} of {view.counted} have answered.")
        return
    if not view.item.revealed:
        left, right = st.columns([3, 2])
        with left:
            projector.say(s.ask)
            if s.form:
                projector.say(f"In the workshop's words: “{s.form}”")
            projector.say(f"{view.writers} of {view.counted} have written.")
            timer.show(workshop, key="timer_projector", large=True)
            projector.say("Join on your phone with the code", "mc-big")
            projector.say(format_code(workshop.joining_code), "mc-code")
        right.image(qr_png(link("join", code=workshop.joining_code)), width=360)
        return
    if s.key == "recommend" and _register(workshop):  # the register, once there is one
        return
    found = view.themes()
    if found:
        projector.say("Shared themes: " + ", ".join(f"{t.label} ({t.count})" for t in found[:8]))
    cols = st.columns(2)
    for n, it in enumerate(view.items):
        who = (
            "" if workshop.anonymous else f"<div class='mc-who'>{html.escape(it.member_name)}</div>"
        )
        example = (
            f"<div class='mc-who'>e.g. {html.escape(it.example)}</div>"
            if it.example
            else ("<div class='mc-who'>⚠ no example yet</div>" if s.example_label else "")
        )
        cols[n % 2].html(f'<div class="mc-card">{html.escape(it.text)}{example}{who}</div>')
