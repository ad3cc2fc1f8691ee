"""Start a workshop, join one, or reopen one remembered on this device."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from coach.domain.codes import format_code
from coach.errors import CoachError, InputError
from coach.ui.common import PAGES, fail, link, services
from coach.ui.device import creation_refusal, device_memory

DEFAULT_FOCUS = "superior customer service at every level of operations"


def render() -> None:
    ws = services().workshops
    st.title("Mission Coach")
    st.caption(
        "Step 4: each member writes a one-sentence mission statement on their own, then the "
        "team agrees one that is desired, bold, clear and stretching."
    )
    # Changes to this device's list travel through one mounted component per run.
    recent = device_memory(
        add=st.session_state.pop("remember", None), forget=st.session_state.pop("forget", None)
    )
    created = st.session_state.get("created")
    if created:
        _created(created)

    start, join = st.columns(2, gap="large")
    with start, st.form("create_form"):
        st.subheader("Start a workshop")
        name = st.text_input("Workshop name", key="create_name", placeholder="Front desk team")
        org = st.text_input("Organisation (optional)", key="create_org")
        focus = st.text_input("Focus (optional)", key="create_focus", value=DEFAULT_FOCUS)
        if st.form_submit_button("Create workshop", type="primary"):
            try:
                if (refusal := creation_refusal("workshop")) is not None:
                    raise InputError(refusal)
                workshop, key = ws.create(name, org, focus)
            except CoachError as exc:
                fail(exc)
            else:
                st.session_state["created"] = {
                    "code": workshop.code,
                    "key": key,
                    "name": workshop.name,
                }
                st.session_state["remember"] = _entry(
                    workshop.code, workshop.name, workshop.organisation, "facilitator", key
                )
                st.rerun()
    with join, st.form("join_form"):
        st.subheader("Join a workshop")
        raw = st.text_input("Join code", key="join_code", placeholder="K7QM-4XHD-9TRB")
        if st.form_submit_button("Join"):
            try:
                workshop = ws.find(raw)
            except CoachError as exc:
                fail(exc)
            else:
                st.switch_page(PAGES["join"], query_params={"code": workshop.code})
    _recent(recent)


def _entry(code: str, name: str, org: str, role: str, secret: str) -> dict[str, str]:
    return {
        "code": code,
        "name": name,
        "organisation": org,
        "role": role,
        "secret": secret,
        "opened": datetime.now(UTC).date().isoformat(),
    }


def _created(created: dict[str, str]) -> None:
    with st.container(border=True):
        st.success("Workshop created. This is your facilitator link:")
        st.code(link("workshop", code=created["code"], key=created["key"]), language=None)
        st.warning(
            "Save this link now: it is your only way back in as facilitator, and it is shown "
            "once. (This device also remembers it under Recent workshops.)",
            icon="🔑",
        )
        if st.button("Open the facilitator screen", type="primary", key="open_created"):
            st.session_state.pop("created", None)
            st.switch_page(
                PAGES["workshop"], query_params={"code": created["code"], "key": created["key"]}
            )


def _recent(entries: list[dict[str, str]] | None) -> None:
    st.subheader("Recent workshops on this device")
    if entries is None:
        st.caption("Looking for workshops remembered in this browser…")
        return
    if not entries:
        st.caption("None yet: workshops you create or join here will be listed.")
        return
    for i, e in enumerate(entries):
        row = st.columns([5, 1, 1])
        row[0].text(
            f"{e.get('name', '')} · {format_code(e.get('code', ''))} · "
            f"as {e.get('role', 'member')} · {e.get('opened', '')}"
        )
        if row[1].button("Open", key=f"recent_open_{i}"):
            page = "workshop" if e.get("role") == "facilitator" else "join"
            secret = "key" if page == "workshop" else "member"
            st.switch_page(
                PAGES[page], query_params={"code": e.get("code", ""), secret: e.get("secret", "")}
            )
        if row[2].button("Forget", key=f"recent_forget_{i}"):
            st.session_state["forget"] = e.get("code")
            st.rerun()


render()
