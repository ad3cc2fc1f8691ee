"""Hostile text in every field: nothing crashes, text is kept as documented, exports stay inert.

Every text a person can type is fuzzed with empty, huge, control characters, NUL, emoji,
right-to-left, markup and formula-like strings (hypothesis, derandomised so every run tries
the same examples). A refusal must be a clear InputError for a documented reason; any other
exception fails the test.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import streamlit
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from coach.bootstrap import Services, build
from coach.cli import main as cli
from coach.config import Settings
from coach.domain import themes
from coach.domain.codes import CODE_ALPHABET, CODE_LENGTH, parse_code
from coach.domain.reminders import to_ics
from coach.domain.types import QUESTIONS, Member
from coach.errors import InputError
from coach.exports import formats as ex
from coach.llm.protocol import LLMSettings
from coach.scoring import view
from coach.scoring.rubric import RUBRIC_NAMES, load_rubric
from coach.scoring.scorer import ScoreResult, score_text
from coach.service import record
from coach.service.commitments import STATUSES
from coach.service.workshops import LIMITS, NotFound
from tests.app.conftest import open_page, plain, texts

# derandomize: the same examples on every run, so a failure always reproduces; no example
# database is written into the repository.
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=100,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
FEW = settings(FUZZ, max_examples=30)  # whole workshops and CLI runs: slower per example

LONG = "x" * 10_000
SAMPLES: tuple[str, ...] = (
    "",
    " ",
    "\x00",
    "\x00abc",
    "We serve\x00 every guest.",
    "\u202e",
    "\u200f",
    "\u202eWe serve every guest.\u202c",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.invalid","x")',
    "+1",
    "-1",
    "@SUM(1)",
    "\tx",
    "\rx",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "**bold**",
    "_it_",
    "`code`",
    "[x](javascript:alert(1))",
    "![i](http://example.invalid/x.png)",
    "<http://example.invalid>",
    "# heading",
    "- item",
    "1. item",
    "> quote",
    "| a | b |",
    "'; DROP TABLE drafts; --",
    "😀",
    "👩🏽‍💻🚀🇫🇷",
    "مهمتنا أن نخدم كل عميل",
    "אנחנו משרתים כל לקוח",
    "{draft}",
    "{0}",
    "{match}",
    "%s",
    "%(x)s",
    "\\",
    "trailing backslash\\",
    "C:\\new\\table",
    "\n\n",
    "\r\n",
    "\u2028",
    "\u2029",
    "\x0b\x0c",
    "\x1c\x1d\x1e\x1f",
    "\x85",
    "\x1b[31mred\x1b[0m",
    "\x07",
    "\ufeff",
    "\ufffe\uffff",
    "_x003D_SUM(1)",
    "#N/A",
    "&amp; &lt;b&gt; &#60;",
    "İstanbul",
    "ß",
    "ﬀ",
    "e\u0301",
    "‘quoted’ “text”",
    "⟦marker⟧",
    # Commitment lines holding several actions (split into one commitment each).
    "I will call two clients by Friday and I will email my manager weekly",
    "I promise to call =cmd| by Friday, then email <b>them</b>\x07 and call 😀 weekly",
    "  I will call\u202e two clients and\tcall\x00 them again; then email **all**  ",
    LONG,
    "We serve every guest. " * 455,
    *("a" * n for n in (60, 61, 120, 121, 200, 201, 300, 301, 1000, 1001, 2000, 2001)),
)
SHORT_SAMPLES = tuple(s for s in SAMPLES if len(s) <= 100)
# Words the rubrics react to, so mixed strings also exercise evidence and action splitting.
WORDS = (
    "We ",
    "serve ",
    "every ",
    "guest",
    "customer ",
    "try to ",
    "maybe ",
    "always ",
    "best-in-class ",
    "I will ",
    "I'll ",
    "call ",
    "two clients ",
    "by Friday",
    " and ",
    ", then ",
    "email ",
    "my manager ",
    "weekly",
    ". ",
    "don’t ",
)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def hostile_text() -> st.SearchStrategy[str]:
    """Samples, any Unicode, control and format characters, and mixtures of them with words."""
    controls = st.characters(categories=("Cc", "Cf", "Zl", "Zp", "Zs"))
    fragment = st.one_of(
        st.sampled_from(SHORT_SAMPLES),
        st.sampled_from(WORDS),
        st.text(max_size=6),
        st.text(controls, max_size=3),
    )
    return st.one_of(
        st.sampled_from(SAMPLES),
        st.text(),  # the whole of Unicode (Python str cannot be fed lone surrogates by people)
        st.text(controls),
        st.lists(fragment, max_size=14).map("".join),
    )


def _clean(value: str) -> str:
    """The documented cleaning of one-line fields (notes, concerns)."""
    return " ".join(value.split())


# Names and titles also lose direction controls and invisible characters (README,
# Security): U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C, U+200B, U+2060, U+FEFF, U+00AD.
_NAME_DROPS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u2060\ufeff\u00ad]")


def _clean_name(value: str) -> str:
    return _clean(_NAME_DROPS.sub("", value))


def _attempt(
    action: Callable[[], Any], must_refuse: bool, values: Sequence[str]
) -> tuple[bool, Any]:
    """(accepted, result). A refusal must be an InputError with a documented reason: the
    rules refuse the value, or it holds a NUL and the message says so. Anything else fails."""
    try:
        out = action()
    except InputError as exc:
        event("refused")
        if not must_refuse:
            assert any("\x00" in v for v in values), f"refused without a reason: {exc}"
            assert "NUL" in str(exc), f"a NUL refusal must say so: {exc}"
        return False, None
    assert not must_refuse, "accepted what the rules refuse"
    event("accepted")
    return True, out


def _first(action: Callable[..., Any], *options: tuple[Any, ...]) -> Any:
    """The result of the first option the action accepts (the last one always fits)."""
    for i, args in enumerate(options[:-1]):
        with contextlib.suppress(InputError):
            out = action(*args)
            event(f"{getattr(action, 'func', action).__name__}: option {i + 1}")
            return out
    event(f"{getattr(action, 'func', action).__name__}: fallback")
    return action(*options[-1])


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """One SQLite store for the module (hypothesis runs many examples per test)."""
    db = tmp_path_factory.mktemp("fuzz") / "coach.db"
    return build(Settings(database_url=f"sqlite:///{db}", public_url=None), LLMSettings(None, None))


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("files")


# --- 1. scoring ----------------------------------------------------------------------------


def _assert_sound(result: ScoreResult, text: str, rubric: str) -> None:
    """The result describes this very text: scores in range, evidence pointing into it."""
    assert result.text == text and result.rubric == rubric
    assert 0 <= result.overall <= 100
    for criteria in (result.criteria, *(a.criteria for a in result.actions)):
        for c in criteria.values():
            assert 0 <= c.score <= 100
            for e in c.evidence:
                assert 0 <= e.start <= e.end <= len(text)
                assert text[e.start : e.end] == e.text, (e.check, e.text)
    for a in result.actions:
        assert 0 <= a.overall <= 100 and text[a.start : a.end] == a.text
    if "⟦" not in text and "⟧" not in text:  # what a page shows, markers aside, is the text
        assert plain(view.marked_text(text, view.all_evidence(result))) == text
    as_json = json.dumps(result.model_dump(mode="json"), ensure_ascii=False)  # as the CLI does
    assert json.loads(as_json)["text"] == text


@FUZZ
@given(
    text=hostile_text(),
    rubric=st.sampled_from(RUBRIC_NAMES),
    mission=st.none() | hostile_text(),
)
def test_scoring_gives_a_sound_result_or_a_clear_refusal(
    text: str, rubric: str, mission: str | None
) -> None:
    limit = load_rubric(rubric).max_chars
    try:
        result = score_text(text, rubric, mission)
    except InputError:
        event("refused")
        assert not text.strip() or len(text) > limit
        return
    assert text.strip() and len(text) <= limit
    event("several actions" if result.actions else "scored")
    _assert_sound(result, text, rubric)


@FEW
@given(
    lines=st.lists(hostile_text(), min_size=1, max_size=4),
    rubric=st.sampled_from(RUBRIC_NAMES),
    mission=hostile_text(),
)
def test_cli_score_answers_every_line(
    work_dir: Path, lines: list[str], rubric: str, mission: str
) -> None:
    one_line = [re.sub(r"[\r\n]", " ", s) for s in lines]  # a file line has no line break
    path = work_dir / "lines.txt"
    path.write_text("\n".join(one_line), encoding="utf-8", newline="")
    limit = load_rubric(rubric).max_chars
    expected = [s for s in one_line if s.strip()]
    for extra in ([], ["--json"]):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cli.main(
                ["score", str(path), "--rubric", rubric, f"--mission={mission}", *extra]
            )
        assert code == 0
    objects = [json.loads(x) for x in out.getvalue().split("\n") if x]
    assert [o["text"] for o in objects] == expected
    for o in objects:
        assert ("error" in o) == (len(o["text"]) > limit)


# --- 5. join codes and secrets in links ------------------------------------------------------


@FUZZ
@given(raw=hostile_text() | st.text(alphabet=CODE_ALPHABET + "oilOIL -\t", max_size=20))
def test_parse_code_refuses_with_input_error_only(svc: Services, raw: str) -> None:
    try:
        code = parse_code(raw)
    except InputError:
        with pytest.raises(InputError):
            svc.workshops.find(raw)
        return
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    with pytest.raises(NotFound):  # 60 random bits: no stored workshop has it
        svc.workshops.find(raw)


@pytest.fixture(scope="module")
def room(svc: Services) -> tuple[str, str]:
    w, key = svc.workshops.create("Hostile links")
    return w.code, key


@FUZZ
@given(secret=hostile_text())
def test_hostile_tokens_and_keys_open_nothing(
    svc: Services, room: tuple[str, str], secret: str
) -> None:
    workshop = svc.workshops.find(room[0])
    assert svc.workshops.member(workshop, secret) is None
    assert not svc.workshops.is_facilitator(workshop, secret)
    with pytest.raises(NotFound):
        svc.commitments.open(secret)


# --- 2. what the services store ---------------------------------------------------------------


@FUZZ
@given(name=hostile_text(), org=hostile_text(), focus=hostile_text())
def test_workshop_fields_are_cleaned_or_refused(
    svc: Services, name: str, org: str, focus: str
) -> None:
    must = (
        not _clean_name(name)
        or len(_clean_name(name)) > LIMITS["workshop name"]
        or len(_clean_name(org)) > LIMITS["organisation"]
        or len(_clean_name(focus)) > LIMITS["focus"]
    )
    ok, made = _attempt(lambda: svc.workshops.create(name, org, focus), must, (name, org, focus))
    if not ok:
        return
    w, key = made
    stored = svc.workshops.find(w.code)
    assert (stored.name, stored.organisation, stored.focus) == tuple(
        map(_clean_name, (name, org, focus))
    )
    assert svc.workshops.is_facilitator(stored, key)


@FUZZ
@given(name=hostile_text(), new=hostile_text())
def test_member_names_are_cleaned_or_refused(svc: Services, name: str, new: str) -> None:
    ws = svc.workshops
    w, key = ws.create("Names")
    too_long = len(_clean_name(name)) > LIMITS["member name"]
    joined_ok, joined = _attempt(lambda: ws.join(w.code, name), too_long, (name,))
    added_ok, added = _attempt(lambda: ws.add_member(w.code, key, name), too_long, (name,))
    stored = {m.id: m for m in svc.store.members(w.id)}
    for ok, member in ((joined_ok, joined and joined[1]), (added_ok, added)):
        if ok:
            assert stored[member.id].name == _clean_name(name)
            assert stored[member.id].display_name == (
                _clean_name(name) or f"Member {member.position}"
            )
    target: Member = added if added_ok else ws.add_member(w.code, key, "")
    too_long = len(_clean_name(new)) > LIMITS["member name"]
    ok, _ = _attempt(lambda: ws.rename(w.code, key, target.id, new), too_long, (new,))
    name_now = {m.id: m.name for m in svc.store.members(w.id)}[target.id]
    assert name_now == (_clean_name(new) if ok else target.name)


@FUZZ
@given(text=hostile_text(), again=hostile_text())
def test_drafts_are_stored_verbatim_or_refused(svc: Services, text: str, again: str) -> None:
    ws = svc.workshops
    w, _ = ws.create("Drafts")
    _, m = ws.join(w.code, "")
    refused = not text.strip() or len(text) > 1000
    ok, sub = _attempt(lambda: ws.submit(w.code, m.token, text, "n1"), refused, (text,))
    draft = ws.own_draft(w, m)
    if ok:
        assert sub.created and sub.version.text == text and sub.result.text == text
        assert draft is not None and [v.text for v in draft.versions] == [text]
        repeat = ws.submit(w.code, m.token, text, "n2")  # the same words again: no new version
        assert not repeat.created
    else:
        assert draft is None
    refused = not again.strip() or len(again) > 1000
    ok2, sub2 = _attempt(lambda: ws.submit(w.code, m.token, again, "n3"), refused, (again,))
    draft = ws.own_draft(w, m)
    versions = [v.text for v in draft.versions] if draft else []
    expected = [text] if ok else []
    if ok2:
        assert sub2.created == (again != text)
        expected += [again] if again != text else []
    assert versions == expected


@pytest.fixture(scope="module")
def gathering(svc: Services) -> tuple[str, str]:
    """A workshop whose round 1 gathers candidates."""
    w, key = svc.workshops.create("Candidates")
    return w.code, key


@FUZZ
@given(text=hostile_text())
def test_merged_candidates_are_stored_verbatim_or_refused(
    svc: Services, gathering: tuple[str, str], text: str
) -> None:
    code, key = gathering
    refused = not text.strip() or len(text) > 1000
    ok, cand = _attempt(
        lambda: svc.consensus.add_merged(code, key, text, [10**9]), refused, (text,)
    )
    if not ok:
        return
    assert cand.text == text and cand.sources == ()
    rnd = svc.consensus.current(svc.workshops.find(code))
    assert rnd is not None and [c.text for c in rnd.candidates if c.id == cand.id] == [text]


@pytest.fixture(scope="module")
def checking(svc: Services) -> str:
    """A workshop whose round 1 checks its only candidate."""
    w, key = svc.workshops.create("Check")
    svc.consensus.add_merged(w.code, key, "We welcome every guest like family.", [])
    svc.consensus.open_vote(w.code, key)
    return w.code


@FUZZ
@given(concern=hostile_text(), low=st.booleans())
def test_concerns_are_cleaned_or_refused(
    svc: Services, checking: str, concern: str, low: bool
) -> None:
    _, m = svc.workshops.join(checking, "")
    scores = {q: 2 if low and q == "clear" else 4 for q in QUESTIONS}
    cleaned = _clean(concern)
    refused = len(cleaned) > 200 or (low and not cleaned)
    ok, _ = _attempt(
        lambda: svc.consensus.check(checking, m.token, scores, concern), refused, (concern,)
    )
    rnd = svc.consensus.current(svc.workshops.find(checking))
    assert rnd is not None
    mine = [(c.scores, c.concern) for c in rnd.checks if c.member_id == m.id]
    assert mine == ([(scores, cleaned)] if ok else [])


@FUZZ
@given(
    name=hostile_text(),
    mission=hostile_text(),
    line=hostile_text(),
    text=hostile_text(),
    note=hostile_text(),
)
def test_plans_and_commitments_are_stored_as_documented(
    svc: Services, name: str, mission: str, line: str, text: str, note: str
) -> None:
    cm = svc.commitments
    mission_too_long = len(mission.strip()) > 1000
    refused = len(_clean_name(name)) > LIMITS["member name"] or mission_too_long
    ok, plan = _attempt(lambda: cm.start(name, mission), refused, (name, mission))
    if ok:
        assert (plan.name, plan.mission) == (_clean_name(name), mission.strip())
    else:
        plan = cm.start()
    ok, _ = _attempt(lambda: cm.set_mission(plan.token, mission), mission_too_long, (mission,))
    assert cm.open(plan.token).mission == (mission.strip() if ok else plan.mission)

    refused = not line.strip() or len(line) > 1000
    ok, n = _attempt(lambda: cm.add(plan.token, line), refused, (line,))
    stored = cm.open(plan.token).commitments
    if ok:
        assert n == len(stored) >= 1
        if n == 1:
            assert stored[0].text == line.strip()
        else:  # one commitment per action: the first is the line's start, none is blank
            assert line.startswith(stored[0].text)
            assert all(c.text.strip() for c in stored)
    else:
        assert stored == ()
        cm.add(plan.token, "I will call two clients by Friday.")
    cid = cm.open(plan.token).commitments[0].id

    refused = not text.strip() or len(text) > 1000
    ok, _ = _attempt(lambda: cm.update(plan.token, cid, text=text), refused, (text,))
    if ok:
        assert [c.text for c in cm.open(plan.token).commitments if c.id == cid] == [text]

    too_long = len(_clean(note)) > 300
    ok, _ = _attempt(lambda: cm.check_in(plan.token, cid, "in progress", note), too_long, (note,))
    checkins = next(c for c in cm.open(plan.token).commitments if c.id == cid).checkins
    assert [(k.status, k.note) for k in checkins] == ([("in progress", _clean(note))] if ok else [])
    # Every screen re-scores the stored text against the stored mission: never a crash.
    for v in cm.view(cm.open(plan.token)):
        _assert_sound(v.result, v.commitment.text, "commitment")


@pytest.fixture(scope="module")
def feedback_room(svc: Services) -> tuple[str, str, int, int]:
    """A workshop with one member's commitment to give feedback on."""
    w, key = svc.workshops.create("Feedback")
    _, m = svc.workshops.join(w.code, "Ana")
    plan = svc.commitments.for_member(w, m)
    svc.commitments.add(plan.token, "I will call two clients by Friday.")
    return w.code, key, svc.commitments.open(plan.token).commitments[0].id, w.id


