"""Remember, in this browser's localStorage, the workshops recently opened on this device.

Only when the person asks ("Remember on this device"). A facilitator's entry holds a
device token the app can revoke, never the facilitator key; a member's entry holds their
member link, which the facilitator can renew. Version 1 of this list held facilitator
keys: it is deleted from the browser on sight.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from typing import Any

import streamlit as st

from coach.domain.limits import Window

STORAGE_KEY = "mission-coach.recent.v2"
OLD_KEYS = ("mission-coach.recent.v1",)  # held facilitator keys in plain text
LIMIT = 12
MAX_CHARS = 200

# Everything read from storage or sent by Python is untrusted: it is parsed, filtered to
# flat string fields and never rendered, so no markup or code can come out of it.
_JS_BODY = """
// Count code points, as Python's len() does, so both sides agree on what is too long.
function short(s) {
  return typeof s === "string" && (s.length <= MAX_CHARS || [...s].length <= MAX_CHARS);
}

function clean(entry) {
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return null;
  const out = {};
  for (const [k, v] of Object.entries(entry)) {
    if (short(k) && short(v)) out[k] = v;
  }
  return out.code ? out : null;
}

function cleanList(value) {
  const out = [];
  if (!Array.isArray(value)) return out;
  const seen = new Set();
  for (const item of value) {
    const entry = clean(item);
    if (entry === null || seen.has(entry.code)) continue;
    seen.add(entry.code);
    out.push(entry);
    if (out.length === LIMIT) break;
  }
  return out;
}

// Storage can be corrupt, edited by hand, or blocked (private modes): all read as empty.
function read() {
  let raw = null;
  try {
    raw = window.localStorage.getItem(STORAGE_KEY);
  } catch (err) {
    return { raw: null, list: [] };
  }
  try {
    return { raw, list: cleanList(JSON.parse(raw ?? "[]")) };
  } catch (err) {
    return { raw, list: [] };
  }
}

function write(text) {
  try {
    window.localStorage.setItem(STORAGE_KEY, text);
  } catch (err) {
    // Full or blocked storage only costs the memory, never the page.
  }
}

// Python may hand back the same entries with keys in another order.
function canonical(list) {
  const pairs = (e) => Object.keys(e).sort().map((k) => [k, e[k]]);
  return JSON.stringify(list.map((e) => (e && typeof e === "object" ? pairs(e) : e)));
}

