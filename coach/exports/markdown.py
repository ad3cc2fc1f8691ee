"""The consensus table as Markdown: every special character escaped, user text never markup."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel

from coach.exports.html import NO_ADOPTION
from coach.exports.table import (
    COLUMNS,
    COMMITMENT_COLUMNS,
    FIRST_PREFERENCES_NOTE,
    NEWLINES,
    PAIRWISE_NOTE,
    AssessmentRow,
    ConsensusTable,
    IdeaRow,
    KeptRow,
    RegisterRow,
    RoundSummary,
    StepRow,
    cells,
    isolate,
)

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&$])")


def _md(value: object, *, cell: bool = False) -> str:
    """One Markdown table cell or inline run: on one line, every special character escaped."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    text = NEWLINES.sub(" ", value)
    if not cell:
        text = text.strip()  # after "> " or "- ", four spaces would start a code block
    return isolate(_MD_SPECIAL.sub(r"\\\1", text))


def _md_cell(value: object) -> str:
    return _md(value, cell=True)


def _md_table(columns: tuple[str, ...], rows: Sequence[BaseModel]) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(name) for name in columns) + " |"]
    lines.append("|" + "|".join("---" for _ in columns) + "|")
    return lines + ["| " + " | ".join(_md_cell(v) for v in cells(row)) + " |" for row in rows]


def _md_votes(rounds: tuple[RoundSummary, ...]) -> list[str]:
    votes = [r for r in rounds if r.vote is not None]
    if not votes:
        return []
    lines = ["", "## Votes", "", _md(PAIRWISE_NOTE)]
    for rnd in votes:
        vote = rnd.vote
        if vote is None:
            continue
        names = vote.candidates
        lines += ["", f"Round {rnd.number}: {vote.ballots} ballots", ""]
        lines.append("|  | " + " | ".join(_md_cell(n) for n in names) + " |")
        lines.append("|" + "|".join("---" for _ in range(len(names) + 1)) + "|")
        for name, counts in zip(names, vote.pairwise, strict=True):
            cells = ("—" if n is None else str(n) for n in counts)
            lines.append(f"| {_md_cell(name)} | " + " | ".join(cells) + " |")
    return lines


def _md_step(table: ConsensusTable, step: str, title: str) -> list[str]:
    rows = [r for r in table.steps if r.step == step]
    if not rows:
        return []
    return ["", f"## {_md(title)}", "", *_md_table(tuple(StepRow.model_fields), rows)]


def to_markdown(table: ConsensusTable) -> str:
    """Title, adopted statement, rounds, a pipe table of every row, commitments, follow-up."""
    kind = "Workshop record" if table.agenda else "Consensus table"
    lines = [f"# {kind}: {_md(table.workshop)}", ""]
    for label, value in (("Organisation", table.organisation), ("Focus", table.focus)):
        if value:
            lines.append(f"{label}: {_md(value)}  ")
    lines.append(f"Generated: {table.generated_at:%Y-%m-%d %H:%M}  ")
    lines.append(
        f"Scored with: {_md(table.rubric)} (statements), "
        f"{_md(table.commitment_rubric)} (commitments)"
    )
    if table.agenda:
        lines += ["", "## Agenda", ""]
        lines += [
            f"{n}. {_md(': '.join(x for x in (a.step, a.title) if x))} ({a.minutes} min)"
            + (f": {_md(a.status)}" if a.status else "")
            for n, a in enumerate((a for a in table.agenda if a.on), 1)
        ]
    lines += _md_step(table, "Step 3", "Step 3: our image of the future")
    lines += ["", "## Adopted statement", ""]
    lines.append(f"> {_md(table.adopted)}" if table.adopted is not None else f"{NO_ADOPTION}.")
    lines += ["", "## Rounds", ""]
    for rnd in table.rounds:
        line = f"- Round {rnd.number}: {_md(rnd.status)}"
        if rnd.winner:
            line += f"; leading: {_md(rnd.winner)}"
        if rnd.concerns:
            line += "; concerns: " + "; ".join(_md(c) for c in rnd.concerns)
        lines.append(line)
    if not table.rounds:
        lines.append("No rounds yet.")
    lines += _md_votes(table.rounds)
    lines += ["", "## Statements", "", *_md_table(COLUMNS, table.rows)]
    lines += ["", _md(FIRST_PREFERENCES_NOTE)]
    lines += _md_step(table, "Step 5", "Step 5: our positive core")
    if any(a.answers for a in table.assessment):
        lines += ["", f"## Current practice: {_md(table.assessment_title)}", ""]
        lines += _md_table(tuple(AssessmentRow.model_fields), table.assessment)
    if table.commitments:
        lines += ["", "## Commitments", "", *_md_table(COMMITMENT_COLUMNS, table.commitments)]
    if table.kept_weeks:
        kept = tuple(KeptRow.model_fields)
        lines += ["", "## Kept, week by week", "", *_md_table(kept, table.kept_weeks)]
        lines += ["", *_md_table(kept, table.kept_elements)]
    if table.ideas:
        ideas = tuple(IdeaRow.model_fields)
        lines += ["", "## Service ideas", "", *_md_table(ideas, table.ideas)]
    lines += _md_step(table, "Step 7", "Step 7: recommendations to the organisation")
    if table.recommendations:
        lines += ["", "## Step 7: the register", ""]
        lines += _md_table(tuple(RegisterRow.model_fields), table.recommendations)
    if table.followup_due is not None or table.team_feedback:
        lines += ["", "## Follow-up", ""]
        due = table.followup_due
        lines.append(f"Management feedback due by {due.isoformat()}." if due else "No date set.")
        if table.team_feedback:
            lines += ["", "Team feedback:", "", *(f"- {_md(f)}" for f in table.team_feedback)]
    return "\n".join(lines) + "\n"