@FUZZ
@given(author=hostile_text(), note=hostile_text(), on_commitment=st.booleans())
def test_feedback_is_stored_as_documented_or_refused(
    svc: Services,
    feedback_room: tuple[str, str, int, int],
    author: str,
    note: str,
    on_commitment: bool,
) -> None:
    code, key, cid, workshop_id = feedback_room
    target = cid if on_commitment else None
    before = len(svc.commitments.store.feedback(workshop_id))
    refused = (
        not note.strip()
        or len(note.strip()) > 2000
        or len(_clean_name(author)) > LIMITS["member name"]
    )
    ok, _ = _attempt(
        lambda: svc.commitments.give_feedback(code, key, target, author, note),
        refused,
        (author, note),
    )
    after = svc.commitments.store.feedback(workshop_id)
    if ok:
        assert len(after) == before + 1
        last = after[-1]
        assert (last.commitment_id, last.author, last.note) == (
            target,
            _clean_name(author),
            note.strip(),
        )
    else:
        assert len(after) == before


NUL_TEXT = "We serve\x00 every guest."


def _nul_fields(svc: Services) -> dict[str, tuple[Callable[[str], str], Callable[[str], str]]]:
    """Per field: (store the value and read it back, what the rules say is kept)."""
    ws, con, cm = svc.workshops, svc.consensus, svc.commitments
    w, key = ws.create("NUL")
    _, m = ws.join(w.code, "")
    plan = cm.for_member(w, m)
    cm.add(plan.token, "I will call two clients by Friday.")
    cid = cm.open(plan.token).commitments[0].id

    def workshop_name(v: str) -> str:
        return ws.find(ws.create(v)[0].code).name

    def organisation(v: str) -> str:
        return ws.find(ws.create("Org", v)[0].code).organisation

    def member_name(v: str) -> str:
        return ws.join(w.code, v)[1].name

    def draft(v: str) -> str:
        ws.submit(w.code, m.token, v, "nul")
        found = ws.own_draft(w, m)
        return found.latest.text if found else ""

    def candidate(v: str) -> str:
        return con.add_merged(w.code, key, v, []).text

    def plan_name(v: str) -> str:
        return cm.start(v).name

    def mission(v: str) -> str:
        return cm.start("", v).mission

    def commitment(v: str) -> str:
        cm.update(plan.token, cid, text=v)
        return cm.open(plan.token).commitments[0].text

    def check_in_note(v: str) -> str:
        cm.check_in(plan.token, cid, "done", v)
        return cm.open(plan.token).commitments[0].checkins[-1].note

    def feedback(v: str) -> str:
        cm.give_feedback(w.code, key, None, "", v)
        return cm.store.feedback(w.id)[-1].note

    def feedback_author(v: str) -> str:
        cm.give_feedback(w.code, key, None, v, "Good.")
        return cm.store.feedback(w.id)[-1].author

    verbatim, stripped = (lambda v: v), str.strip
    return {
        "workshop name": (workshop_name, _clean),
        "organisation": (organisation, _clean),
        "member name": (member_name, _clean),
        "draft": (draft, verbatim),
        "candidate": (candidate, verbatim),
        "plan name": (plan_name, _clean),
        "mission": (mission, stripped),
        "commitment": (commitment, verbatim),
        "check-in note": (check_in_note, _clean),
        "feedback": (feedback, stripped),
        "feedback author": (feedback_author, _clean),
    }


