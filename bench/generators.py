"""Synthetic drafts and ballots for the benchmarks."""

from __future__ import annotations

import random
import statistics
import time

from coach.domain.themes import _stem, _word_lists, shared_themes, similar_groups
from coach.domain.voting import Ballot, tally


def generated_drafts(n: int, seed: int) -> list[str]:
    """Workshop-like drafts from a phrase bank, with local words and near-duplicates."""
    bank = _word_lists()["bench"]
    rng = random.Random(seed)
    towns = [
        "".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3)).title()
        for _ in range(5000)
    ]
    drafts: list[str] = []
    for _ in range(n):
        if drafts and rng.random() < 0.1:
            # Someone rewords a colleague's draft: one word or the case changed.
            words = rng.choice(drafts).split()
            words[rng.randrange(len(words))] = rng.choice(bank["people"])
            draft = " ".join(words)
            drafts.append(draft.upper() if rng.random() < 0.2 else draft)
            continue
        actions = [
            f"{rng.choice(bank['verbs'])} {rng.choice(bank['objects'])}"
            for _ in range(rng.randint(1, 2))
        ]
        parts = [rng.choice(bank["openers"]), " and ".join(actions)]
        parts += rng.sample(bank["manners"], rng.randint(0, 2))
        if rng.random() < 0.4:
            parts.append(
                f"for the {rng.choice(bank['people'])} of our {rng.choice(bank['places'])}"
            )
        if rng.random() < 0.5:
            parts.append(f"in {rng.choice(towns)}")
        if rng.random() < 0.6:
            parts.append(rng.choice(bank["purposes"]))
        drafts.append(" ".join(parts) + ".")
    return drafts


def themes_seconds(n: int = 2000, seed: int = 1) -> float:
    """Median seconds of shared_themes + similar_groups on n generated drafts, 3 runs."""
    drafts = generated_drafts(n, seed)
    times = []
    for _ in range(3):
        _stem.cache_clear()  # each run pays for stemming, as a fresh process would
        start = time.perf_counter()
        shared_themes(drafts)
        similar_groups(drafts)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def random_ballot(rng: random.Random, names: list[str]) -> Ballot:
    order = rng.sample(names, len(names))
    if rng.random() < 0.3:  # some voters rank only their favourites
        order = order[: rng.randint(0, len(order))]
    groups: list[list[str]] = []
    for name in order:
        if groups and rng.random() < 0.15:
            groups[-1].append(name)
        else:
            groups.append([name])
    return tuple(tuple(g) for g in groups)


def tally_seconds(n_ballots: int = 2000, n_candidates: int = 12, seed: int = 1) -> float:
    """Median seconds to tally random ballots (with ties and incomplete ballots)."""
    rng = random.Random(seed)  # reproducible bench data
    names = [f"M{i + 1}" for i in range(n_candidates)]
    ballots = [random_ballot(rng, names) for _ in range(n_ballots)]
    tally(ballots, names)  # warm-up
    times = []
    for _ in range(5):
        start = time.perf_counter()
        tally(ballots, names)
        times.append(time.perf_counter() - start)
    return statistics.median(times)
