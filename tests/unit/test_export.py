from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Literal

import openpyxl
import pytest

from coach.errors import CoachError
from coach.exports import formats as ex
from coach.exports.table import (
    COLUMNS,
    COMMITMENT_COLUMNS,
    FIRST_PREFERENCES_NOTE,
    PAIRWISE_NOTE,
    CommitmentRow,
    ConsensusRow,
    ConsensusTable,
    RoundSummary,
    Vote,
)

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2",
    "@SUM(A1)",
    "\tleading tab",
    "\rleading carriage return",
    "<script>alert(1)</script>",
    "**bold**",
    "a|b",
    "line one\nline two",
    "windows\r\nline",
    "emoji 😀🎉 👩🏽‍💻",
    "مهمتنا أن نخدم كل عميل",
    "back\\slash `code` [link](http://x.test) _u_ # h ~s~ &amp; $x$",
    "trailing backslash\\",
    "#N/A",
    "  spaces around  ",
    "_x003D_SUM(A1)",
    "bell\x07 escape\x1b",
    "",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ADOPTED = 'We serve **every** customer <script>alert(1)</script> & "all" | a\nمرحبا 😀'
KINDS: tuple[Literal["draft", "candidate", "adopted"], ...] = ("draft", "candidate", "adopted")


def _row(i: int) -> ConsensusRow:
    n = len(HOSTILE)
    scored = i % 2 == 0
    return ConsensusRow(
        text=HOSTILE[i],
        kind=KINDS[i % 3],
        author=HOSTILE[(i + 1) % n],
        sources=HOSTILE[(i + 2) % n],
        round=i if i % 3 else None,
        label="ABC"[i % 3] if i % 3 else "",
        desired=(i * 7) % 101,
        bold=(i * 13) % 101,
        clear=100 - i,
        stretching=i,
        overall=(i * 31) % 101,
        llm_desired=(i % 5) + 1 if scored else None,
        llm_bold=2 if scored else None,
        llm_clear=3 if scored else None,
        llm_stretching=5 if scored else None,
        themes_covered=HOSTILE[(i + 3) % n],
        schulze_rank=i + 1 if i % 3 else None,
        borda=i * 1.5 if i % 3 else None,
        first_preferences=float(i) if i % 3 else None,
        f2f_desired_min=i % 6 if i % 3 else None,
        f2f_desired_mean=i / 4 if i % 3 else None,
        f2f_bold_min=3,
        f2f_bold_mean=3.25,
        f2f_clear_min=None,
        f2f_clear_mean=None,
        f2f_stretching_min=0,
        f2f_stretching_mean=0.0,
        status=HOSTILE[(i + 4) % n],
    )


# Five ballots; row B / column A is 5: every voter ranks B above A, nobody A above B.
VOTE = Vote(
    ballots=5, candidates=("A", "B", "C"), pairwise=((None, 0, 2), (5, None, 4), (3, 1, None))
)


@pytest.fixture
def table() -> ConsensusTable:
    rows = [_row(i) for i in range(len(HOSTILE))]
    rows.append(_row(1).model_copy(update={"text": ADOPTED, "kind": "adopted", "status": "-"}))
    return ConsensusTable(
        workshop="=Front <Desk> | **team** 😀",
        organisation="@Acme & Sons <b>",
        focus="+every level\nمرحبا",
        code="-AB12",
        generated_at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
        rubric="mission v7",
        commitment_rubric="commitment v3",
        adopted=ADOPTED,
        rounds=(
            RoundSummary(
                number=1,
                status="closed: concerns raised",
                winner=HOSTILE[0],
                concerns=("Ana on clear: =too long", "<i>Bo</i> | bold\nno"),
                vote=VOTE,
            ),
            RoundSummary(number=2, status="closed: consensus", winner=ADOPTED),
        ),
        rows=tuple(rows),
    )


COMMITMENT_TEXT = (
    "person",
    "text",
    "line_of_sight",
    "elements",
    "cadence",
    "partner",
    "status",
    "last_check_in",
    "manager_feedback",
)
FOLLOWUP = date(2026, 12, 15)
TEAM_FEEDBACK = ('=HYPERLINK("http://x.test")', "<b>Great</b> | **work**\nteam", "-1", "")


def _commitment(i: int) -> CommitmentRow:
    """Hostile text in every text field (each field a different one per row)."""
    n = len(HOSTILE)
    fields: dict[str, object] = {
        name: HOSTILE[(i + k) % n] for k, name in enumerate(COMMITMENT_TEXT)
    }
    scores = ("specific", "measurable", "time_bound", "owned", "linked", "overall")
    fields |= {name: (i * (k + 7)) % 101 for k, name in enumerate(scores)}
    fields["due"] = date(2026, 12, 1) + timedelta(days=i) if i % 3 else None
    return CommitmentRow.model_validate(fields)


