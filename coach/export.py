"""Consensus table exports (CSV, XLSX, Markdown, JSON, HTML), safe for hostile user text."""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from pydantic import AfterValidator, BaseModel, ConfigDict

from coach.errors import CoachError


class ExportError(CoachError):
    """An export that cannot be produced (unknown format...)."""


def _scrub(value: str) -> str:
    # A lone surrogate (JSON can carry "\ud800") cannot be encoded, so every export would fail.
    return re.sub(r"[\ud800-\udfff]", "\ufffd", value)


Text = Annotated[str, AfterValidator(_scrub)]
# No NaN/inf: JSON would write them as null and the export would no longer round-trip.
_CONFIG = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class ConsensusRow(BaseModel):
    """One draft, candidate or adopted statement with its scores and votes."""

    model_config = _CONFIG
    text: Text
    kind: Literal["draft", "candidate", "adopted"]
    author: Text = ""
    sources: Text = ""
    round: int | None = None
    desired: int
    bold: int
    clear: int
    stretching: int
    overall: int
    llm_desired: int | None = None
    llm_bold: int | None = None
    llm_clear: int | None = None
    llm_stretching: int | None = None
    themes_covered: Text = ""
    schulze_rank: int | None = None
    borda: float | None = None
    first_preferences: float | None = None
    f2f_desired_min: int | None = None
    f2f_desired_mean: float | None = None
    f2f_bold_min: int | None = None
    f2f_bold_mean: float | None = None
    f2f_clear_min: int | None = None
    f2f_clear_mean: float | None = None
    f2f_stretching_min: int | None = None
    f2f_stretching_mean: float | None = None
    status: Text = ""


class RoundSummary(BaseModel):
    """How one voting round ended."""

    model_config = _CONFIG
    number: int
    status: Text
    winner: Text = ""
    concerns: tuple[Text, ...] = ()


class ConsensusTable(BaseModel):
    """Everything the facilitator exports about one workshop."""

    model_config = _CONFIG
    workshop: Text
    organisation: Text = ""
    focus: Text = ""
    code: Text = ""
    generated_at: datetime
    adopted: Text | None = None
    rounds: tuple[RoundSummary, ...] = ()
    rows: tuple[ConsensusRow, ...] = ()


COLUMNS: tuple[str, ...] = tuple(ConsensusRow.model_fields)
FORMATS = ("csv", "xlsx", "md", "json", "html")
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown",
    "json": "application/json",
    "html": "text/html",
}
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&$])")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_NO_ADOPTION = "No statement adopted yet"


def neutralise(value: object) -> object:
    """A str a spreadsheet could read as a formula gets a leading apostrophe; the rest pass."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def _cells(row: ConsensusRow) -> list[object]:
    return [getattr(row, name) for name in COLUMNS]


def to_csv(table: ConsensusTable) -> bytes:
    """UTF-8 CSV with a BOM (Excel guesses the encoding from it), every text cell neutralised."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for row in table.rows:
        writer.writerow(["" if v is None else neutralise(v) for v in _cells(row)])
    return buf.getvalue().encode("utf-8-sig")


def _xlsx_text(value: str) -> str:
    """Neutralised, XML-legal text that Excel shows exactly as written."""
    text = _NEWLINES.sub("\n", str(neutralise(value)))  # XML readers turn a bare CR into LF
    text = _XML_ILLEGAL.sub("\ufffd", text)  # these would make the file unreadable
    # Excel decodes _xHHHH_ inside strings ("_x003D_" shows "="); _x005F_ is a literal "_".
    return _OOXML_ESCAPE.sub(r"_x005F_\1", text)


def _put(ws: Any, row: int, col: int, value: object, bold: bool = False) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = _xlsx_text(value)
        cell.data_type = "s"  # openpyxl guesses "f" for "=…" and "e" for "#N/A"; text is text
    else:
        cell.value = value
    if bold:
        cell.font = Font(bold=True)


