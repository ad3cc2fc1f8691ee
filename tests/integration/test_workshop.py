"""Step 4 rules: codes, facilitator access, private drafting, reveal, lock, bad input."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from coach.bootstrap import build
from coach.config import Settings
from coach.domain.codes import CODE_LENGTH, format_code, new_code, parse_code
from coach.errors import InputError
from coach.service.workshops import AccessDenied, Locked, NotFound, Workshops


@pytest.fixture
def ws(migrated_database_url: str) -> Workshops:
    return build(Settings(database_url=migrated_database_url, public_url=None)).workshops


def test_codes_are_60_bit_and_forgiving_to_type() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    code = next(iter(codes))
    assert len(code) == CODE_LENGTH
    typed = format_code(code).lower().replace("0", "o").replace("1", "l")
    assert parse_code(f"  {typed} ") == code


@pytest.mark.parametrize("raw", ["", "   ", "ABC", "ABCD-EFGH-IJKU", "💥" * 12])
def test_malformed_codes_get_a_clear_message(raw: str) -> None:
    with pytest.raises(InputError, match="join code"):
        parse_code(raw)


def test_unknown_code_is_not_found_with_advice(ws: Workshops) -> None:
    with pytest.raises(NotFound, match="Check the code with your facilitator"):
        ws.find(new_code())


def test_create_stores_only_a_hash_of_the_key(ws: Workshops) -> None:
    w, key = ws.create("Front desk", "Hotel", "superior customer service at every level")
    assert len(key) >= 32
    assert ws.store.key_hash(w.id) != key
    assert ws.is_facilitator(w, key)
    assert not ws.is_facilitator(w, key + "x")
    assert not ws.is_facilitator(w, None)


def test_workshop_name_is_required_and_bounded(ws: Workshops) -> None:
    with pytest.raises(InputError, match="Give the workshop name"):
        ws.create("   ")
    with pytest.raises(InputError, match="keep it to 120"):
        ws.create("x" * 121)


def test_drafts_stay_private_until_reveal(ws: Workshops) -> None:
    w, key = ws.create("Desk")
    _, ana = ws.join(w.code, "Ana")
    ws.submit(w.code, ana.token, "We welcome every guest like family.", "n1")
    board = ws.board(ws.find(w.code))
    [entry] = board.entries
    assert entry.submitted and entry.draft is None and board.visible_drafts == []
    ws.set_revealed(w.code, key, True)
    board = ws.board(ws.find(w.code))
    assert [d.latest.text for d in board.visible_drafts] == ["We welcome every guest like family."]


def test_revisions_keep_every_version_with_scores(ws: Workshops) -> None:
    w, _ = ws.create("Desk")
    _, m = ws.join(w.code, "")
    first = ws.submit(w.code, m.token, "We try to help customers.", "a")
    second = ws.submit(w.code, m.token, "We help every customer on the first call.", "b")
    assert first.created and second.created
    draft = ws.own_draft(ws.find(w.code), m)
    assert draft is not None and [v.version for v in draft.versions] == [1, 2]
    assert draft.versions[0].scores["bold"] < draft.versions[1].scores["bold"]
    assert draft.latest.scores["overall"] == second.result.overall


def test_double_submit_is_one_version(ws: Workshops) -> None:
    w, _ = ws.create("Desk")
    _, m = ws.join(w.code, "Bo")
    ws.submit(w.code, m.token, "We help.", "nonce-1")
    again = ws.submit(w.code, m.token, "We help.", "nonce-2")
    assert not again.created
    assert len(ws.own_draft(ws.find(w.code), m).versions) == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty"), ("  \n\t ", "empty"), ("x" * 10_000, "10,000 characters; the limit is 1,000")],
)
def test_bad_drafts_are_refused_clearly(ws: Workshops, text: str, message: str) -> None:
    w, _ = ws.create("Desk")
    _, m = ws.join(w.code, "Cy")
    with pytest.raises(InputError, match=message):
        ws.submit(w.code, m.token, text, "n")


def test_lock_refuses_submissions(ws: Workshops) -> None:
    w, key = ws.create("Desk")
    _, m = ws.join(w.code, "Di")
    ws.set_locked(w.code, key, True)
    with pytest.raises(Locked, match="locked"):
        ws.submit(w.code, m.token, "We help.", "n")
    ws.set_locked(w.code, key, False)
    assert ws.submit(w.code, m.token, "We help.", "n").created


@pytest.mark.parametrize("key", [None, "", "wrong", "a" * 32])
def test_facilitator_actions_need_the_key(ws: Workshops, key: str | None) -> None:
    w, _ = ws.create("Desk")
    _, m = ws.join(w.code, "Ed")
    ws.submit(w.code, m.token, "We help.", "n")
    draft_id = ws.board(ws.find(w.code)).entries[0].draft_id
    assert draft_id is not None
    for action in (
        lambda: ws.set_revealed(w.code, key, True),
        lambda: ws.set_locked(w.code, key, True),
        lambda: ws.add_member(w.code, key, "Mallory"),
        lambda: ws.rename(w.code, key, m.id, "Mallory"),
        lambda: ws.set_draft_removed(w.code, key, draft_id, True),
    ):
        with pytest.raises(AccessDenied, match="Only the facilitator"):
            action()
    assert not ws.find(w.code).revealed
    assert ws.board(ws.find(w.code)).entries[0].member.name == "Ed"


def test_member_tokens_do_not_cross_workshops(ws: Workshops) -> None:
    w1, _ = ws.create("One")
    w2, _ = ws.create("Two")
    _, m = ws.join(w1.code, "Fa")
    with pytest.raises(NotFound, match="not part of the workshop"):
        ws.submit(w2.code, m.token, "We help.", "n")


def test_remove_and_restore_a_draft(ws: Workshops) -> None:
    w, key = ws.create("Desk")
    _, m = ws.join(w.code, "Gu")
    ws.submit(w.code, m.token, "We help.", "n")
    ws.set_revealed(w.code, key, True)
    draft_id = ws.board(ws.find(w.code)).entries[0].draft_id
    assert draft_id is not None
    ws.set_draft_removed(w.code, key, draft_id, True)
    board = ws.board(ws.find(w.code))
    assert board.visible_drafts == [] and board.entries[0].deleted
    ws.set_draft_removed(w.code, key, draft_id, False)
    assert len(ws.board(ws.find(w.code)).visible_drafts) == 1


def test_rename_and_member_name_limits(ws: Workshops) -> None:
    w, key = ws.create("Desk")
    _, m = ws.join(w.code, "  Hana   Lee ")
    assert m.name == "Hana Lee"
    assert ws.rename(w.code, key, m.id, "Hana").name == "Hana"
    with pytest.raises(InputError, match="keep it to 60"):
        ws.join(w.code, "x" * 61)


def test_nul_is_refused_everywhere_text_is_stored(ws: Workshops) -> None:
    with pytest.raises(InputError, match="NUL character"):
        ws.create("Desk\x00")
    w, _ = ws.create("Desk")
    with pytest.raises(InputError, match="NUL character"):
        ws.join(w.code, "A\x00na")
    _, m = ws.join(w.code, "Ana")
    with pytest.raises(InputError, match="NUL character"):
        ws.submit(w.code, m.token, "We help\x00.", "n")
    assert ws.own_draft(ws.find(w.code), m) is None


def test_one_member_cannot_flood_the_workshop(
    ws: Workshops, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.service import workshops as workshop_mod

    w, _ = ws.create("Desk")
    _, m = ws.join(w.code, "Ana")
    for i in range(workshop_mod.MAX_SUBMITS_PER_MINUTE):
        ws.submit(w.code, m.token, f"We help guest number {i}.", f"n{i}")
    with pytest.raises(InputError, match="wait a moment"):
        ws.submit(w.code, m.token, "We help one more guest.", "n-more")
    monkeypatch.setattr(workshop_mod, "MAX_SUBMITS_PER_MINUTE", 1000)
    monkeypatch.setattr(workshop_mod, "MAX_VERSIONS", 12)
    ws.submit(w.code, m.token, "We help guest 10.", "n10")
    ws.submit(w.code, m.token, "We help guest 11.", "n11")
    with pytest.raises(InputError, match="already has 12 versions"):
        ws.submit(w.code, m.token, "We help guest 12.", "n12")


def test_a_full_workshop_says_so(ws: Workshops, monkeypatch: pytest.MonkeyPatch) -> None:
    from coach.service import workshops as workshop_mod

    monkeypatch.setattr(workshop_mod, "MAX_MEMBERS", 2)
    w, key = ws.create("Desk")
    ws.join(w.code, "A")
    ws.add_member(w.code, key, "B")
    with pytest.raises(InputError, match="This workshop is full"):
        ws.join(w.code, "C")


def test_a_retried_submit_of_an_earlier_version_is_not_a_new_one(ws: Workshops) -> None:
    """A phone that resends an old request (same nonce) gets that version back, not a copy."""
    w, _ = ws.create("Desk")
    _, m = ws.join(w.code, "Ana")
    first = ws.submit(w.code, m.token, "We help.", "n1")
    ws.submit(w.code, m.token, "We help every guest.", "n2")
    again = ws.submit(w.code, m.token, "We help.", "n1")
    assert not again.created and again.version.version == first.version.version == 1
    draft = ws.own_draft(ws.find(w.code), m)
    assert draft is not None and [v.text for v in draft.versions] == [
        "We help.",
        "We help every guest.",
    ]


def test_a_double_submit_at_the_cap_returns_the_version_not_an_error(
    ws: Workshops, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.service import workshops as workshop_mod

    monkeypatch.setattr(workshop_mod, "MAX_VERSIONS", 2)
    w, _ = ws.create("Desk")
    _, m = ws.join(w.code, "Ana")
    ws.submit(w.code, m.token, "We help.", "n1")
    last = ws.submit(w.code, m.token, "We help every guest.", "n2")
    repeat = ws.submit(w.code, m.token, "We help every guest.", "n2")
    assert repeat.version == last.version and not repeat.created
    with pytest.raises(InputError, match="already has 2 versions"):
        ws.submit(w.code, m.token, "We help every guest, fast.", "n3")


def test_the_store_shows_the_flood_guard_enough_recent_versions() -> None:
    from coach.service import workshops as workshop_mod
    from coach.storage.workshops import RECENT

    assert workshop_mod.MAX_SUBMITS_PER_MINUTE <= RECENT


def test_a_rush_of_joins_cannot_overfill_a_workshop(
    ws: Workshops, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cap is checked in the joining transaction, not in a read before it."""
    from coach.service import workshops as workshop_mod

    monkeypatch.setattr(workshop_mod, "MAX_MEMBERS", 5)
    w, _ = ws.create("Desk")
    start = threading.Barrier(16)

    def join(i: int) -> str:
        start.wait()
        try:
            ws.join(w.code, f"P{i}")
        except InputError as exc:
            return str(exc)
        return "joined"

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(join, range(16)))
    assert outcomes.count("joined") == 5
    assert all("This workshop is full (5 members)" in o for o in outcomes if o != "joined")
    members = ws.store.members(w.id)
    assert sorted(m.position for m in members) == [1, 2, 3, 4, 5]


def test_membership_is_one_read_that_checks_the_token(ws: Workshops) -> None:
    w, _ = ws.create("Desk")
    other, _ = ws.create("Other desk")
    _, ana = ws.join(w.code, "Ana")
    _, stranger = ws.join(other.code, "Zed")
    workshop, member = ws.membership(format_code(w.code).lower(), ana.token)
    assert (workshop.id, member) == (w.id, ana)
    for token in (stranger.token, "", None, "no-such-token", "tok\x00en"):
        with pytest.raises(NotFound, match="not part of the workshop"):
            ws.membership(w.code, token)
    with pytest.raises(NotFound, match="No workshop has the code"):
        ws.membership(new_code(), ana.token)
