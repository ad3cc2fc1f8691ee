"""What an event's idle phones cost a real server, and how fast a change reaches them all.

A real server (`coach/ui/serving/server.py` under `streamlit run`, as `mission-coach
serve` runs it) serves a programme of teams. Each phone is emulated at the protocol
level, doing to the server exactly what the join page in a browser does while its owner
reads it:
- it opens a Streamlit session over the websocket and runs the join page with its
  member link (the page must show "Your mission statement", or the phone counts as
  failed);
- it asks `/_coach/watch` every 400 ms (coach.ui.live.POLL_MS) over its own keep-alive
  connection, with its member header, as the page's watch component does;
- when the answer changes, it sets the watch component's trigger, as the component's
  JavaScript does, so the server reruns the page's live fragment, and waits for that run
  to finish.

240 Chromium pages would not fit beside the server on a 2-core machine; `--chromium N`
measures N real Chromium phones the same way (bench.live_bench) to compare the cost of
one phone.

Figures: the server process's CPU (user + system) and PostgreSQL's over a quiet
interval, as a share of one core; the server's memory with every phone connected; watch
answer latency; and, when every team's facilitator locks drafting at the same moment,
the time until each phone has noticed and has its page drawn again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

from bench.load import percentile, postgres_database, postgres_unavailable
from coach.bootstrap import Services, build
from coach.config import Settings
from coach.ui.live import POLL_MS
from tests.support.app_server import SERVER, start_streamlit

SHOWN = b"Your mission statement"  # on the join page of a member who has joined
LOCKED = b"Drafting is locked by the facilitator"  # what the phones must show after
WATCH = "mission_coach_watch"  # coach.ui.live's component
# What Chromium sends with the watch component's fetch (captured from a real phone page),
# so the server parses as much per request as it would for a browser.
BROWSER_HEADERS = (
    "Accept: */*\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n"
    "Accept-Language: en-US,en;q=0.9\r\nCache-Control: no-cache\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: _streamlit_xsrf=2|57ae9fa0|f5b1a1feec110cdc04c9241eb7f5f715|1795696817\r\n"
    "Pragma: no-cache\r\nReferer: {base}/join?{query}\r\nSec-Fetch-Dest: empty\r\n"
    "Sec-Fetch-Mode: cors\r\nSec-Fetch-Site: same-origin\r\n"
    "User-Agent: Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/156.0.0.0 Mobile Safari/537.36\r\n"
    'sec-ch-ua: "Not:A-Brand";v="8", "Chromium";v="156"\r\nsec-ch-ua-mobile: ?1\r\n'
    'sec-ch-ua-platform: "Android"\r\n'
)
# How Streamlit's frontend names a v2 component's trigger widget (bidi_component.main).
TRIGGER_ID = "$$STREAMLIT_INTERNAL_KEY_{id}__events"


@dataclass
class Phone:
    code: str
    token: str
    query: str = ""
    ws: websockets.ClientConnection | None = None
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    seen: str = ""
    polls: list[float] = field(default_factory=list)  # answer latencies, seconds
    failed: str | None = None
    changed_at: float | None = None  # when a poll first saw the change
    drawn_at: float | None = None  # when the page had run again after it
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    shown: bool = False
    locked: bool = False
    watch: tuple[str, str] | None = None  # the watch component's (id, fragment id)


async def _read_forward(phone: Phone) -> None:
    """Everything the server sends this phone; marks each finished script run."""
    assert phone.ws is not None
    try:
        async for raw in phone.ws:
            if not isinstance(raw, bytes):
                continue
            if SHOWN in raw:
                phone.shown = True
            if LOCKED in raw:
                phone.locked = True
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "script_finished":
                phone.finished.set()
            elif kind == "delta" and msg.delta.new_element.WhichOneof("type") == "bidi_component":
                element = msg.delta.new_element.bidi_component
                if element.component_name.endswith(WATCH):
                    phone.watch = (element.id, msg.delta.fragment_id)
    except websockets.ConnectionClosed:
        pass


async def _run_page(phone: Phone, changed: str | None = None) -> None:
    """Run the join page; with `changed`, only its live fragment, as the watch
    component's trigger does in a browser when the watch answer changes."""
    assert phone.ws is not None
    phone.finished.clear()
    state = ClientState(query_string=phone.query, page_name="join")
    if changed is not None:
        if phone.watch is None:
            raise RuntimeError("the page has no watch component")
        widget, fragment = phone.watch
        trigger = WidgetState(
            id=TRIGGER_ID.format(id=widget),
            json_trigger_value=json.dumps([{"event": "changed", "value": changed}]),
        )
        state.widget_states.CopyFrom(WidgetStates(widgets=[trigger]))
        state.fragment_id = fragment
    await phone.ws.send(BackMsg(rerun_script=state).SerializeToString())
    await asyncio.wait_for(phone.finished.wait(), 120)


