"""Live screens: write-to-screen latency on phones, and server CPU with idle phones open.

A real `streamlit run` serves the app; Debian's Chromium opens N phone pages (one member
each, on their join page). Latency: each page's MutationObserver stamps when the change
appears (Date.now(), the same clock as time.time() here); the write is the facilitator
locking or unlocking drafting through the service. CPU: the server process's user+system
time over a quiet interval, as a share of one core.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.idle_phones import cpu_seconds
from tests.support.app_server import SERVER, start_streamlit

ROOT = Path(__file__).resolve().parent.parent
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
LOCKED = "Drafting is locked by the facilitator"
WATCH = """(text) => {
  window.__seen = null;
  const want = !document.body.innerText.includes(text);
  const check = () => {
    if (window.__seen === null && document.body.innerText.includes(text) === want) {
      window.__seen = Date.now();
    }
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true,
                                                      characterData: true});
}"""


def measure(phones: int, writes: int = 6, idle_seconds: float = 20.0) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from coach.bootstrap import build
    from coach.config import Settings

    work = Path(tempfile.mkdtemp(prefix="live-bench-"))
    url_db = f"sqlite:///{work / 'coach.db'}"
    svc = build(Settings(database_url=url_db, public_url=None))
    w, key = svc.workshops.create("Live bench")
    tokens = [svc.workshops.join(w.code, f"P{i}")[1].token for i in range(phones)]
    url, proc = start_streamlit(SERVER, work, url_db)
    latencies: list[float] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            pages = []
            for token in tokens:
                ctx = browser.new_context(viewport={"width": 390, "height": 844})
                page = ctx.new_page()
                page.goto(f"{url}/join?code={w.code}&member={token}", wait_until="commit")
                pages.append(page)
            for page in pages:
                page.get_by_text("Your mission statement").wait_for(timeout=60_000)
            time.sleep(3)  # every page settled into its polling
            before, started = cpu_seconds([proc.pid]), time.monotonic()
            time.sleep(idle_seconds)
            cpu = (cpu_seconds([proc.pid]) - before) / (time.monotonic() - started)
            busy = cpu_seconds([proc.pid])
            for i in range(writes):
                for page in pages:
                    page.evaluate(WATCH, LOCKED)
                wrote = time.time()
                svc.workshops.set_locked(w.code, key, i % 2 == 0)
                deadline = time.monotonic() + 10
                seen: list[float | None] = [None] * len(pages)
                while time.monotonic() < deadline and None in seen:
                    for j, page in enumerate(pages):
                        if seen[j] is None:
                            seen[j] = page.evaluate("() => window.__seen")
                    time.sleep(0.05)
                latencies += [(s / 1000 - wrote) if s else 10.0 for s in seen]
            per_write = (cpu_seconds([proc.pid]) - busy) / writes
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "max": latencies[-1],
        "cpu": cpu,
        "per_write": per_write,
    }


def main() -> None:
    print("Live screens (phones are Chromium pages on this same 2-core machine):")
    for n in (12, 50):
        r = measure(n)
        print(
            f"  {n:>2} phones: write-to-screen p50 {r['p50']:.2f} s, p95 {r['p95']:.2f} s, "
            f"max {r['max']:.2f} s; idle server CPU {100 * r['cpu']:.0f}% of one core; "
            f"server CPU per write that every phone shows {r['per_write']:.2f} s"
        )


if __name__ == "__main__":
    main()
