"""Shared themes across a team's mission drafts, near-duplicate drafts, and coverage.

A theme is a 1–3 word phrase, normalised for case and word forms, that several drafts use."""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from coach.scoring.rubric import RUBRIC_DIR
from coach.scoring.text import WORD_RE, normalise

THEMES_FILE = RUBRIC_DIR / "themes.toml"


_GAP_RE = re.compile(r"(?:'?[^\S\n]+|-)")  # joins two words of one phrase; else a break


_SHORTEST_WORD = 3  # 1–2 letter tokens say little and are mostly function words


_BLOCK = 512  # rows of the similarity matrix computed at once, to bound memory


@lru_cache(maxsize=1)
def _word_lists() -> dict[str, Any]:
    with THEMES_FILE.open("rb") as f:
        return tomllib.load(f)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """Function words a theme may not start or end with."""
    return frozenset(_word_lists()["stop_words"])


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    drafts: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.drafts)


@dataclass(frozen=True)
class Coverage:
    covered: tuple[Theme, ...]
    missing: tuple[Theme, ...]

    def summary(self) -> str:
        """One line for the board, e.g. 'covers 4 of 5 shared themes; missing: every level'."""
        total = len(self.covered) + len(self.missing)
        if not total:
            return "no shared themes yet"
        noun = "shared theme" if total == 1 else "shared themes"
        if not self.missing:
            return f"covers the 1 {noun}" if total == 1 else f"covers all {total} {noun}"
        missing = ", ".join(t.label for t in self.missing)
        return f"covers {len(self.covered)} of {total} {noun}; missing: {missing}"


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    """Fold plurals, possessives and -ing/-ed/-ly so 'delighting' meets 'delight'."""
    w = word.lower()
    w = (w[:-2] if w.endswith("'s") else w).strip("'")
    if w.endswith(("ies", "ied")) and len(w) > 4:
        w = w[:-3] + "y"
    elif len(w) > 3:
        if w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        if w.endswith("ing") and _has_vowel(w[:-3]):
            w = _undouble(w[:-3])
        elif w.endswith("ed") and not w.endswith("eed") and _has_vowel(w[:-2]):
            w = _undouble(w[:-2])
        elif w.endswith("ly") and len(w) >= 6 and w[-3] not in "aip":
            w = w[:-2]
    # Dropping every final e is what makes 'serve', 'serving' and 'served' (and 'care',
    # 'caring') meet, without guessing where an e was lost.
    if len(w) >= 3 and w.endswith("e") and not w.endswith("ee"):
        w = w[:-1]
    return w


def _has_vowel(w: str) -> bool:
    return len(w) >= 2 and any(c in "aeiouy" for c in w)


def _undouble(w: str) -> str:
    if len(w) >= 3 and w[-1] == w[-2] and w[-1] not in "aeiouslz":
        return w[:-1]
    return w


def _segments(text: str) -> Iterator[list[tuple[str, str, bool]]]:
    """Runs of (surface, stem, is_stop) words that punctuation does not break."""
    norm = normalise(text).lower()
    stops = _stop_words()
    run: list[tuple[str, str, bool]] = []
    last_end = -1
    for m in WORD_RE.finditer(norm):
        start = m.start()
        for part in m.group().split("-"):
            if not part:
                start += 1
                continue
            if run and not _GAP_RE.fullmatch(norm, last_end, start):
                yield run
                run = []
            bare = part[:-2] if part.endswith("'s") else part
            stop = bare in stops or len(bare) < _SHORTEST_WORD or bare.isdigit()
            run.append((part, bare if stop else _stem(part), stop))
            last_end = start + len(part)
            start = last_end + 1
    if run:
        yield run


def _phrases(text: str) -> Iterator[tuple[str, str]]:
    """(key, surface) for every 1–3 word phrase that neither starts nor ends on a stop word."""
    for run in _segments(text):
        for i, (surface, key, stop) in enumerate(run):
            if stop:
                continue
            yield key, surface
            if i + 1 < len(run):
                s2, k2, stop2 = run[i + 1]
                if not stop2:
                    yield f"{key} {k2}", f"{surface} {s2}"
                if i + 2 < len(run) and not run[i + 2][2]:
                    s3, k3, _ = run[i + 2]
                    yield f"{key} {k2} {k3}", f"{surface} {s2} {s3}"


def theme_keys(text: str) -> set[str]:
    """Every phrase key the text contains, normalised as theme keys are."""
    return {key for key, _ in _phrases(text)}


