"""`python -m bench.tune`: the DEV sets only, with every pair the scorer gets wrong.

For tuning the rubric. It never reads a held-out set: those are measured by `make bench`
once tuning is done.
"""

from __future__ import annotations

import sys

from bench import evaluate


def main(argv: list[str]) -> int:
    only = set(argv)
    for stem, rubric in evaluate.PAIR_SETS:
        if "holdout" in stem or (only and stem not in only):
            continue
        pairs = evaluate.load_pairs(evaluate.PAIRS_DIR / f"{stem}.tsv")
        wrong = []
        for p in pairs:
            b = evaluate.pair_score(p, rubric, p.better)
            w = evaluate.pair_score(p, rubric, p.worse)
            if b <= w:
                wrong.append((p, b, w))
        print(f"== {stem}: {len(pairs) - len(wrong)}/{len(pairs)} right")
        for p, b, w in wrong:
            print(f"  [{p.criterion}] {b:3d} <= {w:3d}\\n     + {p.better}\\n     - {p.worse}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
