"""The closed set of check kinds, each compiled once from its rubric data.

A compiled check finds `Hit`s in a text; the scorer turns hits into points,
evidence and tips. Nothing here knows any word list: those are in `rubrics/`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from coach.scoring import language, readability, text
from coach.scoring.phrases import Match, PhraseIndex
from coach.scoring.rubric import (
    Check,
    EchoCheck,
    MissionOverlapCheck,
    PassiveCheck,
    PhrasesCheck,
    ReadabilityCheck,
    RegexCheck,
    SentencesCheck,
    StructureCheck,
    WordCountCheck,
)


class Hit(NamedTuple):
    start: int
    end: int
    match: str
    replacement: str | None = None  # the rubric's suggested words, for a {fixed} tip
    points: float | None = None  # overrides the check's per-hit points
    message: str | None = None  # overrides the check's message
    tip: str | None = None  # overrides the check's tip


@dataclass
class Doc:
    """One text prepared once for every check: normalised, tokenised, split."""

    raw: str
    norm: str
    lower: str  # norm.lower() where that keeps offsets, else norm
    words: list[str]
    sentence_spans: list[tuple[int, int]]
    mission: str | None = None
    # Every phrase list's matches, keyed by check id (and "id#unless"), from one scan.
    phrases: dict[str, list[Match]] | None = None

    @cached_property
    def reading(self) -> language.Reading:
        return language.read(self.norm)

    @classmethod
    def of(cls, raw: str, mission: str | None = None) -> Doc:
        norm = text.normalise(raw)
        lower = norm.lower()
        if len(lower) != len(norm):  # e.g. 'İ' lowercases to two characters
            lower = norm
        return cls(raw, norm, lower, text.WORD_RE.findall(norm), text.sentences(norm), mission)

    @cached_property
    def tokens(self) -> list[text.Token]:
        """Words with their offsets, worked out only for the checks that need them."""
        return text.words(self.norm)

    def word_span(self) -> tuple[int, int]:
        """From the first word's start to the last word's end (words start and end alphanumeric)."""
        norm = self.norm
        start = next((i for i, c in enumerate(norm) if c.isalnum()), 0)
        end = len(norm)
        while end > start and not norm[end - 1].isalnum():
            end -= 1
        return start, end

    def search(self, fast: re.Pattern[str], safe: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """Lowercase patterns run on lowercased text; the rare other case ignores case."""
        return (
            fast.finditer(self.lower) if self.lower is not self.norm else safe.finditer(self.norm)
        )

    def context(self, start: int, end: int, replacement: str | None) -> tuple[str, str | None]:
        """The match with a word either side, and the same with the replacement in."""
        before = self.norm[max(0, start - 30) : start].split()
        after = self.norm[end : end + 30].split()
        b = (
            before[-1].strip(_PUNCT)
            if before and not self.norm[start - 1 : start].isalnum()
            else ""
        )
        a = after[0].strip(_PUNCT) if after and not self.norm[end : end + 1].isalnum() else ""
        context = " ".join(x for x in (b, self.norm[start:end], a) if x)
        if replacement is None:
            return context, None
        return context, " ".join(x for x in (b, replacement, a) if x)

    def matches(self, key: str) -> list[Match]:
        return self.phrases.get(key, []) if self.phrases else []


_PUNCT = ".,;:!?()[]{}\"'“”‘’«»…—–-"

# Looks up the hits of another check by full id ("clear.absolutes").
Resolver = Callable[[str], list[Hit]]


def _overlaps(hit: Hit, spans: list[tuple[int, int]]) -> bool:
    return any(hit.start < e and s < hit.end for s, e in spans)


class Compiled(ABC):
    """A check ready to run: `find(doc, resolve)` returns its hits."""

    def __init__(self, check: Check, key: str):
        self.check = check
        self.key = key  # full id, e.g. "bold.hedges"
        # Read once: optional fields that only some kinds have.
        self._unless: tuple[str, ...] = getattr(check, "unless", ())
        self._unless_key = f"{key}#unless"
        self._unless_checks: tuple[str, ...] = getattr(check, "unless_checks", ())
        self._distinct: bool = getattr(check, "distinct", False)

    def index(self, phrases: PhraseIndex) -> None:
        """Add this check's phrase lists to the rubric-wide index."""
        if self._unless:
            phrases.add(self._unless_key, self._unless)

    def find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        hits = self._find(doc, resolve)
        if hits and self._unless:
            spans = [(m.start, m.end) for m in doc.matches(self._unless_key)]
            hits = [h for h in hits if not _overlaps(h, spans)]
        for ref in self._unless_checks:
            if hits:
                spans = [(h.start, h.end) for h in resolve(ref)]
                hits = [h for h in hits if not _overlaps(h, spans)]
        if self._distinct:
            seen: set[str] = set()
            unique = []
            for h in hits:
                if h.match.lower() not in seen:
                    seen.add(h.match.lower())
                    unique.append(h)
            hits = unique
        return hits

    @abstractmethod
    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        """The raw hits of this kind, before `unless` and `distinct` filtering."""


