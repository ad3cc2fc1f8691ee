"""A programme's record for the larger group: one printable page, XLSX with a sheet per
team, JSON. Every piece of text a person wrote is escaped or typed as text."""

from __future__ import annotations

import html
import io
import re
from datetime import datetime

from openpyxl import Workbook
from pydantic import BaseModel

from coach.exports.formats import _put, _sheet
from coach.exports.table import _CONFIG, Text


class ProgrammeTeamRow(BaseModel):
    """One thing a team agreed or made: its statement, image, a core aspect, a commitment,
    a recommendation."""

    model_config = _CONFIG
    kind: Text
    text: Text
    detail: Text = ""  # an example, a person, an owner and status
    links_up: Text = ""  # "yes" / "no" for what should link to the organisation's statement


class ProgrammeTeam(BaseModel):
    model_config = _CONFIG
    name: Text
    stage: Text
    statement: Text | None = None
    links_up: bool | None = None
    unlinked: tuple[Text, ...] = ()
    rows: tuple[ProgrammeTeamRow, ...] = ()


class ProgrammeRecord(BaseModel):
    model_config = _CONFIG
    programme: Text
    organisation: Text = ""
    generated_at: datetime
    statement: Text | None = None  # the organisation's, once every team's delegates agree
    teams: tuple[ProgrammeTeam, ...] = ()
    themes: tuple[tuple[Text, tuple[Text, ...]], ...] = ()  # phrase, teams using it
    coverage: tuple[tuple[Text, int, tuple[Text, ...]], ...] = ()  # element, count, teams


def to_json(record: ProgrammeRecord) -> str:
    return record.model_dump_json(indent=2)


def _sheet_title(name: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:28] or "Team"
    title, n = base, 2
    while title.lower() in taken:
        title, n = f"{base[:25]} ({n})", n + 1
    taken.add(title.lower())
    return title


def to_xlsx(record: ProgrammeRecord) -> bytes:
    """A "Programme" sheet (the statement, each team's stage and line of sight, themes and
    coverage), then one sheet per team."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Programme"
    facts = [
        ("Programme", record.programme),
        ("Organisation", record.organisation),
        ("Generated at", record.generated_at.isoformat()),
        ("Organisation statement", record.statement or "Not adopted yet"),
    ]
    for r, (label, value) in enumerate(facts, 1):
        _put(ws, r, 1, label, bold=True)
        _put(ws, r, 2, value)
    r = len(facts) + 2
    for c, label in enumerate(("Team", "Stage", "Statement", "Links up", "Unlinked"), 1):
        _put(ws, r, c, label, bold=True)
    for t in record.teams:
        r += 1
        up = "" if t.links_up is None else ("yes" if t.links_up else "no")
        for c, value in enumerate(
            (t.name, t.stage, t.statement or "", up, ", ".join(t.unlinked)), 1
        ):
            _put(ws, r, c, value)
    r += 2
    _put(ws, r, 1, "Shared theme", bold=True)
    _put(ws, r, 2, "Teams", bold=True)
    for label, teams in record.themes:
        r += 1
        _put(ws, r, 1, label)
        _put(ws, r, 2, ", ".join(teams))
    r += 2
    for c, label in enumerate(("Element", "Commitments", "Teams"), 1):
        _put(ws, r, c, label, bold=True)
    for element, n, teams in record.coverage:
        r += 1
        for c, cell in enumerate((element, n, ", ".join(teams)), 1):
            _put(ws, r, c, cell)
    taken = {"programme"}
    for t in record.teams:
        _sheet(
            wb.create_sheet(_sheet_title(t.name, taken)),
            tuple(ProgrammeTeamRow.model_fields),
            t.rows,
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def to_html(record: ProgrammeRecord) -> str:
    """One printable page: no scripts, nothing fetched."""
    statement = (
        f'<p class="stmt">{_e(record.statement)}</p>'
        if record.statement
        else '<p class="none">No organisation statement adopted yet.</p>'
    )
    teams = ""
    for t in record.teams:
        rows = "".join(
            f"<tr><td>{_e(r.kind)}</td><td>{_e(r.text)}</td><td>{_e(r.detail)}</td>"
            f"<td>{_e(r.links_up)}</td></tr>"
            for r in t.rows
        )
        unlinked = (
            f"<p>Commitments that link to nothing: {_e(', '.join(t.unlinked))}</p>"
            if t.unlinked
            else ""
        )
        teams += (
            f'<section><h2>{_e(t.name)}</h2><p class="meta">{_e(t.stage)}</p>'
            f"<table><tr><th>What</th><th>Text</th><th>Detail</th><th>Links up</th></tr>"
            f"{rows}</table>{unlinked}</section>\n"
        )
    themes = "".join(f"<li>{_e(label)}: {_e(', '.join(ts))}</li>" for label, ts in record.themes)
    coverage = "".join(
        f"<tr><td>{_e(label)}</td><td>{n}</td><td>{_e(', '.join(ts))}</td></tr>"
        for label, n, ts in record.coverage
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        f"<title>Programme record: {_e(record.programme)}</title>\n<style>"
        "body{font:10pt/1.4 system-ui,sans-serif;max-width:182mm;margin:0 auto;padding:6mm}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:1mm}"
        ".stmt{font-size:15pt;font-weight:600;border-left:4px solid #2a7a4a;padding:2mm 4mm}"
        ".meta,.none{color:#555}section{break-inside:avoid}</style>\n</head>\n<body>\n"
        f'<h1>{_e(record.programme)}</h1><p class="meta">{_e(record.organisation)} · '
        f"{_e(f'{record.generated_at:%Y-%m-%d %H:%M}')}</p>\n"
        f"<section><h2>The organisation's statement</h2>{statement}</section>\n"
        f"{teams}<section><h2>Themes teams share</h2><ul>{themes}</ul></section>\n"
        "<section><h2>The six elements across teams</h2><table><tr><th>Element</th>"
        f"<th>Commitments</th><th>Teams</th></tr>{coverage}</table></section>\n"
        "</body>\n</html>\n"
    )
