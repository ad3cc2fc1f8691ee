"""Start a workshop, join one, or reopen one remembered on this device."""

from __future__ import annotations

import contextlib
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
    if failed := st.session_state.pop("remember_failed", None):
        fail(InputError(failed))
    created = st.session_state.get("created")
    if created:
        _created(created)

    start, join = st.columns(2, gap="large")
    with start, st.form("create_form"):
        st.subheader("Start a workshop")
        name = st.text_input("Workshop name", key="create_name", placeholder="Front desk team")
        org = st.text_input("Organisation (optional)", key="create_org")
        focus = st.text_input("Focus (optional)", key="create_focus", value=DEFAULT_FOCUS)
        whole = st.radio(
            "Agenda",
            (True, False),
            format_func=lambda w: (
                "The whole workshop: Steps 3 to 8"
                if w
                else "Mission and commitments only: Steps 4, 6 and 8"
            ),
            key="create_agenda",
            help="You can switch steps on or off and change their times later.",
        )
        if st.form_submit_button("Create workshop", type="primary"):
            try:
                if (refusal := creation_refusal("workshop")) is not None:
                    raise InputError(refusal)
                workshop, key = services().steps.create_workshop(
                    name, org, focus, whole=bool(whole)
                )
            except CoachError as exc:
                fail(exc)
            else:
                st.session_state["created"] = {
                    "code": workshop.code,
                    "key": key,
                    "name": workshop.name,
                    "organisation": workshop.organisation,
                }
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
            "Save this link now: it is your only way back in as facilitator, and it is shown once.",
            icon="🔑",
        )
        if created.get("remembered"):
            st.caption("This device remembers the workshop under Recent workshops.")
        else:
            st.button(
                "Remember on this device",
                key="remember_created",
                on_click=_remember,
                args=(created,),
            )
            st.caption(
                "Only on your own computer: anyone who uses this browser could then open the "
                "facilitator screen. It keeps a token you can revoke, not your key, and "
                "Forget removes it."
            )
        if st.button("Open the facilitator screen", type="primary", key="open_created"):
            st.session_state.pop("created", None)
            st.switch_page(
                PAGES["workshop"], query_params={"code": created["code"], "key": created["key"]}
            )


def _remember(created: dict[str, str]) -> None:
    """Opted in: this browser gets a revocable device token for the workshop."""
    try:
        token = services().workshops.remember_device(created["code"], created["key"])
    except CoachError as exc:
        st.session_state["remember_failed"] = str(exc)
        return
    st.session_state["remember"] = _entry(
        created["code"], created["name"], created.get("organisation", ""), "facilitator", token
    )
    created["remembered"] = "yes"


def _forget(entry: dict[str, str]) -> None:
    """Off this device's list; a facilitator's device token stops working too."""
    code = entry.get("code", "")
    if entry.get("role") == "facilitator":
        # A workshop gone, or a code no longer valid: nothing left to revoke.
        with contextlib.suppress(CoachError):
            services().workshops.forget_device(code, entry.get("secret"))
    st.session_state["forget"] = code


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
        row[2].button("Forget", key=f"recent_forget_{i}", on_click=_forget, args=(e,))


render()
