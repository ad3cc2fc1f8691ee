"""Flesch reading ease from syllable counts, offline (pyphen ships its dictionary).

textstat is not used: its first call downloads nltk's CMU dictionary.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyphen

from coach.scoring.text import WORD_RE, normalise, sentences

_HYPHENATOR = pyphen.Pyphen(lang="en_US")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


@lru_cache(maxsize=32768)
def syllables(word: str) -> int:
    """Syllables in one word: hyphenation points, floored by a vowel-group count."""
    w = word.lower().strip("'-")
    if not w:
        return 0
    if not any(c.isalpha() for c in w):
        return 1
    by_hyphen = len(_HYPHENATOR.positions(w)) + 1
    groups = len(_VOWEL_GROUPS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(by_hyphen, min(groups, by_hyphen + 1), 1)


def flesch_reading_ease(text: str) -> float:
    """206.835 - 1.015 (words/sentences) - 84.6 (syllables/words); 0 words -> 0."""
    norm = normalise(text)
    return flesch(WORD_RE.findall(norm), max(len(sentences(norm)), 1))


def flesch(tokens: list[str], n_sentences: int) -> float:
    """Flesch reading ease from words already split out of one text."""
    if not tokens:
        return 0.0
    n_syllables = sum(syllables(t) for t in tokens)
    return round(
        206.835 - 1.015 * (len(tokens) / n_sentences) - 84.6 * (n_syllables / len(tokens)), 2
    )