export default function ({ data, setStateValue }) {
  for (const old of OLD_KEYS) {
    try {
      window.localStorage.removeItem(old);
    } catch (err) {
      // Blocked storage holds nothing to remove.
    }
  }
  const { raw, list } = read();
  let next = list;
  const forget = data?.forget;
  if (typeof forget === "string") next = next.filter((e) => e.code !== forget);
  const add = clean(data?.add);
  if (add !== null) next = [add, ...next.filter((e) => e.code !== add.code)].slice(0, LIMIT);
  const text = JSON.stringify(next);
  if (text !== raw) write(text);
  // Each setStateValue reruns the script, so only answer when Python's copy is missing or
  // stale; an unchanged list stays silent and the rerun loop ends.
  const known = data?.known;
  if (!Array.isArray(known) || canonical(known) !== canonical(next)) {
    setStateValue("entries", next);
  }
}
"""
_JS = (
    f"const STORAGE_KEY = {json.dumps(STORAGE_KEY)};\n"
    f"const OLD_KEYS = {json.dumps(list(OLD_KEYS))};\n"
    f"const LIMIT = {LIMIT};\nconst MAX_CHARS = {MAX_CHARS};\n{_JS_BODY}"
)

# A zero-height element still costs the page a flex gap; the marker lets a (global, since
# styles are not isolated) rule collapse its container without touching Streamlit's DOM.
_HTML = '<span class="mission-coach-device-memory"></span>'
_CSS = ".stElementContainer:has(.mission-coach-device-memory) { display: none; }"

# Registered once at import: a second registration under the same name logs a warning
# and replaces the first.
_component = st.components.v2.component(
    "mission_coach_device_memory", html=_HTML, css=_CSS, js=_JS, isolate_styles=False
)


def _clean_entry(entry: object) -> dict[str, str] | None:
    if not isinstance(entry, Mapping):
        return None
    out = {
        k: v
        for k, v in entry.items()
        if isinstance(k, str) and isinstance(v, str) and len(k) <= MAX_CHARS and len(v) <= MAX_CHARS
    }
    return out if out.get("code") else None


def _clean_entries(raw: object) -> list[dict[str, str]]:
    if not isinstance(raw, list):
        return []
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in raw:
        entry = _clean_entry(item)
        if entry is None or entry["code"] in seen:
            continue
        seen.add(entry["code"])
        out.append(entry)
        if len(out) == LIMIT:
            break
    return out


def _ignore() -> None:
    # Declaring on_entries_change makes "entries" a known state key, so the result always
    # carries it (None before the browser answers); the value is read after mounting.
    return None


def device_memory(
    add: dict[str, str] | None = None,
    forget: str | None = None,
    *,
    key: str = "device_memory",
) -> list[dict[str, str]] | None:
    """Entries remembered in this browser's localStorage, newest first.

    `add` stores/updates one entry (matched on its "code" field) and moves it to the front;
    `forget` removes the entry with that code. Returns None until the browser has answered
    (first run), then the list. At most 12 entries are kept.
    """
    entry = _clean_entry(add)
    gone = forget if isinstance(forget, str) and 0 < len(forget) <= MAX_CHARS else None
    # Echo back exactly what the browser last sent, so it can tell when Python is up to date
    # and stay silent instead of triggering another rerun.
    state: Any = st.session_state.get(key)
    known = state.get("entries") if isinstance(state, Mapping) else None
    result = _component(
        key=key,
        data={"add": entry, "forget": gone, "known": known},
        on_entries_change=_ignore,
    )
    raw = result.get("entries")
    return None if raw is None else _clean_entries(raw)


def _xsrf_token(raw: str) -> str:
    """The browser's stable XSRF token from Streamlit's cookie ("2|mask|masked|time"): the
    cookie's text changes on every page load, the unmasked token does not."""
    parts = raw.strip("\"'").split("|")
    try:
        if len(parts) == 4 and parts[0] == "2":
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
            return bytes(a ^ b for a, b in zip(mask, masked, strict=True)).hex()
    except ValueError:
        pass
    return raw


def _private(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_private
    except ValueError:
        return False


def client() -> tuple[str, str]:
    """(browser, address) this page came from, for limiting joins per client; "" if unknown.

    The browser is Streamlit's XSRF cookie, kept for the browser's session. The address is
    the connection's, or the first X-Forwarded-For hop when the connection comes from a
    proxy on this machine or a private network (as behind the hosting proxy).
    """
    ctx = st.context
    raw = ctx.cookies.get("_streamlit_xsrf")
    browser = _xsrf_token(raw) if isinstance(raw, str) else ""  # not str: no real browser
    address = ctx.ip_address if isinstance(ctx.ip_address, str) else ""
    header = ctx.headers.get("X-Forwarded-For")
    forwarded = header.split(",")[0].strip() if isinstance(header, str) else ""
    if forwarded and (not address or _private(address)):
        address = forwarded
    return browser, address


# New workshops and personal plans per browser in an hour: a facilitator makes a few, a
# script would make thousands.
CREATIONS = Window(20, 3600)


def client_key() -> str:
    """One key per client for the limits: its browser, else its address."""
    browser, address = client()
    return f"b:{browser}" if browser else f"a:{address}" if address else "local"


def in_minutes(seconds: float) -> str:
    """'about 3 minutes': how long a refusal lasts, as a person says it."""
    minutes = max(1, round(seconds / 60))
    return f"about {minutes} minute{'' if minutes == 1 else 's'}"


def creation_refusal(kind: str) -> str | None:
    """None if this browser may create one more `kind` now, else what to do."""
    wait = CREATIONS.take(f"{kind}:{client_key()}")
    if wait is None:
        return None
    return (
        f"This device has made many {kind}s in the last hour. Use one of them, or try again "
        f"in {in_minutes(wait)}."
    )
