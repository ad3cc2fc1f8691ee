"""`mission-coach serve`: what it starts and what it says, without starting it."""

from __future__ import annotations

from pathlib import Path

from coach.cli.serve import command, where
from coach.config import Settings


def test_serve_runs_the_packaged_server_script_with_production_options() -> None:
    cmd = command(8600, "192.0.2.10")
    script = Path(cmd[cmd.index("run") + 1])
    assert script.name == "server.py" and script.is_file()  # inside the package, not the cwd
    assert {"--server.port=8600", "--server.address=192.0.2.10"} <= set(cmd)
    # Both cost the server most of its CPU when every phone redraws (see make bench).
    assert {"--server.fileWatcherType=none", "--runner.postScriptGC=false"} <= set(cmd)


def test_where_names_the_sqlite_file_but_never_a_password() -> None:
    local = Settings(database_url="sqlite:////srv/coach/data/coach.db", public_url=None)
    assert where(local) == "/srv/coach/data/coach.db"
    server = Settings(database_url="postgresql://coach:s3cret@db:5432/coach", public_url=None)
    assert "s3cret" not in where(server) and "postgresql" in where(server)
