"""Score a statement against a rubric: criterion scores, bands, evidence and tips."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from coach.errors import InputError
from coach.scoring import language, rewrite
from coach.scoring.checks import Compiled, Doc, Hit, compile_check
from coach.scoring.phrases import PhraseIndex
from coach.scoring.rubric import (
    Check,
    Criterion,
    PhrasesCheck,
    Rubric,
    load_rubric,
    load_sectors,
)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a score moved: a plain dataclass, as a statement can carry dozens of these."""

    check: str  # full id, e.g. "bold.hedges"
    label: str
    effect: Literal["penalty", "bonus", "note"]
    text: str
    start: int
    end: int
    message: str
    points: float


@dataclass(frozen=True, slots=True)
class Tip:
    """Advice on this draft's own words; `rewrite` is the whole statement with the advice
    applied (re-read and re-scored before it is offered), or None for advice that has no
    mechanical rewrite."""

    text: str
    rewrite: str | None = None


class _Place(NamedTuple):
    """Where a scored doc's text sits in the line: the preamble stays, the action's own
    text moves by `shift`, and words it shares from the last action (from `own_end` on)
    move by `tail_shift` back to where they are written."""

    keep_below: int = 0
    shift: int = 0
    own_end: int = 1 << 30
    tail_shift: int = 0

    def move(self, pos: int) -> int:
        if pos < self.keep_below:
            return 0
        return self.shift if pos < self.own_end else self.tail_shift


class _Candidate(NamedTuple):
    """A tip before it is rendered: its rewrite is only built if the tip is shown."""

    template: str
    nofix: str
    match: str
    context: str
    fixed: str | None
    start: int  # where the change goes, in the scored line
    end: int
    replacement: str | None


_Pending = list[_Candidate | str]


@dataclass(frozen=True, slots=True)
class CriterionScore:
    label: str
    question: str
    score: int
    band: str
    evidence: tuple[Evidence, ...]
    tips: tuple[Tip, ...]


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ActionScore:
    text: str
    start: int
    end: int
    overall: int
    criteria: dict[str, CriterionScore]


class ScoreResult(_Out):
    text: str
    rubric: str
    rubric_version: str
    overall: int
    band: str
    criteria: dict[str, CriterionScore]
    flags: tuple[Flag, ...]
    actions: tuple[ActionScore, ...] = ()


class _Vars(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, **values: object) -> str:
    """Fill known placeholders; an unknown one stays as written."""
    return template.format_map(_Vars({k: str(v) for k, v in values.items()}))


