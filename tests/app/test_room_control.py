"""The facilitator's screen controls the room: who counts, and buttons that mean what they say."""

from __future__ import annotations

from coach.bootstrap import Services
from coach.ui.common import PAGES
from tests.app.conftest import frame, open_page, texts, unescaped

# Each room's member links by name (the database keeps only their hashes).
LINKS: dict[str, dict[str, str]] = {}


def _room(svc: Services) -> tuple[str, str]:
    w, key = svc.workshops.create("Desk")
    for i, name in enumerate(("Ana", "Bo")):
        _, m = svc.workshops.join(w.code, name)
        svc.workshops.submit(w.code, m.token, f"We welcome every guest, draft {i}.", f"n{i}")
        LINKS.setdefault(w.code, {})[name] = m.token
    return w.code, key


def _people(at) -> dict[str, str]:  # type: ignore[no-untyped-def]
    table = frame(at, "state")
    return dict(zip(table["member"], table["state"], strict=True))


def test_the_people_table_shows_who_joined_and_submitted(svc: Services) -> None:
    code, key = _room(svc)
    at = open_page("workshop", code=code, key=key)
    table = frame(at, "state")
    assert list(table["member"]) == ["Ana", "Bo"]
    assert list(table["draft"]) == ["submitted ✓", "submitted ✓"]
    svc.workshops.join(code, "Cy")  # a phone joins while the screen is open
    at.run()
    assert _people(at) == {"Ana": "here", "Bo": "here", "Cy": "here"}
    assert frame(at, "state")["draft"].iloc[2] == "writing…"


def test_mark_absent_and_back(svc: Services) -> None:
    code, key = _room(svc)
    at = open_page("workshop", code=code, key=key)
    bo = next(m for m in svc.store.members(svc.workshops.find(code).id) if m.name == "Bo")
    at.button(key=f"absent_{bo.id}").click().run()
    assert _people(at)["Bo"] == "absent"
    assert "Bo is marked absent" in at.success[0].value
    at.button(key=f"absent_{bo.id}").click().run()  # now "Mark here"
    assert _people(at)["Bo"] == "here"


def test_remove_asks_first_and_can_be_undone(svc: Services) -> None:
    code, key = _room(svc)
    at = open_page("workshop", code=code, key=key)
    ana = next(m for m in svc.store.members(svc.workshops.find(code).id) if m.name == "Ana")
    at.button(key=f"remove_{ana.id}").click().run()
    assert "Their ballot and answers leave every count" in unescaped(at.warning[0].value)
    assert _people(at)["Ana"] == "here"  # nothing happens before the answer
    at.button(key=f"remove_{ana.id}_yes").click().run()
    assert _people(at)["Ana"] == "removed"
    assert frame(at, "state")["draft"].iloc[0] == "removed"
    at.button(key=f"back_{ana.id}").click().run()
    assert _people(at)["Ana"] == "here"


def test_a_stale_reveal_button_never_hides_the_drafts(svc: Services) -> None:
    code, key = _room(svc)
    one = open_page("workshop", code=code, key=key)
    two = open_page("workshop", code=code, key=key)  # a second tab, still showing "Reveal"
    one.button(key="toggle_reveal").click().run()
    assert svc.workshops.find(code).revealed
    two.button(key="toggle_reveal").click().run()
    assert svc.workshops.find(code).revealed  # it did not do the opposite
    assert "already revealed" in unescaped(two.info[0].value)
    assert two.button(key="toggle_reveal").label == "Hide drafts"  # and now shows the truth


def test_the_top_bar_keeps_the_workshop(svc: Services) -> None:
    code, key = _room(svc)
    at = open_page("workshop", code=code, key=key)
    at.query_params.clear()  # what the top bar's link does: no query
    at.switch_page(PAGES["team"]).run()
    assert "The team's commitments" in at.title[0].value
    assert not [t for t in at.text_input if t.key.startswith("paste_link")]  # it kept the workshop
    at.switch_page(PAGES["workshop"]).run()
    assert frame(at, "state")["member"].tolist() == ["Ana", "Bo"]


