"""Step 4 flows through the real app script, widgets addressed by key."""

from __future__ import annotations

import sqlite3

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from coach.bootstrap import Services, build
from tests.app.conftest import APP, PAGES, frame, open_page, plain, texts, unescaped

DRAFTS = {
    "Ana": "We welcome every guest like family and exceed their expectations.",
    "Bo": "We try to provide adequate service.",
}


def test_create_a_workshop_and_get_the_facilitator_link(svc: Services) -> None:
    at = open_page("home")
    at.text_input(key="create_name").input("Front desk")
    at.text_input(key="create_org").input("Harbour Hotel")
    at.button(key="FormSubmitter:create_form-Create workshop").click().run()
    assert not at.exception
    link = at.code[0].value
    assert "/workshop?code=" in link and "&key=" in link
    code = link.split("code=")[1].split("&")[0]
    key = link.split("key=")[1]
    workshop = svc.workshops.find(code)
    assert workshop.name == "Front desk" and workshop.organisation == "Harbour Hotel"
    assert svc.workshops.is_facilitator(workshop, key)
    assert "shown once" in at.warning[0].value
    assert not at.exception


def test_empty_workshop_name_is_refused(svc: Services) -> None:
    at = open_page("home")
    at.button(key="FormSubmitter:create_form-Create workshop").click().run()
    assert "Give the workshop name" in at.error[0].value
    assert not at.exception


def test_wrong_join_code_gets_a_clear_message() -> None:
    at = open_page("home")
    at.text_input(key="join_code").input("NOPE")
    at.button(key="FormSubmitter:join_form-Join").click().run()
    assert "is not a join code" in at.error[0].value
    at = open_page("join", code="0000-0000-0000")
    assert "No workshop has the code 0000-0000-0000" in unescaped(at.error[0].value)
    assert not at.exception


