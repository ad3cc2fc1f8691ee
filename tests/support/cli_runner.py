"""The command line run in this process, its streams captured (the `cli` fixture)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from coach.cli.main import main


@dataclass(frozen=True)
class Ran:
    """What one command left behind: its exit code, stdout as bytes, stderr as text."""

    code: int
    out: bytes
    err: str

    @property
    def stdout(self) -> str:
        return self.out.decode("utf-8")


Cli = Callable[..., Ran]


@pytest.fixture
def cli(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`mission-coach ARGS` as `main(argv)`: stdin given as text, exit code as returned.

    A few subprocess tests (test_cli_entry.py) cover the real entry points; everything
    else runs here, a process start (about a second) cheaper per command."""

    def run(*argv: str, stdin: str = "") -> Ran:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsysbinary.readouterr()  # only this command's output
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        got = capsysbinary.readouterr()
        return Ran(code, got.out, got.err.decode("utf-8"))

    return run
