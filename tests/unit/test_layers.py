"""The architecture as import-linter contracts (pyproject.toml): layers, no cycle, adapters."""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

from tests.conftest import ROOT


def test_import_contracts_hold(capsys: pytest.CaptureFixture[str]) -> None:
    """Fails on an upward import, a cycle (lazy imports too) or a forbidden library."""
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "4 kept, 0 broken" in out


def test_the_contracts_catch_an_upward_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same contracts fail when a low layer reaches up, so the check above can fail."""
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    # Reverse two layers: every real scoring -> errors import becomes an upward one.
    broken = config.replace('    "config",\n    "errors",\n', '    "errors",\n    "config",\n')
    assert broken != config
    path = tmp_path / "pyproject.toml"
    path.write_text(broken, encoding="utf-8")
    assert lint_imports(config_filename=str(path), no_cache=True) == 1
    assert "coach.config is not allowed to import coach.errors" in capsys.readouterr().out
