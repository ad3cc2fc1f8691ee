"""The printable HTML summary of a consensus table; every piece of user text escaped."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from coach.exports.table import FIRST_PREFERENCES_NOTE, PAIRWISE_NOTE

if TYPE_CHECKING:
    from coach.exports.table import (
        CommitmentRow,
        ConsensusRow,
        ConsensusTable,
        RegisterRow,
        RoundSummary,
        Vote,
    )

NO_ADOPTION = "No statement adopted yet"

_CSS = """
@page { size: A4; margin: 14mm; }
body { font: 10pt/1.4 system-ui, "Segoe UI", Roboto, Arial, sans-serif; color: #111;
  max-width: 182mm; margin: 0 auto; padding: 6mm; }
h1 { font-size: 17pt; margin: 0 0 1mm; } p, ol, ul { margin: 1mm 0; }
h2 { font-size: 11.5pt; margin: 5mm 0 2mm; border-bottom: 1px solid #bbb; }
.meta, .none { color: #555; } .none { font-style: italic; }
.stmt { font-size: 15pt; font-weight: 600; margin: 2mm 0; padding: 2mm 4mm;
  border-left: 4px solid #2a7a4a; background: #f3f8f5; print-color-adjust: exact; }
.u { white-space: pre-wrap; overflow-wrap: break-word; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { border: 1px solid #ccc; padding: 1mm 1.5mm; text-align: start; vertical-align: top; }
.cand .s { width: 45%; } .scores { width: auto; }
td.n, th.n { text-align: right; } td.n { white-space: nowrap; }
.com { font-size: 6.5pt; line-height: 1.2; } .com th, .com td { padding: 0.3mm 0.8mm; }
.com td.k { white-space: nowrap; } .com td.w { width: 17mm; }
.com .pt { display: block; color: #555; } .fb { font-size: 9pt; }
@media print { body { padding: 0; max-width: none; } h2 { break-after: avoid; }
  tr, li, .stmt, .keep { break-inside: avoid; } }
"""
# The commitments table is smaller and tighter than the rest so that a team of twelve with
# three commitments each (36 rows, most on one line) fits on one A4 page. The summary above it
# already fills most of page 1, so "keep" moves the block whole to page 2 rather than split it.


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _u(value: str, tag: str = "span", cls: str = "u") -> str:
    """User text: escaped, direction from its own script (Arabic reads right to left)."""
    return f'<{tag} class="{cls}" dir="auto">{_e(value)}</{tag}>'


def _n(value: float | None) -> str:
    return "–" if value is None else _e(f"{value:g}" if isinstance(value, float) else value)


def _html_vote(vote: Vote) -> str:
    """The pairwise table: the cell at row a, column b counts voters ranking a above b."""
    head = "<tr><th></th>" + "".join(f'<th class="n">{_e(n)}</th>' for n in vote.candidates)
    rows = [
        f"<tr><th>{_e(name)}</th>" + "".join(f'<td class="n">{_n(n)}</td>' for n in counts)
        for name, counts in zip(vote.candidates, vote.pairwise, strict=True)
    ]
    ballots = f"{vote.ballots} ballot{'' if vote.ballots == 1 else 's'}. "
    return (
        f'<p class="meta">{_e(ballots + PAIRWISE_NOTE)}</p>'
        f'<table class="scores">{head}</tr>{"".join(r + "</tr>" for r in rows)}</table>'
    )


def _html_rounds(rounds: tuple[RoundSummary, ...]) -> str:
    if not rounds:
        return '<p class="none">No rounds yet.</p>'
    items = []
    for rnd in rounds:
        item = f"<li><strong>Round {_e(rnd.number)}</strong>: {_u(rnd.status)}"
        if rnd.winner:
            item += f"; leading: {_u(rnd.winner)}"
        if rnd.concerns:
            item += "<ul>" + "".join(_u(c, "li") for c in rnd.concerns) + "</ul>"
        if rnd.vote is not None:
            item += _html_vote(rnd.vote)
        items.append(item + "</li>")
    return "<ol>" + "".join(items) + "</ol>"


_QUESTIONS = ("desired", "bold", "clear", "stretching")
_F2F_MINS = tuple(f"f2f_{q}_min" for q in _QUESTIONS)
_CANDIDATE_NUMBERS = ("round", "label", "schulze_rank", "borda", "first_preferences", *_F2F_MINS)


def _html_candidates(rows: list[ConsensusRow]) -> str:
    if not rows:
        return '<p class="none">No candidates yet.</p>'
    head = (
        '<thead><tr><th rowspan="2" class="s">Statement</th><th rowspan="2" class="n">Round</th>'
        '<th rowspan="2" class="n">Candidate</th>'
        '<th rowspan="2" class="n">Schulze rank</th><th rowspan="2" class="n">Borda</th>'
        '<th rowspan="2" class="n">First prefs</th><th colspan="4">Lowest fist-to-five</th>'
        '<th rowspan="2">Status</th></tr><tr><th class="n">Desired</th><th class="n">Bold</th>'
        '<th class="n">Clear</th><th class="n">Stretching</th></tr></thead>'
    )
    body = []
    for r in rows:
        cells = "".join(f'<td class="n">{_n(getattr(r, f))}</td>' for f in _CANDIDATE_NUMBERS)
        body.append(f"<tr>{_u(r.text, 'td')}{cells}{_u(r.status, 'td')}</tr>")
    note = f'<p class="meta">{_e(FIRST_PREFERENCES_NOTE)}</p>'
    return f'<table class="cand">{head}<tbody>{"".join(body)}</tbody></table>{note}'


def _when(c: CommitmentRow) -> str:
    """The due date and check-in cadence in one short cell."""
    parts = [_e(c.due.isoformat())] if c.due is not None else []
    parts += [_u(c.cadence)] if c.cadence else []
    return " · ".join(parts) or "–"


def _feedback(c: CommitmentRow) -> str:
    """Management's notes on this commitment, one a line, under its text."""
    return _u(c.manager_feedback, "span", "pt u") if c.manager_feedback else ""


def _person_cell(person: str, group: list[CommitmentRow]) -> str:
    """Who, with their accountability partners, spanning that person's commitment rows."""
    who = _u(person) if person else '<span class="none">anonymous</span>'
    partners = list(dict.fromkeys(c.partner for c in group if c.partner))
    if partners:
        who += '<span class="pt">partner: ' + ", ".join(_u(p) for p in partners) + "</span>"
    return f'<td rowspan="{len(group)}" class="w">{who}</td>'


def _html_commitments(table: ConsensusTable) -> str:
    due = table.followup_due
    out = (
        f"<p>Management feedback due by <strong>{_e(due.isoformat())}</strong>.</p>"
        if due is not None
        else '<p class="none">No date set for management feedback.</p>'
    )
    if not table.commitments:
        return out + '<p class="none">No commitments yet.</p>'
    # One block per person (in order of first appearance): the name and partner are printed once
    # and the commitment text gets the width, so most commitments take a single line.
    groups: dict[str, list[CommitmentRow]] = {}
    for c in table.commitments:
        groups.setdefault(c.person, []).append(c)
    head = (
        "<thead><tr><th>Person</th><th>Commitment</th>"
        '<th class="n">Score</th><th>Status</th><th>Due · cadence</th></tr></thead>'
    )
    body = []
    for person, group in groups.items():
        for i, c in enumerate(group):
            body.append(
                f"<tr>{'' if i else _person_cell(person, group)}<td>{_u(c.text)}{_feedback(c)}</td>"
                f'<td class="n">{_n(c.overall)}</td>{_u(c.status, "td", "u k")}'
                f'<td class="k">{_when(c)}</td></tr>'
            )
    n, people = len(table.commitments), len(groups.keys() - {""})
    count = f"{n} commitment{'' if n == 1 else 's'}"
    count += f" from {people} {'person' if people == 1 else 'people'}." if people else "."
    return f'{out}<table class="com">{head}<tbody>{"".join(body)}</tbody></table><p>{count}</p>'


def _html_team_feedback(feedback: tuple[str, ...]) -> str:
    if not feedback:
        return ""
    items = "".join(_u(f, "li") for f in feedback)
    return f'<h2>Team feedback</h2><ul class="fb">{items}</ul>'


def _html_kept_and_ideas(table: ConsensusTable) -> str:
    """Kept rates per week and the ideas funnel, as two small tables."""
    out = ""
    if table.kept_weeks:
        rows = "".join(
            f'<tr>{_u(r.text, "td")}<td class="n">{r.check_ins}</td>'
            f'<td class="n">{r.kept}</td><td class="n">{_e(r.kept_rate)}</td></tr>'
            for r in table.kept_weeks
        )
        out += (
            '<h2>Kept, week by week</h2><table><tr><th>Week</th><th class="n">Check-ins</th>'
            f'<th class="n">Kept</th><th class="n">Rate</th></tr>{rows}</table>'
        )
    if table.ideas:
        tried = sum(i.tried is not None or i.implemented is not None for i in table.ideas)
        done = sum(i.implemented is not None for i in table.ideas)
        out += (
            f"<h2>Service ideas</h2><p>{len(table.ideas)} created, {tried} tried, "
            f"{done} implemented.</p><ul>"
            + "".join(
                _u(f"{i.person}: {i.text}" if i.person else i.text, "li") for i in table.ideas
            )
            + "</ul>"
        )
    return out


_STEP_TITLES = {
    "Step 3": "Step 3: our image of the future",
    "Step 5": "Step 5: our positive core",
    "Step 7": "Step 7: recommendations to the organisation",
}


def _html_agenda(table: ConsensusTable) -> str:
    if not table.agenda:
        return ""
    items = "".join(
        f"<li>{_e(': '.join(x for x in (a.step, a.title) if x))}"
        f"{_e(f' ({a.minutes} min)')}{_e(f': {a.status}') if a.status else ''}</li>"
        for a in table.agenda
        if a.on
    )
    return f"<section><h2>Agenda</h2><ol>{items}</ol></section>\n"


def _html_step(table: ConsensusTable, step: str) -> str:
    rows = [r for r in table.steps if r.step == step]
    if not rows:
        return ""
    agreed = [r for r in rows if r.author == "" and r.kind in ("image", "core aspect")]
    out = ""
    for r in agreed:
        example = f"<br>For example: {_u(r.example)}" if r.example else ""
        out += f'<p class="stmt">{_u(r.text)}{example}</p><p class="meta">{_e(r.note)}'
        out += f"{_e(f'; from items {r.sources}') if r.sources else ''}</p>"
    items = [r for r in rows if r not in agreed]
    if items:
        out += (
            "<ol>"
            + "".join(
                f"<li>{_u(r.text)}{' · e.g. ' + _u(r.example) if r.example else ''}"
                f"{' · ⚠ no example' if r.note == 'no example' else ''}"
                f"{' · ' + _u(r.author) if r.author else ''}</li>"
                for r in items
            )
            + "</ol>"
        )
    return f"<section><h2>{_e(_STEP_TITLES[step])}</h2>{out}</section>\n"


def _html_assessment(table: ConsensusTable) -> str:
    if not any(a.answers for a in table.assessment):
        return ""
    head = (
        '<tr><th>Element</th><th class="n">Answers</th><th class="n">Mean</th>'
        '<th class="n">Range</th><th class="n">Commitments</th></tr>'
    )
    rows = "".join(
        f'<tr>{_u(a.element, "td")}<td class="n">{a.answers}</td><td class="n">{_n(a.mean)}</td>'
        f'<td class="n">{_e(f"{a.lowest}–{a.highest}" if a.answers else "–")}</td>'
        f'<td class="n">{a.commitments}</td></tr>'
        for a in table.assessment
    )
    gaps = "".join(_u(a.gap, "li") for a in table.assessment if a.gap)
    return (
        f"<section><h2>Current practice: {_e(table.assessment_title)}</h2>"
        f"<table>{head}{rows}</table>{f'<ul>{gaps}</ul>' if gaps else ''}</section>\n"
    )


def _builds_on(r: RegisterRow) -> str:
    parts = (r.builds_on_ideas, r.builds_on_strengths, r.builds_on_commitments)
    return "\n".join(x for x in parts if x)


def _html_register(table: ConsensusTable) -> str:
    if not table.recommendations:
        return ""
    body = "".join(
        f"<tr>{_u(r.text, 'td')}{_u(r.owner, 'td')}{_u(r.status, 'td')}"
        f"{_u(_builds_on(r), 'td')}"
        f"{_u(r.response, 'td')}</tr>"
        for r in table.recommendations
    )
    return (
        '<section class="keep"><h2>Step 7: the register</h2><table><tr><th>Recommendation</th>'
        "<th>Owner</th><th>Status</th><th>Builds on</th><th>Management's response</th></tr>"
        f"{body}</table></section>\n"
    )


def to_html(table: ConsensusTable) -> str:
    """A standalone, printable summary (commitments may go to page 2): no scripts, no fetches."""
    meta = [f"Organisation: {_u(table.organisation)}"] if table.organisation else []
    meta += [f"Focus: {_u(table.focus)}"] if table.focus else []
    meta.append(f"Generated: {_e(f'{table.generated_at:%Y-%m-%d %H:%M}')}")
    if table.rubric or table.commitment_rubric:
        meta.append(
            f"Scored with: {_e(table.rubric)} (statements), "
            f"{_e(table.commitment_rubric)} (commitments)"
        )
    adopted_row = next((r for r in table.rows if r.kind == "adopted"), None)
    if table.adopted is None:
        statement = f'<p class="none">{NO_ADOPTION}.</p>'
    else:
        statement = _u(table.adopted, "p", "stmt u")
        adopted_row = adopted_row or next((r for r in table.rows if r.text == table.adopted), None)
    if table.adopted is not None and adopted_row is not None:
        rubric = (*_QUESTIONS, "overall")
        heads = "".join(f'<th class="n">{name.capitalize()}</th>' for name in rubric)
        scores = "".join(
            f'<td class="n">{_n(getattr(adopted_row, name))}/100</td>' for name in rubric
        )
        statement += f'<table class="scores"><tr>{heads}</tr><tr>{scores}</tr></table>'
    drafts = [r for r in table.rows if r.kind == "draft"]  # removed drafts are not shared
    count = f"{len(drafts)} draft{'' if len(drafts) == 1 else 's'} submitted."
    candidates = [r for r in table.rows if r.kind != "draft"]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # Belt and braces: even if escaping ever failed, the browser would run nothing.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        f"<title>{'Workshop record' if table.agenda else 'Consensus summary'}: "
        f"{_e(table.workshop)}</title>\n<style>{_CSS}</style>\n"
        f"</head>\n<body>\n<header>{_u(table.workshop, 'h1', 'u')}"
        f'<p class="meta">{" · ".join(meta)}</p></header>\n'
        f"{_html_agenda(table)}{_html_step(table, 'Step 3')}"
        f"<section><h2>Adopted statement</h2>{statement}</section>\n"
        f"<section><h2>Rounds</h2>{_html_rounds(table.rounds)}</section>\n"
        f"<section><h2>Candidates</h2>{_html_candidates(candidates)}<p>{count}</p></section>\n"
        f"{_html_step(table, 'Step 5')}{_html_assessment(table)}"
        f'<section class="keep"><h2>Commitments</h2>{_html_commitments(table)}'
        f"{_html_team_feedback(table.team_feedback)}{_html_kept_and_ideas(table)}</section>\n"
        f"{_html_step(table, 'Step 7')}{_html_register(table)}"
        "</body>\n</html>\n"
    )
