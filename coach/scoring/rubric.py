"""Rubrics as data: `rubrics/*.toml` loaded into frozen, strict pydantic models.

The check kinds form a small closed set (see `coach/checks.py`); every word list,
threshold, message and tip lives in the TOML file.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from functools import cached_property, lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from coach.errors import RubricError

# rubrics/ stays at the top level for the people who edit it; coach/rubrics links to it, so
# it ships inside the wheel and loads the same way from a checkout or an install.
RUBRIC_DIR: Traversable = files("coach") / "rubrics"
RubricName = Literal["mission", "commitment", "image", "strengths", "recommendation"]
RUBRIC_NAMES: tuple[RubricName, ...] = get_args(RubricName)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _CheckBase(_Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    mode: Literal["penalise", "reward", "note"] = "penalise"
    points: float = Field(ge=0)
    cap: float = Field(ge=0)
    message: str
    tip: str = ""
    # Used when a tip needs {fixed} but the match has no known replacement.
    tip_nofix: str = ""
    # For reward checks: the tip shown when the check finds nothing.
    tip_missing: str = ""
    # A check reports nothing when any of these checks (full ids) fired, e.g.
    # the commitment 'linked' fallback is silent when the mission overlap fired.
    silent_if: tuple[str, ...] = ()
    should_flag: tuple[str, ...] = ()
    should_pass: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _tips_present(self) -> _CheckBase:
        if self.mode == "penalise" and not self.tip:
            raise ValueError(f"check {self.id!r} penalises but has no tip")
        if self.mode == "reward" and not self.tip_missing:
            raise ValueError(f"check {self.id!r} rewards but has no tip_missing")
        return self


class _MatchingCheck(_CheckBase):
    """Fields shared by the checks that find spans of text."""

    # Matches inside one of these phrases do not count ('not only', 'no matter').
    unless: tuple[str, ...] = ()
    # Matches overlapping hits of these checks do not count.
    unless_checks: tuple[str, ...] = ()
    # Count each distinct matched text once, or every occurrence.
    distinct: bool = True


class PhrasesCheck(_MatchingCheck):
    """Words or phrases; a trailing '*' matches any ending ('customer*')."""

    kind: Literal["phrases"]
    items: tuple[str, ...] = Field(min_length=1)
    replacements: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fix_available(self) -> PhrasesCheck:
        if "{fixed}" in self.tip and not self.tip_nofix:
            missing = [i for i in self.items if i.lower() not in self.replacements]
            if missing:
                raise ValueError(
                    f"check {self.id!r}: tip uses {{fixed}} but {missing[:3]} have no "
                    "replacement; add replacements or tip_nofix"
                )
        return self


class RegexCheck(_MatchingCheck):
    """Regular expressions, matched against the lowercased text: write literals in lowercase."""

    kind: Literal["regex"]
    patterns: tuple[str, ...] = Field(min_length=1)
    # The tip's rewrite deletes the match (an escape clause such as ", where feasible").
    remove: bool = False

    @model_validator(mode="after")
    def _lowercase_literals(self) -> RegexCheck:
        for p in self.patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"check {self.id!r}: bad pattern {p!r}: {exc}") from exc
            if any(ch.isupper() for ch in re.sub(r"\\.", "", p)):
                raise ValueError(
                    f"check {self.id!r}: pattern {p!r} has uppercase letters; "
                    "patterns match lowercased text, so write them in lowercase"
                )
        return self


class PassiveCheck(_CheckBase):
    """A form of 'to be' (or 'get'), an optional adverb, then a past participle."""

    kind: Literal["passive"]
    auxiliaries: tuple[str, ...] = Field(min_length=1)
    irregular: tuple[str, ...] = ()
    # '-ed' words that are adjectives after 'be' ('we are committed to').
    not_participles: tuple[str, ...] = ()


class SentencesCheck(_CheckBase):
    """More than `max` sentences; short pieces are reported as fragments."""

    kind: Literal["sentences"]
    max: int = Field(default=1, ge=1)
    fragment_words: int = Field(default=4, ge=1)
    # A short piece that starts with one of these is a sentence ("We smile."), not a fragment.
    subjects: tuple[str, ...] = ()
    fragment_message: str


class WordCountCheck(_CheckBase):
    kind: Literal["word_count"]
    min: int = Field(ge=0)
    max: int = Field(ge=1)
    per_word_over: float = Field(ge=0)
    short_message: str
    short_tip: str


class ReadabilityBand(_Frozen):
    below: float
    points: float = Field(ge=0)


class ReadabilityCheck(_CheckBase):
    """Flesch reading ease below a band's threshold costs that band's points."""

    kind: Literal["readability"]
    bands: tuple[ReadabilityBand, ...] = Field(min_length=1)
    min_words: int = Field(default=6, ge=1)


class MissionOverlapCheck(_CheckBase):
    """Content words shared with the mission text, when one is given."""

    kind: Literal["mission_overlap"]
    stopwords: tuple[str, ...] = ()


class EchoCheck(_CheckBase):
    """Reports other checks' hits under this criterion (e.g. hyperbole under stretching)."""

    kind: Literal["echo"]
    sources: tuple[str, ...] = Field(min_length=1)


