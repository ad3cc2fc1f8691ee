"""Consensus table and commitment exports (CSV, XLSX, Markdown, JSON, HTML), hostile-text safe."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from pydantic import BaseModel

from coach.errors import CoachError
from coach.exports.html import NO_ADOPTION, to_html
from coach.exports.markdown import to_markdown
from coach.exports.table import (
    COLUMNS,
    COMMITMENT_COLUMNS,
    FIRST_PREFERENCES_NOTE,
    NEWLINES,
    PAIRWISE_NOTE,
    AgendaRow,
    AssessmentRow,
    CommitmentRow,
    ConsensusRow,
    ConsensusTable,
    IdeaRow,
    KeptRow,
    RegisterRow,
    RoundSummary,
    StepRow,
    cells,
)


class ExportError(CoachError):
    """An export that cannot be produced (unknown format...)."""


FORMATS = ("csv", "xlsx", "md", "json", "html")


# Exported on request but not one of the whole-table formats the UI offers side by side.
EXTRA_FORMATS = ("commitments-csv",)


MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown",
    "json": "application/json",
    "html": "text/html",
    "commitments-csv": "text/csv",
}


_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def neutralise(value: object) -> object:
    """A str a spreadsheet could read as a formula gets a leading apostrophe; the rest pass."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def _iso(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _csv(columns: tuple[str, ...], rows: Sequence[ConsensusRow | CommitmentRow]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in cells(row)])
    return buf.getvalue().encode("utf-8-sig")


def to_csv(table: ConsensusTable) -> bytes:
    """UTF-8 CSV with a BOM (Excel guesses the encoding from it), every text cell neutralised."""
    return _csv(COLUMNS, table.rows)


def commitments_csv(table: ConsensusTable) -> bytes:
    """The commitments as their own CSV (a CSV file holds one table), as safe as to_csv."""
    return _csv(COMMITMENT_COLUMNS, table.commitments)


def _xlsx_text(value: str) -> str:
    """XML-legal text that Excel shows exactly as written (no visible apostrophe: the cell
    is typed as text and marked quote-prefixed, so a leading '=' is never a formula)."""
    text = NEWLINES.sub("\n", value)  # XML readers turn a bare CR into LF
    text = _XML_ILLEGAL.sub("\ufffd", text)  # these would make the file unreadable
    # Excel decodes _xHHHH_ inside strings ("_x003D_" shows "="); _x005F_ is a literal "_".
    return _OOXML_ESCAPE.sub(r"_x005F_\1", text)


def _put(ws: Any, row: int, col: int, value: object, bold: bool = False) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = _xlsx_text(value)
        cell.data_type = "s"  # openpyxl guesses "f" for "=…" and "e" for "#N/A"; text is text
        if value.startswith(_TRIGGERS):
            cell.quotePrefix = True  # Excel's own "this is text" mark, not a visible apostrophe
    else:
        cell.value = value
    if bold:
        cell.font = Font(bold=True)


def _sheet(ws: Any, columns: tuple[str, ...], rows: Sequence[BaseModel]) -> None:
    """A header row, one line per row, the text column wide and wrapped, the header frozen."""
    for c, name in enumerate(columns, 1):
        _put(ws, 1, c, name, bold=True)
    for r, row in enumerate(rows, 2):
        for c, value in enumerate(cells(row), 1):
            _put(ws, r, c, value)
    for c, name in enumerate(columns, 1):
        lengths = [len(str(getattr(row, name))) for row in rows]
        width = 60 if name == "text" else min(max([len(name), *lengths]) + 2, 40)
        ws.column_dimensions[get_column_letter(c)].width = width
    if "text" in columns:
        text_col = columns.index("text") + 1
        for (cell,) in ws.iter_rows(min_row=2, min_col=text_col, max_col=text_col):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"


def _votes_sheet(ws: Any, rounds: tuple[RoundSummary, ...]) -> None:
    """Each round's pairwise table under the note that says how to read it."""
    _put(ws, 1, 1, PAIRWISE_NOTE)
    r = 2
    for rnd in rounds:
        if rnd.vote is None:
            continue
        r += 1
        _put(ws, r, 1, f"Round {rnd.number}: {rnd.vote.ballots} ballots", bold=True)
        r += 1
        for c, name in enumerate(rnd.vote.candidates, 2):
            _put(ws, r, c, name, bold=True)
        for name, counts in zip(rnd.vote.candidates, rnd.vote.pairwise, strict=True):
            r += 1
            _put(ws, r, 1, name, bold=True)
            for c, count in enumerate(counts, 2):
                _put(ws, r, c, count)
        r += 1
    if r == 2:
        _put(ws, 3, 1, "No votes yet.")