@pytest.mark.parametrize(
    "field",
    [
        "workshop name",
        "organisation",
        "member name",
        "draft",
        "candidate",
        "plan name",
        "mission",
        "commitment",
        "check-in note",
        "feedback",
        "feedback author",
    ],
)
def test_nul_is_kept_verbatim_or_refused_clearly(svc: Services, field: str) -> None:
    """SQLite can store NUL, PostgreSQL cannot: either outcome is fine, a crash is not."""
    store_and_read, kept = _nul_fields(svc)[field]
    try:
        stored = store_and_read(NUL_TEXT)
    except InputError as exc:
        assert "NUL" in str(exc)
    else:
        assert stored == kept(NUL_TEXT)


@pytest.fixture(scope="module")
def checking_for_concern(svc: Services) -> str:
    w, key = svc.workshops.create("NUL concern")
    svc.consensus.add_merged(w.code, key, "We welcome every guest like family.", [])
    svc.consensus.open_vote(w.code, key)
    return w.code


def test_nul_in_a_concern_is_kept_or_refused_clearly(
    svc: Services, checking_for_concern: str
) -> None:
    code = checking_for_concern
    _, m = svc.workshops.join(code, "")
    scores = {q: 2 for q in QUESTIONS}
    try:
        svc.consensus.check(code, m.token, scores, NUL_TEXT)
    except InputError as exc:
        assert "NUL" in str(exc)
    else:
        rnd = svc.consensus.current(svc.workshops.find(code))
        assert rnd is not None
        assert [c.concern for c in rnd.checks if c.member_id == m.id] == [_clean(NUL_TEXT)]