@pytest.fixture
def committed(table: ConsensusTable) -> ConsensusTable:
    return ConsensusTable.model_validate(
        {
            **table.model_dump(),
            "commitments": [_commitment(i).model_dump() for i in range(len(HOSTILE))],
            "followup_due": FOLLOWUP,
            "team_feedback": TEAM_FEEDBACK,
        }
    )


def _spreadsheet_text(value: str) -> str:
    """What a spreadsheet cell must hold for this user text (independent of the module)."""
    return "'" + value if value[:1] in TRIGGERS else value


# --- neutralise --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "=", "-"])
def test_neutralise_prefixes_formula_starts(value: str) -> None:
    assert ex.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["a=1", " =1", "", "'=1", "x\n=1", "#N/A", "1+1", "\n=1"])
def test_neutralise_leaves_other_text_alone(value: str) -> None:
    assert ex.neutralise(value) == value


@pytest.mark.parametrize("value", [-2, 0, 2.5, -1.5, None])
def test_neutralise_leaves_non_text_alone(value: object) -> None:
    assert ex.neutralise(value) is value


# --- CSV ---------------------------------------------------------------------------------


def test_csv_round_trips_with_neutralised_text(table: ConsensusTable) -> None:
    data = ex.to_csv(table)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[0] == list(COLUMNS)
    assert len(parsed) == len(table.rows) + 1
    for row, cells in zip(table.rows, parsed[1:], strict=True):
        assert len(cells) == len(COLUMNS)
        for name, cell in zip(COLUMNS, cells, strict=True):
            value = getattr(row, name)
            if value is None:
                assert cell == ""
            elif isinstance(value, str):
                assert cell == _spreadsheet_text(value), name
            elif isinstance(value, float):
                assert float(cell) == value
            else:
                assert int(cell) == value


def test_csv_prefixes_exactly_the_formula_starts(table: ConsensusTable) -> None:
    parsed = list(csv.reader(io.StringIO(ex.to_csv(table).decode("utf-8-sig"), newline="")))
    texts = [cells[0] for cells in parsed[1 : len(HOSTILE) + 1]]
    for original, cell in zip(HOSTILE, texts, strict=True):
        starts_with_trigger = original[:1] in TRIGGERS
        assert cell.startswith("'") == starts_with_trigger, original
        assert cell == ("'" + original if starts_with_trigger else original)


# --- XLSX --------------------------------------------------------------------------------


def _xlsx_text(value: str) -> str:
    """The documented XLSX form: as written (no apostrophe), CR as LF, XML-illegal as
    U+FFFD, _xHHHH_ kept; a formula start is marked by the cell's quotePrefix instead."""
    text = re.sub(r"\r\n|\r", "\n", value)
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", text)
    return re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)


def test_xlsx_values_match_and_nothing_is_a_formula(table: ConsensusTable) -> None:
    data = ex.to_xlsx(table)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Consensus", "Summary", "Commitments", "Votes", "Kept", "Ideas"]
    ws = wb["Consensus"]
    rows = list(ws.iter_rows())
    assert [c.value for c in rows[0]] == list(COLUMNS)
    assert all(c.font.bold for c in rows[0])
    assert ws.freeze_panes == "A2"
    assert len(rows) == len(table.rows) + 1
    for row, cells in zip(table.rows, rows[1:], strict=True):
        for name, cell in zip(COLUMNS, cells, strict=True):
            value = getattr(row, name)
            if value is None or value == "":
                assert cell.value is None
            elif isinstance(value, str):
                assert cell.data_type in {"s", "inlineStr"}, name
                assert cell.value == _xlsx_text(value), name
                assert cell.quotePrefix == (value[:1] in TRIGGERS), name
            else:
                assert cell.data_type == "n", name
                assert isinstance(cell.value, int | float) and cell.value == value
    _assert_no_formulas(data)


def _assert_no_formulas(data: bytes) -> None:
    for sheet in openpyxl.load_workbook(io.BytesIO(data)).worksheets:
        for line in sheet.iter_rows():
            assert all(c.data_type != "f" for c in line)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode() and "<f " not in z.read(name).decode()


def test_xlsx_spot_checks(table: ConsensusTable) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(ex.to_xlsx(table)))["Consensus"]
    texts = [ws.cell(row=r, column=1).value for r in range(2, len(HOSTILE) + 2)]
    assert "=cmd|' /C calc'!A0" in texts  # shown as written, no visible apostrophe
    cmd = ws.cell(row=2 + texts.index("=cmd|' /C calc'!A0"), column=1)
    assert cmd.data_type == "s" and cmd.quotePrefix  # text, marked as text for Excel
    assert "\nleading carriage return" in texts
    assert "#N/A" in texts  # text, not an Excel error value
    assert ws.cell(row=2 + HOSTILE.index("#N/A"), column=1).data_type != "e"
    assert "_x005F_x003D_SUM(A1)" in texts
    assert "bell\ufffd escape\ufffd" in texts
    assert "مهمتنا أن نخدم كل عميل" in texts


