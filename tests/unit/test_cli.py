"""`python -m coach score`, run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coach", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_json_lines_with_exact_criterion_names() -> None:
    out = run("score", "--json", stdin="We try to help.\n\n   \nWe welcome every guest.\n")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x["text"] for x in lines] == ["We try to help.", "We welcome every guest."]
    for obj in lines:
        assert {"text", "rubric", "overall", "criteria", "flags"} <= set(obj)
        assert list(obj["criteria"]) == ["desired", "bold", "clear", "stretching"]
        for c in obj["criteria"].values():
            assert {"score", "band", "evidence", "tips"} <= set(c)


def test_commitment_rubric_and_mission_option() -> None:
    out = run(
        "score",
        "--rubric",
        "commitment",
        "--json",
        "--mission",
        "We welcome every guest.",
        stdin="I will welcome every guest by name.\n",
    )
    obj = json.loads(out.stdout)
    assert list(obj["criteria"]) == ["specific", "measurable", "time_bound", "owned", "linked"]
    linked = obj["criteria"]["linked"]["evidence"]
    assert any(e["check"] == "linked.mission_overlap" for e in linked)


def test_overlong_line_gets_an_error_object_and_the_rest_are_scored() -> None:
    out = run("score", "--json", stdin="We help.\n" + "x" * 1001 + "\nWe serve.\n")
    assert out.returncode == 0
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(lines) == 3
    assert "limit is 1,000" in lines[1]["error"]
    assert "overall" in lines[0] and "overall" in lines[2]


def test_table_output_is_readable(tmp_path: Path) -> None:
    f = tmp_path / "drafts.txt"
    f.write_text("We try to provide great service.\n", encoding="utf-8")
    out = run("score", str(f))
    assert out.returncode == 0
    assert "overall" in out.stdout
    assert "Hedge: 'try to' softens the promise" in out.stdout
    assert "tip: Drop the hedge: write 'We provide'" in out.stdout


def test_missing_file_is_a_clear_error() -> None:
    out = run("score", "/no/such/file.txt")
    assert out.returncode == 2
    assert "Cannot read /no/such/file.txt" in out.stderr


def test_non_utf8_file_is_a_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "latin1.txt"
    f.write_bytes("Caf\xe9 service\n".encode("latin-1"))
    out = run("score", str(f))
    assert out.returncode == 2
    assert "not UTF-8" in out.stderr


def test_llm_adds_an_object_to_each_json_line(tmp_path: Path) -> None:
    from tests.support.coaching_replies import reply
    from tests.support.fake_openai import FakeOpenAI

    env = {**os.environ, "COACH_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    with FakeOpenAI(responder=reply) as fake:
        env["OPENAI_BASE_URL"] = fake.base_url
        out = subprocess.run(
            [sys.executable, "-m", "coach", "score", "--json", "--llm"],
            input="We try to help.\n",
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
            check=False,
        )
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert obj["overall"] >= 0 and list(obj["llm"]["criteria"]) == [
        "desired",
        "bold",
        "clear",
        "stretching",
    ]
    assert all("overall" in r for r in obj["llm"]["rewrites"])


def test_llm_failure_keeps_every_rubric_field_and_exit_zero(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "COACH_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        "COACH_LLM_TIMEOUT": "1",
    }
    out = subprocess.run(
        [sys.executable, "-m", "coach", "score", "--json", "--llm"],
        input="We try to help.\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0
    obj = json.loads(out.stdout)
    assert "llm_error" in obj and "llm" not in obj
    assert {"text", "rubric", "overall", "criteria", "flags"} <= set(obj)
