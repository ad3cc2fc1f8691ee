"""Measure the scorers: labelled pair ordering and agreement with external references.

Reads the project's own pairs (`tests/data/pairs/`) and, when present, the external
material in `../shared/peer/`. Nothing from the peer files is stored in the project."""

from __future__ import annotations

import csv
import itertools
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from coach.scoring.checks import Doc
from coach.scoring.readability import flesch_reading_ease, syllables
from coach.scoring.scorer import get_scorer
from coach.scoring.text import WORD_RE

PROJECT = Path(__file__).resolve().parent.parent


PAIRS_DIR = PROJECT / "tests" / "data" / "pairs"


PEER_DIR = PROJECT.parent / "shared" / "peer"


# Which of our checks answer for which external check (only those we implement).
WRITE_GOOD_MAP = {"passive": ("bold.passive",), "weasel": ("bold.hedges", "bold.modals")}


PROSELINT_MAP = {
    "hedging": ("bold.hedges", "bold.modals"),
    "weasel_words": ("bold.hedges", "bold.modals"),
    "industrial_language.corporate_speak": ("clear.jargon",),
}


GOAL_LEVELS = {"smart": 2, "partial_smart": 1, "vague": 0}


@dataclass(frozen=True)
class Pair:
    criterion: str
    better: str
    worse: str
    mission: str | None = None


@dataclass(frozen=True)
class Agreement:
    correct: int
    total: int

    @property
    def rate(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.rate:6.1%} ({self.correct}/{self.total})"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def load_pairs(path: Path) -> list[Pair]:
    return [
        Pair(r["criterion"], r["better"], r["worse"], r.get("mission") or None) for r in _rows(path)
    ]


# Every labelled set: (file stem, rubric). "overall" pairs compare the overall score.
# Held-out sets (name ending "holdout") are for measuring only, never for tuning.
PAIR_SETS: tuple[tuple[str, str], ...] = (
    ("mission_dev", "mission"),
    ("mission_holdout", "mission"),
    ("mission_meaning_dev", "mission"),
    ("mission_meaning_dev2", "mission"),
    ("mission_meaning_holdout", "mission"),
    ("mission_meaning_holdout2", "mission"),
    ("mission_meaning_dev3", "mission"),
    ("mission_meaning_holdout3", "mission"),
    ("desired_holdout4", "mission"),
    ("adversarial_dev", "mission"),
    ("adversarial_holdout", "mission"),
    ("adversarial_holdout2", "mission"),
    ("adversarial_dev2", "mission"),
    ("adversarial_holdout3", "mission"),
    ("commitment_dev", "commitment"),
    ("commitment_holdout", "commitment"),
    ("commitment_meaning_dev", "commitment"),
    ("commitment_meaning_dev2", "commitment"),
    ("commitment_meaning_holdout", "commitment"),
    ("commitment_meaning_holdout2", "commitment"),
    ("commitment_meaning_dev3", "commitment"),
    ("commitment_meaning_holdout3", "commitment"),
)


def pair_score(p: Pair, rubric: str, text: str) -> int:
    result = get_scorer(rubric).score(text, p.mission)
    return result.overall if p.criterion == "overall" else result.criteria[p.criterion].score


def pair_accuracy(pairs: list[Pair], rubric: str) -> dict[str, Agreement]:
    """Per criterion: how often `better` outscores `worse` on it (a tie is wrong)."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in pairs:
        tally[p.criterion][0] += pair_score(p, rubric, p.better) > pair_score(p, rubric, p.worse)
        tally[p.criterion][1] += 1
    return {k: Agreement(*v) for k, v in sorted(tally.items())}


def _fires(checks: tuple[str, ...], text: str) -> bool:
    hits = get_scorer("mission").hits(Doc.of(text))
    return any(hits[c] for c in checks)


def write_good_agreement(path: Path) -> dict[str, Agreement]:
    """Flagged or not, on write-good's own spec rows for the checks we implement."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in _rows(path):
        if r["module"] != "write-good" or not r["input"].strip():
            continue
        opts = json.loads(r["opts"]) if r["opts"] else {}
        listed = set(filter(None, r["checks"].split("|")))
        for name, ours in WRITE_GOOD_MAP.items():
            if opts.get(name) is False:
                continue
            # A row with options tests only what it names; others run every check.
            if opts and name not in listed:
                continue
            expected = name in listed
            tally[name][0] += _fires(ours, r["input"].replace("\\n", "\n")) == expected
            tally[name][1] += 1
    return {k: Agreement(*v) for k, v in tally.items()}


