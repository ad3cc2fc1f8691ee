"""`mission-coach score`, run in-process through `main(argv)` (see conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli_runner import Cli
from tests.support.coaching_replies import reply
from tests.support.fake_openai import FakeOpenAI


def test_json_lines_with_exact_criterion_names(cli: Cli) -> None:
    out = cli("score", "--json", stdin="We try to help.\n\n   \nWe welcome every guest.\n")
    assert out.code == 0, out.err
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x["text"] for x in lines] == ["We try to help.", "We welcome every guest."]
    for obj in lines:
        assert {"text", "rubric", "overall", "criteria", "flags"} <= set(obj)
        assert list(obj["criteria"]) == ["desired", "bold", "clear", "stretching"]
        for c in obj["criteria"].values():
            assert {"score", "band", "evidence", "tips"} <= set(c)


def test_each_tip_is_an_object_with_its_whole_rewrite(cli: Cli) -> None:
    out = cli("score", "--json", stdin="Our hospital strives to provide excellent care.\n")
    tips = [t for c in json.loads(out.stdout)["criteria"].values() for t in c["tips"]]
    assert tips and all(set(t) == {"text", "rewrite"} for t in tips)
    hedge = next(t for t in tips if t["text"].startswith("Drop the hedge"))
    assert hedge["rewrite"] == "Our hospital provides excellent care."
    assert any(t["rewrite"] is None for t in tips)  # advice with no mechanical rewrite


def test_commitment_rubric_and_mission_option(cli: Cli) -> None:
    out = cli(
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


def test_overlong_line_gets_an_error_object_and_the_rest_are_scored(cli: Cli) -> None:
    out = cli("score", "--json", stdin="We help.\n" + "x" * 1001 + "\nWe serve.\n")
    assert out.code == 0
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(lines) == 3
    assert "limit is 1,000" in lines[1]["error"]
    assert "overall" in lines[0] and "overall" in lines[2]


def test_table_output_is_readable(cli: Cli, tmp_path: Path) -> None:
    f = tmp_path / "drafts.txt"
    f.write_text("We try to provide great service.\n", encoding="utf-8")
    out = cli("score", str(f))
    assert out.code == 0
    assert "overall" in out.stdout
    assert "Hedge: 'try to' softens the promise" in out.stdout
    assert "tip: Drop the hedge: write 'We provide'" in out.stdout


def test_missing_file_is_a_clear_error(cli: Cli) -> None:
    out = cli("score", "/no/such/file.txt")
    assert out.code == 2 and out.out == b""
    assert "Cannot read /no/such/file.txt" in out.err


def test_non_utf8_file_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    f = tmp_path / "latin1.txt"
    f.write_bytes("Caf\xe9 service\n".encode("latin-1"))
    out = cli("score", str(f))
    assert out.code == 2
    assert "not UTF-8" in out.err


def test_an_unknown_rubric_is_a_usage_error(cli: Cli) -> None:
    out = cli("score", "--rubric", "haiku")
    assert out.code == 2 and "invalid choice: 'haiku'" in out.err


def test_llm_adds_an_object_to_each_json_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOpenAI(responder=reply) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        out = cli("score", "--json", "--llm", stdin="We try to help.\n")
    assert out.code == 0, out.err
    obj = json.loads(out.stdout)
    assert obj["overall"] >= 0 and list(obj["llm"]["criteria"]) == [
        "desired",
        "bold",
        "clear",
        "stretching",
    ]
    assert all("overall" in r for r in obj["llm"]["rewrites"])


def test_llm_failure_keeps_every_rubric_field_and_exit_zero(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOpenAI() as fake:
        fake.fail(401, {"error": {"message": "bad key", "type": "auth", "code": "invalid"}})
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        out = cli("score", "--json", "--llm", stdin="We try to help.\n")
    assert out.code == 0
    obj = json.loads(out.stdout)
    assert "rejected the API key (401)" in obj["llm_error"] and "llm" not in obj
    assert {"text", "rubric", "overall", "criteria", "flags"} <= set(obj)


def test_an_endpoint_that_answers_with_a_web_page_is_an_llm_error_not_a_crash(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A captive portal or a wrong OPENAI_BASE_URL answers 200 with HTML."""
    with FakeOpenAI() as fake:
        for _ in range(6):
            fake.page()
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        out = cli("score", "--json", "--llm", stdin="We try to help.\nWe welcome every guest.\n")
    assert out.code == 0, out.err
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x["text"] for x in lines] == ["We try to help.", "We welcome every guest."]
    for obj in lines:
        assert {"text", "rubric", "overall", "criteria", "flags"} <= set(obj)
        assert "not a chat completion" in obj["llm_error"]
        assert "Traceback" not in out.err
