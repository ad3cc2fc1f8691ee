"""Text is only text: direction controls and invisible characters cannot fake a name or
flip a score beside it."""

from __future__ import annotations

import pytest

from coach.exports.markdown import _md_cell
from coach.service.workshops import clean_field

RLO = "\u202e"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (f"Ana{RLO}25 llarevo", "Ana25 llarevo"),
        ("\u200b\u200b", ""),  # nothing visible: no name (shown as "Member N")
        ("Bo\u2066b\u2069", "Bob"),
        ("  Zoë  \ufeff", "Zoë"),
        ("مريم", "مريم"),  # right-to-left scripts need no controls, and keep their letters
        ("👩\u200d👩\u200d👧", "👩\u200d👩\u200d👧"),  # joiners inside emoji stay
    ],
)
def test_names_lose_direction_controls_and_invisible_characters(typed: str, kept: str) -> None:
    assert clean_field(typed, "member name") == kept


def test_a_draft_with_a_direction_control_is_isolated_in_a_markdown_table() -> None:
    cell = _md_cell(f"We serve {RLO}every guest")
    assert cell.startswith("\u2068") and cell.endswith("\u2069")  # it cannot reach the next cell
    assert RLO in cell  # the text itself is kept as written
    assert _md_cell("We serve every guest") == "We serve every guest"