class _Phrases(Compiled):
    check: PhrasesCheck

    def __init__(self, check: PhrasesCheck, key: str):
        super().__init__(check, key)
        self._repl = {k.lower(): v for k, v in check.replacements.items()}

    def index(self, phrases: PhraseIndex) -> None:
        super().index(phrases)
        phrases.add(self.key, self.check.items)

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        hits = []
        for m in doc.matches(self.key):
            matched = doc.lower[m.start : m.end]
            repl = self._repl.get(matched, self._repl.get(self.check.items[m.item].lower()))
            hits.append(Hit(m.start, m.end, doc.raw[m.start : m.end], repl))
        return hits


class _Regex(Compiled):
    check: RegexCheck

    def __init__(self, check: RegexCheck, key: str):
        super().__init__(check, key)
        # One alternation scans the text once; at a position the first pattern wins.
        joined = "|".join(f"(?:{p})" for p in check.patterns)
        self._fast, self._safe = re.compile(joined), re.compile(joined, re.IGNORECASE)

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        cut = "" if self.check.remove else None
        return [
            Hit(m.start(), m.end(), doc.raw[m.start() : m.end()], cut)
            for m in doc.search(self._fast, self._safe)
            if m.group()
        ]


class _Passive(Compiled):
    check: PassiveCheck

    def __init__(self, check: PassiveCheck, key: str):
        super().__init__(check, key)
        aux = "|".join(re.escape(a.lower()) for a in check.auxiliaries)
        irregular = "|".join(re.escape(w.lower()) for w in check.irregular) or "(?!)"
        pattern = rf"\b(?:{aux})\s+(?:[a-z]+ly\s+)?(?P<p>[a-z]+ed|{irregular})\b"
        self._fast, self._safe = re.compile(pattern), re.compile(pattern, re.IGNORECASE)
        self._not = frozenset(w.lower() for w in check.not_participles)

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        return [
            Hit(m.start(), m.end(), doc.raw[m.start() : m.end()])
            for m in doc.search(self._fast, self._safe)
            if m.group("p").lower() not in self._not
        ]


class _Sentences(Compiled):
    check: SentencesCheck

    def __init__(self, check: SentencesCheck, key: str):
        super().__init__(check, key)
        self._subjects = frozenset(w.lower() for w in check.subjects)

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        spans = doc.sentence_spans
        if len(spans) <= self.check.max:
            return []
        subjects = self._subjects
        short = 0
        for s, e in spans:
            piece = text.WORD_RE.findall(doc.norm[s:e])
            if len(piece) <= self.check.fragment_words and (
                not piece or piece[0].lower() not in subjects
            ):
                short += 1
        fragments = short * 2 >= len(spans)
        message = (self.check.fragment_message if fragments else self.check.message).format(
            n=len(spans)
        )
        return [Hit(s, e, doc.raw[s:e], message=message) for s, e in spans[self.check.max :]]


class _WordCount(Compiled):
    check: WordCountCheck

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        n, c = len(doc.words), self.check
        if not doc.words:
            return []
        span = doc.word_span()
        if n > c.max:
            return [
                Hit(
                    *span,
                    doc.raw[span[0] : span[1]],
                    points=c.per_word_over * (n - c.max),
                    message=c.message.format(n=n, max=c.max),
                )
            ]
        if n < c.min:
            return [
                Hit(
                    *span,
                    doc.raw[span[0] : span[1]],
                    points=c.points,
                    message=c.short_message.format(n=n, min=c.min),
                    tip=c.short_tip,
                )
            ]
        return []