def to_xlsx(table: ConsensusTable) -> bytes:
    """A workbook with a "Consensus" sheet of rows and a "Summary" sheet of the workshop."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Consensus"
    wrap = Alignment(wrap_text=True, vertical="top")
    for c, name in enumerate(COLUMNS, 1):
        _put(ws, 1, c, name, bold=True)
    for r, row in enumerate(table.rows, 2):
        for c, value in enumerate(_cells(row), 1):
            _put(ws, r, c, value)
    for c, name in enumerate(COLUMNS, 1):
        lengths = [len(str(getattr(row, name))) for row in table.rows]
        width = 60 if name == "text" else min(max([len(name), *lengths]) + 2, 40)
        ws.column_dimensions[get_column_letter(c)].width = width
    for (cell,) in ws.iter_rows(min_row=2, max_col=1):
        cell.alignment = wrap
    ws.freeze_panes = "A2"

    summary = wb.create_sheet("Summary")
    facts = [
        ("Workshop", table.workshop),
        ("Organisation", table.organisation),
        ("Focus", table.focus),
        ("Code", table.code),
        # Excel cannot store time zones, so the moment is kept as unambiguous ISO text.
        ("Generated at", table.generated_at.isoformat()),
        ("Adopted statement", table.adopted if table.adopted is not None else _NO_ADOPTION),
    ]
    for r, (label, value) in enumerate(facts, 1):
        _put(summary, r, 1, label, bold=True)
        _put(summary, r, 2, value)
    r = len(facts) + 2
    for c, label in enumerate(("Round", "Status", "Leading candidate", "Concerns"), 1):
        _put(summary, r, c, label, bold=True)
    for rnd in table.rounds:
        r += 1
        for c, value in enumerate((rnd.number, rnd.status, rnd.winner, "\n".join(rnd.concerns)), 1):
            _put(summary, r, c, value)
    for letter, width in zip("ABCD", (20, 60, 50, 60), strict=True):
        summary.column_dimensions[letter].width = width
    for line in summary.iter_rows(min_col=2, max_col=4):
        for cell in line:
            cell.alignment = wrap

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _md(value: object) -> str:
    """One Markdown table cell or inline run: on one line, every special character escaped."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    return _MD_SPECIAL.sub(r"\\\1", _NEWLINES.sub(" ", value))


def to_markdown(table: ConsensusTable) -> str:
    """Title, adopted statement, rounds, then a pipe table of every row."""
    lines = [f"# Consensus table: {_md(table.workshop)}", ""]
    for label, value in (("Organisation", table.organisation), ("Focus", table.focus)):
        if value:
            lines.append(f"{label}: {_md(value)}  ")
    lines += [f"Generated: {table.generated_at:%Y-%m-%d %H:%M}", "", "## Adopted statement", ""]
    lines.append(f"> {_md(table.adopted)}" if table.adopted is not None else f"{_NO_ADOPTION}.")
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
    lines += ["", "## Statements", ""]
    lines.append("| " + " | ".join(_md(name) for name in COLUMNS) + " |")
    lines.append("|" + "|".join("---" for _ in COLUMNS) + "|")
    lines += ["| " + " | ".join(_md(v) for v in _cells(row)) + " |" for row in table.rows]
    return "\n".join(lines) + "\n"


def to_json(table: ConsensusTable) -> str:
    """The whole table as indented JSON; ConsensusTable.model_validate_json reads it back."""
    return table.model_dump_json(indent=2)


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
@media print { body { padding: 0; max-width: none; } h2 { break-after: avoid; }
  tr, li, .stmt { break-inside: avoid; } }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _u(value: str, tag: str = "span", cls: str = "u") -> str:
    """User text: escaped, direction from its own script (Arabic reads right to left)."""
    return f'<{tag} class="{cls}" dir="auto">{_e(value)}</{tag}>'


def _n(value: float | None) -> str:
    return "–" if value is None else _e(f"{value:g}" if isinstance(value, float) else value)


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
        items.append(item + "</li>")
    return "<ol>" + "".join(items) + "</ol>"