def test_join_from_a_phone_then_draft(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    at = open_page("join", code=w.code)
    at.text_input(key="member_name").input("Ana")
    at.button(key="FormSubmitter:join_name_form-Join").click().run()
    token = at.query_params["member"]
    assert svc.workshops.member(w, token[0] if isinstance(token, list) else token)
    key = next(t.key for t in at.text_area if t.key.startswith("member_draft_"))
    at.text_area(key=key).input(DRAFTS["Ana"])
    at.button(key="member_submit").click().run()
    assert not at.exception
    assert "Submitted ✓ (version 1)" in at.success[0].value
    assert [m.label for m in at.metric][:2] == ["Overall", "Desired"]
    assert not at.exception


def _submit(svc: Services, code: str, name: str, text: str) -> None:
    _, m = svc.workshops.join(code, name)
    svc.workshops.submit(code, m.token, text, f"n-{name}")


def test_private_until_reveal_then_side_by_side(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    for name, text in DRAFTS.items():
        _submit(svc, w.code, name, text)
    at = open_page("workshop", code=w.code, key=key)
    shown = texts(at) + str(at.dataframe[0].value.to_dict())
    assert "submitted ✓" in shown
    assert all(t not in shown for t in DRAFTS.values())
    at.button(key="toggle_reveal").click().run()
    assert not at.exception
    shown = plain(texts(at))
    for text in DRAFTS.values():
        assert text in shown
    board = frame(at, "overall")
    assert set(board["member"]) == {"Ana", "Bo"}
    assert list(board.sort_values("overall", ascending=False)["member"]) == ["Ana", "Bo"]
    assert not at.exception


def test_revise_keeps_history(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Cy")
    at = open_page("join", code=w.code, member=m.token)
    key = f"member_draft_{m.id}"
    at.text_area(key=key).input("We try to help customers.")
    at.button(key="member_submit").click().run()
    at.text_area(key=key).input("We help every customer on the first call.")
    at.button(key="member_submit").click().run()
    assert "Submitted ✓ (version 2)" in at.success[0].value
    history = frame(at, "version")
    assert list(history["version"]) == [1, 2]
    assert history["bold"].iloc[0] < history["bold"].iloc[1]
    assert not at.exception


def test_double_submit_creates_one_version(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Di")
    at = open_page("join", code=w.code, member=m.token)
    at.text_area(key=f"member_draft_{m.id}").input("We help.")
    at.button(key="member_submit").click().run()
    at.button(key="member_submit").click().run()
    assert "No change" in at.info[0].value
    assert len(svc.workshops.own_draft(w, m).versions) == 1  # type: ignore[union-attr]
    assert not at.exception


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script> we serve",
        "**bold** ![x](http://example.invalid/x.png)",
        "[link](javascript:alert(1)) 🚀",
        "نحن نخدم كل ضيف",
    ],
)
def test_hostile_text_is_stored_and_shown_verbatim(svc: Services, text: str) -> None:
    w, key = svc.workshops.create("Desk")
    _submit(svc, w.code, "Ed", text)
    svc.workshops.set_revealed(w.code, key, True)
    assert svc.store.drafts(w.id)[0].latest.text == text
    at = open_page("workshop", code=w.code, key=key)
    assert text in plain(texts(at))
    assert all(text not in m.value for m in at.markdown)
    assert not at.exception


def test_huge_paste_is_refused_and_kept(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Fa")
    at = open_page("join", code=w.code, member=m.token)
    huge = "We serve. " * 1000
    at.text_area(key=f"member_draft_{m.id}").input(huge)
    at.button(key="member_submit").click().run()
    assert "10,000 characters; the limit is 1,000" in at.error[0].value
    assert at.text_area(key=f"member_draft_{m.id}").value == huge
    assert svc.workshops.own_draft(w, m) is None
    assert not at.exception


def test_lock_stops_drafting(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Gu")
    fac = open_page("workshop", code=w.code, key=key)
    fac.button(key="toggle_lock").click().run()
    assert svc.workshops.find(w.code).locked
    at = open_page("join", code=w.code, member=m.token)
    assert "locked" in at.warning[0].value
    assert at.button(key="member_submit").disabled
    assert not fac.exception
    assert not at.exception


def _reloaded_tab(held: dict[str, str], **params: str) -> AppTest:
    """The workshop page in a tab whose sessionStorage holds `held` (as the browser's
    answer to the tab memory): a reload, or a link opened without a key."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.session_state["tab_memory"] = {"held": held}
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(PAGES["workshop"]).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("params", [{}, {"key": "wrong"}, {"key": ""}, {"member": "x"}])
def test_facilitator_screen_refuses_without_the_key(svc: Services, params: dict) -> None:
    w, _ = svc.workshops.create("Desk")
    at = _reloaded_tab({}, code=w.code, **params)
    assert "Only the facilitator" in at.error[0].value
    keys = {b.key for b in at.button}
    assert not keys & {"toggle_reveal", "toggle_lock", "remove_ask", "rename_go"}
    assert not at.exception


def test_participant_page_has_no_facilitator_controls(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Ha")
    at = open_page("join", code=w.code, member=m.token, key=key)
    assert {b.key for b in at.button} == {"member_submit", "my_commitments", "remember_me"}
    assert not at.exception


def test_shared_screen_member_and_private_draft(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    at = open_page("workshop", code=w.code, key=key)
    at.text_input(key="new_member").input("Ida")
    at.button(key="FormSubmitter:add_member_form-Add member").click().run()
    at.text_area(key="shared_draft").input("We greet every guest by name.")
    at.button(key="shared_submit").click().run()
    assert not at.exception
    assert "Draft submitted ✓" in at.success[0].value
    assert at.text_area(key="shared_draft").value == ""  # the next person starts blank
    assert svc.store.drafts(w.id)[0].latest.text == "We greet every guest by name."
    assert not at.exception


def test_rename_remove_with_confirmation_and_restore(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _submit(svc, w.code, "Jo", "We help.")
    at = open_page("workshop", code=w.code, key=key)
    at.text_input(key="rename_to").input("Joanna")
    at.button(key="rename_go").click().run()
    assert svc.store.members(w.id)[0].name == "Joanna"
    at.button(key="remove_ask").click().run()
    assert "leaves the board" in texts(at)
    at.button(key="remove_yes").click().run()
    assert not at.exception
    assert svc.store.drafts(w.id) == []
    draft_id = svc.store.drafts(w.id, include_deleted=True)[0].id
    at.button(key=f"restore_{draft_id}").click().run()
    assert len(svc.store.drafts(w.id)) == 1
    assert not at.exception


def test_everything_survives_a_restart(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _submit(svc, w.code, "Ka", DRAFTS["Ana"])
    svc.workshops.set_revealed(w.code, key, True)
    st.cache_resource.clear()  # a new server process: nothing cached survives
    again = build()
    assert again.store.drafts(w.id)[0].latest.text == DRAFTS["Ana"]
    at = open_page("workshop", code=w.code, key=key)
    assert DRAFTS["Ana"] in plain(texts(at))
    assert not at.exception


def test_typed_markup_in_an_error_is_shown_not_rendered() -> None:
    at = open_page("join", code="![i](http://example.invalid/x.png)")
    source = at.error[0].value
    assert "![i](" not in source  # no image is rendered
    assert "![i](http://example.invalid/x.png)" in unescaped(source)  # the words are shown
    assert not at.exception


def test_a_database_failure_mid_page_is_a_message_not_a_traceback(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Ana")
    at = open_page("join", code=w.code, member=m.token)
    assert not at.error
    # The database breaks under the running app (here: a table it reads disappears).
    with sqlite3.connect(svc.store.engine.url.database or "") as conn:
        conn.execute("ALTER TABLE rounds RENAME TO rounds_gone")
    at.run()
    assert not at.exception
    shown = unescaped(at.error[0].value)
    assert "The database did not answer" in shown
    assert "Your last action was not saved; try it again in a moment." in shown
    assert "no such table" not in shown  # the driver's words go to the server log
    assert not at.exception


def test_an_outage_keeps_the_typed_draft_and_the_page_comes_back(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Ana")
    at = open_page("join", code=w.code, member=m.token)
    at.text_area(key=f"member_draft_{m.id}").input("We welcome every guest by name.").run()
    path = svc.store.engine.url.database or ""
    with sqlite3.connect(path) as conn:  # the database stops answering for workshops
        conn.execute("ALTER TABLE workshops RENAME TO workshops_gone")
    at.run()
    assert not at.exception
    assert "did not answer" in unescaped(at.error[0].value)
    assert not at.text_input  # not the join form: the member's page waits
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE workshops_gone RENAME TO workshops")
    at.run()
    assert not at.error
    assert at.text_area(key=f"member_draft_{m.id}").value == "We welcome every guest by name."


def test_one_browser_cannot_create_workshops_without_end(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.domain.limits import Window
    from coach.ui import device

    monkeypatch.setattr(device, "CREATIONS", Window(2, 3600))
    made = []
    for i in range(3):
        at = open_page("home")
        at.text_input(key="create_name").input(f"Desk {i}")
        at.button(key="FormSubmitter:create_form-Create workshop").click().run()
        made.append(bool(at.code))
    assert made == [True, True, False]
    assert "made many workshops in the last hour" in unescaped(at.error[0].value)
    assert not at.exception


def test_a_reloaded_tab_opens_the_workshop_from_its_own_memory(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    at = _reloaded_tab({"code": w.code, "key": key}, code=w.code)
    assert not at.error
    assert at.button(key="toggle_reveal")
    other = _reloaded_tab({"code": "ANOTHERCODE0", "key": key}, code=w.code)
    assert "Only the facilitator" in other.error[0].value  # a key held for another workshop


def test_a_new_tab_waits_for_its_memory_before_refusing(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    at = open_page("workshop", code=w.code)  # the browser has not answered yet
    assert not at.error
    assert "Opening the workshop" in " ".join(c.value for c in at.caption)