async def _open(phone: Phone, base: str) -> None:
    host = urlsplit(base).netloc
    phone.query = urlencode({"code": phone.code, "member": phone.token})
    try:
        phone.ws = await websockets.connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=[websockets.Subprotocol("streamlit")],
            origin=websockets.Origin(base),
            max_size=None,
            open_timeout=60,
        )
        asyncio.get_running_loop().create_task(_read_forward(phone))
        await _run_page(phone)
        if not phone.shown:
            phone.failed = "the join page did not show the member's statement box"
        phone.seen = await _poll(phone, host)
    except Exception as exc:  # every failure is a figure in the report
        phone.failed = f"{type(exc).__name__}: {exc}"


async def _close(phone: Phone) -> None:
    if phone.ws is not None:
        await phone.ws.close()
    if phone.writer is not None:
        phone.writer.close()


async def _poll(phone: Phone, host: str) -> str:
    """One GET /_coach/watch on the phone's keep-alive connection: the answer's token. A
    connection the server closed while idle is opened again, as a browser does."""
    query = urlencode({"code": phone.code, "view": "phone"})
    started = time.perf_counter()
    request = (
        f"GET /_coach/watch?{query} HTTP/1.1\r\nHost: {host}\r\n"
        + BROWSER_HEADERS.format(base=f"http://{host}", query=phone.query)
        + f"X-Coach-Member: {phone.token}\r\n\r\n"
    ).encode()
    for attempt in (1, 2):
        if phone.reader is None or phone.writer is None or phone.writer.is_closing():
            hostname, port = host.split(":")
            phone.reader, phone.writer = await asyncio.open_connection(hostname, int(port))
        try:
            phone.writer.write(request)
            await phone.writer.drain()
            head = await phone.reader.readuntil(b"\r\n\r\n")
            break
        except (asyncio.IncompleteReadError, ConnectionError):
            phone.writer.close()
            phone.reader = phone.writer = None
            if attempt == 2:
                raise
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    body = await phone.reader.readexactly(length)
    phone.polls.append(time.perf_counter() - started)
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"watch answered {head.split(b' ', 2)[1].decode()}")
    return str(json.loads(body)["v"])


async def _watch(phone: Phone, host: str, stop: asyncio.Event) -> None:
    """The watch component's loop: ask every POLL_MS; on a change, draw the page again."""
    while not stop.is_set() and phone.failed is None:
        await asyncio.sleep(POLL_MS / 1000)
        try:
            token = await _poll(phone, host)
            if token != phone.seen:
                phone.seen = token
                phone.changed_at = time.time()
                await _run_page(phone, token)
                if not phone.locked:
                    raise RuntimeError("the live part ran again without showing the lock")
                phone.drawn_at = time.time()
        except Exception as exc:
            phone.failed = f"{type(exc).__name__}: {exc}"


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used (one that has ended counts 0)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _postgres_pids() -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().strip() == "postgres":
                    pids.append(int(d.name))
            except OSError:
                continue
    return pids


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class IdleResult:
    phones: int
    connected: int
    failures: list[str]
    app_cpu: float  # share of one core, idle
    db_cpu: float
    rss_before_mb: float
    rss_mb: float
    polls_per_s: float
    poll_p50_ms: float
    poll_p95_ms: float
    one_team: Redraw
    all_teams: Redraw

    @property
    def missed(self) -> int:
        return self.one_team.missed + self.all_teams.missed


def _event(services: Services, teams: int, size: int) -> tuple[list[tuple[str, str]], list[Phone]]:
    programme, lead = services.programmes.create("Idle phones", "Load test")
    keys, phones = [], []
    for t in range(teams):
        workshop, key = services.programmes.add_team(
            programme.code, lead, f"Team {t + 1}", whole=False
        )
        keys.append((workshop.code, key))
        for i in range(size):
            _, member = services.workshops.join(workshop.code, f"T{t + 1}P{i + 1}")
            phones.append(Phone(workshop.code, member.token))
    return keys, phones


async def _measure(
    base: str,
    pid: int,
    services: Services,
    keys: list[tuple[str, str]],
    phones: list[Phone],
    idle_s: float,
) -> IdleResult:
    host = urlsplit(base).netloc
    warm = Phone(phones[0].code, phones[0].token)  # the server has drawn a page before
    await _open(warm, base)
    await _close(warm)
    await asyncio.sleep(1)
    rss_before = _rss_mb(pid)
    opening = asyncio.Semaphore(8)  # phones arrive over a few seconds, not in one instant

    async def arrive(phone: Phone) -> None:
        async with opening:
            await _open(phone, base)

    await asyncio.gather(*(arrive(p) for p in phones))
    stop = asyncio.Event()
    live = [p for p in phones if p.failed is None]
    loops = [asyncio.create_task(_watch(p, host, stop)) for p in live]
    await asyncio.sleep(3)  # every phone settled into its polling
    for p in live:
        p.polls.clear()
    pg = _postgres_pids()
    app0, db0, t0 = cpu_seconds([pid]), cpu_seconds(pg), time.monotonic()
    await asyncio.sleep(idle_s)
    span = time.monotonic() - t0
    app_cpu = (cpu_seconds([pid]) - app0) / span
    db_cpu = (cpu_seconds(pg) - db0) / span
    rss = _rss_mb(pid)
    polls = sorted(x for p in live for x in p.polls)

    # One team's facilitator locks drafting (its 12 phones redraw, the rest stay idle);
    # then every other team's facilitator at the same moment (every other phone redraws).
    one = await _change(services, live, keys[:1])
    rest = await _change(services, live, keys[1:]) if len(keys) > 1 else one
    stop.set()
    await asyncio.gather(*loops)
    for p in phones:
        await _close(p)
    return IdleResult(
        phones=len(phones),
        connected=len(live),
        failures=[p.failed for p in phones if p.failed],
        app_cpu=app_cpu,
        db_cpu=db_cpu,
        rss_before_mb=rss_before,
        rss_mb=rss,
        polls_per_s=len(polls) / idle_s,
        poll_p50_ms=1000 * percentile(polls, 50),
        poll_p95_ms=1000 * percentile(polls, 95),
        one_team=one,
        all_teams=rest,
    )