def _content_stems(text: str) -> set[str]:
    return {key for run in _segments(text) for _, key, stop in run if not stop}


def supported(sentence: str, sources: Sequence[str]) -> bool:
    """Whether a sentence shares at least one content word (by stem) with its sources: a
    cheap check that a cited sentence is not about something else entirely."""
    return bool(_content_stems(sentence) & set().union(*(_content_stems(s) for s in sources)))


def default_min_drafts(n: int) -> int:
    """Two drafts in a small team; 5% of them (at least two) across an organisation."""
    return 2 if n <= 12 else max(2, math.ceil(0.05 * n))


def shared_themes(
    drafts: Sequence[str], *, min_drafts: int | None = None, limit: int = 12
) -> list[Theme]:
    """Phrases used by at least `min_drafts` drafts, most shared first, without redundancy."""
    need = default_min_drafts(len(drafts)) if min_drafts is None else max(1, min_drafts)
    users: dict[str, list[int]] = defaultdict(list)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for i, text in enumerate(drafts):
        for key, surface in _phrases(text):
            where = users[key]
            if not where or where[-1] != i:
                where.append(i)
            forms[key][surface] += 1
    found = {key: tuple(where) for key, where in users.items() if len(where) >= need}
    redundant: set[str] = set()
    for key, used in found.items():
        parts = key.split(" ")
        for size in range(1, len(parts)):
            for start in range(len(parts) - size + 1):
                sub = " ".join(parts[start : start + size])
                if found.get(sub) == used:
                    redundant.add(sub)
    themes = [
        Theme(key, min(forms[key].items(), key=lambda f: (-f[1], f[0]))[0], used)
        for key, used in found.items()
        if key not in redundant
    ]
    themes.sort(key=lambda t: (-t.count, -t.key.count(" "), t.label, t.key))
    return themes[: max(0, limit)]


def similar_groups(
    drafts: Sequence[str], *, threshold: float | None = None
) -> list[tuple[int, ...]]:
    """Drafts saying nearly the same thing: components of TF-IDF cosine ≥ threshold.

    By default 0.5 for a team, 0.7 past 100 drafts, where looser links chain most drafts
    into one group.
    """
    n = len(drafts)
    if threshold is None:
        threshold = 0.5 if n <= 100 else 0.7
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    if n < 2:
        return []
    stems = [_content_stems(text) for text in drafts]
    df = Counter(s for words in stems for s in words)
    idf = {s: math.log((1 + n) / (1 + c)) + 1 for s, c in df.items()}
    # A word only one draft uses adds to its length but to no dot product, so the matrix
    # needs columns only for words shared by two or more drafts.
    columns = {s: j for j, s in enumerate(sorted(s for s, c in df.items() if c >= 2))}
    if not columns:
        return []
    vectors = np.zeros((n, len(columns)))
    for i, words in enumerate(stems):
        norm = math.sqrt(sum(idf[s] ** 2 for s in words))
        for s in words:
            if s in columns:
                vectors[i, columns[s]] = idf[s] / norm
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for top in range(0, n, _BLOCK):
        block = vectors[top : top + _BLOCK] @ vectors[top:].T
        # Tolerance so identical drafts still reach a threshold of exactly 1.
        rows, cols = np.nonzero(np.triu(block >= threshold - 1e-9, k=1))
        for a, b in zip((rows + top).tolist(), (cols + top).tolist(), strict=True):
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        members[root(i)].append(i)
    groups = [tuple(g) for g in members.values() if len(g) >= 2]
    groups.sort(key=lambda g: (-len(g), g[0]))
    return groups


def coverage(text: str, themes: Sequence[Theme]) -> Coverage:
    """Which shared themes a candidate statement carries."""
    keys = theme_keys(text)
    return Coverage(
        covered=tuple(t for t in themes if t.key in keys),
        missing=tuple(t for t in themes if t.key not in keys),
    )


def carried_by(
    draft: str, candidates: Sequence[str], themes: Sequence[Theme], *, min_share: float = 0.5
) -> list[int]:
    """Candidates carrying at least `min_share` of the draft's shared themes (or its words)."""
    keys = theme_keys(draft)
    own = {t.key for t in themes if t.key in keys}
    if own:
        wanted, of = own, theme_keys
    else:
        # A draft that shares no theme is still heard: fall back to its content words.
        wanted, of = _content_stems(draft), _content_stems
    if not wanted:
        return []
    return [
        i
        for i, text in enumerate(candidates)
        if len(wanted & of(text)) / len(wanted) >= min_share - 1e-9
    ]
