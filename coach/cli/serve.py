"""`mission-coach serve`: the app from the installed package (what `make run` does)."""

from __future__ import annotations

import argparse
import os
import sys
from importlib.resources import files

from coach.config import Settings

# Streamlit's own options, so an installed app behaves as the checkout's .streamlit/config.toml
# says: no browser opened on the server, no usage statistics sent anywhere, a quiet toolbar.
STREAMLIT_OPTIONS = (
    "--server.headless=true",
    # Streamlit's source watcher polls and hashes the app's files for every open session:
    # with 12 phones it took about half the server's CPU. A served app does not change.
    "--server.fileWatcherType=none",
    # After every script run Streamlit collects all garbage generations (gc.collect(2)):
    # ~90 ms of CPU per rerun here, so a change shown on 12 phones cost 1.25 s of server
    # time (0.17 s without). Python's own incremental collection still runs.
    "--runner.postScriptGC=false",
    "--browser.gatherUsageStats=false",
    "--client.toolbarMode=minimal",
)


def script() -> str:
    """The app's entry script inside the installed package (the cli never imports the ui)."""
    return str(files("coach") / "ui" / "serving" / "server.py")


def command(port: int, address: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script(),
        f"--server.port={port}",
        f"--server.address={address}",
        *STREAMLIT_OPTIONS,
    ]


def where(settings: Settings) -> str:
    """Where the data lives, never a URL's password."""
    url = settings.database_url
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    return f"the {url.split(':', 1)[0]} database in COACH_DATABASE_URL"


def _port(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise argparse.ArgumentTypeError(f"'{raw[:20]}' is not a port: give 1 to 65535")
    return int(raw)


def cmd_serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()  # a bad setting is a clear message here, not in the browser
    print(f"Mission Coach on http://{args.address}:{args.port}  (Ctrl+C stops it)")
    print(f"Data: {where(settings)}", flush=True)
    cmd = command(args.port, args.address)
    os.execv(cmd[0], cmd)  # noqa: S606 - our own interpreter; Streamlit takes over the process
    return 0  # not reached


def add_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser("serve", help="start the app (SQLite in ./data unless configured)")
    s.add_argument("--port", type=_port, default=8501, help="default 8501")
    s.add_argument(
        "--address",
        default="127.0.0.1",
        help="default 127.0.0.1 (this machine only); 0.0.0.0 lets phones on the network join",
    )
    s.set_defaults(run=cmd_serve)
