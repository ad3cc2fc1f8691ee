"""From revealed drafts to an adopted statement, through the real app script."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from coach.bootstrap import Services
from tests.app.conftest import frame, open_page, plain, texts, unescaped

DRAFTS = {
    "Ana": "We welcome every guest like family.",
    "Bo": "We welcome every guest and exceed their expectations.",
    "Cy": "We try to make every guest feel at home.",
}
MERGED = "We welcome every guest like family and exceed their expectations."


def answer(at: AppTest, prefix: str, score: int) -> None:
    """Choose the same answer to each of the four questions (none is chosen to start)."""
    for q in ("desired", "bold", "clear", "stretching"):
        at.radio(key=f"{prefix}_{q}").set_value(score)


def _team(svc: Services):
    w, key = svc.workshops.create("Desk")
    members = {}
    for name, text in DRAFTS.items():
        _, m = svc.workshops.join(w.code, name)
        svc.workshops.submit(w.code, m.token, text, f"n-{name}")
        members[name] = m
    svc.workshops.set_revealed(w.code, key, True)
    return w, key, members


def test_the_consensus_page_needs_reveal_and_the_key(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    at = open_page("consensus", code=w.code, key="wrong")
    assert "Only the facilitator" in at.error[0].value
    at = open_page("consensus", code=w.code, key=key)
    assert "Reveal the drafts" in at.info[0].value


def test_themes_show_shared_words_and_who_uses_them(svc: Services) -> None:
    w, key, _ = _team(svc)
    at = open_page("consensus", code=w.code, key=key)
    themes = frame(at, "theme")
    row = themes[themes["theme"] == "welcome every guest"]
    assert list(row["drafts"]) == ["2 of 3"] and list(row["who"]) == ["Ana, Bo"]
    carried = frame(at, "carried by")
    assert list(carried["carried by"]) == ["not yet"] * 3  # no draft is dropped


def test_whole_round_to_adoption(svc: Services) -> None:
    w, key, members = _team(svc)
    at = open_page("consensus", code=w.code, key=key)
    drafts = {d.member_name: d.id for d in svc.store.drafts(w.id)}
    at.selectbox(key="promote_pick").set_value(drafts["Ana"])
    at.button(key="promote_go").click().run()
    at.text_area(key="merge_text").input(MERGED)
    at.multiselect(key="merge_sources").set_value([drafts["Ana"], drafts["Bo"]]).run()
    assert "covers" in texts(at)  # the editor shows theme coverage live
    at.button(key="merge_go").click().run()
    assert not at.exception
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    assert rnd is not None
    a, merged = rnd.candidates
    assert merged.sources == tuple(sorted((drafts["Ana"], drafts["Bo"])))
    at.button(key="open_vote").click().run()

    # Two ballots entered at the shared screen, one from a phone.
    for name in ("Ana", "Bo"):
        at.selectbox(key="ballot_member").set_value(members[name])
        at.selectbox(key=f"fac_rank_{merged.id}").set_value("1")
        at.selectbox(key=f"fac_rank_{a.id}").set_value("2")
        at.button(key="ballot_save").click().run()
        assert not at.exception
    phone = open_page("join", code=w.code, member=members["Cy"].token)
    phone.selectbox(key=f"my_rank_{a.id}").set_value("1")
    phone.button(key="my_ballot").click().run()
    assert "Ranking saved ✓" in phone.success[0].value

    at.run()
    # While the vote is open the shared screen shows only the count: no early anchoring.
    assert [m.value for m in at.metric] == ["3 of 3"]
    assert not [df for df in at.dataframe if "place" in df.value.columns]
    at.button(key="close_vote").click().run()  # asks first
    assert "Close the vote with 3 of 3 ballots in?" in at.warning[0].value
    at.button(key="close_vote_yes").click().run()
    assert svc.consensus.current(svc.workshops.find(w.code)).leader_id == merged.id  # type: ignore[union-attr]
    ranking = frame(at, "place")
    assert list(ranking["candidate"]) == ["B", "A"] and list(ranking["place"]) == [1, 2]
    points = frame(at, "Borda points")
    firsts = points.set_index("candidate")["first preferences (ties split)"]
    assert firsts.to_dict() == {"A": 1.0, "B": 2.0}

    at.selectbox(key="check_member").set_value(members["Ana"])
    at.button(key="check_save").click().run()  # nothing is chosen to start with
    assert "no answer yet" in at.error[0].value
    for name in ("Ana", "Bo"):
        at.selectbox(key="check_member").set_value(members[name])
        answer(at, "fac_check", 3)
        at.button(key="check_save").click().run()
        assert f"Answers saved for {name}" in at.success[0].value
    phone.run()
    answer(phone, "my_check", 4)
    phone.button(key="my_check_go").click().run()
    assert "Answers saved ✓" in phone.success[0].value
    at.button(key="close_check").click().run()
    at.button(key="close_check_yes").click().run()
    assert "Consensus" in at.success[0].value
    at.button(key="adopt").click().run()
    at.button(key="adopt_yes").click().run()
    assert not at.exception
    assert MERGED in plain(str([h.proto.body for h in at.get("html")]))
    table = frame(at, "kind")
    assert sorted(table["kind"]) == ["adopted", "candidate", "draft", "draft", "draft"]
    adopted = table[table["kind"] == "adopted"].iloc[0]
    assert adopted["schulze_rank"] == 1 and adopted["f2f_clear_min"] == 3
    assert {b.key for b in at.get("download_button")} == {
        "download_csv",
        "download_xlsx",
        "download_md",
        "download_json",
        "download_html",
    }
    phone.run()
    assert MERGED in texts(phone)


def test_concerns_lead_to_a_second_round(svc: Services) -> None:
    w, key, members = _team(svc)
    drafts = {d.member_name: d.id for d in svc.store.drafts(w.id)}
    svc.consensus.promote(w.code, key, drafts["Cy"])
    svc.consensus.open_vote(w.code, key)  # one candidate: straight to the check
    at = open_page("consensus", code=w.code, key=key)
    at.selectbox(key="check_member").set_value(members["Ana"])
    answer(at, "fac_check", 3)
    at.radio(key="fac_check_bold").set_value(1)
    at.button(key="check_save").click().run()
    assert "say in one line" in at.error[0].value
    at.text_input(key="fac_check_concern").input("'Try to' is not bold.")
    at.button(key="check_save").click().run()
    for name in ("Bo", "Cy"):
        at.selectbox(key="check_member").set_value(members[name])
        answer(at, "fac_check", 3)
        at.text_input(key="fac_check_concern").input("")
        at.button(key="check_save").click().run()
    at.button(key="close_check").click().run()
    at.button(key="close_check_yes").click().run()
    assert "Below 3: Ana on bold (1): 'Try to' is not bold." in texts(at)
    at.text_area(key="revise_text").input("We make every guest feel at home.")
    at.button(key="next_round").click().run()
    at.button(key="next_round_yes").click().run()
    assert not at.exception
    rounds = svc.consensus.history(svc.workshops.find(w.code))
    assert [r.number for r in rounds] == [1, 2]
    assert [c.text for c in rounds[1].candidates] == [
        "We make every guest feel at home.",
        DRAFTS["Cy"],
    ]
    assert "Round 2: gathering candidates." in [c.value for c in at.caption]


def _voting(svc: Services):  # type: ignore[no-untyped-def]
    w, key, members = _team(svc)
    for d in svc.store.drafts(w.id)[:2]:
        svc.consensus.promote(w.code, key, d.id)
    svc.consensus.open_vote(w.code, key)
    first = svc.consensus.head(svc.workshops.find(w.code)).active[0]  # type: ignore[union-attr]
    for m in members.values():
        svc.consensus.ballot(w.code, m.token, [[first]])
    return w, key, members


def test_a_stale_tab_changes_nothing_and_says_why(svc: Services) -> None:
    w, key, _ = _voting(svc)
    one = open_page("consensus", code=w.code, key=key)
    two = open_page("consensus", code=w.code, key=key)
    two.button(key="close_vote").click().run()  # the question is open in the second tab
    one.button(key="close_vote").click().run()
    one.button(key="close_vote_yes").click().run()  # the first tab closes the vote
    one.button(key="undo_close_vote").click().run()
    one.button(key="undo_close_vote_yes").click().run()  # ... and reopens it: round 1 voting
    one.button(key="close_vote").click().run()
    one.button(key="close_vote_yes").click().run()  # ... and closes it again
    two.button(key="close_vote_yes").click().run()  # the second tab still shows the vote
    said = unescaped(two.error[0].value)
    assert "out of date" in said and "four-criteria check" in said
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    assert rnd is not None and rnd.phase == "check"


def test_closing_the_vote_can_be_undone_from_the_check_tab(svc: Services) -> None:
    w, key, _ = _voting(svc)
    at = open_page("consensus", code=w.code, key=key)
    at.button(key="close_vote").click().run()
    at.button(key="close_vote_yes").click().run()
    assert "The vote is closed" in at.success[0].value
    at.button(key="undo_close_vote").click().run()
    assert "Every ballot is kept" in at.warning[0].value
    at.button(key="undo_close_vote_no").click().run()  # Cancel changes nothing
    assert svc.consensus.current(svc.workshops.find(w.code)).phase == "check"  # type: ignore[union-attr]
    at.button(key="undo_close_vote").click().run()
    at.button(key="undo_close_vote_yes").click().run()
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    assert rnd is not None and rnd.phase == "voting" and len(rnd.ballots) == 3
    assert [m.value for m in at.metric] == ["3 of 3"]
