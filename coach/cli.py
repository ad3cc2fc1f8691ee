"""Command line for facilitators: `python -m coach score ...`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from coach.errors import CoachError
from coach.rubric import RUBRIC_NAMES
from coach.scoring import ScoreResult, score_text


def _lines(stream: Iterable[str]) -> Iterator[str]:
    for line in stream:
        line = line.rstrip("\r\n")
        if line.strip():
            yield line


def score_lines(
    lines: Iterable[str], rubric: str, mission: str | None
) -> Iterator[ScoreResult | dict[str, str]]:
    """Each line's result, or an error object for a line that cannot be scored."""
    for line in lines:
        try:
            yield score_text(line, rubric, mission)
        except CoachError as exc:
            yield {"text": line, "rubric": rubric, "error": str(exc)}


def render_table(result: ScoreResult | dict[str, str], n: int, out: TextIO) -> None:
    if isinstance(result, dict):
        out.write(f"{n}. {result['text'][:80]}{'…' if len(result['text']) > 80 else ''}\n")
        out.write(f"   error: {result['error']}\n\n")
        return
    out.write(f"{n}. {result.text}\n   overall {result.overall} ({result.band})\n")
    for name, c in result.criteria.items():
        out.write(f"   {name:<11} {c.score:>3} {c.band:<6}")
        notes = [
            f"{'+' if e.points > 0 else '-' if e.points < 0 else '·'} {e.message}"
            for e in c.evidence
        ]
        out.write(("  " + notes[0]) if notes else "")
        out.write("\n")
        for note in notes[1:]:
            out.write(f"{'':27}{note}\n")
        for tip in c.tips:
            out.write(f"{'':27}tip: {tip}\n")
    for f in result.flags:
        out.write(f"   ! {f.message}\n")
    out.write("\n")


def _cmd_score(args: argparse.Namespace) -> int:
    try:
        stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        print(f"Cannot read {args.file}: {exc.strerror}. Check the path.", file=sys.stderr)
        return 2
    with stream:
        try:
            results = score_lines(_lines(stream), args.rubric, args.mission)
            for n, result in enumerate(results, 1):
                if args.json:
                    obj = result if isinstance(result, dict) else result.model_dump(mode="json")
                    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
                else:
                    render_table(result, n, sys.stdout)
        except UnicodeDecodeError:
            print(
                f"{args.file} is not UTF-8 text. Save it as UTF-8 and try again.", file=sys.stderr
            )
            return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m coach", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    score = sub.add_parser("score", help="score statements, one per line")
    score.add_argument("file", nargs="?", default="-", help="a text file, or - for stdin")
    score.add_argument("--rubric", choices=RUBRIC_NAMES, default="mission")
    score.add_argument("--mission", help="the mission text, to link commitments to it")
    score.add_argument("--json", action="store_true", help="one JSON object per line")
    score.set_defaults(run=_cmd_score)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CoachError as exc:
        print(str(exc), file=sys.stderr)
        return 2
