"""GET /_coach/watch?code=...&view=phone|all: a token that changes when that screen should redraw.

Every open screen asks a few times a second from the browser (coach.ui.live), which costs
the server one small HTTP answer instead of a Streamlit rerun. Answers come from a
per-process cache that reads the database at most every TTL seconds per workshop, however
many screens watch it. The answer holds only an opaque token: nothing about the workshop.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time

from starlette.requests import Request
from starlette.responses import JSONResponse

from coach.bootstrap import Services, build
from coach.domain.codes import parse_code, token_hash
from coach.domain.types import Member, Round, RoundHead, Workshop
from coach.errors import CoachError

TTL = 0.15  # seconds an answer is shared between screens before the database is asked again
SEEN_EVERY = 15.0  # seconds between two "last seen" writes for one member, per process
_lock = threading.Lock()
_seen: dict[str, float] = {}
_services: Services | None = None
MemberState = tuple[bool, bool, bool]  # absent, removed, admitted
_cache: dict[str, tuple[float, Workshop, RoundHead | None, dict[str, MemberState]]] = {}


def member_state(member: Member) -> MemberState:
    return (member.absent, member.removed, member.admitted)


def token(
    workshop: Workshop,
    head: Round | RoundHead | None,
    view: str,
    member: MemberState | None = None,
) -> str:
    """What a screen of this kind shows, boiled down: equal tokens, nothing to redraw. A
    member's phone also follows its own state (marked absent, removed, let in)."""
    if view == "all":  # the facilitator's screens show everything
        return str(workshop.revision)
    shown = (
        member,
        workshop.revealed,
        workshop.locked,
        workshop.adopted_id,
        workshop.anonymous,
        workshop.timer_ends_at,
        workshop.timer_lock,
        workshop.step,
        (head.number, head.phase, head.leader_id) if head else None,
    )
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]


def _state(code: str) -> tuple[Workshop, RoundHead | None, dict[str, MemberState]]:
    global _services
    now = time.monotonic()
    with _lock:
        hit = _cache.get(code)
        if hit is not None and now - hit[0] < TTL:
            return hit[1], hit[2], hit[3]
        if _services is None:
            _services = build()
        workshop = _services.workshops.find(code)
        head = _services.consensus.head(workshop)
        states = _services.store.member_states(workshop.id)
        if len(_cache) > 2048:  # codes nobody watches any more
            _cache.clear()
        _cache[code] = (now, workshop, head, states)
        return workshop, head, states


def _note_seen(member: str) -> None:
    """At most one write per member every SEEN_EVERY seconds, however often it polls."""
    now = time.monotonic()
    with _lock:
        if now - _seen.get(member, -SEEN_EVERY) < SEEN_EVERY:
            return
        if len(_seen) > 8192:
            _seen.clear()
        _seen[member] = now
        services = _services
    if services is not None:
        services.workshops.seen(member)


def watch(request: Request) -> JSONResponse:
    """Sync on purpose: Starlette runs it in a thread, off the event loop."""
    view = request.query_params.get("view", "phone")
    try:
        code = parse_code(request.query_params.get("code", ""))
        workshop, head, states = _state(code)
    except CoachError:
        return JSONResponse({"v": ""}, status_code=404)
    member = request.headers.get("x-coach-member", "")[:64]
    if member:
        with contextlib.suppress(CoachError):  # a courtesy: the screen still gets its answer
            _note_seen(member)
    v = token(workshop, head, view, states.get(token_hash(member)) if member else None)
    return JSONResponse({"v": v}, headers={"Cache-Control": "no-store"})
