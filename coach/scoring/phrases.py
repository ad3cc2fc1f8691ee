"""Fast phrase lookup: every phrase list of a rubric in one index, one pass per text.

A phrase is words separated by spaces or hyphens; a word ending in '*' matches any
ending ('customer*' finds 'customers', "customer's", 'customer-facing'). Matching is
case-insensitive, starts at a whole token and ends at a token's end (or before "'s").
One pass over the text's words serves all lists, instead of a regex alternation per list.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

_ATOM_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_GAP_RE = re.compile(r"[\s-]+")


@dataclass(frozen=True, slots=True)
class _Phrase:
    key: str
    item: int
    words: tuple[tuple[str, bool], ...]  # (word, is_prefix)


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    item: int


class PhraseIndex:
    def __init__(self) -> None:
        self._exact: dict[str, list[_Phrase]] = defaultdict(list)
        self._prefix: dict[str, list[_Phrase]] = defaultdict(list)
        self._prefix_lengths: set[int] = set()
        # Multi-word phrases whose first two words are whole words, keyed by both.
        self._pairs: dict[tuple[str, str], list[_Phrase]] = defaultdict(list)
        self._cache: dict[
            str, tuple[tuple[tuple[str, int, int, bool], ...], tuple[_Phrase, ...]]
        ] = {}

    def add(self, key: str, items: tuple[str, ...]) -> None:
        for i, item in enumerate(items):
            raw = item.lower().replace("-", " ").replace("’", "'").split()
            words = tuple((w.rstrip("*"), w.endswith("*")) for w in raw)
            phrase = _Phrase(key, i, words)
            self._cache.clear()
            first, is_prefix = words[0]
            if len(words) > 1 and not is_prefix and not words[1][1]:
                self._pairs[(first, words[1][0])].append(phrase)
            elif is_prefix:
                self._prefix[first].append(phrase)
                self._prefix_lengths.add(len(first))
            else:
                self._exact[first].append(phrase)

    def scan(self, norm: str, lower: str | None = None) -> dict[str, list[Match]]:
        """Per key: leftmost-longest, non-overlapping matches in text already normalised.

        `lower` is norm.lower() when that keeps every offset (the usual case).
        """
        if lower is not None and len(lower) == len(norm):
            atoms = [(m[0], *m.span()) for m in _ATOM_RE.finditer(lower)]
        else:
            atoms = [(m[0].lower(), *m.span()) for m in _ATOM_RE.finditer(norm)]
        found: dict[str, list[Match]] = defaultdict(list)
        taken: dict[str, int] = {}  # per key: where the last match ended
        n = len(norm)
        for i, (atom, start, end) in enumerate(atoms):
            singles, multis = self._candidates(atom)
            if i + 1 < len(atoms):
                pairs = self._pairs.get((atom, atoms[i + 1][0]))
                if pairs:
                    multis = (*multis, *pairs)
            if not singles and not multis:
                continue
            if start > 0 and norm[start - 1] in "-'" and norm[start - 2 : start - 1].isalnum():
                continue  # inside a hyphenated or apostrophised token
            hyphen_next = end < n - 1 and norm[end] == "-" and norm[end + 1].isalnum()
            best: dict[str, Match] = {}
            for key, item, length, is_prefix in singles:
                if is_prefix:
                    stop = _token_end(norm, end) if hyphen_next else end
                elif length == len(atom):
                    if hyphen_next:
                        continue  # 'stop' is not in 'one-stop-shop'
                    stop = end
                else:
                    stop = start + length  # "customer's" -> "customer"
                prev = best.get(key)
                if prev is None or stop > prev.end:
                    best[key] = Match(start, stop, item)
            for phrase in multis:
                longer = _match_at(phrase.words, atoms, i, norm)
                if longer is None:
                    continue
                prev = best.get(phrase.key)
                if prev is None or longer > prev.end:
                    best[phrase.key] = Match(start, longer, phrase.item)
            for key, m in best.items():
                if start >= taken.get(key, 0):
                    found[key].append(m)
                    taken[key] = m.end
        return found

    def _candidates(
        self, atom: str
    ) -> tuple[tuple[tuple[str, int, int, bool], ...], tuple[_Phrase, ...]]:
        """Single-word phrases that match this word outright, and multi-word ones to try."""
        hit = self._cache.get(atom)
        if hit is None:
            if len(self._cache) > 50_000:  # bounded: vocabularies are open-ended
                self._cache.clear()
            singles, multis = [], []
            for p in self._lookup(atom):
                if len(p.words) > 1:
                    multis.append(p)
                    continue
                word, is_prefix = p.words[0]
                if is_prefix or atom == word or atom.startswith(word + "'"):
                    singles.append((p.key, p.item, len(word), is_prefix))
            hit = self._cache[atom] = (tuple(singles), tuple(multis))
        return hit

    def _lookup(self, atom: str) -> list[_Phrase]:
        out = list(self._exact.get(atom, ()))
        if "'" in atom:  # "customer's" also meets 'customer'
            out.extend(self._exact.get(atom.split("'", 1)[0], ()))
        for n in self._prefix_lengths:
            if n <= len(atom):
                out.extend(self._prefix.get(atom[:n], ()))
        return out


def _token_end(norm: str, end: int) -> int:
    """Run on past hyphens to the end of the whole token ('customer-facing')."""
    while end < len(norm) - 1 and norm[end] == "-" and norm[end + 1].isalnum():
        m = _ATOM_RE.match(norm, end + 1)
        end = m.end() if m else end + 1
    return end


def _word_end(
    word: str, is_prefix: bool, atom: str, start: int, end: int, norm: str, last: bool
) -> int | None:
    """Where `word` ends when it matches `atom` at [start, end), or None.

    Only a phrase's last word must end its token: 'best-of-breed' matches word by word,
    but 'stop' alone is not in 'one-stop-shop'.
    """
    if is_prefix:
        if not atom.startswith(word):
            return None
        return _token_end(norm, end) if last else end  # a final prefix runs to the token end
    if atom == word:
        if last and end < len(norm) - 1 and norm[end] == "-" and norm[end + 1].isalnum():
            return None
        return end
    if atom.startswith(word + "'"):  # "customer's", "guests'"
        return start + len(word)
    return None


def _match_at(
    words: tuple[tuple[str, bool], ...], atoms: list[tuple[str, int, int]], i: int, norm: str
) -> int | None:
    if i + len(words) > len(atoms):
        return None
    end = atoms[i][1]
    final = len(words) - 1
    for k, (word, is_prefix) in enumerate(words):
        atom, s, e = atoms[i + k]
        if k and not _GAP_RE.fullmatch(norm, end, s):
            return None  # words of a phrase are separated only by spaces or hyphens
        got = _word_end(word, is_prefix, atom, s, e, norm, k == final)
        if got is None:
            return None
        end = got
    return end
