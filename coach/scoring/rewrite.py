"""Rewrites built as the whole statement: spliced, tidied, and inflected for its subject.

A tip's rewrite is never a fragment glued into place: the whole statement is rebuilt,
read again (coach.scoring.language), its main verb made to agree with its subject
("Our hospital strives to provide" -> "Our hospital provides", "We aim to be" -> "We
are"), and only then re-scored by the scorer, which offers it only if it helps.
"""

from __future__ import annotations

import itertools
import re

from coach.scoring import language, text

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
    if not replacement:  # a clause cut from between two commas takes both with it
        out = re.sub(r",\s*,\s*", " ", out)
        out = re.sub(r",\s*([.;:!?]|$)", r"\1", out)
    out = _DOUBLE_COMMA.sub(",", _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", out)))
    out = out.strip()
    out = re.sub(r"^[,;:]\s*", "", out)
    if text[:1].isupper() and out[:1].islower():
        out = out[0].upper() + out[1:]
    return out


def whole(line: str, start: int, end: int, replacement: str) -> str | None:
    """The line with [start, end) replaced, rebuilt sentence by sentence: the sentence
    holding the change is spliced, its verb made to agree, and read again. None when
    that sentence no longer reads as one (the rewrite is then not offered)."""
    spans = text.sentences(line) or [(0, len(line))]
    ss, se = next(((a, b) for a, b in spans if a <= start < b), (0, len(line)))
    se = max(se, end)
    sentence = line[ss:se]
    before = language.read(sentence)
    verb = before.verb_word
    local = start - ss
    spliced = splice(sentence, local, end - ss, replacement)
    if not spliced:
        return None
    # A change at the main verb ("strives to provide") brings the next verb into its
    # place, to be inflected for the subject ("provides").
    at = local if verb is not None and verb.start == local else None
    new_sentence = agree(spliced, at, before.subject_number)
    if not grammatical(sentence, new_sentence):
        return None
    removed = sentence[local : end - ss].rstrip().lower()
    if removed.endswith(" to") and re.search(r"\b(?:and|or) to \w+ing\b", new_sentence):
        return None  # "dedicated to producing ... and to attracting": the second "to" dangles
    head = line[:ss]
    if ss == 0 and line[:1].isupper() and new_sentence[:1].islower():
        new_sentence = new_sentence[0].upper() + new_sentence[1:]
    return (head + new_sentence + line[se:]).strip()


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
                out, shift = text, 0
                # "producing and marketing" -> "produce and market": coordinated verbs too.
                for k in _coordinated(ws, i):
                    fixed = language.inflect(ws[k].lemma, number)
                    if fixed != ws[k].lower:
                        a, b = ws[k].start + shift, ws[k].end + shift
                        out = out[:a] + fixed + out[b:]
                        shift += len(fixed) - (b - a)
                return out
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


def _coordinated(ws: tuple[language.Word, ...], i: int) -> list[int]:
    """Index i, and the verbs joined to it by "and"/"or" in the same form ("-ing")."""
    out = [i]
    form = ws[i].lower.endswith("ing")
    k = i
    while k + 2 < len(ws) and ws[k + 1].lower in ("and", "or") and "VERB" in ws[k + 2].classes:
        if ws[k + 2].lower.endswith("ing") != form or not form:
            break
        out.append(k + 2)
        k += 2
    return out


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