# --- 3. exports of a workshop full of hostile text ----------------------------------------------


def _decide(svc: Services, code: str, key: str, members: list[Member], concern: str | None) -> None:
    """Open the vote, rank, close it, check the leader and close the check."""
    con = svc.consensus
    con.open_vote(code, key)
    rnd = con.current(svc.workshops.find(code))
    assert rnd is not None
    if rnd.phase == "voting":
        ids = [c.id for c in rnd.active]
        for i, m in enumerate(members):
            shift = i % len(ids)
            con.ballot(code, m.token, [[c] for c in ids[shift:] + ids[:shift]])
        rnd = con.current(svc.workshops.find(code))
        assert rnd is not None
        tally = con.tally(rnd)
        assert tally is not None
        con.close_vote(code, key, int(tally.winner[0]))
    for i, m in enumerate(members):
        if concern is not None and i == 1:
            low = {q: 2 if q == "clear" else 4 for q in QUESTIONS}
            _first(partial(con.check, code, m.token, low), (concern,), ("Too vague for us.",))
        else:
            con.check(code, m.token, dict.fromkeys(QUESTIONS, 4), "")
    con.close_check(code, key)


def _hostile_workshop(svc: Services, words: list[str]) -> ex.ConsensusTable:
    """A whole workshop (drafts, two rounds, adoption, commitments, feedback) built from the
    hostile strings wherever the rules accept them, and its consensus table."""
    ws, con, cm = svc.workshops, svc.consensus, svc.commitments

    def h(i: int) -> str:
        return words[i % len(words)]

    w, key = _first(ws.create, (h(0), h(1), h(2)), (h(0), "", ""), ("Desk", "", ""))
    code = w.code
    members = []
    for i in range(3):
        _, m = _first(partial(ws.join, code), (h(i + 3),), ("",))
        _first(partial(ws.submit, code, m.token, nonce=f"n{i}"), (h(i),), (f"We serve guest {i}.",))
        members.append(m)
    ws.set_revealed(code, key, True)
    drafts = svc.store.drafts(w.id)
    con.promote(code, key, drafts[0].id)
    sources = [d.id for d in drafts]
    _first(partial(con.add_merged, code, key, sources=sources), (h(4),), ("We welcome all.",))
    _decide(svc, code, key, members, concern=h(5))  # round 1 closes with a concern
    _first(partial(con.next_round, code, key), (h(1),), ("We welcome every guest, every day.",))
    _decide(svc, code, key, members, concern=None)  # round 2 reaches consensus
    rnd = con.current(ws.find(code))
    assert rnd is not None and rnd.outcome == "consensus" and rnd.leader_id is not None
    con.adopt(code, key, rnd.leader_id)
    ws.set_draft_removed(code, key, drafts[-1].id, True)

    for i, m in enumerate(members):
        plan = cm.for_member(ws.find(code), m)
        _first(partial(cm.add, plan.token), (h(i + 2),), ("I will call two clients by Friday.",))
        cm.add(plan.token, "I will email my manager weekly and I will call a client by Friday")
        first = cm.open(plan.token).commitments[0]
        cm.update(
            plan.token,
            first.id,
            due=date(2026, 12, 1) + timedelta(days=i),
            cadence=("weekly", "monthly", "")[i % 3],
            partner_id=members[(i + 1) % len(members)].id,
            status=STATUSES[i % len(STATUSES)],
        )
        _first(partial(cm.check_in, plan.token, first.id, "in progress"), (h(i),), ("",))
        _first(
            partial(cm.give_feedback, code, key, first.id),
            (h(i + 1), h(i + 2)),
            ("", h(i + 2)),
            ("", "Good progress."),
        )
    _first(partial(cm.give_feedback, code, key, None), (h(3), h(4)), ("", "Well done, team."))
    cm.set_followup(code, key, date(2026, 12, 15))

    workshop = ws.find(code)
    found = themes.shared_themes([d.latest.text for d in svc.store.drafts(workshop.id)])
    table = record.build(
        workshop,
        drafts=svc.store.drafts(workshop.id, include_deleted=True),
        rounds=con.history(workshop),
        consensus=con,
        team=cm.team(workshop),
        themes=found,
    )
    # The table holds what was stored, as stored.
    assert (table.workshop, table.organisation, table.focus) == (
        workshop.name,
        workshop.organisation,
        workshop.focus,
    )
    # Every draft the facilitator kept, as stored; the removed one is not shared.
    stored = {d.latest.text for d in svc.store.drafts(workshop.id)}
    assert {r.text for r in table.rows if r.kind == "draft"} == stored
    return table