class Scorer:
    """A rubric compiled once; `score()` is pure and deterministic."""

    def __init__(self, rubric: Rubric):
        self.rubric = rubric
        self._checks: dict[str, tuple[Criterion, Compiled]] = {
            f"{c.name}.{k.id}": (c, compile_check(k, f"{c.name}.{k.id}"))
            for c in rubric.criteria
            for k in c.checks
        }
        signs = {"penalise": -1, "reward": 1, "note": 0}
        effects: dict[int, Literal["penalty", "bonus", "note"]] = {
            -1: "penalty",
            1: "bonus",
            0: "note",
        }
        # Per criterion, what the scoring loop needs, worked out once.
        self._plan = {
            c.name: [
                (f"{c.name}.{k.id}", k, signs[k.mode], effects[signs[k.mode]]) for k in c.checks
            ]
            for c in rubric.criteria
        }
        self._order = [
            (cid, self._checks[cid][1], isinstance(self._checks[cid][1].check, PhrasesCheck))
            for cid in rubric.check_order()
        ]
        self._silent_if = [
            (cid, k.check.silent_if) for cid, (_, k) in self._checks.items() if k.check.silent_if
        ]
        # A check standing in for another (silent when that one fires): when it fires,
        # the other's "missing" tip is moot.
        self._stand_ins: dict[str, list[str]] = {}
        for cid, refs in self._silent_if:
            for ref in refs:
                self._stand_ins.setdefault(ref, []).append(cid)
        self._phrases = PhraseIndex()
        for _, compiled in self._checks.values():
            compiled.index(self._phrases)
        split = rubric.split
        self._preamble = re.compile(split.preamble, re.IGNORECASE) if split else None
        self._connectors = (
            re.compile("|".join(f"(?:{c})" for c in split.connectors), re.IGNORECASE)
            if split
            else None
        )
        self._verbs = frozenset(v.lower() for v in split.verbs) if split else frozenset()

    # -- public ----------------------------------------------------------
    def score(
        self,
        text: str,
        mission: str | None = None,
        *,
        coach: bool = True,
        sector: str | None = None,
    ) -> ScoreResult:
        """Scores, evidence and tips; `coach=False` leaves the tips out (what a rewrite
        is checked with, so checking never recurses). Tips take their examples from
        `sector` (rubrics/sectors.toml), or from the sector the draft's words suggest."""
        self._validate(text)
        mission = mission.strip() if mission and mission.strip() else None
        if coach and self.rubric.not_english and language.foreign(text):
            coach = False  # English tips on a draft in another language would mislead
        eg = _Examples(f"{text} {mission or ''}", sector, wanted=coach)
        spans = self.split_actions(text) if self._preamble else []
        if len(spans) <= 1:
            criteria, flags, pending = self._score_doc(Doc.of(text, mission), _Place(), eg)
            if coach:
                criteria = self._finish(text, mission, criteria, pending, criteria)
            return self._result(text, criteria, flags, ())
        actions = []
        pendings = []
        for (s, e, _), (prefix, own, tail) in zip(
            spans, self._actions(text, spans, mission), strict=True
        ):
            doc = Doc.of(own if tail is None else f"{own} {text[tail[0] : tail[1]]}", mission)
            place = _Place(
                len(prefix),
                s - len(prefix),
                len(own),
                (tail[0] - len(own) - 1) if tail else 0,
            )
            crit, _, pending = self._score_doc(doc, place, eg)
            pendings.append(pending)
            actions.append(
                ActionScore(
                    text=text[s:e], start=s, end=e, overall=self._overall(crit), criteria=crit
                )
            )
        if coach:  # each action's tips are checked against the whole line
            line = self._merge(actions)
            actions = [
                ActionScore(
                    a.text,
                    a.start,
                    a.end,
                    a.overall,
                    self._finish(text, mission, a.criteria, p, line),
                )
                for a, p in zip(actions, pendings, strict=True)
            ]
        message = self.rubric.split.message if self.rubric.split else ""
        flags = [Flag(code="several_actions", message=_fill(message, n=len(actions)))]
        return self._result(text, self._merge(actions), flags, tuple(actions))

    def action_texts(self, text: str, mission: str | None = None) -> list[str]:
        """Each action of a commitment line as a promise of its own: the line's preamble
        ("I promise to"), and what it shares with the last action (its object, its
        deadline) when it lacks them. "I will call back and thank every caller within 2
        hours" gives "I will call back every caller within 2 hours" and "I will thank
        every caller within 2 hours". One action: the line as it is."""
        spans = self.split_actions(text)
        if len(spans) <= 1:
            return [text.strip()]
        return [
            own if tail is None else f"{own} {text[tail[0] : tail[1]]}"
            for _, own, tail in self._actions(text, spans, mission)
        ]

    def _actions(
        self, text: str, spans: list[tuple[int, int, int]], mission: str | None
    ) -> list[tuple[str, str, tuple[int, int] | None]]:
        """Per action: the preamble put before it, the action with it, and the span of
        the line it borrows from the last action (or None)."""
        shared = self._shared_tail(text, spans, mission)
        out = []
        for i, (s, e, prefix_end) in enumerate(spans):
            prefix = text[:prefix_end] if s > prefix_end else ""
            body = text[max(s, prefix_end) : e]  # the action without the preamble
            if re.match(r"(?:I|I'll|I’ll)\b", body):
                prefix = ""  # "..., and I will check the pool": its own subject
            elif prefix and re.match(r"(?i).*\bto\s*$", prefix) and re.match(r"(?i)to\s", body):
                prefix = re.sub(r"(?i)\bto\s*$", "", prefix)  # "I promise to" + "to answer"
            last = i == len(spans) - 1  # it may borrow a time, never its own object
            tail = self._tail_for(text, body, (None, shared[1]) if last else shared, mission)
            out.append((prefix, prefix + text[s:e], tail))
        return out

    def _shared_tail(
        self, text: str, spans: list[tuple[int, int, int]], mission: str | None
    ) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        """The last action's object-and-after (past its verb), and the time phrase the
        actions share, as spans of the line: the last action's, else the first one's that
        has one ("I will check the fridge every morning and record the reading")."""
        split = self.rubric.split
        s, e, _ = spans[-1]
        first = re.match(r"\s*(?:to\s+)?[\w'-]+\s*", text[s:e])
        rest = (s + first.end(), e) if first and s + first.end() < e else None
        if split is None or not split.shared_checks:
            return rest, None
        for a, b, _ in [spans[-1], *spans[:-1]]:
            hits = self.hits(Doc.of(text[a:b], mission))
            starts = [h.start for ref in split.shared_checks for h in hits.get(ref, [])]
            if starts:
                return rest, (a + min(starts), b)
        return rest, None

    def _tail_for(
        self,
        line: str,
        own: str,
        shared: tuple[tuple[int, int] | None, tuple[int, int] | None],
        mission: str | None,
    ) -> tuple[int, int] | None:
        rest, timed = shared
        words = re.findall(r"[\w'-]+", own)
        if len(words) <= 2 and rest is not None:  # "call back": the last action's object
            return rest
        split = self.rubric.split
        if timed is None or split is None:
            return None
        hits = self.hits(Doc.of(own, mission))
        if any(hits.get(ref) for ref in split.shared_checks):
            return None  # it has its own time
        if _RESPONSE_TIME.match(line, timed[0]):
            return None  # "answer every call bell within two minutes" is that action's own
        return timed

    def split_actions(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, preamble_end) per action in a commitment line."""
        if self._preamble is None or self._connectors is None:
            return []
        m = self._preamble.match(text)
        body_start = m.end() if m else 0
        cuts = [body_start]
        for c in self._connectors.finditer(text, body_start):
            after = text[c.end() :]
            nxt = re.match(r"(?:to\s+)?([\w']+)", after)  # "..., and to answer"
            if _refers_back(after):
                continue  # "... and log it in the report": one promise, not an orphan
            if nxt and (nxt.group(1).lower() in self._verbs or nxt.group(1) in ("I", "I'll")):
                cuts.extend((c.start(), c.end()))
        cuts.append(len(text))
        spans = []
        for i in range(0, len(cuts), 2):
            s, e = cuts[i], cuts[i + 1]
            while e > s and text[e - 1] in " \t.;,!":
                e -= 1
            if e > s:
                spans.append((0 if i == 0 else s, e, body_start))
        return spans

    # -- internals -------------------------------------------------------
    def _validate(self, text: str) -> None:
        if not text or not text.strip():
            raise InputError("Nothing to score yet: write one sentence first.")
        if len(text) > self.rubric.max_chars:
            raise InputError(
                f"This text is {len(text):,} characters; the limit is "
                f"{self.rubric.max_chars:,}. A {self.rubric.title.lower()} is one sentence: "
                "shorten it and try again."
            )

    def hits(self, doc: Doc) -> dict[str, list[Hit]]:
        """Every check's hits, each check run after the checks it reads."""
        if doc.phrases is None:
            doc.phrases = self._phrases.scan(doc.norm, doc.lower)
        phrases = doc.phrases
        memo: dict[str, list[Hit]] = {}
        resolve = memo.__getitem__
        for cid, compiled, phrase_list in self._order:
            # Most phrase lists match nothing in a given text: skip them outright.
            memo[cid] = compiled.find(doc, resolve) if not phrase_list or cid in phrases else []
        for cid, refs in self._silent_if:
            if any(memo[ref] for ref in refs):
                memo[cid] = []
        return memo

    def _score_doc(
        self, doc: Doc, place: _Place, eg: _Examples
    ) -> tuple[dict[str, CriterionScore], list[Flag], dict[str, _Pending]]:
        """Evidence moves from the doc into the original line as `place` says."""
        hits = self.hits(doc)
        criteria = {}
        pending = {}
        for c in self.rubric.criteria:
            criteria[c.name], pending[c.name] = self._criterion(c, doc, hits, place, eg)
        flags = [
            Flag(code=f.code, message=f.message)
            for f in self.rubric.flags
            if any(hits[ref] for ref in f.when_any)
        ]
        return criteria, flags, pending

    def _finish(
        self,
        line: str,
        mission: str | None,
        criteria: dict[str, CriterionScore],
        pending: dict[str, _Pending],
        base: dict[str, CriterionScore],
    ) -> dict[str, CriterionScore]:
        """Render the best two tips per criterion, each rewrite checked against `base`."""
        overall = self._overall(base)
        out = {}
        for name, crit in criteria.items():
            tips: list[Tip] = []
            taken: list[tuple[int, int]] = []  # words a tip already speaks about
            for cand in pending[name]:
                if isinstance(cand, _Candidate):
                    if any(cand.start < e and s < cand.end for s, e in taken):
                        continue  # two tips about the same words would pull two ways
                    taken.append((cand.start, cand.end))
                tip = self._render(line, mission, name, cand, base[name].score, overall)
                if tip is not None and all(t.text != tip.text for t in tips):
                    tips.append(tip)
                    if len(tips) == 2:
                        break
            out[name] = replace(crit, tips=tuple(tips)) if tips else crit
        return out

    def _render(
        self,
        line: str,
        mission: str | None,
        criterion: str,
        cand: _Candidate | str,
        score: int,
        overall: int,
    ) -> Tip | None:
        """A tip; its rewrite only if it reads as a sentence, raises its criterion and
        does not lower overall. Otherwise the advice without a rewrite, or nothing."""
        if isinstance(cand, str):
            return Tip(cand) if cand else None
        values = {"match": cand.match, "context": cand.context, "fixed": cand.fixed}
        if "{fixed}" in cand.template and cand.replacement is not None:
            new = rewrite.whole(line, cand.start, cand.end, cand.replacement)
            if new and new != line:
                try:
                    after = self.score(new, mission, coach=False)
                except InputError:
                    after = None
                if (
                    after is not None
                    and after.criteria[criterion].score > score
                    and after.overall >= overall
                ):
                    old, fixed = rewrite.changed(line, new)
                    return Tip(
                        _fill(cand.template, **{**values, "context": old, "fixed": fixed}), new
                    )
        template = cand.nofix if "{fixed}" in cand.template else cand.template
        return Tip(_fill(template, **values)) if template else None

    def _criterion(
        self,
        crit: Criterion,
        doc: Doc,
        hits: dict[str, list[Hit]],
        place: _Place,
        eg: _Examples,
    ) -> tuple[CriterionScore, _Pending]:
        total = crit.base
        evidence: list[Evidence] = []
        decay = self.rubric.reward_decay
        n_rewarded = 0  # word families rewarded so far in this criterion, for the decay
        # Tip candidates, by weight; only the best two get rendered.
        fired: list[tuple[float, _Candidate | str]] = []
        missing: list[tuple[float, str]] = []
        for cid, k, sign, effect in self._plan[crit.name]:
            found = hits[cid]
            if not found:
                # No "link it to the mission" advice when no mission was given.
                covered = any(hits[alt] for alt in self._stand_ins.get(cid, ()))
                if sign > 0 and not covered and (doc.mission or k.kind != "mission_overlap"):
                    missing.append((min(k.points, k.cap), k.tip_missing))
                continue
            budget = k.cap
            rewarded: set[str] = set()  # word families this check has rewarded
            for h in found:
                pts = min(k.points if h.points is None else h.points, budget)
                if sign > 0 and pts > 0:
                    family = _family(h.match)
                    if family in rewarded:
                        pts = 0.0  # the same word again adds nothing
                    else:
                        pts = round(pts * decay[min(n_rewarded, len(decay) - 1)], 1)
                        rewarded.add(family)
                        n_rewarded += 1
                budget -= pts
                total += sign * pts
                move = place.move(h.start)
                message = (h.message or k.message).replace("{match}", h.match)
                evidence.append(
                    Evidence(
                        cid,
                        k.label,
                        effect,
                        h.match,
                        h.start + move,
                        h.end + move,
                        message,
                        sign * pts,
                    )
                )
            if k.tip or found[0].tip:
                weight = k.cap - budget if sign < 0 else 0.5
                first = found[0]
                move = place.move(first.start)
                if eg.wanted:
                    fired.append((weight, self._candidate(doc, k, first, move, eg)))
        score = round(min(max(total, 0), 100))
        band = self.rubric.bands.band(score)
        if band != "strong" and missing:  # what is missing matters while the score is short;
            weight, template = max(missing, key=lambda c: c[0])  # the most useful one is enough
            if eg.wanted:
                fired.append((weight, _missing_tip(doc, template, eg)))
        ranked = [c for _, c in sorted(fired, key=lambda c: -c[0])]
        return CriterionScore(crit.label, crit.question, score, band, tuple(evidence), ()), ranked

    @staticmethod
    def _candidate(doc: Doc, k: Check, first: Hit, move: int, eg: _Examples) -> _Candidate:
        context, fixed = doc.context(first.start, first.end, first.replacement)
        return _Candidate(
            template=_missing_tip(doc, first.tip or k.tip, eg),
            nofix=_missing_tip(doc, k.tip_nofix, eg),
            match=first.match.strip(" ,;:"),
            context=context,
            fixed=fixed,
            start=first.start + move,
            end=first.end + move,
            replacement=first.replacement,
        )

    def _overall(self, criteria: dict[str, CriterionScore]) -> int:
        weights = {c.name: c.weight for c in self.rubric.criteria}
        total = sum(weights.values())
        return round(sum(criteria[n].score * w for n, w in weights.items()) / total)

    def _merge(self, actions: list[ActionScore]) -> dict[str, CriterionScore]:
        """A line's criterion score is the mean over its actions."""
        merged = {}
        for c in self.rubric.criteria:
            per = [a.criteria[c.name] for a in actions]
            score = round(sum(p.score for p in per) / len(per))
            evidence = {(e.check, e.start, e.end): e for p in per for e in p.evidence}
            weakest = min(per, key=lambda p: p.score)
            tips = dict.fromkeys([*weakest.tips, *(t for p in per for t in p.tips)])
            merged[c.name] = CriterionScore(
                label=c.label,
                question=c.question,
                score=score,
                band=self.rubric.bands.band(score),
                evidence=tuple(evidence.values()),
                tips=tuple(tips)[:2],
            )
        return merged

    def _result(
        self,
        text: str,
        criteria: dict[str, CriterionScore],
        flags: list[Flag],
        actions: tuple[ActionScore, ...],
    ) -> ScoreResult:
        overall = self._overall(criteria)
        if self.rubric.not_english and (code := language.foreign(text)):
            name = language.language_name(code)
            message = _fill(self.rubric.not_english, language=name)
            flags = [Flag(code="not_english", message=message), *flags]
        return ScoreResult.model_construct(
            text=text,
            rubric=self.rubric.name,
            rubric_version=self.rubric.version,
            overall=overall,
            band=self.rubric.bands.band(overall),
            criteria=criteria,
            flags=tuple(flags),
            actions=actions,
        )