_QUESTIONS = ("desired", "bold", "clear", "stretching")
_F2F_MINS = tuple(f"f2f_{q}_min" for q in _QUESTIONS)
_CANDIDATE_NUMBERS = ("round", "schulze_rank", "borda", "first_preferences", *_F2F_MINS)


def _html_candidates(rows: list[ConsensusRow]) -> str:
    if not rows:
        return '<p class="none">No candidates yet.</p>'
    head = (
        '<thead><tr><th rowspan="2" class="s">Statement</th><th rowspan="2" class="n">Round</th>'
        '<th rowspan="2" class="n">Schulze rank</th><th rowspan="2" class="n">Borda</th>'
        '<th rowspan="2" class="n">First prefs</th><th colspan="4">Lowest fist-to-five</th>'
        '<th rowspan="2">Status</th></tr><tr><th class="n">Desired</th><th class="n">Bold</th>'
        '<th class="n">Clear</th><th class="n">Stretching</th></tr></thead>'
    )
    body = []
    for r in rows:
        cells = "".join(f'<td class="n">{_n(getattr(r, f))}</td>' for f in _CANDIDATE_NUMBERS)
        body.append(f"<tr>{_u(r.text, 'td')}{cells}{_u(r.status, 'td')}</tr>")
    return f'<table class="cand">{head}<tbody>{"".join(body)}</tbody></table>'


def to_html(table: ConsensusTable) -> str:
    """A standalone, printable one-page summary: no scripts, no external resources."""
    meta = [f"Organisation: {_u(table.organisation)}"] if table.organisation else []
    meta += [f"Focus: {_u(table.focus)}"] if table.focus else []
    meta.append(f"Generated: {_e(f'{table.generated_at:%Y-%m-%d %H:%M}')}")
    adopted_row = next((r for r in table.rows if r.kind == "adopted"), None)
    if table.adopted is None:
        statement = f'<p class="none">{_NO_ADOPTION}.</p>'
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
    drafts = [r for r in table.rows if r.kind == "draft"]
    removed = sum(r.status == "removed" for r in drafts)
    count = f"{len(drafts)} draft{'' if len(drafts) == 1 else 's'} submitted"
    count += f", {removed} removed." if removed else "."
    candidates = [r for r in table.rows if r.kind != "draft"]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # Belt and braces: even if escaping ever failed, the browser would run nothing.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        f"<title>Consensus summary: {_e(table.workshop)}</title>\n<style>{_CSS}</style>\n"
        f"</head>\n<body>\n<header>{_u(table.workshop, 'h1', 'u')}"
        f'<p class="meta">{" · ".join(meta)}</p></header>\n'
        f"<section><h2>Adopted statement</h2>{statement}</section>\n"
        f"<section><h2>Rounds</h2>{_html_rounds(table.rounds)}</section>\n"
        f"<section><h2>Candidates</h2>{_html_candidates(candidates)}<p>{count}</p></section>\n"
        "</body>\n</html>\n"
    )


def _writer(fmt: str) -> Callable[[ConsensusTable], bytes | str]:
    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format {fmt[:20]!r}: use one of {', '.join(FORMATS)}.")
    writers: dict[str, Callable[[ConsensusTable], bytes | str]] = {
        "csv": to_csv,
        "xlsx": to_xlsx,
        "md": to_markdown,
        "json": to_json,
        "html": to_html,
    }
    return writers[fmt]


def export(table: ConsensusTable, fmt: str) -> bytes:
    """The table in the given format, as bytes (text formats in UTF-8)."""
    out = _writer(fmt)(table)
    return out.encode("utf-8") if isinstance(out, str) else out


def filename(table: ConsensusTable, fmt: str) -> str:
    """A download name like consensus-front-desk-2026-11-22.csv: ASCII, never an empty slug."""
    _writer(fmt)
    ascii_name = unicodedata.normalize("NFKD", table.workshop).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return f"consensus-{slug or 'workshop'}-{table.generated_at:%Y-%m-%d}.{fmt}"