def proselint_agreement(path: Path) -> dict[str, Agreement]:
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in _rows(path):
        ours = PROSELINT_MAP.get(r["check_module"])
        if ours is None:
            continue
        tally[r["check_module"]][0] += _fires(ours, r["text"]) == (r["expected"] == "fail")
        tally[r["check_module"]][1] += 1
    return {k: Agreement(*v) for k, v in tally.items()}


def goal_ranking(path: Path) -> dict[str, Agreement]:
    """Across label levels, how often the higher-labelled goal scores higher overall."""
    scorer = get_scorer("commitment")
    rows = _rows(path)
    smart = [
        (GOAL_LEVELS[r["label"]], scorer.score(r["text"]).overall)
        for r in rows
        if r["dataset"] == "smart3"
    ]
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (la, sa), (lb, sb) in itertools.combinations(smart, 2):
        if la == lb:
            continue
        (hi, s_hi), (lo, s_lo) = ((la, sa), (lb, sb)) if la > lb else ((lb, sb), (la, sa))
        key = {(2, 1): "smart>partial", (1, 0): "partial>vague", (2, 0): "smart>vague"}[(hi, lo)]
        out[key][0] += s_hi > s_lo
        out[key][1] += 1
    okr = [
        (r["label"] == "good", scorer.score(r["text"]).overall)
        for r in rows
        if r["dataset"] == "okr_antipatterns"
    ]
    for (ga, sa), (gb, sb) in itertools.product(okr, okr):
        if ga and not gb:
            out["okr good>bad"][0] += sa > sb
            out["okr good>bad"][1] += 1
    return {k: Agreement(*v) for k, v in out.items()}


def mean_scores_by_label(path: Path) -> dict[str, float]:
    scorer = get_scorer("commitment")
    groups: dict[str, list[int]] = defaultdict(list)
    for r in _rows(path):
        if r["dataset"] == "smart3":
            groups[r["label"]].append(scorer.score(r["text"]).overall)
    return {k: sum(v) / len(v) for k, v in groups.items()}


def readability_conformance(path: Path) -> dict[str, Agreement]:
    """Syllable counts (exact) and Flesch reading ease (within 5 points) vs textstat."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in _rows(path):
        spec = json.loads(r["expected_json"])
        expected = spec.get("expected")
        text = r["text"].replace("\\n", "\n")
        if r["metric"] == "count_syllables" and "n_syllables" in spec:
            ours = sum(syllables(w) for w in WORD_RE.findall(text))
            out["syllables (within textstat's margin)"][0] += abs(
                ours - spec["n_syllables"]
            ) <= spec.get("margin", 0)
            out["syllables (within textstat's margin)"][1] += 1
        elif r["metric"] == "flesch_reading_ease" and isinstance(expected, float | int):
            out["flesch (±5)"][0] += abs(flesch_reading_ease(text) - expected) <= 5
            out["flesch (±5)"][1] += 1
    return {k: Agreement(*v) for k, v in out.items()}


@dataclass(frozen=True)
class TipReport:
    statements: int
    top_tip: str
    top_share: float
    rewrites: int
    improving: int  # raise their criterion and keep overall
    grammatical: int  # re-read as a sentence whose verb fits its subject


def tip_report(texts: list[str], rubric: str = "mission") -> TipReport:
    """How varied the tips are, and whether every rewrite helps and reads as English."""
    from coach.scoring import language

    scorer = get_scorer(rubric)
    counts: dict[str, int] = defaultdict(int)
    rewrites = improving = grammatical = 0
    for text in texts:
        result = scorer.score(text)
        shown = set()
        for name, c in result.criteria.items():
            for tip in c.tips:
                shown.add(tip.text)
                if tip.rewrite is None:
                    continue
                rewrites += 1
                after = scorer.score(tip.rewrite, coach=False)
                improving += (
                    after.criteria[name].score > c.score and after.overall >= result.overall
                )
                reading = language.read(tip.rewrite)
                grammatical += reading.sentence
        for t in shown:
            counts[t] += 1
    top, n = max(counts.items(), key=lambda kv: kv[1]) if counts else ("", 0)
    return TipReport(
        len(texts), top, n / len(texts) if texts else 0.0, rewrites, improving, grammatical
    )


def real_statements() -> list[str]:
    path = PEER_DIR / "mission_statements.tsv"
    if not path.is_file():
        return []
    return [
        r["statement"]
        for r in _rows(path)
        if r["statement"].strip() and len(r["statement"]) <= 1000
    ]
