"""Tokens with offsets, sentence splitting and light word normalisation."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

# Curly quotes become straight ones; same length, so offsets into the
# original text stay valid.
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})

WORD_RE = re.compile(r"[^\W_](?:[\w'-]*[^\W_])?")
_ABBREVIATIONS = frozenset(
    [
        "inc",
        "ltd",
        "co",
        "corp",
        "dr",
        "mr",
        "mrs",
        "ms",
        "st",
        "vs",
        "etc",
        "eg",
        "ie",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "no",
        "jr",
        "sr",
        "prof",
    ]
)
# A sentence ends at . ! ? (possibly repeated or followed by a quote/bracket)
# followed by whitespace, or at a line break.
_SENTENCE_END_RE = re.compile(r"([.!?]+['\")\]]*)(\s+|$)|\n\s*")


class Token(NamedTuple):
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


def normalise(text: str) -> str:
    """Straighten quotes without moving offsets."""
    return text if text.isascii() else text.translate(_QUOTES)


def words(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(normalise(text))]


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences in text (end exclusive), skipping blank ones."""
    norm = normalise(text)
    # Fast path, the usual case: no sentence punctuation or line break before the end.
    body = norm.rstrip().rstrip("'\")]").rstrip(".!?")
    if not any(ch in body for ch in ".!?\n"):
        return [_strip_span(norm, 0, len(norm))] if norm.strip() else []
    return split_sentences(norm)


def split_sentences(norm: str) -> list[tuple[int, int]]:
    """The general splitter (abbreviations, quotes, line breaks) on normalised text."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END_RE.finditer(norm):
        if m.group(1):
            before = norm[start : m.start()].split()
            last = before[-1].lower().rstrip(".") if before else ""
            nxt = norm[m.end() : m.end() + 1]
            # "Acme Inc. serves" or "e.g. our" is not a sentence end.
            if last in _ABBREVIATIONS or (nxt and nxt.islower()) or re.fullmatch(r"[a-z]", last):
                continue
            end = m.start() + len(m.group(1))
        else:
            end = m.start()
        if norm[start:end].strip():
            spans.append(_strip_span(norm, start, end))
        start = m.end()
    if norm[start:].strip():
        spans.append(_strip_span(norm, start, len(norm)))
    return spans


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light stemmer so 'customers', "customer's" and 'customer' meet."""
    w = word.lower().replace("'s", "").strip("'")
    for suffix, repl in (
        ("ies", "y"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
        ("ly", ""),
    ):
        if len(w) > len(suffix) + 3 and w.endswith(suffix) and not w.endswith("ss"):
            w = w[: -len(suffix)] + repl
            break
    # 'serve'/'serving' -> 'serv': drop a final e so both forms meet.
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w
