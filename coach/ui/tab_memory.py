"""The facilitator key, held by this browser tab (sessionStorage) instead of the address bar.

A facilitator screen is often projected: the key must not show in its address. The page
takes the key out of the address and keeps it in the tab's sessionStorage, which survives
a reload of that tab and nothing else: not another tab, not the next browser session, and
nothing is written to localStorage.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

STORAGE_KEY = "mission-coach.tab.v1"  # one entry per slot: the facilitator's, the projector's
MAX_CHARS = 200

# What comes back from the browser is untrusted: two short strings or nothing.
_JS = f"""
const MAX_CHARS = {MAX_CHARS};
function ok(v) {{ return typeof v === "string" && v.length > 0 && v.length <= MAX_CHARS; }}
function read(STORAGE_KEY) {{
  try {{
    const v = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) ?? "null");
    return v && ok(v.code) && ok(v.key) ? {{ code: v.code, key: v.key }} : {{}};
  }} catch (err) {{
    return {{}};
  }}
}}
export default function ({{ data, setStateValue }}) {{
  const STORAGE_KEY = data?.storage;
  if (typeof STORAGE_KEY !== "string") return;
  let held = read(STORAGE_KEY);
  const save = data?.save;
  if (save && ok(save.code) && ok(save.key)) {{
    held = {{ code: save.code, key: save.key }};
    try {{ window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(held)); }} catch (err) {{}}
  }}
  const known = data?.known;
  if (!known || known.code !== held.code || known.key !== held.key) {{
    setStateValue("held", held);
  }}
}}
"""
_HTML = '<span class="mission-coach-tab-memory"></span>'
_CSS = ".stElementContainer:has(.mission-coach-tab-memory) { display: none; }"

_component = st.components.v2.component(
    "mission_coach_tab_memory", html=_HTML, css=_CSS, js=_JS, isolate_styles=False
)


def _ignore() -> None:
    return None


def tab_key(
    save: tuple[str, str] | None = None, *, slot: str = "facilitator"
) -> tuple[str, str] | bool | None:
    """Mount once per run and slot. Returns the (code, secret) this tab holds in `slot`
    ("facilitator": the key; "presenter": the projector's link), False if it holds none,
    or None until the browser has answered (the first run of a new tab)."""
    state_key = "tab_memory" if slot == "facilitator" else f"tab_memory_{slot}"
    state: Any = st.session_state.get(state_key)
    known = state.get("held") if isinstance(state, Mapping) else None
    result = _component(
        key=state_key,
        data={
            "storage": f"{STORAGE_KEY}.{slot}",
            "save": {"code": save[0], "key": save[1]} if save else None,
            "known": known,
        },
        on_held_change=_ignore,
    )
    held = result.get("held")
    if held is None:
        return None
    if isinstance(held, Mapping):
        code, key = held.get("code"), held.get("key")
        if isinstance(code, str) and isinstance(key, str) and code and key:
            return code[:MAX_CHARS], key[:MAX_CHARS]
    return False


def _held_key(slot: str) -> str:
    return f"held_{slot}"


def held(slot: str) -> tuple[str, str] | None:
    """The (code, secret) this session holds in `slot`, if any."""
    found = st.session_state.get(_held_key(slot))
    return found if isinstance(found, tuple) else None


def hold(slot: str, code: str, secret: str, *, save: bool = False) -> None:
    """This session now holds `secret` for `code` in `slot`; with `save`, the tab's memory
    takes it on the next mount too (a renewed key). Safe in a button's callback."""
    st.session_state[_held_key(slot)] = (code, secret)
    if save:
        st.session_state[f"{_held_key(slot)}_save"] = True


def from_address(param: str, slot: str, *, waiting: str = "Opening…") -> tuple[str, str] | None:
    """(code, secret) for a page opened with `?code=...&{param}=...`: the secret leaves the
    address bar once read and this tab keeps it (session, then sessionStorage after a
    reload). None if this tab holds no secret for the code in the address. Call once per
    run; while a reloaded tab's memory has not answered yet, the page says `waiting`."""
    code, secret = st.query_params.get("code", ""), st.query_params.get(param, "")
    if code and secret:
        hold(slot, code, secret, save=True)
        del st.query_params[param]
    found = held(slot)
    if st.session_state.pop(f"{_held_key(slot)}_save", False) and found is not None:
        tab_key(found, slot=slot)
    elif code and (found is None or found[0] != code):
        kept = tab_key(slot=slot)
        if kept is None:  # a reloaded tab: its memory answers on the next run
            st.caption(waiting)
            st.stop()
        if isinstance(kept, tuple) and kept[0] == code:
            hold(slot, *kept)
            found = kept
    return found if found is not None and (not code or found[0] == code) else None
