"""Display-ready views of a score result, plain data for any UI (no streamlit here)."""

from __future__ import annotations

import re
from typing import Literal

from coach.scoring.scorer import Evidence, ScoreResult

OPEN, CLOSE = "⟦", "⟧"
BadgeColor = Literal["green", "orange", "red"]
BAND_COLOR: dict[str, BadgeColor] = {"strong": "green", "fair": "orange", "weak": "red"}


def marked_text(text: str, evidence: tuple[Evidence, ...] | list[Evidence]) -> str:
    """The text with every evidence span wrapped in ⟦ ⟧; overlapping spans merge."""
    spans = sorted({(e.start, e.end) for e in evidence if 0 <= e.start < e.end <= len(text)})
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        out += [text[pos:s], OPEN, text[s:e], CLOSE]
        pos = e
    out.append(text[pos:])
    return "".join(out)


def all_evidence(result: ScoreResult) -> list[Evidence]:
    return [e for c in result.criteria.values() for e in c.evidence]


def evidence_rows(result: ScoreResult) -> list[dict[str, object]]:
    """One row per piece of evidence, strongest effect first within each criterion."""
    rows = []
    for name, c in result.criteria.items():
        for e in sorted(c.evidence, key=lambda e: -abs(e.points)):
            rows.append(
                {
                    "criterion": c.label,
                    "effect": {"penalty": "−", "bonus": "+", "note": "·"}[e.effect],
                    "points": round(e.points),
                    "words": e.text,
                    "why": e.message,
                    "check": e.check,
                    "_key": name,
                }
            )
    return rows


def action_rows(result: ScoreResult) -> list[dict[str, object]]:
    """For a commitment line holding several actions: one row each."""
    return [
        {"action": a.text, "overall": a.overall, **{k: v.score for k, v in a.criteria.items()}}
        for a in result.actions
    ]


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&$:])")


_LINKISH = re.compile(r"(?i)(://|\bwww\.|@)")


def md_escape(text: str) -> str:
    """Text made inert for a Markdown renderer (message boxes render Markdown): special
    characters escaped, and web addresses broken with a zero-width space so that no bare
    URL, www. address or e-mail becomes a live link."""
    inert = _LINKISH.sub(lambda m: m.group(1)[0] + "\u200b" + m.group(1)[1:], text)
    return _MD_SPECIAL.sub(r"\\\1", " ".join(inert.split()))