def test_xlsx_summary_has_workshop_and_adopted_statement(table: ConsensusTable) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(ex.to_xlsx(table)))["Summary"]
    values = [c.value for line in ws.iter_rows() for c in line]
    assert ADOPTED in values
    assert "=Front <Desk> | **team** 😀" in values
    assert "-AB12" in values
    assert "2026-11-22T09:30:00+00:00" in values
    assert "=cmd|' /C calc'!A0" in values  # round 1's leading candidate
    assert "Ana on clear: =too long\n<i>Bo</i> | bold\nno" in values
    assert 1 in values and 2 in values


# --- Markdown ----------------------------------------------------------------------------


def _split_row(line: str) -> list[str]:
    """Cells of a pipe-table row, split on unescaped pipes, backslash escapes resolved."""
    cells, current, chars = [], "", iter(line.strip()[1:-1])
    for ch in chars:
        if ch == "\\":
            current += next(chars)
        elif ch == "|":
            cells.append(current)
            current = ""
        else:
            current += ch
    cells.append(current)
    return [c[1:-1] if c.startswith(" ") and c.endswith(" ") else c for c in cells]


def test_markdown_table_recovers_every_cell(table: ConsensusTable) -> None:
    md = ex.to_markdown(table)
    table_lines = [line for line in _md_section(md, "Statements") if line.startswith("|")]
    assert len(table_lines) == len(table.rows) + 2
    assert _split_row(table_lines[0]) == list(COLUMNS)
    assert set(table_lines[1].strip("|").split("|")) == {"---"}
    for row, line in zip(table.rows, table_lines[2:], strict=True):
        cells = _split_row(line)
        assert len(cells) == len(COLUMNS)
        for name, cell in zip(COLUMNS, cells, strict=True):
            value = getattr(row, name)
            if value is None:
                assert cell == ""
            elif isinstance(value, str):
                assert cell == re.sub(r"\r\n|\r|\n", " ", value), name
            else:
                assert type(value)(cell) == value


def test_markdown_has_no_live_markup(table: ConsensusTable) -> None:
    md = ex.to_markdown(table)
    assert "<script>" not in md and "<b>" not in md and "<i>" not in md
    assert "**" not in md
    assert "[link](" not in md
    assert md.startswith("# Consensus table: =Front \\<Desk\\> \\| \\*\\*team\\*\\* 😀\n")
    assert "> We serve \\*\\*every\\*\\* customer" in md
    assert "No statement adopted yet" not in md
    assert "- Round 2: closed: consensus; leading: We serve" in md


def test_markdown_without_adoption_or_rounds(table: ConsensusTable) -> None:
    md = ex.to_markdown(table.model_copy(update={"adopted": None, "rounds": ()}))
    assert "No statement adopted yet." in md and "No rounds yet." in md


# --- JSON --------------------------------------------------------------------------------


def test_json_round_trips(table: ConsensusTable) -> None:
    assert ConsensusTable.model_validate_json(ex.to_json(table)) == table


def test_lone_surrogates_are_replaced_so_exports_never_fail() -> None:
    t = ConsensusTable(workshop="W\ud800", generated_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert t.workshop == "W\ufffd"
    assert ConsensusTable.model_validate_json(ex.to_json(t)) == t
    assert ex.export(t, "csv").startswith(b"\xef\xbb\xbf")


def test_models_are_frozen_and_strict(table: ConsensusTable) -> None:
    with pytest.raises(ValueError, match="extra"):
        RoundSummary(number=1, status="x", surprise=1)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="frozen"):
        table.workshop = "other"
    with pytest.raises(ValueError, match="finite"):
        ConsensusRow.model_validate({**_row(0).model_dump(), "borda": float("nan")})


# --- HTML --------------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.data: list[str] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        else:
            self.data.append(data)


ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "h2",
    "p",
    "section",
    "strong",
    "span",
    "ol",
    "ul",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def _parse(html_text: str) -> _Collector:
    parser = _Collector()
    parser.feed(html_text)
    parser.close()
    return parser


def test_html_is_inert_and_self_contained(table: ConsensusTable) -> None:
    page = ex.to_html(table)
    assert page.startswith("<!DOCTYPE html>")
    parsed = _parse(page)
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert "script" not in parsed.tags
    assert not [name for name, _ in parsed.attrs if name.startswith("on")]
    assert not [name for name, _ in parsed.attrs if name in {"src", "href", "action"}]
    assert not [v for _, v in parsed.attrs if v and re.search(r"https?:|//", v)]
    assert "@import" not in parsed.style and "url(" not in parsed.style
    assert "@media print" in parsed.style and "A4" in parsed.style