class StructureCheck(_CheckBase):
    """What the linguistic reading finds (coach.scoring.language), not a word list:
    `fragment` (no one doing anything: not a sentence), `agreement` (the main verb does
    not fit its subject: "We be", "Our team serve"), `repetition` (a content word family
    used `min_repeats` times or more: each use past the first counts), `action` (the
    verb that says what is done, past "will", "promise to" and the like, is a real action
    verb, not one of `weak_verbs`: "Our team serves", "I promise to restock"), `subject`
    (who the sentence is about is one of `subjects`: "Tenants who report damp will ...")."""

    kind: Literal["structure"]
    feature: Literal["fragment", "agreement", "repetition", "action", "subject"]
    min_repeats: int = Field(default=3, ge=2)
    # For `action`: verbs (lemmas) that do not count as a concrete action.
    weak_verbs: tuple[str, ...] = ()
    # For `subject`: words (a trailing * for any ending) the subject may be.
    subjects: tuple[str, ...] = ()


Check = Annotated[
    PhrasesCheck
    | RegexCheck
    | PassiveCheck
    | SentencesCheck
    | WordCountCheck
    | ReadabilityCheck
    | MissionOverlapCheck
    | EchoCheck
    | StructureCheck,
    Field(discriminator="kind"),
]


class Criterion(_Frozen):
    name: str = Field(pattern=r"^[a-z][a-z_]*$")
    label: str
    question: str
    weight: float = Field(gt=0)
    base: float = Field(ge=0, le=100)
    strong_note: str = ""
    checks: tuple[Check, ...] = Field(min_length=1)


class Bands(_Frozen):
    fair: float = 40
    strong: float = 70

    def band(self, score: float) -> str:
        if score >= self.strong:
            return "strong"
        return "fair" if score >= self.fair else "weak"


class FlagRule(_Frozen):
    code: str
    message: str
    when_any: tuple[str, ...] = Field(min_length=1)


class SplitRule(_Frozen):
    """How a commitment line is split into actions."""

    preamble: str
    connectors: tuple[str, ...]
    verbs: tuple[str, ...]
    message: str
    # Checks whose words the last action shares with the ones before it when they lack
    # them ("I will call back and thank every caller within 2 hours": both are timed).
    shared_checks: tuple[str, ...] = ()


class Rubric(_Frozen):
    name: RubricName
    version: str
    title: str
    max_chars: int = Field(gt=0)
    bands: Bands = Bands()
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    flags: tuple[FlagRule, ...] = ()
    split: SplitRule | None = None
    # Diminishing returns on rewards, per criterion: the n-th rewarded word family earns
    # this share of its points (the last share repeats). A word family already rewarded
    # in the criterion ("delight", "delighted", "delightful") earns nothing again.
    reward_decay: tuple[float, ...] = Field(default=(1.0,), min_length=1)
    # Shown when a draft is not in English ({language}): the rubric reads English only.
    not_english: str = ""
    # Filled by the loader: a hash of the file, so caches key on content.
    digest: str = ""

    @model_validator(mode="after")
    def _references_resolve(self) -> Rubric:
        ids = {f"{c.name}.{k.id}" for c in self.criteria for k in c.checks}
        if len(ids) != sum(len(c.checks) for c in self.criteria):
            raise ValueError("check ids must be unique within a criterion")
        for c in self.criteria:
            for k in c.checks:
                for ref in (*check_refs(k), *k.silent_if):
                    if ref not in ids:
                        raise ValueError(f"{c.name}.{k.id} refers to unknown check {ref!r}")
        for f in self.flags:
            for ref in f.when_any:
                if ref not in ids:
                    raise ValueError(f"flag {f.code!r} refers to unknown check {ref!r}")
        self.check_order()  # raises on a reference cycle
        return self

    def check_order(self) -> list[str]:
        """Full check ids, each after the checks its hits depend on."""
        deps = {f"{c.name}.{k.id}": check_refs(k) for c in self.criteria for k in c.checks}
        order: list[str] = []
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(cid: str) -> None:
            if state.get(cid) == 2:
                return
            if state.get(cid) == 1:
                raise ValueError(f"checks refer to each other in a cycle through {cid!r}")
            state[cid] = 1
            for ref in deps[cid]:
                visit(ref)
            state[cid] = 2
            order.append(cid)

        for cid in deps:
            visit(cid)
        return order

    def criterion(self, name: str) -> Criterion:
        for c in self.criteria:
            if c.name == name:
                return c
        raise KeyError(name)


