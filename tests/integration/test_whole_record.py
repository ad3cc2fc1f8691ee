"""One record of the whole workshop, for the larger group: every step in every format, each
parsed back, and what a member typed shown as text, never run as a formula or markup."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

import openpyxl
import pytest

from coach.bootstrap import Services
from coach.cli import demo
from coach.domain import themes
from coach.exports.formats import STEP_SHEETS, export
from coach.exports.table import ConsensusTable
from coach.service import record

HOSTILE = '=HYPERLINK("http://x.invalid","<script>alert(1)</script> **bold**")'


@pytest.fixture
def table(svc: Services) -> ConsensusTable:
    workshop, key, links = demo.create_with_links(svc)
    # The room goes back to Step 3 to take one more, hostile, idea.
    svc.steps.reopen(workshop.code, key, "image")
    svc.steps.go(workshop.code, key, "image", seen="followup")
    svc.steps.add_item(workshop.code, links["Eli"], "image", HOSTILE)
    drafts = svc.store.drafts(workshop.id, include_deleted=True)
    return record.build(
        workshop,
        drafts=drafts,
        rounds=svc.consensus.history(workshop),
        consensus=svc.consensus,
        team=svc.commitments.team(workshop),
        themes=themes.shared_themes([d.latest.text for d in drafts]),
        steps=svc.steps,
    )


def test_the_record_holds_every_step(table: ConsensusTable) -> None:
    assert [a.title for a in table.agenda if a.on] == [
        "Image of the future",
        "Mission statement",
        "Positive core",
        "Assess practice",
        "Commitments",
        "Recommendations",
        "Follow-up",
    ]
    kinds = {(r.step, r.kind) for r in table.steps}
    assert kinds == {
        ("Step 3", "idea"),
        ("Step 3", "image"),
        ("Step 5", "strength"),
        ("Step 5", "core aspect"),
        ("Step 7", "recommendation"),
    }
    image = next(r for r in table.steps if r.kind == "image")
    assert image.sources == "#1, #2, #3, #4" and image.note == "being checked"  # reopened
    chen = next(r for r in table.steps if r.kind == "strength" and r.author == "Chen")
    assert chen.note == "no example"
    assert [r.owner for r in table.recommendations] == [
        "Front office manager",
        "Ops lead",
        "General manager",
    ]
    first = table.recommendations[0]
    assert first.builds_on_strengths == "We remember our regulars and what they like."
    assert first.builds_on_commitments.startswith("Ana: I promise to welcome every guest")
    gaps = [a.element for a in table.assessment if a.gap]
    assert gaps == ["Measure & respond"]
    assert table.adopted and table.commitments  # Steps 4 and 6, as before


def test_json_reads_back_whole(table: ConsensusTable) -> None:
    back = ConsensusTable.model_validate_json(export(table, "json"))
    assert back == table
    assert HOSTILE in [r.text for r in back.steps]


def test_the_spreadsheet_has_a_sheet_per_step_and_no_formula(table: ConsensusTable) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(export(table, "xlsx")))
    for sheet in ("Agenda", *STEP_SHEETS.values(), "Assessment", "Step 7 Register"):
        assert sheet in wb.sheetnames
    ideas = wb["Step 3 Image"]
    header = [c.value for c in ideas[1]]
    texts = [row[header.index("text")] for row in ideas.iter_rows(min_row=2, values_only=True)]
    assert texts == [r.text for r in table.steps if r.step == "Step 3"]
    hostile = next(
        row[header.index("text")] for row in ideas.iter_rows(min_row=2) if row[3].value == HOSTILE
    )
    assert hostile.data_type == "s" and hostile.quotePrefix  # text, never a formula
    register = wb["Step 7 Register"]
    assert register.max_row == 1 + len(table.recommendations)
    assessment = wb["Assessment"]
    rows = list(assessment.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [a.element for a in table.assessment]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_printable_page_shows_every_step_as_text(table: ConsensusTable) -> None:
    page = export(table, "html").decode()
    parser = _Text()
    parser.feed(page)
    shown = "".join(parser.text)
    for heading in (
        "Agenda",
        "Step 3: our image of the future",
        "Step 5: our positive core",
        "Current practice: Six elements of a service strategy",
        "Step 7: the register",
    ):
        assert heading in shown
    assert HOSTILE in shown  # the member's text, exactly
    assert "script" not in parser.tags  # and never markup
    assert "Measure & respond: everyone rates it low and nobody commits to it." in shown


def test_markdown_escapes_what_members_wrote(table: ConsensusTable) -> None:
    text = export(table, "md").decode()
    assert text.startswith("# Workshop record: Front desk team \\(demo\\)")
    assert "## Step 7: the register" in text
    assert "\\*\\*bold\\*\\*" in text and "\\<script\\>" in text
    assert json.loads(export(table, "json"))["recommendations"][0]["status"] == "agreed"
