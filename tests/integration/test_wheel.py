"""The wheel a plain `pip install .` builds carries everything the app needs, and works."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from coach.ui.common import PAGES
from tests.conftest import ROOT

SOURCES = ("coach", "rubrics", "prompts", "pyproject.toml", "README.md")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built offline from a copy of the checkout, so the checkout gets no build/ folder."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, src / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         str(src), "-w", str(out)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (built,) = out.glob("mission_coach-*.whl")
    return built


def test_the_wheel_carries_rubrics_prompts_pages_and_the_app(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("rubrics", "prompts"):
        for data in (ROOT / folder).glob("*.toml"):
            assert f"coach/{folder}/{data.name}" in names, data
    for page in PAGES.values():
        assert f"coach/ui/pages/{Path(page).name}" in names, page
    assert {"coach/ui/serving/app.py", "coach/ui/serving/server.py"} <= names
    (entry,) = [n for n in names if n.endswith("entry_points.txt")]
    assert "mission-coach = coach.cli.main:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_the_unpacked_wheel_scores_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    """Only the wheel's files on the path (not the checkout), run from an empty folder."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = "import coach.scoring.rubric as r; print(r.RUBRIC_DIR)"
    where = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=elsewhere, env={"PYTHONPATH": str(site)}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.strip().startswith(str(site))
    out = subprocess.run(
        [sys.executable, "-m", "coach", "score"],
        input="We try to provide great service.\n",
        cwd=elsewhere, env={"PYTHONPATH": str(site)}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "overall" in out.stdout and "Hedge" in out.stdout