def _csv_cells(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _assert_csv_safe(
    data: bytes, columns: tuple[str, ...], rows: Sequence[ex.ConsensusRow | ex.CommitmentRow]
) -> None:
    cells = _csv_cells(data)
    assert cells[0] == list(columns) and len(cells) == len(rows) + 1
    for row, line in zip(rows, cells[1:], strict=True):
        assert len(line) == len(columns)
        for name, cell in zip(columns, line, strict=True):
            assert not cell.startswith(TRIGGERS), (name, cell)  # "'" leads a neutralised cell
            value = getattr(row, name)
            if isinstance(value, str):
                assert cell == ("'" + value if value.startswith(TRIGGERS) else value), name


def _excel_shows(value: str) -> str:
    """What Excel displays for a stored string: it decodes _xHHHH_ escapes."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def _assert_xlsx_safe(data: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in wb.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                if cell.value is None:
                    continue
                assert cell.data_type in {"s", "n", "inlineStr"}, (sheet.title, cell.value)
                if isinstance(cell.value, str) and _excel_shows(cell.value).startswith(TRIGGERS):
                    # Shown as written, and marked as text: Excel never evaluates it.
                    assert cell.data_type == "s" and cell.quotePrefix, cell.value


_MD_MUST_ESCAPE = set("\\`*_[]<>!|~&#+-.()")


def _md_unescape(segment: str) -> str:
    """The text a Markdown renderer shows for this segment; fails on an unescaped special.
    Text holding a direction control comes isolated (FSI ... PDI); isolates are compared
    away on both sides (see _no_isolates), and tested exactly in tests/unit."""
    segment = _no_isolates(segment)
    out, chars = [], iter(segment)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            assert nxt and not nxt.isalnum() and nxt.isascii(), f"stray backslash in {segment!r}"
            out.append(nxt)
        else:
            assert ch not in _MD_MUST_ESCAPE, f"unescaped {ch!r} in {segment!r}"
            out.append(ch)
    return "".join(out)


def _md_cells(line: str) -> list[str]:
    """A pipe-table row split on unescaped pipes, each cell as written (escapes kept)."""
    assert line.startswith("| ") and line.endswith(" |"), line
    cells, current, chars = [], "", iter(line[2:-2])
    for ch in chars:
        if ch == "\\":
            current += ch + next(chars, "")
        elif ch == "|":
            cells.append(current)
            current = ""
        else:
            current += ch
    cells.append(current)
    # "| a | b | c |": the writer puts one space either side of each inner separator.
    last = len(cells) - 1
    return [
        c.removeprefix(" " if i else "").removesuffix(" " if i < last else "")
        for i, c in enumerate(cells)
    ]


def _md_shows(value: object) -> str:
    """What a table cell must hold for this value: text as written, on one line."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return _one_line_cell(value) if isinstance(value, str) else str(value)


def _no_isolates(value: str) -> str:
    return value.replace("\u2068", "").replace("\u2069", "")


def _one_line(value: str) -> str:
    """Outside tables the export trims, so indentation can never start a code block."""
    return _no_isolates(re.sub(r"\r\n|\r|\n", " ", value).strip())


def _one_line_cell(value: str) -> str:
    return _no_isolates(re.sub(r"\r\n|\r|\n", " ", value))


def _assert_markdown_safe(md: str, table: ex.ConsensusTable) -> None:
    lines = md.split("\n")  # Markdown breaks lines at LF, CR and CRLF only; all are LF here
    assert "\r" not in md
    assert lines[0].startswith("# Consensus table: ")
    assert _md_unescape(lines[0].removeprefix("# Consensus table: ")) == _one_line(table.workshop)
    for label, value in (("Organisation: ", table.organisation), ("Focus: ", table.focus)):
        found = [line for line in lines if line.startswith(label)]
        shown = [_md_unescape(line.removeprefix(label).removesuffix("  ")) for line in found]
        assert shown == ([_one_line(value)] if value else [])
    rounds = [line for line in lines if line.startswith("- Round ")]
    assert len(rounds) == len(table.rounds)
    for line, rnd in zip(rounds, table.rounds, strict=True):
        expected = _one_line(rnd.status)
        expected += f"; leading: {_one_line(rnd.winner)}" if rnd.winner else ""
        if rnd.concerns:
            expected += "; concerns: " + "; ".join(_one_line(c) for c in rnd.concerns)
        assert _md_unescape(line.removeprefix(f"- Round {rnd.number}: ")) == expected
    quote = [line for line in lines if line.startswith("> ")]
    if table.adopted is not None:
        assert [_md_unescape(q[2:]) for q in quote] == [_one_line(table.adopted)]
    feedback = lines[lines.index("Team feedback:") + 2 :] if table.team_feedback else []
    shown = [_md_unescape(f[2:]) for f in feedback if f.startswith("- ")]
    assert shown == [_one_line(f) for f in table.team_feedback]
    for heading, columns, rows in (
        ("## Statements", ex.COLUMNS, table.rows),
        ("## Commitments", ex.COMMITMENT_COLUMNS, table.commitments),
    ):
        start = lines.index(heading) + 2
        block = []
        for line in lines[start:]:
            if not line:
                break
            block.append(line)
        assert len(block) == len(rows) + 2  # header, rule, one line per row: nothing leaks out
        assert block[1] == "|" + "|".join("---" for _ in columns) + "|"
        assert [_md_unescape(c) for c in _md_cells(block[0])] == list(columns)
        for row, line in zip(rows, block[2:], strict=True):
            cells = _md_cells(line)
            assert len(cells) == len(columns), line  # the table keeps its column count
            for name, cell in zip(columns, cells, strict=True):
                value = getattr(row, name)
                text = _md_unescape(cell) if isinstance(value, str | date) else cell
                assert text == _md_shows(value), name


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.data.append(data)


PRODUCT_TAGS = {
    *("html", "head", "meta", "title", "style", "body", "header", "section", "h1", "h2"),
    *("p", "strong", "span", "ol", "ul", "li", "table", "thead", "tbody", "tr", "th", "td"),
}
PRODUCT_ATTRS = {"lang", "charset", "name", "content", "http-equiv", "class", "dir"}
PRODUCT_ATTRS |= {"rowspan", "colspan"}
PRODUCT_CLASSES = {"u", "stmt", "none", "meta", "scores", "cand", "s", "n", "com", "k", "w"}
PRODUCT_CLASSES |= {"pt", "fb", "keep"}


def _assert_html_safe(page: str, table: ex.ConsensusTable) -> None:
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    assert set(parsed.tags) <= PRODUCT_TAGS  # no script, img, a, iframe... from user text
    for name, value in parsed.attrs:
        assert name in PRODUCT_ATTRS, name  # no on* handlers, src, href, style
        if name == "dir":
            assert value == "auto"
        if name == "class":
            assert set((value or "").split()) <= PRODUCT_CLASSES, value
    assert f"Consensus summary: {table.workshop}" in parsed.data  # the title, escaped
    shown = [table.workshop, table.organisation, table.focus, table.adopted or ""]
    shown += [s for r in table.rounds for s in (r.status, r.winner, *r.concerns)]
    shown += [s for r in table.rows if r.kind != "draft" for s in (r.text, r.status)]
    shown += [
        s for c in table.commitments for s in (c.person, c.text, c.status, c.cadence, c.partner)
    ]
    shown += list(table.team_feedback)
    for value in shown:
        if value:
            assert value in parsed.data, value  # one text node: escaped, never markup


def _assert_ics_safe(svc: Services, table: ex.ConsensusTable, workshop_id: int) -> None:
    """The reminders each member downloads, built as the commitments page builds them."""
    for plan in svc.commitments.store.plans_in(workshop_id):
        views = svc.commitments.view(plan)
        reminders = svc.commitments.reminders(plan, views)
        data = to_ics(reminders)
        unfolded = data.decode("utf-8").replace("\r\n ", "").split("\r\n")
        assert sum(line == "BEGIN:VEVENT" for line in unfolded) == len(reminders)
        events = Calendar.from_ical(data).walk("VEVENT")
        assert len(events) == len(reminders)
        for vevent, r in zip(events, reminders, strict=True):
            summary = str(vevent["summary"])
            assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", summary), summary
            words = re.sub(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]", " ", r.text)
            words = re.sub(r"[\x00-\x08\x0a-\x1f\x7f]", "", words)
            assert summary.split() == ["Commitment:", *words.split()]


@FEW
@given(words=st.lists(hostile_text(), min_size=6, max_size=6))
def test_every_export_of_a_hostile_workshop_stays_safe(svc: Services, words: list[str]) -> None:
    table = _hostile_workshop(svc, words)
    _assert_csv_safe(ex.to_csv(table), ex.COLUMNS, table.rows)
    _assert_csv_safe(ex.commitments_csv(table), ex.COMMITMENT_COLUMNS, table.commitments)
    _assert_xlsx_safe(ex.to_xlsx(table))
    _assert_markdown_safe(ex.to_markdown(table), table)
    _assert_html_safe(ex.to_html(table), table)
    assert ex.ConsensusTable.model_validate_json(ex.to_json(table)) == table
    for fmt in (*ex.FORMATS, *ex.EXTRA_FORMATS):
        assert isinstance(ex.export(table, fmt), bytes)
        name = ex.filename(table, fmt)
        assert re.fullmatch(r"[a-z]+-[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.[a-z]+", name), name
    workshop = svc.workshops.find(table.code)
    _assert_ics_safe(svc, table, workshop.id)


# --- 4. the screens show hostile text as text ---------------------------------------------------

APP_HOSTILE = {
    "markup": "<script>alert(1)</script> **bold** [x](javascript:alert(1)) "
    "![i](http://example.invalid/x.png) <img src=x onerror=alert(1)>",
    "formula": "=cmd|' /C calc'!A0 +1 -1 @SUM(1) {draft} {0} %s C:\\new\\table",
    "rtl-emoji": "\u202eWe serve\u202c مهمتنا أن نخدم כל לקוח 😀 👩🏽‍💻 \u200f",
    "controls": "We serve\x07 every\x1b[31m guest\r\n\n# heading\n- item\x0b\x0c\u2028end",
    # st.text dedents and strips its text, so the indented line is not the first one.
    "markdown-blocks": "1. one\n    indented code\n> quote\n| a | b |\n|---|---|\n***",
}


@pytest.fixture
def app_svc() -> Iterator[Services]:
    """The store the app under test opens (the root conftest gives each test its own)."""
    streamlit.cache_resource.clear()
    yield build()
    streamlit.cache_resource.clear()


def _markdown_values(at: Any) -> list[str]:
    """Everything the page renders as Markdown (Streamlit alerts render Markdown too)."""
    kinds = (
        *("markdown", "caption", "title", "header", "subheader", "latex"),
        *("error", "warning", "info", "success", "toast"),
    )
    return [str(e.value) for kind in kinds for e in getattr(at, kind)]


@pytest.mark.parametrize("hostile", list(APP_HOSTILE.values()), ids=list(APP_HOSTILE))
def test_facilitator_screen_shows_hostile_text_only_as_plain_text(
    app_svc: Services, hostile: str
) -> None:
    svc = app_svc
    ws, con = svc.workshops, svc.consensus
    w_name = _clean_name(hostile)[: LIMITS["workshop name"]]
    m_name = _clean_name(hostile)[: LIMITS["member name"]]
    w, key = ws.create(w_name, "", _clean_name(hostile)[: LIMITS["focus"]])
    _, m = ws.join(w.code, m_name)
    ws.submit(w.code, m.token, hostile, "n1")
    ws.set_revealed(w.code, key, True)
    # The same text adopted: the facilitator screen shows it in its HTML banner.
    con.add_merged(w.code, key, hostile, [])
    con.open_vote(w.code, key)
    con.check(w.code, m.token, dict.fromkeys(QUESTIONS, 5), "")
    con.close_check(w.code, key)
    rnd = con.current(ws.find(w.code))
    assert rnd is not None and rnd.leader_id is not None
    con.adopt(w.code, key, rnd.leader_id)

    at = open_page("workshop", code=w.code, key=key)
    assert not at.exception
    shown = plain(texts(at))
    for value in (hostile, w_name, m_name):
        assert value in shown
        assert all(value not in md for md in _markdown_values(at))
    banners = [str(h.proto.body) for h in at.get("html")]
    assert any(html.escape(hostile) in b for b in banners)
    for body in banners:
        parsed = _Page()
        parsed.feed(body)
        parsed.close()
        assert set(parsed.tags) <= {"div"}  # the banner's own tag, nothing from the text
