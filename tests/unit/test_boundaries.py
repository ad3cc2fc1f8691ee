"""Architecture and offline guarantees."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

from tests.conftest import ROOT

NO_NETWORK = """
import socket
def refuse(*a, **k):
    raise RuntimeError("network access attempted")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from coach.scoring.scorer import score_text
from bench.evaluate import PAIRS_DIR, load_pairs
for p in load_pairs(PAIRS_DIR / "mission_dev.tsv")[:20]:
    score_text(p.better)
r = score_text("I promise to call every customer back within 2 hours.", "commitment", "We care")
print(r.overall)
"""


def test_scoring_makes_no_network_call() -> None:
    out = subprocess.run(
        [sys.executable, "-c", NO_NETWORK],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().isdigit()


def test_core_never_imports_streamlit() -> None:
    offenders = []
    for path in (ROOT / "coach").rglob("*.py"):
        if "ui" in path.relative_to(ROOT / "coach").parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_only_the_adapter_imports_openai() -> None:
    """The SDK is one adapter's business: the core and every page speak the LLM protocol."""
    importers = sorted(
        str(path.relative_to(ROOT))
        for path in [ROOT / "app.py", *(ROOT / "coach").rglob("*.py")]
        if re.search(r"^\s*(from openai\b|import openai\b)", path.read_text("utf-8"), re.M)
    )
    assert importers == ["coach/llm/openai_chat.py"]
