"""Rewrites built as the whole statement: spliced, tidied, and inflected for its subject.

A tip's rewrite is never a fragment glued into place: the whole statement is rebuilt,
read again (coach.scoring.language), its main verb made to agree with its subject
("Our hospital strives to provide" -> "Our hospital provides", "We aim to be" -> "We
are"), and only then re-scored by the scorer, which offers it only if it helps.
"""

from __future__ import annotations

import itertools
import re

from coach.scoring import language

_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_DOUBLE_COMMA = re.compile(r",\s*,")


def splice(text: str, start: int, end: int, replacement: str) -> str:
    """`text` with [start, end) replaced, spaces and commas tidied, first letter kept."""
    rest = text[end:]
    if not replacement and text[start:end].lstrip().startswith(",") and rest.lstrip()[:1] == ",":
        rest = rest.lstrip()[1:]  # "We aim, as far as we can, to" -> "We aim to"
        rest = " " + rest.lstrip()
    out = text[:start] + replacement + rest
    out = _DOUBLE_COMMA.sub(",", _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", out)))
    out = out.strip()
    out = re.sub(r"^[,;:]\s*", "", out)
    if text[:1].isupper() and out[:1].islower():
        out = out[0].upper() + out[1:]
    return out


def agree(text: str, at: int | None = None, number: str = "") -> str:
    """The statement with its main verb inflected for its subject, if it did not fit.

    `at` is where a splice happened and `number` the original subject's number: a verb
    that the splice brought into the main verb's place ("Our team would like to offer"
    -> "Our team offer") is inflected for that subject ("Our team offers").
    """
    if at is not None and number:
        ws = language.words_of(text)
        after = [i for i, w in enumerate(ws) if w.start >= at]
        if after:
            i = after[0]
            w = ws[i]
            before = ws[i - 1].lower if i > 0 else ""
            finite = before not in ("to",) and before not in language.MODALS
            if finite and "VERB" in w.classes and w.lower not in language.FUNCTION_WORDS:
                fixed = language.inflect(w.lemma, number)
                if fixed != w.lower:
                    return text[: w.start] + fixed + text[w.end :]
                return text
    r = language.read(text)
    verb = r.verb_word
    if verb is None or r.agrees or r.infinitive or r.subject is None:
        return text
    fixed = language.inflect(verb.lemma, r.subject_number)
    if fixed == verb.lower:
        return text
    if verb.text[:1].isupper():
        fixed = fixed[0].upper() + fixed[1:]
    return text[: verb.start] + fixed + text[verb.end :]


def grammatical(original: str, rewrite: str) -> bool:
    """The rewrite reads as a sentence whenever the original did, and has no doubled
    word where the original had none ("the the", "to to")."""
    before, after = language.read(original), language.read(rewrite)
    if before.sentence and not after.sentence:
        return False
    return _doubled(rewrite) <= _doubled(original)


def _doubled(text: str) -> int:
    ws = [w.lower for w in language.read(text).words]
    return sum(a == b for a, b in itertools.pairwise(ws))


def changed(old: str, new: str) -> tuple[str, str]:
    """The words that differ between two versions, with a word either side of them."""
    a, b = old.split(), new.split()
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    lo = max(0, head - 1)
    hi_a, hi_b = min(len(a), len(a) - tail + 1), min(len(b), len(b) - tail + 1)
    strip = ".,;:!?"
    return " ".join(a[lo:hi_a]).strip(strip), " ".join(b[lo:hi_b]).strip(strip)
