"""A light linguistic layer: word classes, lemmas, inflection, and the shape of a statement.

Word classes and lemmas for open-class words come from LemmInflect's lexicon, which ships
inside its package (nothing is downloaded); function words come from the closed lists
below. On top of them a small rule-based reading finds what a one-sentence statement is
made of: who acts (the subject), what they do (the main verb, and whether it agrees with
the subject), whether it is a sentence at all, and which content words repeat.

No statistical tagger is used: the only offline English models that a package registry
carries are unofficial re-uploads of spaCy's weights, which this project does not use.
Statements are short and mostly "We <verb> <whom> <how>", so lexicon plus rules reads
them well enough, and it costs tens of microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from lemminflect import getAllLemmas, getInflection

from coach.scoring.text import WORD_RE, normalise

PRONOUNS_PLURAL = frozenset({"we", "they", "you"})
PRONOUNS_SINGULAR = frozenset(
    {"he", "she", "it", "everyone", "everybody", "nobody", "someone", "anyone", "anybody"}
)
POSSESSIVES = frozenset({"our", "their", "your", "its", "my", "his", "her"})
DETERMINERS = frozenset(
    {"the", "a", "an", "every", "each", "all", "any", "some", "no", "this", "that", "these"}
    | {"those", "both", "either", "neither", "another", "such", "whichever", "whatever"}
)
PREPOSITIONS = frozenset(
    {"in", "on", "at", "by", "for", "with", "to", "from", "of", "into", "within", "without"}
    | {"before", "after", "across", "through", "throughout", "over", "under", "about"}
    | {"per", "than", "until", "since", "during", "beyond", "toward", "towards", "among"}
    | {"between", "upon", "via", "onto", "inside", "outside", "around", "near", "behind"}
)
CONJUNCTIONS = frozenset({"and", "or", "but", "nor", "yet", "so", "then", "plus"})
SUBORDINATORS = frozenset(
    {"because", "when", "while", "if", "whenever", "wherever", "unless", "whether"}
    | {"although", "though", "as", "once", "where", "who", "which", "whom", "whose", "that"}
)
BE = {"am": "1s", "is": "3s", "are": "p", "was": "past", "were": "past"}
AUXILIARIES = frozenset(
    {"is", "are", "am", "was", "were", "has", "have", "had", "do", "does", "don't", "doesn't"}
)
MODALS = frozenset(
    {"will", "would", "can", "could", "shall", "should", "may", "might", "must", "won't"}
    | {"can't", "cannot", "we'll", "i'll"}
)
NEGATIONS = frozenset({"not", "never"})
# Inside a noun phrase, words far more often a noun than the verb LemmInflect also allows
# ("our care team", "every customer service desk").
NOT_VERBS = frozenset(
    {"every", "people", "customer", "customers", "guest", "guests", "patient", "patients"}
    | {"team", "service", "services", "care", "welcome", "home", "family", "families"}
    | {"member", "members", "staff", "time", "day", "days", "way", "ways", "first", "best"}
    | {"world", "community", "experience", "experiences", "quality", "right", "own"}
)
CONTRACTED = {
    "we're": "plural",
    "we'll": "plural",
    "we've": "plural",
    "i'm": "first",
    "i'll": "first",
    "i've": "first",
    "they're": "plural",
}
FUNCTION_WORDS = (
    PRONOUNS_PLURAL
    | PRONOUNS_SINGULAR
    | POSSESSIVES
    | DETERMINERS
    | PREPOSITIONS
    | CONJUNCTIONS
    | SUBORDINATORS
    | AUXILIARIES
    | MODALS
    | NEGATIONS
    | {"i", "us", "them", "me", "be", "been", "being", "not", "more", "most", "very", "too"}
    | {"also", "just", "only", "even", "ever", "always", "there", "here", "it's", "one"}
    | set(CONTRACTED)
)


# Words that may stand between a subject and its verb ("we no longer keep", "we always").
BETWEEN = frozenset(
    {"never", "not", "no", "longer", "always", "also", "just", "only", "still", "already"}
    | {"really", "truly", "now", "soon", "even", "ever", "often", "all", "both", "each"}
)


class Word(NamedTuple):  # a tuple: built for every word of every statement, cheaply
    text: str
    lower: str
    start: int
    end: int
    classes: frozenset[str]  # NOUN, VERB, ADJ, ADV (open) or FUNC
    lemma: str

    @property
    def content(self) -> bool:
        return "FUNC" not in self.classes


@dataclass(frozen=True, slots=True)
class Reading:
    """What a statement is made of, as far as the rules can tell."""

    words: tuple[Word, ...]
    subject: tuple[int, int] | None  # word indices [start, end) of who acts
    subject_number: str  # "singular", "plural", "first" (I), or ""
    verb: int | None  # index of the main (finite) verb, or of the infinitive after "To"
    agrees: bool  # the main verb's form fits its subject
    infinitive: bool  # "To delight every guest ...": a mission in the infinitive
    repeats: dict[str, int] = field(default_factory=dict)  # content root -> times (>= 2)

    @property
    def sentence(self) -> bool:
        """A statement with someone doing something (or a "To ..." mission)."""
        return self.verb is not None and (self.agrees or self.infinitive)

    @property
    def subject_text(self) -> str:
        if self.subject is None:
            return ""
        s, e = self.subject
        return " ".join(w.text for w in self.words[s:e])

    @property
    def verb_word(self) -> Word | None:
        return None if self.verb is None else self.words[self.verb]


@lru_cache(maxsize=16384)
def _classes(lower: str) -> tuple[frozenset[str], str]:
    if lower in FUNCTION_WORDS:
        return frozenset({"FUNC"}), lower
    found = getAllLemmas(lower)
    if not found:
        found = getAllLemmas(lower.rstrip("'s")) if lower.endswith("'s") else {}
    classes = {c for c in found if c in ("NOUN", "VERB", "ADJ", "ADV", "PROPN", "AUX")}
    classes = {"NOUN" if c == "PROPN" else "VERB" if c == "AUX" else c for c in classes}
    if not classes:
        classes = {"NOUN", "UNKNOWN"}  # not in the lexicon ("reshelve"): context decides
    lemma = ""
    for c in ("VERB", "NOUN", "ADJ", "ADV", "PROPN", "AUX"):
        if c in found:
            lemma = found[c][0]
            break
    return frozenset(classes), (lemma or lower)


def lemma(word: str) -> str:
    return _classes(word.lower())[1]


def root(lemma: str) -> str:
    """A word family: 'delight', 'delighted', 'delightful' and 'delightfully' meet."""
    return lemma[:6] if len(lemma) > 6 else lemma


def words_of(text: str) -> tuple[Word, ...]:
    out = []
    for m in WORD_RE.finditer(normalise(text)):
        word = m.group()
        lower = word.lower()
        classes, lemma = _classes(lower)
        out.append(Word(word, lower, m.start(), m.end(), classes, lemma))
    return tuple(out)


def _verb_form(w: Word) -> frozenset[str]:
    """The finite forms this word can be: "base" (we serve), "s" (she serves), "past"."""
    return _forms_of(w.lower, w.lemma, "VERB" in w.classes)


@lru_cache(maxsize=16384)
def _forms_of(lower: str, lemma: str, verb: bool) -> frozenset[str]:
    if lower in BE:
        return frozenset(
            {"base" if BE[lower] in ("p", "1s") else "s" if BE[lower] == "3s" else "past"}
        )
    if lower in MODALS:
        return frozenset({"base", "s", "past"})  # a modal fits any subject
    if lower in ("has", "does", "doesn't"):
        return frozenset({"s"})
    if lower in ("have", "do", "don't"):
        return frozenset({"base"})
    if lower == "had":
        return frozenset({"past"})
    if not verb:
        return frozenset()
    forms = set()
    for tag, form in (("VBP", "base"), ("VB", "base"), ("VBZ", "s"), ("VBD", "past")):
        if lower in getInflection(lemma, tag=tag):
            forms.add(form)
    return frozenset(forms)


def _number(head: Word, first: Word) -> str:
    if first.lower == "i":
        return "first"
    if head.lower in PRONOUNS_PLURAL:
        return "plural"
    if head.lower in PRONOUNS_SINGULAR:
        return "singular"
    plural = head.lower != head.lemma and head.lower.endswith("s") and "NOUN" in head.classes
    return "plural" if plural or head.lower in ("people", "children", "staff") else "singular"


def _fits(forms: frozenset[str], number: str) -> bool:
    if "past" in forms:
        return True
    if number == "singular":
        return "s" in forms
    return "base" in forms


def _clause_start(ws: tuple[Word, ...], text: str) -> int:
    """Skip an opening phrase ("At our hotel, ...", "Together, ...", "When X, ...")."""
    if not ws:
        return 0
    first = ws[0].lower
    opening = first in PREPOSITIONS or first in SUBORDINATORS or "ADV" in ws[0].classes
    if not opening or first in ("to", "that", "who", "which"):
        return 0
    comma = text.find(",", ws[0].end)
    if comma < 0:
        return 0
    for i, w in enumerate(ws):
        if w.start > comma:
            return i if i < len(ws) - 1 else 0
    return 0


@lru_cache(maxsize=8192)
def read(text: str) -> Reading:
    """The reading of one statement; cached, so scoring and tips share it."""
    ws = words_of(text)
    counts: dict[str, int] = {}
    for w in ws:
        if len(w.lower) > 2 and "FUNC" not in w.classes:
            key = w.lemma[:6]  # root(), inlined: this loop runs for every word
            counts[key] = counts.get(key, 0) + 1
    repeats = {k: n for k, n in counts.items() if n >= 2}
    if not ws:
        return Reading(ws, None, "", None, False, False, repeats)
    start = _clause_start(ws, text)
    w = ws[start]
    if w.lower == "to":  # "To delight every guest", "To be the first choice"
        k = start + 1
        while k < len(ws) and "ADV" in ws[k].classes and "VERB" not in ws[k].classes:
            k += 1  # "To responsibly and safely deliver"
            if k < len(ws) and ws[k].lower == "and":
                k += 1
        if k < len(ws) and ("VERB" in ws[k].classes or ws[k].lower in ("be", "being")):
            return Reading(ws, None, "", k, True, True, repeats)
    if w.lower in CONTRACTED:  # "We're a team that ...", "We'll answer ..."
        return Reading(ws, (start, start + 1), CONTRACTED[w.lower], start, True, False, repeats)
    if _imperative(ws, start):  # "Organize the world's information", "Spread ideas"
        return Reading(ws, None, "", start, True, True, repeats)
    return _subject_and_verb(ws, start, repeats)


def _imperative(ws: tuple[Word, ...], i: int) -> bool:
    """A mission in the imperative: a base-form verb first, then what it acts on."""
    w = ws[i]
    if w.lower == "be":
        return True
    if "VERB" not in w.classes or w.lower in NOT_VERBS or "base" not in _verb_form(w):
        return False
    nxt = ws[i + 1] if i + 1 < len(ws) else None
    if nxt is None:
        return False
    if nxt.lower in DETERMINERS or nxt.lower in POSSESSIVES or nxt.lower in ("and", "us"):
        return True
    if w.lower in ("help", "let", "make") and "VERB" in nxt.classes:
        return True  # "Help create a world where ..."
    # "Spread ideas", "Inspire grown-ups": a plural noun, not a verb, follows.
    return "NOUN" in nxt.classes and "VERB" not in nxt.classes and w.lower != w.lemma + "s"


def _subject_and_verb(ws: tuple[Word, ...], start: int, repeats: dict[str, int]) -> Reading:
    i = start
    # The subject: a pronoun, or a noun phrase up to its last noun before the verb.
    first = ws[i]
    if first.lower in ("we", "i", "they", "you", "he", "she", "it") or first.lower in (
        PRONOUNS_SINGULAR
    ):
        subject, head = (i, i + 1), first
        j = i + 1
    else:
        j = i
        while j < len(ws) and (ws[j].lower in DETERMINERS or ws[j].lower in POSSESSIVES):
            j += 1
        if j >= len(ws) or ws[j].lower in FUNCTION_WORDS:
            return Reading(ws, None, "", None, False, False, repeats)
        head = ws[j]
        j += 1
        # Compound nouns and adjectives: the head is the last noun before a verb that fits.
        while j < len(ws):
            w = ws[j]
            if w.lower in ("and", "or", "of", "&") and j + 1 < len(ws) and j > i:
                nxt = ws[j + 1]  # "Our nurses and doctors", "The mission of CHS"
                if (
                    nxt.lower in DETERMINERS
                    or nxt.lower in POSSESSIVES
                    or (nxt.content and "NOUN" in nxt.classes)
                ):
                    j += 2 if nxt.content else 3
                    if j - 1 < len(ws) and ws[j - 1].content:
                        head = ws[j - 1] if w.lower != "of" else head
                    continue
            if w.lower in FUNCTION_WORDS or w.lower in MODALS:
                break
            verb_here = (
                "VERB" in w.classes
                and w.lower not in NOT_VERBS
                and (_fits(_verb_form(w), _number(head, first)) or _object_follows(ws, j))
            )
            if verb_here and ("NOUN" not in w.classes or not _could_continue(ws, j)):
                break
            if "NOUN" not in w.classes and "ADJ" not in w.classes:
                break
            head = w
            j += 1
        subject = (i, j)
    number = _number(head, first)
    if j < len(ws) and ws[j].lower in ("who", "that", "which", "whose"):
        # "Anyone who wants to leave us can do it": past the relative clause, the verb.
        for k in range(j + 2, min(len(ws), j + 14)):
            w = ws[k]
            if w.lower in MODALS or w.lower in AUXILIARIES:
                j = k
                break
            if (
                "VERB" in w.classes
                and ws[k - 1].lower != "to"
                and w.lower not in NOT_VERBS
                and _fits(_verb_form(w), number)
                and "NOUN" not in ws[k - 1].classes - {"VERB"}
            ):
                j = k
                break
    if j < len(ws) and ws[j].lower in PREPOSITIONS and ws[j].lower != "to":
        # "Anyone in town can ...": a short phrase after the subject, then the verb.
        k = j + 1
        while k < len(ws) and k <= j + 5 and not _verbal(ws[k]):
            k += 1
        if k < len(ws) and _verbal(ws[k]) and ws[k - 1].lower not in DETERMINERS:
            j = k
    # The verb: modals and auxiliaries first ("we will", "every guest is"), skipping an
    # adverb or two ("we always", "we boldly").
    k = j
    while k < len(ws) and (
        ws[k].lower in BETWEEN or ("ADV" in ws[k].classes and "VERB" not in ws[k].classes)
    ):
        k += 1
    if k >= len(ws):
        return Reading(ws, subject, number, None, False, False, repeats)
    w = ws[k]
    if w.lower in MODALS or w.lower in AUXILIARIES:
        agrees = _fits(_verb_form(w), number) or w.lower in MODALS
        return Reading(ws, subject, number, k, agrees, False, repeats)
    if "VERB" not in w.classes and w.lower not in ("be", "being", "been"):
        return Reading(ws, subject, number, None, False, False, repeats)
    return Reading(ws, subject, number, k, _fits(_verb_form(w), number), False, repeats)


def _verbal(w: Word) -> bool:
    return w.lower in MODALS or w.lower in AUXILIARIES


def _object_follows(ws: tuple[Word, ...], j: int) -> bool:
    """ws[j] is followed by what starts an object ("serve every guest", "serve them")."""
    nxt = ws[j + 1] if j + 1 < len(ws) else None
    return nxt is not None and (
        nxt.lower in DETERMINERS or nxt.lower in POSSESSIVES or nxt.lower in ("us", "them")
    )


def _could_continue(ws: tuple[Word, ...], j: int) -> bool:
    """Whether ws[j] reads better as part of the noun phrase (then a verb follows)."""
    nxt = ws[j + 1] if j + 1 < len(ws) else None
    if nxt is None or nxt.lower in FUNCTION_WORDS:
        return False
    if "VERB" in nxt.classes and "NOUN" not in nxt.classes:
        return True
    # "Our ward nurses make every patient ...": a plural noun, then a verb that fits it
    # and an object after it.
    w = ws[j]
    plural = w.lower.endswith("s") and w.lower != w.lemma and "NOUN" in w.classes
    return (
        plural
        and "VERB" in nxt.classes
        and nxt.lower not in NOT_VERBS
        and "base" in _verb_form(nxt)
        and _object_follows(ws, j + 1)
    )


def inflect(lemma: str, number: str) -> str:
    """The present-tense form of `lemma` for a subject of this number."""
    if lemma in ("be", "is", "are", "am"):  # function words keep their own form as lemma
        return {"singular": "is", "first": "am"}.get(number, "are")
    if lemma in ("have", "has"):
        return "has" if number == "singular" else "have"
    if lemma in ("do", "does"):
        return "does" if number == "singular" else "do"
    forms = getInflection(lemma, tag="VBZ" if number == "singular" else "VBP")
    return forms[0] if forms else lemma


# Verbs that only introduce the action: "I promise to call", "we commit to answering".
INTRODUCERS = frozenset(
    {"promise", "commit", "pledge", "vow", "intend", "plan", "resolve", "aim", "want", "will"}
    | {"going", "am", "are", "is", "be", "shall", "hope", "try", "strive", "seek", "wish"}
)


def action(r: Reading, weak: frozenset[str]) -> Word | None:
    """The verb that says what is done ("Our team serves", "I promise to restock",
    "We will answer"), if it is a real action verb and not one of `weak`."""
    if r.verb is None or not (r.agrees or r.infinitive):
        return None
    ws = r.words
    i = r.verb
    for _ in range(6):  # past modals, "promise to", "commit to", "don't just", "always"
        w = ws[i]
        if w.lower in MODALS or w.lower in AUXILIARIES or w.lower in BETWEEN:
            i += 1
        elif w.lemma in INTRODUCERS and i + 1 < len(ws) and ws[i + 1].lower in ("to", "that"):
            i += 2
        elif w.lower in ("i", "we", "to", "that", "will", "myself") and i > r.verb:
            i += 1
        else:
            break
        if i >= len(ws):
            return None
    w = ws[i]
    after = ws[i - 1].lower if i > 0 else ""
    verbal = "VERB" in w.classes or (
        "UNKNOWN" in w.classes and (after in ("to", "will", "i", "we") or after in MODALS)
    )
    if not verbal or w.lemma in weak or w.lower in FUNCTION_WORDS:
        return None
    return w


# -- which language ------------------------------------------------------------------
# py3langid (BSD, a maintained fork of langid.py) ships its model inside the package
# (~4.6 MB); it is asked only when a text's words are mostly not English words, so
# English drafts never pay for it, and it is loaded on first use.
LANGUAGE_NAMES = {
    "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "nl": "Dutch",
    "pt": "Portuguese", "pl": "Polish", "sv": "Swedish", "da": "Danish", "no": "Norwegian",
    "fi": "Finnish", "cs": "Czech", "ro": "Romanian", "hu": "Hungarian", "tr": "Turkish",
    "el": "Greek", "ru": "Russian", "uk": "Ukrainian", "ar": "Arabic", "he": "Hebrew",
    "hi": "Hindi", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "id": "Indonesian",
    "ms": "Malay", "vi": "Vietnamese", "th": "Thai", "cy": "Welsh", "ga": "Irish",
}  # fmt: skip


@lru_cache(maxsize=1)
def _identifier() -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def english_share(text: str) -> float:
    """The share of a text's words (three letters or more) that are English words."""
    ws = [w for w in read(text).words if len(w.lower) > 2]
    if not ws:
        return 1.0
    return sum("UNKNOWN" not in w.classes for w in ws) / len(ws)


@lru_cache(maxsize=4096)
def foreign(text: str) -> str | None:
    """The language code of a text that is not English ("fr"), or None for English (or
    too little to tell)."""
    share = english_share(text)
    if share >= 0.75 or len(read(text).words) < 3:
        return None
    code, prob = _identifier().classify(text)  # type: ignore[attr-defined]
    if code == "en":
        return None
    return str(code) if prob >= 0.9 or share < 0.5 else None


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)