def test_a_page_opened_with_no_workshop_asks_for_the_link(svc: Services) -> None:
    code, key = _room(svc)
    at = open_page("consensus")
    assert "paste the facilitator link" in at.info[0].value
    submit = "FormSubmitter:facilitator_link_Toward consensus-Open"
    at.text_input(key="paste_link_Toward consensus").input("not a link")
    at.button(key=submit).click().run()
    assert "not a facilitator link" in at.error[0].value
    link = f"http://127.0.0.1:8501/workshop?code={code}&key={key}"
    at.text_input(key="paste_link_Toward consensus").input(link)
    at.button(key=submit).click().run()
    assert "Reveal the drafts" in at.info[0].value  # the workshop is open, not yet revealed


def test_anonymous_reveal_with_scores_held_back(svc: Services) -> None:
    code, key = _room(svc)
    at = open_page("workshop", code=code, key=key)
    at.toggle(key="privacy_anonymous").set_value(True).run()
    assert list(frame(at, "state")["member"]) == ["Member 1", "Member 2"]
    at.button(key="toggle_reveal").click().run()
    at.button(key="toggle_scores").click().run()  # hide the scores until the team is ready
    shown = texts(at)
    assert "Member 1" in shown and "Ana" not in shown and "Bo" not in shown
    assert "overall" not in shown and "Scores are hidden" in " ".join(c.value for c in at.caption)
    at.button(key="toggle_scores").click().run()
    assert "overall" in texts(at)
    phone = open_page("join", code=code, member=LINKS[code]["Ana"])
    assert "You are Ana." in texts(phone)
    assert "never by name" in " ".join(c.value for c in phone.caption)


def test_admission_holds_a_join_in_the_lobby_until_let_in(svc: Services) -> None:
    code, key = _room(svc)
    at = open_page("workshop", code=code, key=key)
    at.toggle(key="admission_on").set_value(True).run()
    _, guest = svc.workshops.join(code, "Cy")
    phone = open_page("join", code=code, member=guest.token)
    assert "You are in the lobby" in phone.info[0].value
    assert not phone.text_area  # no drafting until let in
    at.run()
    assert _people(at)["Cy"] == "waiting to be let in"
    at.button(key=f"admit_{guest.id}").click().run()
    assert _people(at)["Cy"] == "here"
    phone.run()
    assert phone.text_area  # in: the draft box is there


def test_merge_a_duplicate_join_from_the_people_panel(svc: Services) -> None:
    code, key = _room(svc)
    _, twin = svc.workshops.join(code, "Ana (phone 2)")
    at = open_page("workshop", code=code, key=key)
    members = {m.name: m for m in svc.store.members(svc.workshops.find(code).id)}
    at.selectbox(key="merge_duplicate").set_value(twin.id).run()
    at.selectbox(key="merge_keep").set_value(members["Ana"].id).run()
    at.button(key=f"merge_{twin.id}_{members['Ana'].id}").click().run()
    assert "cannot be undone" in unescaped(at.warning[0].value)
    assert _people(at)["Ana (phone 2)"] == "here"  # nothing before the answer
    at.button(key=f"merge_{twin.id}_{members['Ana'].id}_yes").click().run()
    assert _people(at)["Ana (phone 2)"] == "merged"
    phone = open_page("join", code=code, member=twin.token)  # the twin's phone is Ana now
    assert "You are Ana." in texts(phone)


