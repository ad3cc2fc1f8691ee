"""Facilitator commands: `demo`, `export` a workshop's record, `backup` and `restore` a
workshop or a whole programme."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from coach.bootstrap import Services, build
from coach.cli import demo
from coach.domain import themes
from coach.domain.codes import format_code, parse_code
from coach.domain.types import Programme
from coach.exports.formats import EXTRA_FORMATS, FORMATS, export, filename
from coach.service import record
from coach.service.workshops import NotFound
from coach.storage.backup import BackupError, backup, dumps
from coach.storage.programme_backup import backup_programme, loads_any, restore_any


def _base_url(svc_url: str | None) -> str:
    return (svc_url or "http://127.0.0.1:8501").rstrip("/")


def cmd_demo(args: argparse.Namespace) -> int:
    svc = build()
    workshop, key = demo.create(svc)
    base = _base_url(svc.settings.public_url)
    print(
        f"Created the demo workshop '{workshop.name}' in {svc.store.url.split('://')[0]} storage."
    )
    print(f"  join code:         {format_code(workshop.joining_code)}")
    print(f"  facilitator link:  {base}/workshop?code={workshop.code}&key={key}")
    print(f"  consensus:         {base}/consensus?code={workshop.code}&key={key}")
    print("Start the app with `make run` and open the facilitator link.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    svc = build()
    workshop = svc.workshops.find(args.code)
    rounds = svc.consensus.history(workshop)
    drafts = svc.store.drafts(workshop.id, include_deleted=True)
    table = record.build(
        workshop,
        drafts=drafts,
        rounds=rounds,
        consensus=svc.consensus,
        team=svc.commitments.team(workshop),
        # Themes are what the drafts on the board share, as on the consensus page.
        themes=themes.shared_themes([d.latest.text for d in drafts if not d.deleted]),
        steps=svc.steps,
    )
    data = export(table, args.format)
    if args.output == "-" or (args.output is None and args.format != "xlsx"):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    target = Path(args.output or filename(table, args.format))
    try:
        target.write_bytes(data)
    except OSError as exc:
        print(
            f"Cannot write {target}: {exc.strerror}. Choose another path with -o.", file=sys.stderr
        )
        return 2
    print(f"Wrote {target} ({len(table.rows)} rows).", file=sys.stderr)
    return 0


def _write_private(target: Path, text: str) -> str | None:
    """Write beside, then rename: a failed write never leaves half a backup. Readable by its
    owner only: a backup holds every member and plan link's hash. The error, if any."""
    partial = target.with_name(target.name + ".part")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        return f"Cannot write {target}: {exc.strerror}. Choose another path with -o."
    return None


def cmd_backup(args: argparse.Namespace) -> int:
    svc = build()
    try:
        workshop = svc.workshops.find(args.code)
    except NotFound:
        found = svc.programmes.store.find(parse_code(args.code))
        if found is None:
            raise
        return _backup_programme(svc, found[0], args.output)
    data = backup(svc.store, workshop.id)
    target = Path(args.output or f"backup-{workshop.code}-{date.today().isoformat()}.json")
    if problem := _write_private(target, dumps(data)):
        print(problem, file=sys.stderr)
        return 2
    print(f"Wrote {target} with the workshop '{workshop.name}':", file=sys.stderr)
    for table, rows in data["tables"].items():
        print(f"  {table:<17} {len(rows):>6} rows", file=sys.stderr)
    if workshop.programme_id is not None:
        print(
            "This workshop is one team of a programme; its backup restores it on its own. "
            "To back up every team and the organisation round, give the programme's code.",
            file=sys.stderr,
        )
    return 0