class _Readability(Compiled):
    check: ReadabilityCheck

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        if len(doc.words) < self.check.min_words:
            return []
        score = readability.flesch(doc.words, max(len(doc.sentence_spans), 1))
        for band in sorted(self.check.bands, key=lambda b: b.below):
            if score < band.below:
                s, e = doc.word_span()
                return [
                    Hit(
                        s,
                        e,
                        doc.raw[s:e],
                        points=band.points,
                        message=self.check.message.format(value=score),
                        tip=self._tip(doc),
                    )
                ]
        return []

    def _tip(self, doc: Doc) -> str:
        """The tip names this draft's own longest words (or says to split a long one)."""
        # Long words, not merely four-syllable everyday ones ("delivering", "destination").
        long = sorted(
            {
                w
                for w in doc.words
                if readability.syllables(w) >= 5 or (readability.syllables(w) == 4 and len(w) >= 12)
            },
            key=lambda w: (-readability.syllables(w), doc.words.index(w)),
        )[:3]
        if not long:
            return self.check.tip_nofix or self.check.tip
        quoted = ", ".join(f"'{w}'" for w in long)
        return self.check.tip.replace("{words}", quoted)


class _MissionOverlap(Compiled):
    check: MissionOverlapCheck

    def __init__(self, check: MissionOverlapCheck, key: str):
        super().__init__(check, key)
        self._stop = frozenset(text.stem(w) for w in check.stopwords)

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        if not doc.mission:
            return []
        wanted = _keys(doc.mission) - self._stop
        hits: list[Hit] = []
        seen: set[str] = set()
        for t in doc.tokens:
            # "number-transfer" shares "number"; "calls" and "called" share "call".
            for part in t.text.split("-"):
                keys = {text.stem(part), language.root(language.lemma(part))} - self._stop
                found = keys & wanted
                if found and not (found & seen) and len(part) > 2:
                    seen |= keys
                    hits.append(Hit(t.start, t.end, doc.raw[t.start : t.end]))
                    break
        return hits


def _keys(mission: str) -> set[str]:
    """A mission's words as stems and lemma roots, hyphenated words split."""
    out = set()
    for t in text.words(mission):
        for part in t.text.split("-"):
            if len(part) > 2:
                out.add(text.stem(part))
                out.add(language.root(language.lemma(part)))
    return out


class _Echo(Compiled):
    check: EchoCheck

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        return sorted(h for source in self.check.sources for h in resolve(source))


class _Structure(Compiled):
    check: StructureCheck

    def __init__(self, check: StructureCheck, key: str):
        super().__init__(check, key)
        self._weak = frozenset(v.lower() for v in check.weak_verbs)
        words = [w.lower() for w in check.subjects]
        self._subjects = frozenset(w for w in words if not w.endswith("*"))
        self._stems = tuple(w[:-1] for w in words if w.endswith("*"))

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        r = doc.reading
        if not r.words:
            return []
        feature = self.check.feature
        if feature == "action":
            found = language.action(r, self._weak)
            if found is None:
                return []
            return [Hit(found.start, found.end, doc.raw[found.start : found.end])]
        if feature == "fragment":
            if r.sentence or (r.verb is not None and not r.agrees):
                return []  # a verb that does not fit is the agreement check's
            first, last = r.words[0], r.words[-1]
            return [Hit(first.start, last.end, doc.raw[first.start : last.end])]
        if feature == "subject":
            if r.subject is None or not r.sentence:
                return []  # word salad or a fragment is about nobody
            s, e = r.subject
            for w in r.words[s:e]:
                if w.lower in self._subjects or w.lower.startswith(self._stems or ("\0",)):
                    return [Hit(w.start, w.end, doc.raw[w.start : w.end])]
            return []
        if feature == "agreement":
            verb = r.verb_word
            if verb is None or r.agrees or r.infinitive or r.subject is None:
                return []
            start = r.words[r.subject[0]].start
            fixed = language.inflect(verb.lemma, r.subject_number)
            if fixed == verb.lower:
                return []
            match = doc.raw[start : verb.end]
            replacement = doc.raw[start : verb.start] + _same_case(verb.text, fixed)
            return [Hit(start, verb.end, match, replacement)]
        hits = []
        seen: dict[str, int] = {}
        for w in r.words:
            key = language.root(w.lemma)
            if r.repeats.get(key, 0) < self.check.min_repeats:
                continue
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                hits.append(Hit(w.start, w.end, doc.raw[w.start : w.end]))
        return hits


def _same_case(like: str, word: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


_KINDS: Mapping[type, type[Compiled]] = {
    PhrasesCheck: _Phrases,
    RegexCheck: _Regex,
    PassiveCheck: _Passive,
    SentencesCheck: _Sentences,
    WordCountCheck: _WordCount,
    ReadabilityCheck: _Readability,
    MissionOverlapCheck: _MissionOverlap,
    EchoCheck: _Echo,
    StructureCheck: _Structure,
}


def compile_check(check: Check, key: str) -> Compiled:
    return _KINDS[type(check)](check, key)