class _Examples:
    """The sector's examples for tips, worked out only if a tip asks for them; `wanted`
    is False when no tips are wanted at all (a rewrite being checked)."""

    def __init__(self, text: str, sector: str | None, wanted: bool = True):
        self._text, self._sector, self.wanted = text, sector, wanted
        self._values: dict[str, str] | None = None

    def values(self) -> dict[str, str]:
        if self._values is None:
            sectors = load_sectors()
            ex = sectors.get(self._sector or sectors.detect(self._text))
            self._values = {"eg_who": ex.who, "eg_gain": ex.gain, "eg_stretch": ex.stretch}
        return self._values


def _missing_tip(doc: Doc, template: str, eg: _Examples) -> str:
    """A tip for what the draft lacks, in its own words ({action}) and its sector's
    examples ({eg_who}, {eg_gain}, {eg_stretch})."""
    if "{" not in template:
        return template
    values = eg.values() if "{eg_" in template else {}
    action = _action(doc.raw, doc.norm) if "{action}" in template else ""
    return _fill(template, action=action, **values)


@lru_cache(maxsize=4096)
def _action(raw: str, norm: str) -> str:
    """What the draft does, in its own words: the main verb and a few words after it."""
    r = language.read(norm)
    ws = r.words
    if not ws:
        return raw.strip()
    verb = language.action(r, frozenset())  # past "will", "try to", "don't just"
    start = ws.index(verb) if verb is not None else (r.verb if r.verb is not None else 0)
    end = start
    while end < len(ws) - 1 and end - start < 4:
        gap = norm[ws[end].end : ws[end + 1].start]
        if any(ch in gap for ch in ",;:.—–("):
            break
        end += 1
    while end > start and ws[end].lower in language.FUNCTION_WORDS:
        end -= 1  # "provide solutions to" -> "provide solutions"
    return raw[ws[start].start : ws[end].end]