def test_a_new_join_code_from_the_facilitator_screen(svc: Services) -> None:
    code, key = _room(svc)
    at = open_page("workshop", code=code, key=key)
    at.button(key="rotate_join_code").click().run()
    assert "stop letting new people in" in unescaped(at.warning[0].value)
    at.button(key="rotate_join_code_yes").click().run()
    fresh = svc.workshops.find(code).joining_code
    assert fresh != code
    assert at.metric[0].value.replace("-", "") == fresh  # the screen shows the new code
    old = open_page("join", code=code)  # an old QR photo: no name form, a clear word
    assert "join code has been replaced" in unescaped(old.warning[0].value)
    assert not [t for t in old.text_input if t.key == "member_name"]
    new = open_page("join", code=fresh)
    new.text_input(key="member_name").input("Dee")
    new.button[0].click().run()  # Join
    assert "You are Dee." in texts(new)
    assert new.query_params["code"] == code  # the link keeps the lasting code


def test_the_people_table_says_when_each_phone_was_last_seen(svc: Services) -> None:
    code, key = _room(svc)
    svc.workshops.seen(LINKS[code]["Ana"])
    at = open_page("workshop", code=code, key=key)
    table = frame(at, "state")
    assert dict(zip(table["member"], table["last seen"], strict=True)) == {
        "Ana": "just now",
        "Bo": "-",
    }


def test_an_old_join_code_never_shows_the_new_one(svc: Services) -> None:
    code, key = _room(svc)
    fresh = svc.workshops.rotate_join_code(code, key).joining_code
    old = open_page("join", code=code)
    shown = texts(old).replace("-", "")
    assert code in shown and fresh not in shown
    assert "replaced" in unescaped(old.warning[0].value)


def test_a_name_someone_already_has_is_flagged(svc: Services) -> None:
    code, key = _room(svc)
    svc.workshops.join(code, "  ana ")  # the same name, another join
    at = open_page("workshop", code=code, key=key)
    table = frame(at, "state")
    notes = dict(zip(table["member"], table["note"], strict=True))
    assert notes["Ana"] == ""
    assert notes["ana"] == "same name as #1: merge if one person"


def test_the_key_leaves_the_address_bar_and_the_page_goes_on(svc: Services) -> None:
    code, key = _room(svc)
    at = open_page("workshop", code=code, key=key)
    assert "key" not in at.query_params  # a projected screen shows no key
    assert at.query_params["code"] == code
    at.button(key="toggle_reveal").click().run()  # the session still holds the key
    assert svc.workshops.find(code).revealed
    assert not at.error


def test_a_new_facilitator_key_from_the_screen(svc: Services) -> None:
    code, key = _room(svc)
    at = open_page("workshop", code=code, key=key)
    at.button(key="rotate_key").click().run()
    at.button(key="rotate_key_yes").click().run()
    assert "New facilitator key made" in " ".join(s.value for s in at.success)
    shown = " ".join(c.value for c in at.code)
    new = next(
        part.split("key=")[1] for part in shown.split() if "/workshop?" in part and "key=" in part
    )
    assert new != key
    assert svc.workshops.facilitator(code, new)
    at.button(key="toggle_reveal").click().run()  # this tab goes on with the new key
    assert svc.workshops.find(code).revealed
    old = open_page("workshop", code=code, key=key)
    assert "Only the facilitator" in old.error[0].value


def test_a_member_gets_a_new_link_from_the_people_list(svc: Services) -> None:
    code, key = _room(svc)
    at = open_page("workshop", code=code, key=key)
    ana = next(m for m in svc.store.members(svc.workshops.find(code).id) if m.name == "Ana")
    at.button(key=f"renew_{ana.id}").click().run()
    at.button(key=f"renew_{ana.id}_yes").click().run()
    assert "Ana's new link" in texts(at)
    url = next(c.value for c in at.code if "member=" in c.value)
    new = url.split("member=")[1]
    assert "You are Ana." in texts(open_page("join", code=code, member=new))
    old = open_page("join", code=code, member=LINKS[code]["Ana"])
    assert "not part of the workshop" in " ".join(e.value for e in old.error)
    at.button(key="new_link_done").click().run()
    assert "Ana's new link" not in texts(at)