def test_html_shows_user_text_only_as_text(table: ConsensusTable) -> None:
    parsed = _parse(ex.to_html(table))
    assert ADOPTED in parsed.data
    assert "=Front <Desk> | **team** 😀" in parsed.data  # the h1
    assert "@Acme & Sons <b>" in parsed.data
    candidates = [r for r in table.rows if r.kind != "draft"]
    for row in candidates:
        assert row.text in parsed.data or row.text == ""
    assert "<i>Bo</i> | bold\nno" in parsed.data
    assert "-AB12" not in "".join(parsed.data)  # the join code stays out of the shared page
    text = "".join(parsed.data)
    drafts = sum(r.kind == "draft" for r in table.rows)
    assert f"{drafts} drafts submitted" in text
    assert "Desired" in text and "/100" in text


def test_html_candidate_table_has_one_row_per_candidate(table: ConsensusTable) -> None:
    cells = _TableCells("cand")
    cells.feed(ex.to_html(table))
    candidates = [r for r in table.rows if r.kind != "draft"]
    assert len(cells.rows) == len(candidates) + 2  # two header rows
    for row, shown in zip(candidates, cells.rows[2:], strict=True):
        assert shown[:3] == [row.text, str(row.round) if row.round else "–", row.label or "–"]


def test_html_without_adoption(table: ConsensusTable) -> None:
    parsed = _parse(ex.to_html(table.model_copy(update={"adopted": None, "rounds": ()})))
    text = "".join(parsed.data)
    assert "No statement adopted yet" in text and "No rounds yet" in text
    assert "/100" not in text


# --- dispatch and file names --------------------------------------------------------------


def test_export_dispatches_every_format(table: ConsensusTable) -> None:
    assert ex.FORMATS == ("csv", "xlsx", "md", "json", "html")  # what the UI offers side by side
    assert set(ex.MEDIA_TYPES) == {*ex.FORMATS, *ex.EXTRA_FORMATS}
    assert ex.export(table, "csv") == ex.to_csv(table)
    assert ex.export(table, "md") == ex.to_markdown(table).encode("utf-8")
    assert ex.export(table, "json") == ex.to_json(table).encode("utf-8")
    assert ex.export(table, "html") == ex.to_html(table).encode("utf-8")
    assert zipfile.is_zipfile(io.BytesIO(ex.export(table, "xlsx")))


@pytest.mark.parametrize("fmt", ["pdf", "CSV", "", "csv "])
def test_export_refuses_unknown_formats(table: ConsensusTable, fmt: str) -> None:
    with pytest.raises(CoachError) as err:
        ex.export(table, fmt)
    assert all(f in str(err.value) for f in (*ex.FORMATS, *ex.EXTRA_FORMATS))
    with pytest.raises(CoachError):
        ex.filename(table, fmt)


@pytest.mark.parametrize(
    ("workshop", "expected"),
    [
        ("Front Desk", "consensus-front-desk-2026-11-22.csv"),
        ("Équipe Café ☕ / Niño", "consensus-equipe-cafe-nino-2026-11-22.csv"),
        ("../../etc/passwd", "consensus-etc-passwd-2026-11-22.csv"),
        ("مهمتنا", "consensus-workshop-2026-11-22.csv"),
        ("", "consensus-workshop-2026-11-22.csv"),
        ("=cmd|' /C calc'!A0", "consensus-cmd-c-calc-a0-2026-11-22.csv"),
    ],
)
def test_filename_slugs(table: ConsensusTable, workshop: str, expected: str) -> None:
    assert ex.filename(table.model_copy(update={"workshop": workshop}), "csv") == expected


def test_filename_is_bounded_and_keeps_the_extension(table: ConsensusTable) -> None:
    name = ex.filename(table.model_copy(update={"workshop": "word " * 100}), "xlsx")
    assert name.endswith("-2026-11-22.xlsx") and len(name) < 90
    assert re.fullmatch(r"[a-z0-9.-]+", name)


# --- commitments and follow-up ------------------------------------------------------------


