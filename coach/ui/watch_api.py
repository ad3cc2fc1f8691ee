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

from starlette.concurrency import run_in_threadpool
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
_Entry = tuple[float, Workshop, RoundHead | None, dict[str, MemberState]]
_cache: dict[str, _Entry] = {}
_loading: dict[str, threading.Lock] = {}  # one reader per workshop


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


def _fresh(code: str) -> _Entry | None:
    """The cached answer for this workshop while it is younger than TTL: no I/O at all."""
    hit = _cache.get(code)
    if hit is not None and time.monotonic() - hit[0] < TTL:
        return hit
    return None


def _load(code: str) -> _Entry:
    """Read the workshop (in a worker thread). One reader per workshop at a time: the
    screens of other workshops are answered meanwhile, and screens of this one that asked
    at the same moment share its read."""
    global _services
    with _lock:
        lock = _loading.setdefault(code, threading.Lock())
        if _services is None:
            _services = build()
        services = _services
    with lock:
        hit = _fresh(code)
        if hit is not None:
            return hit
        stale = _cache.get(code)
        if stale is not None and services.store.revision(stale[1].id) == stale[1].revision:
            # Nothing committed since: one small read instead of three.
            entry: _Entry = (time.monotonic(), *stale[1:])
        else:
            workshop = services.workshops.find(code)
            entry = (
                time.monotonic(),
                workshop,
                services.consensus.head(workshop),
                services.store.member_states(workshop.id),
            )
        with _lock:
            if len(_cache) > 2048:  # codes nobody watches any more
                _cache.clear()
                _loading.clear()
            _cache[code] = entry
        return entry


def _due_seen(member: str) -> bool:
    """At most one write per member every SEEN_EVERY seconds, however often it polls."""
    now = time.monotonic()
    with _lock:
        if now - _seen.get(member, -SEEN_EVERY) < SEEN_EVERY:
            return False
        if len(_seen) > 8192:
            _seen.clear()
        _seen[member] = now
        return True


def _note_seen(member: str) -> None:
    if _services is not None:
        with contextlib.suppress(CoachError):  # a courtesy: the screen still gets its answer
            _services.workshops.seen(member)


async def watch(request: Request) -> JSONResponse:
    """Answered on the event loop from the cache; only a read of the database (at most
    once per TTL per workshop) or a "last seen" write goes to a worker thread. Hundreds of
    phones asking a few times a second then cost little more than parsing their requests."""
    view = request.query_params.get("view", "phone")
    try:
        code = parse_code(request.query_params.get("code", ""))
        entry = _fresh(code)
        if entry is None:
            entry = await run_in_threadpool(_load, code)
        _, workshop, head, states = entry
    except CoachError:
        return JSONResponse({"v": ""}, status_code=404)
    member = request.headers.get("x-coach-member", "")[:64]
    if member and _due_seen(member):
        await run_in_threadpool(_note_seen, member)
    v = token(workshop, head, view, states.get(token_hash(member)) if member else None)
    return JSONResponse({"v": v}, headers={"Cache-Control": "no-store"})