def to_xlsx(table: ConsensusTable) -> bytes:
    """Sheets "Consensus" (rows), "Summary" (the workshop), "Commitments", "Votes", "Kept"
    (per week, then per service element) and "Ideas"."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Consensus"
    _sheet(ws, COLUMNS, table.rows)
    wrap = Alignment(wrap_text=True, vertical="top")

    summary = wb.create_sheet("Summary")
    facts = [
        ("Workshop", table.workshop),
        ("Organisation", table.organisation),
        ("Focus", table.focus),
        ("Code", table.code),
        # Excel cannot store time zones, so the moment is kept as unambiguous ISO text.
        ("Generated at", table.generated_at.isoformat()),
        ("Adopted statement", table.adopted if table.adopted is not None else NO_ADOPTION),
        ("Statements scored with", table.rubric),
        ("Commitments scored with", table.commitment_rubric),
        ("First preferences", FIRST_PREFERENCES_NOTE),
        ("Management feedback due", _iso(table.followup_due) or "Not set"),
    ]
    # One line per team feedback note; only the first carries the label.
    facts += [("" if i else "Team feedback", note) for i, note in enumerate(table.team_feedback)]
    for r, (label, fact) in enumerate(facts, 1):
        if label:
            _put(summary, r, 1, label, bold=True)
        _put(summary, r, 2, fact)
    r = len(facts) + 2
    for c, label in enumerate(("Round", "Status", "Leading candidate", "Concerns"), 1):
        _put(summary, r, c, label, bold=True)
    for rnd in table.rounds:
        r += 1
        for c, value in enumerate((rnd.number, rnd.status, rnd.winner, "\n".join(rnd.concerns)), 1):
            _put(summary, r, c, value)
    for letter, width in zip("ABCD", (25, 60, 50, 60), strict=True):
        summary.column_dimensions[letter].width = width
    for line in summary.iter_rows(min_col=2, max_col=4):
        for cell in line:
            cell.alignment = wrap
    _sheet(wb.create_sheet("Commitments"), COMMITMENT_COLUMNS, table.commitments)
    _votes_sheet(wb.create_sheet("Votes"), table.rounds)
    kept = wb.create_sheet("Kept")
    _sheet(kept, tuple(KeptRow.model_fields), (*table.kept_weeks, *table.kept_elements))
    _sheet(wb.create_sheet("Ideas"), tuple(IdeaRow.model_fields), table.ideas)
    _whole_sheets(wb, table)

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# A sheet per step of the whole workshop (Step 4 is "Consensus", Step 6 "Commitments").
STEP_SHEETS = {
    "Step 3": "Step 3 Image",
    "Step 5": "Step 5 Core",
    "Step 7": "Step 7 Recommendations",
}


def _whole_sheets(wb: Any, table: ConsensusTable) -> None:
    if not table.agenda:
        return
    _sheet(wb.create_sheet("Agenda"), tuple(AgendaRow.model_fields), table.agenda)
    columns = tuple(StepRow.model_fields)
    for step, title in STEP_SHEETS.items():
        _sheet(wb.create_sheet(title), columns, [r for r in table.steps if r.step == step])
    _sheet(wb.create_sheet("Assessment"), tuple(AssessmentRow.model_fields), table.assessment)
    _sheet(
        wb.create_sheet("Step 7 Register"), tuple(RegisterRow.model_fields), table.recommendations
    )


def to_json(table: ConsensusTable) -> str:
    """The whole table as indented JSON; ConsensusTable.model_validate_json reads it back."""
    return table.model_dump_json(indent=2)


def _writer(fmt: str) -> Callable[[ConsensusTable], bytes | str]:
    writers: dict[str, Callable[[ConsensusTable], bytes | str]] = {
        "csv": to_csv,
        "xlsx": to_xlsx,
        "md": to_markdown,
        "json": to_json,
        "html": to_html,
        "commitments-csv": commitments_csv,
    }
    if fmt not in writers:
        known = ", ".join((*FORMATS, *EXTRA_FORMATS))
        raise ExportError(f"Unknown export format {fmt[:20]!r}: use one of {known}.")
    return writers[fmt]


def export(table: ConsensusTable, fmt: str) -> bytes:
    """The table in the given format, as bytes (text formats in UTF-8)."""
    out = _writer(fmt)(table)
    return out.encode("utf-8") if isinstance(out, str) else out


def filename(table: ConsensusTable, fmt: str) -> str:
    """A download name like consensus-front-desk-2026-11-22.csv: ASCII, never an empty slug."""
    _writer(fmt)
    # "commitments-csv" names what is in the file and how it is written.
    prefix, _, ext = fmt.rpartition("-")
    ascii_name = unicodedata.normalize("NFKD", table.workshop).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return f"{prefix or 'consensus'}-{slug or 'workshop'}-{table.generated_at:%Y-%m-%d}.{ext}"