def _expected_csv_cell(value: object) -> str:
    """How a CSV cell spells a commitment value (independent of the module)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return _spreadsheet_text(value) if isinstance(value, str) else str(value)


def test_commitment_columns_follow_the_model() -> None:
    assert COMMITMENT_COLUMNS[:3] == ("person", "text", "specific")
    assert COMMITMENT_COLUMNS[-1] == "manager_feedback" and len(COMMITMENT_COLUMNS) == 17
    assert COMMITMENT_COLUMNS[COMMITMENT_COLUMNS.index("overall") + 1] == "rubric"
    assert set(COMMITMENT_TEXT) < set(COMMITMENT_COLUMNS)


def test_commitments_csv_round_trips_with_neutralised_text(committed: ConsensusTable) -> None:
    data = ex.commitments_csv(committed)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[0] == list(COMMITMENT_COLUMNS)
    assert len(parsed) == len(committed.commitments) + 1
    for row, cells in zip(committed.commitments, parsed[1:], strict=True):
        assert cells == [_expected_csv_cell(getattr(row, name)) for name in COMMITMENT_COLUMNS]
    dues = [cells[COMMITMENT_COLUMNS.index("due")] for cells in parsed[1:]]
    assert dues[:3] == ["", "2026-12-02", "2026-12-03"]
    people = [cells[0] for cells in parsed[1:]]
    assert people[0] == "'=cmd|' /C calc'!A0" and people[4] == "'\tleading tab"


def test_commitments_csv_leaves_the_consensus_csv_alone(committed: ConsensusTable) -> None:
    assert ex.to_csv(committed) == ex.to_csv(committed.model_copy(update={"commitments": ()}))
    empty = ex.commitments_csv(committed.model_copy(update={"commitments": ()}))
    assert empty.decode("utf-8-sig").splitlines() == [",".join(COMMITMENT_COLUMNS)]


def test_xlsx_commitments_sheet(committed: ConsensusTable) -> None:
    data = ex.to_xlsx(committed)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Consensus", "Summary", "Commitments", "Votes", "Kept", "Ideas"]
    ws = wb["Commitments"]
    rows = list(ws.iter_rows())
    assert [c.value for c in rows[0]] == list(COMMITMENT_COLUMNS)
    assert all(c.font.bold for c in rows[0]) and ws.freeze_panes == "A2"
    assert len(rows) == len(committed.commitments) + 1
    for row, cells in zip(committed.commitments, rows[1:], strict=True):
        for name, cell in zip(COMMITMENT_COLUMNS, cells, strict=True):
            value = getattr(row, name)
            if value is None or value == "":
                assert cell.value is None, name
            elif isinstance(value, date):
                assert cell.data_type == "s" and cell.value == value.isoformat()
            elif isinstance(value, str):
                assert cell.data_type in {"s", "inlineStr"}, name
                assert cell.value == _xlsx_text(value), name
                assert cell.quotePrefix == (value[:1] in TRIGGERS), name
            else:
                assert cell.data_type == "n" and cell.value == value, name
    texts = [c.value for line in ws.iter_rows(min_row=2) for c in line]
    assert "=cmd|' /C calc'!A0" in texts and "#N/A" in texts and "_x005F_x003D_SUM(A1)" in texts
    _assert_no_formulas(data)


def test_xlsx_summary_has_follow_up_and_team_feedback(committed: ConsensusTable) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(ex.to_xlsx(committed)))["Summary"]
    pairs = [(line[0].value, line[1].value) for line in ws.iter_rows(max_col=2)]
    assert ("Management feedback due", "2026-12-15") in pairs
    start = pairs.index(("Team feedback", '=HYPERLINK("http://x.test")'))
    assert pairs[start + 1 : start + 4] == [
        (None, "<b>Great</b> | **work**\nteam"),
        (None, "-1"),
        (None, None),
    ]
    assert ws.cell(row=start + 1, column=2).data_type == "s"
    assert ws.cell(row=start + 1, column=2).quotePrefix  # '=HYPERLINK' stays text in Excel
    bare = openpyxl.load_workbook(
        io.BytesIO(
            ex.to_xlsx(committed.model_copy(update={"followup_due": None, "team_feedback": ()}))
        )
    )["Summary"]
    values = [c.value for line in bare.iter_rows() for c in line]
    assert "Not set" in values and "Team feedback" not in values


def _md_section(md: str, heading: str) -> list[str]:
    return md.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0].strip("\n").splitlines()


def test_markdown_commitments_table_recovers_every_cell(committed: ConsensusTable) -> None:
    md = ex.to_markdown(committed)
    lines = _md_section(md, "Commitments")
    assert all(line.startswith("|") for line in lines)
    assert len(lines) == len(committed.commitments) + 2
    assert _split_row(lines[0]) == list(COMMITMENT_COLUMNS)
    for row, line in zip(committed.commitments, lines[2:], strict=True):
        cells = _split_row(line)
        assert len(cells) == len(COMMITMENT_COLUMNS)
        for name, cell in zip(COMMITMENT_COLUMNS, cells, strict=True):
            value = getattr(row, name)
            if value is None:
                assert cell == ""
            elif isinstance(value, date):
                assert date.fromisoformat(cell) == value
            elif isinstance(value, str):
                assert cell == re.sub(r"\r\n|\r|\n", " ", value), name
            else:
                assert int(cell) == value
    # the statements table is unchanged by the commitments after it
    statements = [line for line in _md_section(md, "Statements") if line.startswith("|")]
    assert len(statements) == len(committed.rows) + 2


def test_markdown_follow_up_and_team_feedback(committed: ConsensusTable) -> None:
    md = ex.to_markdown(committed)
    followup = _md_section(md, "Follow-up")
    assert followup[0] == "Management feedback due by 2026-12-15."
    assert followup[-4:] == [
        '- =HYPERLINK\\("http://x\\.test"\\)',
        "- \\<b\\>Great\\</b\\> \\| \\*\\*work\\*\\* team",
        "- \\-1",
        "- ",
    ]
    assert "<script>" not in md and "<b>" not in md and "**" not in md
    bare = ex.to_markdown(
        committed.model_copy(update={"commitments": (), "followup_due": None, "team_feedback": ()})
    )
    assert "## Commitments" not in bare and "## Follow-up" not in bare


def test_json_round_trips_commitments_and_follow_up(committed: ConsensusTable) -> None:
    text = ex.to_json(committed)
    assert '"followup_due": "2026-12-15"' in text and '"due": "2026-12-02"' in text
    back = ConsensusTable.model_validate_json(text)
    assert back == committed and back.commitments[1].due == date(2026, 12, 2)
    fields = json.loads(text)
    for key in ("commitments", "followup_due", "team_feedback"):  # a file from before Step 6
        del fields[key]
    old = ConsensusTable.model_validate(fields)
    assert old.followup_due is None and old.commitments == () and old.team_feedback == ()


class _TableCells(HTMLParser):
    """The text of every cell, row by row, in the table of the given class."""

    def __init__(self, cls: str) -> None:
        super().__init__(convert_charrefs=True)
        self.cls = cls
        self.rows: list[list[str]] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._inside = ("class", self.cls) in attrs
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag in {"td", "th"}:
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def _when(c: CommitmentRow) -> str:
    parts = [c.due.isoformat()] if c.due else []
    return " · ".join([*parts, c.cadence] if c.cadence else parts) or "–"


def test_html_commitment_cells_hold_the_text(committed: ConsensusTable) -> None:
    cells = _TableCells("com")
    cells.feed(ex.to_html(committed))
    assert cells.rows[0] == ["Person", "Commitment", "Score", "Status", "Due · cadence"]
    assert len(cells.rows) == len(committed.commitments) + 1
    # every person in the fixture is different, so every row starts with its person cell
    for c, row in zip(committed.commitments, cells.rows[1:], strict=True):
        person = (c.person or "anonymous") + (f"partner: {c.partner}" if c.partner else "")
        assert row == [person, c.text + c.manager_feedback, str(c.overall), c.status, _when(c)]


def test_html_shows_commitments_as_text(committed: ConsensusTable) -> None:
    page = ex.to_html(committed)
    parsed = _parse(page)
    for note in TEAM_FEEDBACK:
        assert note in parsed.data or note == ""
    text = "".join(parsed.data)
    assert "Management feedback due by 2026-12-15." in text
    assert "2026-12-02" in text and "anonymous" in text
    people = len({c.person for c in committed.commitments if c.person})
    assert f"{len(committed.commitments)} commitments from {people} people." in text
    assert "<b>Great</b>" not in page and "&lt;b&gt;Great&lt;/b&gt;" in page
    cells = _TableCells("com")
    cells.feed(page)
    assert len(cells.rows) == len(committed.commitments) + 1  # one header row


def test_html_without_commitments(table: ConsensusTable) -> None:
    text = "".join(_parse(ex.to_html(table)).data)
    assert "No commitments yet" in text and "No date set for management feedback" in text
    assert "Team feedback" not in text


@pytest.mark.parametrize("name", ["table", "committed"])
def test_html_stays_inert_with_commitments(request: pytest.FixtureRequest, name: str) -> None:
    parsed = _parse(ex.to_html(request.getfixturevalue(name)))
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert not [a for a, _ in parsed.attrs if a.startswith("on") or a in {"src", "href"}]


def test_html_groups_a_typical_team_by_person() -> None:
    rows = [
        _commitment(i).model_copy(update={"person": f"Person {i // 3}", "partner": f"P{i // 3}"})
        for i in range(36)
    ]
    t = ConsensusTable(
        workshop="W", generated_at=datetime(2026, 1, 1, tzinfo=UTC), commitments=rows
    )
    page = ex.to_html(t)
    cells = _TableCells("com")
    cells.feed(page)
    assert len(cells.rows) == 37 and page.count('<td rowspan="3" class="w">') == 12
    assert cells.rows[1][0] == "Person 0partner: P0" and len(cells.rows[2]) == 4
    assert "36 commitments from 12 people." in "".join(_parse(page).data)
    assert '<section class="keep">' in page  # printed whole: moves to the next page if need be


def test_html_groups_a_person_out_of_order_and_lists_every_partner() -> None:
    base = _commitment(1)
    made = [("Ana", "Bo"), ("Cy", ""), ("Ana", "Di"), ("", "Ed"), ("Ana", "Bo")]
    rows = [base.model_copy(update={"person": who, "partner": mate}) for who, mate in made]
    t = ConsensusTable(
        workshop="W", generated_at=datetime(2026, 1, 1, tzinfo=UTC), commitments=rows
    )
    cells = _TableCells("com")
    cells.feed(ex.to_html(t))
    assert [r[0] for r in cells.rows[1:] if len(r) == 5] == [
        "Anapartner: Bo, Di",
        "Cy",
        "anonymouspartner: Ed",
    ]
    assert [len(r) for r in cells.rows[1:]] == [5, 4, 4, 5, 5]
    assert "5 commitments from 2 people." in "".join(_parse(ex.to_html(t)).data)


def test_export_and_filename_for_commitments_csv(committed: ConsensusTable) -> None:
    assert ex.export(committed, "commitments-csv") == ex.commitments_csv(committed)
    assert ex.MEDIA_TYPES["commitments-csv"] == "text/csv"
    front = committed.model_copy(update={"workshop": "Front Desk"})
    assert ex.filename(front, "commitments-csv") == "commitments-front-desk-2026-11-22.csv"
    assert ex.filename(front, "csv") == "consensus-front-desk-2026-11-22.csv"
    with pytest.raises(CoachError):
        ex.export(committed, "commitments-xlsx")


def test_commitment_models_are_strict_and_scrubbed() -> None:
    row = _commitment(1)
    with pytest.raises(ValueError, match="extra"):
        CommitmentRow.model_validate({**row.model_dump(), "surprise": 1})
    with pytest.raises(ValueError, match="frozen"):
        row.status = "done"
    scrubbed = CommitmentRow.model_validate({**row.model_dump(), "text": "x\udc80"})
    assert scrubbed.text == "x\ufffd" and row.status == HOSTILE[7]
    assert (
        CommitmentRow(
            person="",
            text="t",
            specific=1,
            measurable=1,
            time_bound=1,
            owned=1,
            linked=1,
            overall=1,
        ).status
        == "planned"
    )


def test_an_indented_statement_never_becomes_a_code_block() -> None:
    from coach.exports.formats import to_markdown

    md = to_markdown(
        ConsensusTable(
            workshop="W",
            generated_at=datetime(2026, 1, 1, tzinfo=UTC),
            adopted="    We serve every guest.",
        )
    )
    assert "> We serve every guest\\." in md.splitlines()


# --- the figures read as their notes say ---------------------------------------------------


def _md_vote_rows(md: str) -> dict[str, dict[str, str]]:
    lines = [line for line in _md_section(md, "Votes") if line.startswith("|")]
    header = _split_row(lines[0])[1:]
    return {
        cells[0]: dict(zip(header, cells[1:], strict=True))
        for cells in (_split_row(line) for line in lines[2:])
    }


def test_pairwise_reads_row_over_column_in_every_export(table: ConsensusTable) -> None:
    md = ex.to_markdown(table)
    assert PAIRWISE_NOTE.replace(".", "\\.") in md
    rows = _md_vote_rows(md)
    assert rows["B"]["A"] == "5" and rows["A"]["B"] == "0" and rows["A"]["A"] == "—"

    cells = _TableCells("scores")
    cells.feed(ex.to_html(table))
    vote = next(r for r in cells.rows if r[0] == "" and r[1:] == ["A", "B", "C"])
    at = cells.rows.index(vote)
    html_rows = {r[0]: dict(zip(vote[1:], r[1:], strict=True)) for r in cells.rows[at + 1 : at + 4]}
    assert html_rows["B"]["A"] == "5" and html_rows["A"]["B"] == "0"
    assert "5 ballots. " + PAIRWISE_NOTE in "".join(_parse(ex.to_html(table)).data)

    ws = openpyxl.load_workbook(io.BytesIO(ex.to_xlsx(table)))["Votes"]
    grid = [[c.value for c in line] for line in ws.iter_rows()]
    assert grid[0][0] == PAIRWISE_NOTE
    head = next(i for i, line in enumerate(grid) if line[1:4] == ["A", "B", "C"])
    xlsx_rows = {line[0]: dict(zip("ABC", line[1:4], strict=True)) for line in grid[head + 1 :]}
    assert xlsx_rows["B"]["A"] == 5 and xlsx_rows["A"]["B"] == 0 and xlsx_rows["A"]["A"] is None

    back = json.loads(ex.to_json(table))["rounds"][0]["vote"]
    assert back["pairwise"][back["candidates"].index("B")][back["candidates"].index("A")] == 5


def test_first_preferences_are_explained_wherever_a_note_fits(table: ConsensusTable) -> None:
    note = FIRST_PREFERENCES_NOTE
    assert "ties several candidates first" in note and "splits" in note
    assert re.sub(r"\\(.)", r"\1", _md_section(ex.to_markdown(table), "Statements")[-1]) == note
    assert note in _parse(ex.to_html(table)).data
    summary = openpyxl.load_workbook(io.BytesIO(ex.to_xlsx(table)))["Summary"]
    assert ("First preferences", note) in [
        (a.value, b.value) for a, b in summary.iter_rows(max_col=2)
    ]


def test_every_export_names_the_rubric_behind_its_scores(committed: ConsensusTable) -> None:
    rows = [r.model_copy(update={"rubric": "mission v7"}) for r in committed.rows]
    made = [c.model_copy(update={"rubric": "commitment v3"}) for c in committed.commitments]
    t = committed.model_copy(update={"rows": tuple(rows), "commitments": tuple(made)})
    parsed = list(csv.reader(io.StringIO(ex.to_csv(t).decode("utf-8-sig"), newline="")))
    at = parsed[0].index("rubric")
    assert {line[at] for line in parsed[1:]} == {"mission v7"}
    parsed = list(csv.reader(io.StringIO(ex.commitments_csv(t).decode("utf-8-sig"), newline="")))
    at = parsed[0].index("rubric")
    assert {line[at] for line in parsed[1:]} == {"commitment v3"}
    summary = openpyxl.load_workbook(io.BytesIO(ex.to_xlsx(t)))["Summary"]
    pairs = [(a.value, b.value) for a, b in summary.iter_rows(max_col=2)]
    assert ("Statements scored with", "mission v7") in pairs
    assert ("Commitments scored with", "commitment v3") in pairs
    assert "Scored with: mission v7 (statements), commitment v3 (commitments)" in ex.to_markdown(t)
    html_text = "".join(_parse(ex.to_html(t)).data)
    assert "Scored with: mission v7 (statements), commitment v3 (commitments)" in html_text
    back = json.loads(ex.to_json(t))
    assert (back["rubric"], back["commitment_rubric"]) == ("mission v7", "commitment v3")
    assert back["rows"][0]["rubric"] == "mission v7"


def test_every_management_note_reaches_every_commitment_export(committed: ConsensusTable) -> None:
    notes = "2026-12-01 Lee: =Good start.\n2026-12-08 Management: Keep <b>the</b> log."
    first = committed.commitments[0].model_copy(update={"manager_feedback": notes})
    t = committed.model_copy(update={"commitments": (first, *committed.commitments[1:])})
    at = COMMITMENT_COLUMNS.index("manager_feedback")
    data = ex.commitments_csv(t).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(data, newline="")))[1][at] == notes  # in order
    ws = openpyxl.load_workbook(io.BytesIO(ex.to_xlsx(t)))["Commitments"]
    assert ws.cell(row=2, column=at + 1).value == notes
    md_row = _md_section(ex.to_markdown(t), "Commitments")[2]
    assert _split_row(md_row)[at] == notes.replace("\n", " ")
    cells_html = _TableCells("com")
    cells_html.feed(ex.to_html(t))
    assert cells_html.rows[1][1] == first.text + notes
    assert notes in _parse(ex.to_html(t)).data  # one text node: escaped, never markup
    assert json.loads(ex.to_json(t))["commitments"][0]["manager_feedback"] == notes


def test_kept_rates_and_ideas_are_in_the_markdown_and_html_too() -> None:
    from coach.exports.table import IdeaRow, KeptRow

    table = ex.ConsensusTable(
        workshop="Desk",
        generated_at=datetime(2026, 11, 26, tzinfo=UTC),
        kept_weeks=(KeptRow(text="2026-W48", check_ins=4, kept=3, kept_rate="75%"),),
        kept_elements=(KeptRow(text="Listening", check_ins=4, kept=3, kept_rate="75%"),),
        ideas=(
            IdeaRow(person="Ana", text="<b>Umbrellas</b> at the door", created=date(2026, 11, 2),
                    tried=date(2026, 11, 9)),
        ),
    )  # fmt: skip
    md = ex.to_markdown(table)
    assert "## Kept, week by week" in md and "| 2026\\-W48 | 4 | 3 | 75% |" in md
    assert "## Service ideas" in md
    page = ex.to_html(table)
    assert "<h2>Kept, week by week</h2>" in page and ">75%<" in page
    assert "1 created, 1 tried, 0 implemented." in page
    assert "&lt;b&gt;Umbrellas&lt;/b&gt;" in page and "<b>Umbrellas" not in page  # text only
