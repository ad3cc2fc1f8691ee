"""`make bench`: scorer speed and quality figures.

Speed: median microseconds per statement after warm-up, pinned to one core, on the real
mission statements in ../shared/peer/ when present (a generated set otherwise).
Quality: pair-ordering accuracy on the project's labelled pairs, and agreement with the
external references in ../shared/peer/.
"""

from __future__ import annotations

import os
import random
import statistics
import time

from bench import app_bench, evaluate, generators, live_bench, llm_bench
from coach.scoring import language
from coach.scoring import scorer as scorer_module
from coach.scoring.rubric import load_rubric
from coach.scoring.scorer import Scorer


def _statements() -> tuple[list[str], str]:
    if rows := evaluate.real_statements():
        return rows, f"{len(rows)} real statements (mission_statements.tsv)"
    rng = random.Random(7)
    words = [
        "we",
        "serve",
        "every",
        "customer",
        "guest",
        "with",
        "care",
        "and",
        "exceed",
        "expectations",
        "try",
        "to",
        "leverage",
        "synergy",
        "maintain",
        "adequate",
        "service",
        "community",
        "forever",
    ]
    rows = [
        " ".join(rng.choice(words) for _ in range(rng.randint(8, 30))) + "." for _ in range(160)
    ]
    return rows, "160 generated statements (peer data not found)"


def _pin_one_core() -> tuple[str, set[int] | None]:
    try:
        cores = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(cores)})
        return "pinned to one core", cores
    except (AttributeError, OSError):
        return "not pinned", None


def bench_speed(rubric: str, texts: list[str], rounds: int = 15) -> tuple[float, float]:
    """Per statement: scores, evidence and tips with their checked rewrites. Uncached: the
    reading of each text is forgotten before it is scored (the word lexicon stays warm,
    as in a running app)."""
    scorer = Scorer(load_rubric(rubric))
    for t in texts:
        scorer.score(t)
    per_text: list[float] = []
    for _ in range(rounds):
        for t in texts:
            language.read.cache_clear()
            scorer_module._action.cache_clear()
            start = time.perf_counter_ns()
            scorer.score(t)
            per_text.append((time.perf_counter_ns() - start) / 1000)
    per_text.sort()
    return statistics.median(per_text), per_text[int(len(per_text) * 0.95)]


def _print_table(title: str, figures: dict[str, evaluate.Agreement]) -> None:
    print(f"  {title}")
    for name, a in figures.items():
        print(f"    {name:<38} {a}")


def main() -> int:
    print(
        "== Speed (target: median <= 200 µs per mission statement; results are cached by "
        "text, so a rerun of a page costs about 1 µs)"
    )
    pin, cores = _pin_one_core()
    texts, source = _statements()
    med, p95 = bench_speed("mission", texts)
    print(f"  mission    median {med:7.1f} µs  p95 {p95:7.1f} µs  over {source}, {pin}")
    commitments = [p.better for p in evaluate.load_pairs(evaluate.PAIRS_DIR / "commitment_dev.tsv")]
    med, p95 = bench_speed("commitment", commitments)
    print(
        f"  commitment median {med:7.1f} µs  p95 {p95:7.1f} µs  over {len(commitments)} commitments"
    )
    if cores:
        os.sched_setaffinity(0, cores)  # the app figures below use a server and a browser

    print("\n== Pair ordering accuracy (a tie counts as wrong)")
    for stem, rubric in evaluate.PAIR_SETS:
        acc = evaluate.pair_accuracy(
            evaluate.load_pairs(evaluate.PAIRS_DIR / f"{stem}.tsv"), rubric
        )
        total = evaluate.Agreement(
            sum(a.correct for a in acc.values()), sum(a.total for a in acc.values())
        )
        _print_table(f"{stem} ({rubric} rubric): all {total}", acc)

    print("\n== Tips (targets: no tip on more than 25% of the real statements, 0 broken rewrites)")
    real = evaluate.real_statements()
    labelled = sorted(
        {
            t
            for stem, rubric in evaluate.PAIR_SETS
            if rubric == "mission"
            for p in evaluate.load_pairs(evaluate.PAIRS_DIR / f"{stem}.tsv")
            for t in (p.better, p.worse)
        }
    )
    for label, texts in (("real statements", real), ("labelled mission drafts", labelled)):
        if not texts:
            print(f"  {label}: not found; skipped")
            continue
        rep = evaluate.tip_report(texts)
        print(
            f"  {label} ({rep.statements}): most frequent tip on {rep.top_share:.0%}: "
            f"{rep.top_tip[:70]!r}"
        )
        print(
            f"    rewrites offered {rep.rewrites}: raise their criterion without lowering "
            f"overall {rep.improving}/{rep.rewrites}; re-read as grammatical sentences "
            f"{rep.grammatical}/{rep.rewrites}"
        )

    print("\n== Consensus at organisation scale")
    seconds = generators.themes_seconds(2000)
    print(f"  shared themes + similarity groups, 2,000 drafts: {seconds:.3f} s (target <= 2 s)")
    seconds = generators.tally_seconds(2000, 12)
    print(f"  Schulze tally, 2,000 ballots x 12 candidates: {seconds:.3f} s (target <= 0.2 s)")

    print()
    llm_bench.main()
    print()
    app_bench.main()
    print()
    live_bench.main()

    peer = evaluate.PEER_DIR
    print(f"\n== Agreement with external references ({peer})")
    if not peer.is_dir():
        print("  peer material not found; skipped")
        return 0
    _print_table(
        "write-good specs (flagged or not)",
        evaluate.write_good_agreement(peer / "write_good_specs.tsv"),
    )
    _print_table(
        "proselint examples (fail or pass)",
        evaluate.proselint_agreement(peer / "proselint_examples.tsv"),
    )
    _print_table(
        "goal ranking, commitment overall (higher label scores higher)",
        evaluate.goal_ranking(peer / "goal_quality_labelled.tsv"),
    )
    means = evaluate.mean_scores_by_label(peer / "goal_quality_labelled.tsv")
    print(
        "    mean overall by label: "
        + ", ".join(
            f"{k} {means[k]:.1f}" for k in ("smart", "partial_smart", "vague") if k in means
        )
    )
    _print_table(
        "readability vs textstat's pinned values",
        evaluate.readability_conformance(peer / "textstat_expected.tsv"),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
