"""The command line: `mission-coach score | tally | demo | export | backup | restore | serve`."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Iterable, Iterator
from typing import TextIO

from coach.cli.facilitator import add_commands
from coach.cli.serve import add_serve
from coach.domain.voting import Tally, parse_ballots_csv, rank_of, tally, to_json
from coach.errors import CoachError
from coach.exports.table import FIRST_PREFERENCES_NOTE, PAIRWISE_NOTE
from coach.scoring.rubric import RUBRIC_NAMES
from coach.scoring.scorer import ScoreResult, score_text


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
            out.write(f"{'':27}tip: {tip.text}\n")
            if tip.rewrite:
                out.write(f"{'':27}     -> {tip.rewrite}\n")
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
            lines = list(_lines(stream))
            llm = _llm_objects(lines, args.rubric, args.mission) if args.llm else {}
            for n, result in enumerate(score_lines(lines, args.rubric, args.mission), 1):
                extra = llm.get(result["text"] if isinstance(result, dict) else result.text, {})
                if args.json:
                    obj = result if isinstance(result, dict) else result.model_dump(mode="json")
                    sys.stdout.write(json.dumps({**obj, **extra}, ensure_ascii=False) + "\n")
                else:
                    render_table(result, n, sys.stdout)
                    _render_llm(extra, sys.stdout)
        except UnicodeDecodeError:
            print(
                f"{args.file} is not UTF-8 text. Save it as UTF-8 and try again.", file=sys.stderr
            )
            return 2
    return 0


def _names(group: tuple[str, ...]) -> str:
    return group[0] if len(group) == 1 else ", ".join(group[:-1]) + " and " + group[-1]


def render_tally(t: Tally, out: TextIO) -> None:
    """The vote as text: winner, Schulze ranking, pairwise table, Borda and first preferences."""
    winner = t.winner[0] if len(t.winner) == 1 else f"tie between {_names(t.winner)}"
    out.write(f"{t.ballots} ballots, {len(t.candidates)} candidates (Schulze method)\n")
    out.write(f"Winner: {winner}\n\nRanking (tied candidates share a position)\n")
    for group in t.ranking:
        for name in group:
            out.write(f"  {rank_of(t, name):>2}. {name}\n")
    # Numbered columns keep the table narrow even when candidates are whole statements.
    label = {c: f"{i}. {c[:30]}" for i, c in enumerate(t.candidates, 1)}
    width = max(len(x) for x in label.values())
    # The same notes as the screen and the exports, so the figures read the same everywhere.
    out.write("\n" + textwrap.fill(PAIRWISE_NOTE, 88, subsequent_indent="  ") + "\n")
    out.write(" " * (width + 2) + "".join(f"{i:>6}" for i in range(1, len(t.candidates) + 1)))
    out.write("\n")
    for a in t.candidates:
        cells = "".join(f"{'—' if a == b else t.pairwise[a][b]:>6}" for b in t.candidates)
        out.write(f"  {label[a]:<{width}}{cells}\n")
    out.write(f"\n  {'':<{width}}{'Borda':>8}{'First prefs':>13}\n")
    for c in t.candidates:
        out.write(f"  {label[c]:<{width}}{t.borda[c]:>8g}{t.first_preferences[c]:>13g}\n")
    out.write("\n" + textwrap.fill(FIRST_PREFERENCES_NOTE, 88, subsequent_indent="  ") + "\n")


def _cmd_tally(args: argparse.Namespace) -> int:
    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            with open(args.file, encoding="utf-8") as f:
                text = f.read()
    except OSError as exc:
        print(f"Cannot read {args.file}: {exc.strerror}. Check the path.", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"{args.file} is not UTF-8 text. Save it as UTF-8 and try again.", file=sys.stderr)
        return 2
    _, ballots = parse_ballots_csv(text)
    result = tally(ballots)
    if not result.candidates:
        print(
            f"No ranked candidates in {args.file}. Write one row per voter: "
            "name, then candidates best first (e.g. ana,B,A=C,D).",
            file=sys.stderr,
        )
        return 2
    if args.json:
        sys.stdout.write(json.dumps(to_json(result), ensure_ascii=False) + "\n")
    else:
        render_tally(result, sys.stdout)
    return 0


def _llm_objects(lines: list[str], rubric: str, mission: str | None) -> dict[str, dict]:
    """Per line an "llm" object, or an "llm_error" message; never stops the rubric output."""
    from coach.bootstrap import build
    from coach.llm.coaching import _suggestion_json
    from coach.llm.protocol import LLMError

    coach = build().coach
    out: dict[str, dict] = {}
    if rubric == "mission":
        answers = coach.feedback_many([t for t in lines if len(t) <= 1000])
        for text, answer in answers.items():
            out[text] = (
                {"llm_error": str(answer)}
                if isinstance(answer, LLMError)
                else {"llm": answer.as_json()}
            )
    else:
        for text in lines:
            try:
                better = coach.rewrite_commitment(text, mission or "")
            except (LLMError, CoachError) as exc:
                out[text] = {"llm_error": str(exc)}
            else:
                out[text] = {"llm": {"rewrite": _suggestion_json(better) if better else None}}
    for text in lines:
        out.setdefault(text, {"llm_error": "Not sent to the LLM: the line is too long."})
    return out


def _render_llm(extra: dict, out: TextIO) -> None:
    if "llm_error" in extra:
        out.write(f"   LLM: {extra['llm_error']}\n\n")
    elif "llm" in extra and "criteria" in extra["llm"]:
        scores = " · ".join(f"{k} {v['score']}/5" for k, v in extra["llm"]["criteria"].items())
        out.write(f"   LLM: {scores}\n")
        for r in extra["llm"]["rewrites"]:
            out.write(f"   rewrite ({r['overall']}): {r['text']}\n")
        out.write("\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mission-coach", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    score = sub.add_parser("score", help="score statements, one per line")
    score.add_argument("file", nargs="?", default="-", help="a text file, or - for stdin")
    score.add_argument("--rubric", choices=RUBRIC_NAMES, default="mission")
    score.add_argument("--mission", help="the mission text, to link commitments to it")
    score.add_argument("--json", action="store_true", help="one JSON object per line")
    score.add_argument(
        "--llm",
        action="store_true",
        help="add the LLM's second opinion (needs OPENAI_API_KEY or OPENAI_BASE_URL)",
    )
    score.set_defaults(run=_cmd_score)
    vote = sub.add_parser("tally", help="count ranked ballots (Schulze method)")
    vote.add_argument(
        "file", help="CSV: voter, then candidates best first, A=B for ties; - for stdin"
    )
    vote.add_argument("--json", action="store_true", help="one JSON object")
    vote.set_defaults(run=_cmd_tally)
    add_commands(sub)
    add_serve(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CoachError as exc:
        print(str(exc), file=sys.stderr)
        if detail := getattr(exc, "detail", ""):  # the operator may read the details
            print(f"  detail: {detail}", file=sys.stderr)
        return 2