@dataclass
class Redraw:
    phones: int
    notice_p95_s: float
    drawn_p50_s: float
    drawn_p95_s: float
    drawn_max_s: float
    missed: int  # phones that never showed the change


async def _change(services: Services, live: list[Phone], keys: list[tuple[str, str]]) -> Redraw:
    """The teams' facilitators lock drafting at once; until each of their phones shows it."""
    codes = {code for code, _ in keys}
    mine = [p for p in live if p.code in codes and p.failed is None]
    wrote = time.time()
    await asyncio.gather(
        *(asyncio.to_thread(services.workshops.set_locked, code, key, True) for code, key in keys)
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(p.drawn_at is None and not p.failed for p in mine):
        await asyncio.sleep(0.05)
    noticed = sorted(p.changed_at - wrote for p in mine if p.changed_at)
    drawn = sorted(p.drawn_at - wrote for p in mine if p.drawn_at)
    return Redraw(
        phones=len(mine),
        notice_p95_s=percentile(noticed, 95),
        drawn_p50_s=percentile(drawn, 50),
        drawn_p95_s=percentile(drawn, 95),
        drawn_max_s=drawn[-1] if drawn else 0.0,
        missed=len(mine) - len(drawn),
    )


def measure(database_url: str, teams: int = 20, size: int = 12, idle_s: float = 20.0) -> IdleResult:
    """Start a server on `database_url`, connect teams x size phones, and measure."""
    services = build(Settings(database_url=database_url, public_url=None))
    keys, phones = _event(services, teams, size)
    work = Path(tempfile.mkdtemp(prefix="idle-phones-"))
    base, proc = start_streamlit(SERVER, work, database_url)
    try:
        # Its own thread and event loop: the caller may be running one (Playwright's).
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(
                lambda: asyncio.run(_measure(base, proc.pid, services, keys, phones, idle_s))
            ).result()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        services.store.engine.dispose()


def report(r: IdleResult, backend: str) -> None:
    print(f"== {r.phones} idle phones on a real server ({backend})")
    each = (r.rss_mb - r.rss_before_mb) / max(1, r.connected) * 1024
    print(
        f"  connected {r.connected}/{r.phones}; server memory {r.rss_before_mb:.0f} MB before "
        f"the phones, {r.rss_mb:.0f} MB with them ({each:.0f} KB a phone)"
    )
    print(
        f"  idle: app server CPU {100 * r.app_cpu:.1f}% of one core, database "
        f"{100 * r.db_cpu:.1f}%; {r.polls_per_s:.0f} watch answers/s, p50 "
        f"{r.poll_p50_ms:.1f} ms, p95 {r.poll_p95_ms:.1f} ms"
    )
    for what, d in (
        ("one team's facilitator locks drafting", r.one_team),
        ("every other team's facilitator locks it at the same moment", r.all_teams),
    ):
        print(
            f"  {what}: noticed by its {d.phones} phones within p95 {d.notice_p95_s:.2f} s; "
            f"drawn again p50 {d.drawn_p50_s:.2f} s, p95 {d.drawn_p95_s:.2f} s, max "
            f"{d.drawn_max_s:.2f} s; never drawn: {d.missed}"
        )
    for failure in r.failures[:5]:
        print(f"    failed phone: {failure}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.idle_phones", description=__doc__)
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--size", type=int, default=12, help="phones a team")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds measured idle")
    parser.add_argument("--postgres-url", default=os.environ.get("COACH_TEST_POSTGRES_URL"))
    args = parser.parse_args(argv)
    if postgres_unavailable(args.postgres_url):
        with tempfile.TemporaryDirectory(prefix="idle-phones-") as tmp:
            r = measure(f"sqlite:///{Path(tmp) / 'coach.db'}", args.teams, args.size, args.idle)
            report(r, "SQLite")
    else:
        with postgres_database(args.postgres_url) as url:
            r = measure(url, args.teams, args.size, args.idle)
            report(r, "PostgreSQL")
    return 0 if not r.failures and not r.missed else 1


if __name__ == "__main__":
    sys.exit(main())
