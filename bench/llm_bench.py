"""LLM figures against the local OpenAI-compatible test server with 300 ms latency a call."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from coach.bootstrap import build
from coach.config import Settings
from coach.llm.protocol import LLMSettings
from tests.support.coaching_replies import reply
from tests.support.fake_openai import FakeOpenAI

LATENCY = 0.3


def main() -> None:
    drafts = [f"We welcome every guest like family, in our way number {i}." for i in range(8)]
    with tempfile.TemporaryDirectory() as tmp, FakeOpenAI(latency=LATENCY, responder=reply) as fake:
        llm = LLMSettings(api_key=None, base_url=fake.base_url, model="bench")
        svc = build(Settings(database_url=f"sqlite:///{Path(tmp) / 'b.db'}", public_url=None), llm)
        start = time.perf_counter()
        svc.coach.feedback("One draft on its own, to time a single call.")
        one = time.perf_counter() - start
        start = time.perf_counter()
        svc.coach.feedback_many(drafts)
        eight = time.perf_counter() - start
        before = len(fake.requests)
        again = build(
            Settings(database_url=f"sqlite:///{Path(tmp) / 'b.db'}", public_url=None), llm
        )  # a reload or another session
        again.coach.feedback_many(drafts)
        repeat_calls = len(fake.requests) - before
    print(f"== LLM coaching (local test server, {LATENCY * 1000:.0f} ms a call)")
    print(
        f"  one call: {one:.2f} s; 8 drafts at once: {eight:.2f} s "
        f"= {eight / one:.1f}x one call (target <= 2x)"
    )
    print(f"  calls made when the same 8 drafts are asked again: {repeat_calls} (target 0)")


if __name__ == "__main__":
    main()