# A response time belongs to the action it follows; a date or a cadence is shared.
_RESPONSE_TIME = re.compile(r"(?i)(?:within|in under|in less than|inside)\b")

_REFERS_BACK = re.compile(
    r"(?i)(?:to\s+)?(?:i\s+(?:will\s+)?)?[\w']+\s+(?:[\w']+\s+){0,2}?"
    r"(?:it|them|they|their|this|these|those)\b(?!\s+(?:is|are|was)\b)"
)


def _refers_back(after: str) -> bool:
    """An action whose object points back at the one before ("log it", "share them")."""
    return _REFERS_BACK.match(after) is not None


@lru_cache(maxsize=4096)
def _family(match: str) -> str:
    """The word family of a match's last word ("delighted" and "delightful" are one)."""
    last = match.lower().split()[-1] if match.strip() else ""
    return language.root(language.lemma(last))


@lru_cache(maxsize=4)
def get_scorer(rubric: str) -> Scorer:
    return Scorer(load_rubric(rubric))


@lru_cache(maxsize=4096)
def score_text(
    text: str, rubric: str = "mission", mission: str | None = None, sector: str | None = None
) -> ScoreResult:
    """Cached scoring: the same text always gets the same (immutable) result."""
    return get_scorer(rubric).score(text, mission, sector=sector)
