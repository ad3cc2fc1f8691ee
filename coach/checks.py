"""The closed set of check kinds, each compiled once from its rubric data.

A compiled check finds `Hit`s in a text; the scorer turns hits into points,
evidence and tips. Nothing here knows any word list: those are in `rubrics/`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from coach import readability, text
from coach.rubric import (
    Check,
    EchoCheck,
    MissionOverlapCheck,
    PassiveCheck,
    PhrasesCheck,
    ReadabilityCheck,
    RegexCheck,
    SentencesCheck,
    WordCountCheck,
)


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    match: str
    context: str = ""
    fixed: str | None = None
    points: float | None = None  # overrides the check's per-hit points
    message: str | None = None  # overrides the check's message
    tip: str | None = None  # overrides the check's tip


@dataclass(slots=True)
class Doc:
    """One text prepared once for every check: normalised, tokenised, split."""

    raw: str
    norm: str
    tokens: list[text.Token]
    sentence_spans: list[tuple[int, int]]
    mission: str | None = None

    @classmethod
    def of(cls, raw: str, mission: str | None = None) -> Doc:
        norm = text.normalise(raw)
        return cls(raw, norm, text.words(norm), text.sentences(norm), mission)


# Looks up the hits of another check by full id ("clear.absolutes").
Resolver = Callable[[str], list[Hit]]

_BOUNDARY_L = r"(?<![\w'-])"
_BOUNDARY_R = r"(?![\w-])"
_ANY_ENDING = r"[\w-]*"


def phrase_regex(items: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation; group gN names items[N] so a match finds its replacement."""
    parts = []
    for i, item in enumerate(items):
        core, star = (item[:-1], True) if item.endswith("*") else (item, False)
        body = r"[\s-]+".join(re.escape(w) for w in core.replace("-", " ").split())
        parts.append(f"(?P<g{i}>{body}{_ANY_ENDING if star else ''})")
    # Longest alternatives first so 'try to be' wins over 'try to'.
    order = sorted(range(len(items)), key=lambda i: -len(items[i]))
    return re.compile(
        _BOUNDARY_L + "(?:" + "|".join(parts[i] for i in order) + ")" + _BOUNDARY_R,
        re.IGNORECASE,
    )


def _context(norm: str, start: int, end: int, replacement: str | None) -> tuple[str, str | None]:
    before = text.WORD_RE.findall(norm[max(0, start - 30) : start])
    after = text.WORD_RE.findall(norm[end : end + 30])
    b, a = (before[-1] if before else ""), (after[0] if after else "")
    context = " ".join(x for x in (b, norm[start:end], a) if x)
    if replacement is None:
        return context, None
    return context, " ".join(x for x in (b, replacement, a) if x)


def _overlaps(hit: Hit, spans: list[tuple[int, int]]) -> bool:
    return any(hit.start < e and s < hit.end for s, e in spans)


class Compiled(ABC):
    """A check ready to run: `find(doc, resolve)` returns its hits."""

    def __init__(self, check: Check):
        self.check = check
        unless = getattr(check, "unless", ())
        self._unless = phrase_regex(unless) if unless else None

    def find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        hits = self._find(doc, resolve)
        if self._unless is not None and hits:
            spans = [m.span() for m in self._unless.finditer(doc.norm)]
            hits = [h for h in hits if not _overlaps(h, spans)]
        for ref in getattr(self.check, "unless_checks", ()):
            if hits:
                spans = [(h.start, h.end) for h in resolve(ref)]
                hits = [h for h in hits if not _overlaps(h, spans)]
        if getattr(self.check, "distinct", False):
            seen: set[str] = set()
            hits = [h for h in hits if not (h.match.lower() in seen or seen.add(h.match.lower()))]
        return hits

    @abstractmethod
    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        """The raw hits of this kind, before `unless` and `distinct` filtering."""


class _Phrases(Compiled):
    check: PhrasesCheck

    def __init__(self, check: PhrasesCheck):
        super().__init__(check)
        self._re = phrase_regex(check.items)
        self._repl = {k.lower(): v for k, v in check.replacements.items()}

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        hits = []
        for m in self._re.finditer(doc.norm):
            item = self.check.items[int(str(m.lastgroup)[1:])]
            repl = self._repl.get(m.group().lower(), self._repl.get(item.lower()))
            context, fixed = _context(doc.norm, m.start(), m.end(), repl)
            hits.append(Hit(m.start(), m.end(), doc.raw[m.start() : m.end()], context, fixed))
        return hits


