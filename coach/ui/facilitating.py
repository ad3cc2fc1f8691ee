"""Which workshop a facilitator's page is about, kept across the top bar's links.

The top bar opens pages without their query, so Facilitate, Consensus and Team kept
nothing. The workshop a facilitator last opened with its link is remembered for this
browser session (not in the address bar, not on the device), and a page opened with
none asks for the link, with a field to paste it.

The key leaves the address bar as soon as a page has read it (a facilitator screen is
often projected); the tab keeps it in sessionStorage, so a reload of that tab still opens
the workshop.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import streamlit as st

from coach.domain.types import Workshop
from coach.errors import CoachError
from coach.service.workshops import Workshops
from coach.ui.common import PAGES, fail, link, services
from coach.ui.tab_memory import from_address, held, hold

_SLOT = "facilitator"  # the tab's memory slot (and session state) for the key


def current() -> tuple[str, str] | None:
    """(code, key) from the address, else the one this session (or this tab, after a
    reload) last opened; (code, "") for a code this tab holds no key for. Call once per
    run: it mounts the tab's memory."""
    code = st.query_params.get("code", "")
    found = from_address("key", _SLOT, waiting="Opening the workshop…")
    if found is None and code:
        return code, ""
    return found


def in_session(code: str) -> bool:
    """Whether this session already opened `code` as its facilitator, or is opening it."""
    found = held(_SLOT)
    opening = st.query_params.get("key", "") and st.query_params.get("code", "") == code
    return bool(opening) or (found is not None and found[0] == code)


def adopt(code: str, key: str) -> None:
    """This tab now opens `code` with `key` (a key just renewed); the tab's memory takes
    it on the next mount. Safe in a button's callback."""
    hold(_SLOT, code, key, save=True)


def open_workshop(title: str, ws: Workshops) -> tuple[Workshop, str] | None:
    """The page's workshop for its facilitator, with a title; else it asks or says why."""
    found = current()
    if found is None:
        ask(title)
        return None
    code, key = found
    st.title(title)
    try:
        return ws.facilitator(code, key), key
    except CoachError as exc:
        fail(exc)
        st.page_link(PAGES["home"], label="Go to Workshops", icon="🏠")
        return None


def ask(title: str) -> None:
    """A page opened with no workshop: paste the facilitator link to open it."""
    st.title(title)
    st.info("Open your workshop: paste the facilitator link you saved when you created it.")
    with st.form(f"facilitator_link_{title}"):
        raw = st.text_input(
            "Facilitator link", key=f"paste_link_{title}", placeholder="http://…/workshop?code=…"
        )
        if st.form_submit_button("Open", type="primary"):
            found = parse_link(raw)
            if found is None:
                st.error(
                    "That is not a facilitator link: it holds a code and a key, like "
                    "http://…/workshop?code=K7QM4XHD9TRB&key=…"
                )
            else:
                hold(_SLOT, *found)
                st.rerun()
    st.page_link(PAGES["home"], label="Or start a workshop", icon="🏠")


def parse_link(raw: str) -> tuple[str, str] | None:
    query = parse_qs(urlsplit(raw.strip()).query)
    code, key = query.get("code", [""])[0], query.get("key", [""])[0]
    return (code, key) if code and key else None


def nav(code: str, key: str, here: str) -> None:
    """The facilitator's pages, each with the workshop in its link."""
    pages = [
        ("workshop", "Drafts and people", "🧑‍🏫"),
        ("consensus", "Toward consensus", "🤝"),
        ("team", "Team commitments", "📋"),
    ]
    # One read per browser session: the key (and so the link) does not change under it.
    cache = st.session_state.setdefault("presenter_links", {})
    if (code, key) not in cache:
        cache[(code, key)] = services().workshops.presenter_token(code, key)
    token = cache[(code, key)]
    st.link_button(
        "📽️ Present on the projector (opens a read-only screen, no key in its address)",
        link("present", code=code, view=token),
    )
    cols = st.columns(len(pages))
    for col, (page, label, icon) in zip(cols, pages, strict=True):
        if page == here:
            col.markdown(f"**{icon} {label}**")
        else:
            col.page_link(
                PAGES[page], label=label, icon=icon, query_params={"code": code, "key": key}
            )