class SectorExamples(_Frozen):
    label: str
    who: str
    gain: str
    stretch: str


class Sector(SectorExamples):
    name: str = Field(pattern=r"^[a-z][a-z_]*$")
    keywords: tuple[str, ...] = Field(min_length=1)


class Sectors(_Frozen):
    """Tip examples per sector (rubrics/sectors.toml)."""

    default: SectorExamples
    sectors: tuple[Sector, ...] = ()

    def get(self, name: str | None) -> SectorExamples:
        return next((s for s in self.sectors if s.name == name), self.default)

    @cached_property
    def _index(self) -> tuple[dict[str, list[str]], dict[str, list[tuple[str, str]]]]:
        """Keywords by exact word (or two-word phrase), and '*' stems by first 3 letters."""
        exact: dict[str, list[str]] = {}
        stems: dict[str, list[tuple[str, str]]] = {}
        for sec in self.sectors:
            for k in sec.keywords:
                k = k.lower()
                if k.endswith("*"):
                    stem = k[:-1]
                    stems.setdefault(stem[:3], []).append((stem, sec.name))
                else:
                    exact.setdefault(k, []).append(sec.name)
        return exact, stems

    def detect(self, text: str) -> str | None:
        """The sector whose keywords `text` uses most (the first listed wins a tie)."""
        words = re.findall(r"[a-zà-ÿ][a-zà-ÿ'-]*", text.lower())
        counts: dict[str, int] = {}
        for i, w in enumerate(words):
            names = self._sectors_of(w)
            if i + 1 < len(words):
                names = names | self._sectors_of(f"{w} {words[i + 1]}")
            for name in names:
                counts[name] = counts.get(name, 0) + 1
        if not counts:
            return None
        order = {s.name: i for i, s in enumerate(self.sectors)}
        return min(counts, key=lambda n: (-counts[n], order[n]))

    @cached_property
    def _memo(self) -> dict[str, frozenset[str]]:
        return {}

    def _sectors_of(self, word: str) -> frozenset[str]:
        """The sectors a word (or two-word phrase) is a keyword of, remembered per word."""
        found = self._memo.get(word)
        if found is None:
            exact, stems = self._index
            names = set(exact.get(word, ()))
            if " " not in word:
                names.update(
                    name for stem, name in stems.get(word[:3], ()) if word.startswith(stem)
                )
            found = frozenset(names)
            if len(self._memo) < 50_000:
                self._memo[word] = found
        return found


@lru_cache(maxsize=1)
def load_sectors() -> Sectors:
    source = RUBRIC_DIR / "sectors.toml"
    raw = source.read_bytes()
    try:
        return Sectors.model_validate(tomllib.loads(raw.decode("utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValidationError) as exc:
        raise RubricError(f"{source} is not a valid sectors file: {exc}") from exc


def check_refs(check: Check) -> tuple[str, ...]:
    """The checks whose hits this check reads."""
    if isinstance(check, EchoCheck):
        return check.sources
    return tuple(getattr(check, "unless_checks", ()))


def parse_rubric(raw: bytes, source: str = "<data>") -> Rubric:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        data["digest"] = hashlib.sha256(raw).hexdigest()[:12]
        return Rubric.model_validate(data)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RubricError(f"{source} is not valid TOML: {exc}. Fix the file and reload.") from exc
    except ValidationError as exc:
        raise RubricError(f"{source} does not match the rubric schema:\n{exc}") from exc


@lru_cache(maxsize=8)
def load_rubric(name: str, directory: Path | Traversable | None = None) -> Rubric:
    """Load `rubrics/<name>.toml` once per process."""
    path = (directory or RUBRIC_DIR) / f"{name}.toml"
    if name not in RUBRIC_NAMES:
        raise RubricError(f"Unknown rubric {name!r}: choose one of {', '.join(RUBRIC_NAMES)}.")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RubricError(f"Cannot read rubric file {path}: {exc.strerror}.") from exc
    return parse_rubric(raw, str(path))
