"""How every open screen follows what others do, within about half a second, cheaply.

The browser asks /_coach/watch (coach.ui.watch_api) every POLL_MS for a token that
changes when this kind of screen should redraw, and reruns the page only when it does.
A Streamlit fragment polling instead cost the server about 40 ms of CPU per screen per
poll (measured: 4 idle phones at one poll a second took 38% of a core); an HTTP answer
from a shared cache costs a small fraction of that. A hidden tab (a phone in a pocket)
does not ask.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

import streamlit as st

from coach.domain.types import Member, Round, Workshop
from coach.ui.common import services
from coach.ui.watch_api import member_state, token

POLL_MS = 400
View = Literal["phone", "all"]

_JS = """
const watchers = (window.__missionCoachWatch ??= {});

export default function ({ data, setTriggerValue, parentElement }) {
  const id = data?.id;
  if (typeof id !== "string") return;
  if (watchers[id]) clearInterval(watchers[id]);
  let seen = data.seen;
  let busy = false;
  const tick = async () => {
    if (parentElement && !parentElement.isConnected) {  // the page moved on
      clearInterval(watchers[id]);
      delete watchers[id];
      return;
    }
    if (busy || document.hidden) return;
    busy = true;
    try {
      // A member's screen says whose it is in a header, never in the address, which
      // servers log: the facilitator's People table shows when each was last seen.
      const headers = data.member ? { "X-Coach-Member": data.member } : {};
      const answer = await fetch(data.url, { cache: "no-store", headers });
      if (answer.ok) {
        const body = await answer.json();
        if (typeof body.v === "string" && body.v !== "" && body.v !== seen) {
          seen = body.v;
          // A phone's view changes with the phase: what is new is at the top of the page.
          if (data.top) {
            document.querySelector('[data-testid="stMain"]')?.scrollTo(0, 0);
            window.scrollTo(0, 0);
          }
          setTriggerValue("changed", body.v);
        }
      }
    } catch (err) {
      // The server restarting or the network dropping: try again at the next tick.
    } finally {
      busy = false;
    }
  };
  watchers[id] = setInterval(tick, data.every);
  return () => {
    clearInterval(watchers[id]);
    delete watchers[id];
  };
}
"""
_HTML = '<span class="mission-coach-watch"></span>'
_CSS = ".stElementContainer:has(.mission-coach-watch) { display: none; }"

_component = st.components.v2.component(
    "mission_coach_watch", html=_HTML, css=_CSS, js=_JS, isolate_styles=False
)


def _rerun() -> None:
    """The trigger itself reruns the page: nothing else to do."""
    return None


def follow(
    workshop: Workshop, view: View, rnd: Round | None = None, member: Member | None = None
) -> None:
    """Keep this page in step with the workshop: it reruns when its view changes. A phone
    page that has just read the current round passes it, saving a second read; a member's
    page passes their token, so the facilitator sees when they were last seen."""
    head = rnd or (services().consensus.head(workshop) if view == "phone" else None)
    seen = token(workshop, head, view, member_state(member) if member else None)
    query = urlencode({"code": workshop.code, "view": view})
    _component(
        key=f"watch_{view}",
        data={
            "id": view,
            "url": f"/_coach/watch?{query}",
            "seen": seen,
            "every": POLL_MS,
            "member": member.token if member else "",
            "top": view == "phone",
        },
        on_changed_change=_rerun,
    )
