from __future__ import annotations

from coach.scoring.readability import flesch_reading_ease, syllables
from coach.scoring.text import normalise, sentences, stem, words


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text)]


def test_sentences_split_on_terminal_punctuation_and_line_breaks() -> None:
    assert _sentences("We serve. We care!  Why?\nNew line") == [
        "We serve.",
        "We care!",
        "Why?",
        "New line",
    ]


def test_abbreviations_do_not_end_sentences() -> None:
    assert _sentences("Acme Inc. serves e.g. hotels. Dr. Who agrees.") == [
        "Acme Inc. serves e.g. hotels.",
        "Dr. Who agrees.",
    ]


def test_normalise_keeps_offsets() -> None:
    text = "We’re “here”"
    assert len(normalise(text)) == len(text)
    assert [t.text for t in words(text)] == ["We're", "here"]


def test_stem_meets_word_forms() -> None:
    assert stem("customers") == stem("customer") == stem("customer's")
    assert stem("serving") == stem("serve") == stem("served")
    assert stem("communities") == stem("community")


def test_syllables_of_known_words() -> None:
    expected = {"cat": 1, "service": 2, "customer": 3, "every": 3, "organisation": 5}
    assert {w: syllables(w) for w in expected} == expected


def test_flesch_reading_ease_follows_the_formula() -> None:
    # 3 words, 1 sentence, 3 syllables: 206.835 - 1.015*3 - 84.6*1
    assert flesch_reading_ease("The cat sat.") == round(206.835 - 3.045 - 84.6, 2)
    assert flesch_reading_ease("") == 0.0
    assert flesch_reading_ease("We help you.") > flesch_reading_ease(
        "Organisational institutionalisation necessitates comprehensive reconsideration."
    )


def test_single_sentence_fast_path_agrees_with_the_general_splitter() -> None:
    from bench.evaluate import PAIRS_DIR, load_pairs
    from coach.scoring.text import split_sentences

    texts = [
        t
        for f in ("mission_dev", "commitment_dev")
        for p in load_pairs(PAIRS_DIR / f"{f}.tsv")
        for t in (p.better, p.worse)
    ]
    texts += ["We serve.  ", '  "We serve."', "We serve!)", "", "   ", "No end"]
    for t in texts:
        assert sentences(t) == split_sentences(normalise(t)), t