class _Regex(Compiled):
    check: RegexCheck

    def __init__(self, check: RegexCheck):
        super().__init__(check)
        self._res = [re.compile(p, re.IGNORECASE) for p in check.patterns]

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        found = sorted(
            (m.start(), m.end()) for r in self._res for m in r.finditer(doc.norm) if m.group()
        )
        hits: list[Hit] = []
        for s, e in found:
            if hits and s < hits[-1].end:  # overlapping patterns report once
                continue
            hits.append(Hit(s, e, doc.raw[s:e], _context(doc.norm, s, e, None)[0]))
        return hits


class _Passive(Compiled):
    check: PassiveCheck

    def __init__(self, check: PassiveCheck):
        super().__init__(check)
        aux = "|".join(re.escape(a) for a in check.auxiliaries)
        irregular = "|".join(re.escape(w) for w in check.irregular) or "(?!)"
        self._re = re.compile(
            rf"\b(?:{aux})\s+(?:[a-z]+ly\s+)?(?P<p>[a-z]+ed|{irregular})\b", re.IGNORECASE
        )
        self._not = frozenset(w.lower() for w in check.not_participles)

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        return [
            Hit(m.start(), m.end(), doc.raw[m.start() : m.end()],
                _context(doc.norm, m.start(), m.end(), None)[0])
            for m in self._re.finditer(doc.norm)
            if m.group("p").lower() not in self._not
        ]


class _Sentences(Compiled):
    check: SentencesCheck

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        spans = doc.sentence_spans
        if len(spans) <= self.check.max:
            return []
        lengths = [len(text.WORD_RE.findall(doc.norm[s:e])) for s, e in spans]
        fragments = sum(n <= self.check.fragment_words for n in lengths) * 2 >= len(spans)
        message = (self.check.fragment_message if fragments else self.check.message).format(
            n=len(spans)
        )
        return [
            Hit(s, e, doc.raw[s:e], message=message) for s, e in spans[self.check.max :]
        ]


class _WordCount(Compiled):
    check: WordCountCheck

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        n, c = len(doc.tokens), self.check
        if not doc.tokens:
            return []
        span = (doc.tokens[0].start, doc.tokens[-1].end)
        if n > c.max:
            return [Hit(*span, doc.raw[span[0] : span[1]], points=c.per_word_over * (n - c.max),
                        message=c.message.format(n=n, max=c.max))]
        if n < c.min:
            return [Hit(*span, doc.raw[span[0] : span[1]], points=c.points,
                        message=c.short_message.format(n=n, min=c.min), tip=c.short_tip)]
        return []


class _Readability(Compiled):
    check: ReadabilityCheck

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        if len(doc.tokens) < self.check.min_words:
            return []
        score = readability.flesch_reading_ease(doc.norm)
        for band in sorted(self.check.bands, key=lambda b: b.below):
            if score < band.below:
                s, e = doc.tokens[0].start, doc.tokens[-1].end
                return [Hit(s, e, doc.raw[s:e], points=band.points,
                            message=self.check.message.format(value=score))]
        return []


class _MissionOverlap(Compiled):
    check: MissionOverlapCheck

    def __init__(self, check: MissionOverlapCheck):
        super().__init__(check)
        self._stop = frozenset(text.stem(w) for w in check.stopwords)

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        if not doc.mission:
            return []
        wanted = {text.stem(t.text) for t in text.words(doc.mission)} - self._stop
        hits, seen = [], set()
        for t in doc.tokens:
            s = text.stem(t.text)
            if s in wanted and s not in seen and len(s) > 2:
                seen.add(s)
                hits.append(Hit(t.start, t.end, doc.raw[t.start : t.end]))
        return hits


class _Echo(Compiled):
    check: EchoCheck

    def _find(self, doc: Doc, resolve: Resolver) -> list[Hit]:
        return list(resolve(self.check.source))


_KINDS: Mapping[type, type[Compiled]] = {
    PhrasesCheck: _Phrases,
    RegexCheck: _Regex,
    PassiveCheck: _Passive,
    SentencesCheck: _Sentences,
    WordCountCheck: _WordCount,
    ReadabilityCheck: _Readability,
    MissionOverlapCheck: _MissionOverlap,
    EchoCheck: _Echo,
}


def compile_check(check: Check) -> Compiled:
    return _KINDS[type(check)](check)  # type: ignore[arg-type]