def _backup_programme(svc: Services, programme: Programme, output: str | None) -> int:
    data = backup_programme(svc.store, programme.id)
    target = Path(output or f"programme-backup-{programme.code}-{date.today().isoformat()}.json")
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if problem := _write_private(target, text):
        print(problem, file=sys.stderr)
        return 2
    print(f"Wrote {target} with the programme '{programme.name}':", file=sys.stderr)
    for one in data["workshops"]:
        ws = one["tables"]["workshops"][0]
        rows = sum(len(r) for r in one["tables"].values())
        round_ = (
            " (the organisation round)" if ws["id"] == data["programme"]["org_workshop_id"] else ""
        )
        print(f"  {ws['name'][:60]:<60} {rows:>6} rows{round_}", file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"Cannot read {args.file}: {exc.strerror}. Check the path.", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        raise BackupError(
            f"{args.file} is not a Mission Coach backup: it is not UTF-8 text. "
            "Check that you chose the right file."
        ) from exc
    data = loads_any(text)  # checked before the database is even opened
    svc = build()
    kind, code = restore_any(svc.store, data)
    storage = svc.store.url.split("://")[0]
    if kind == "programme":
        found = svc.programmes.store.find(code)
        if found is None:
            raise BackupError(f"The programme {format_code(code)} did not restore. Try again.")
        programme = found[0]
        teams = svc.programmes.teams(programme)
        print(f"Restored the programme '{programme.name}' into {storage} storage:")
        for team in teams:
            print(f"  {team.name[:60]:<60} join code {format_code(team.joining_code)}")
        if programme.org_workshop_id is not None:
            print("  and its organisation round.")
        print("The lead link, and every facilitator, member and plan link, are as they were.")
        return 0
    workshop = svc.workshops.find(code)
    print(f"Restored the workshop '{workshop.name}' into {storage} storage.")
    print(f"  join code:  {format_code(workshop.joining_code)}")
    print("The facilitator key and every member and plan link are as they were.")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    d = sub.add_parser("demo", help="create a filled-in sample workshop")
    d.set_defaults(run=cmd_demo)
    e = sub.add_parser("export", help="write a workshop's consensus table")
    e.add_argument("code", help="the workshop's join code")
    e.add_argument("--format", choices=FORMATS + EXTRA_FORMATS, default="csv")
    e.add_argument(
        "-o", "--output", help="file to write; - for stdout (default: stdout, or a file for xlsx)"
    )
    e.set_defaults(run=cmd_export)
    b = sub.add_parser(
        "backup", help="write a whole workshop, or a whole programme, to a JSON file"
    )
    b.add_argument("code", help="the workshop's join code, or the programme's code")
    b.add_argument(
        "-o",
        "--output",
        help="file to write (default: backup-CODE-DATE.json, programme-backup-CODE-DATE.json)",
    )
    b.set_defaults(run=cmd_backup)
    r = sub.add_parser("restore", help="put a backed-up workshop or programme into this database")
    r.add_argument("file", help="a file written by `backup`")
    r.set_defaults(run=cmd_restore)
    m = sub.add_parser("remind", help="send the reminders that are due (for a scheduler)")
    m.add_argument("--dry-run", action="store_true", help="show what would be sent; send nothing")
    m.add_argument("--today", type=date.fromisoformat, help="as if today were YYYY-MM-DD")
    m.set_defaults(run=cmd_remind)


def cmd_remind(args: argparse.Namespace) -> int:
    """Send each due digest once; 0 when nothing failed, 1 when something did."""
    from coach.notify.channels import HOW_TO, configured
    from coach.notify.reminders import Reminders

    svc = build()
    mailer, webhook = configured()
    if mailer is None and webhook is None and not args.dry_run:
        print(HOW_TO)
        return 0
    outcomes = Reminders(svc.workshops, svc.commitments, mailer, webhook).run(
        args.today or date.today(), dry_run=args.dry_run
    )
    if not outcomes:
        print("Nothing is due: no digest to send today.")
    for o in outcomes:
        m = o.message
        where = m.to or "the team chat"
        line = f"{o.status}: {m.channel} to {where}: {m.subject}"
        print(line + (f" ({o.error})" if o.error else ""))
        if args.dry_run:
            print("    " + m.body.replace("\n", "\n    "))
    return 1 if any(o.status == "failed" for o in outcomes) else 0
