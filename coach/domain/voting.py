"""Ranked vote on candidate mission statements: Schulze order, Borda and first preferences.

Pure functions: ballots in, a `Tally` out. Ties are reported as ties, never broken."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coach.errors import InputError

# Groups of tied candidates, best first. Candidates missing from a ballot rank below every
# listed one, tied among themselves.
Ballot = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Tally:
    """The outcome of a vote; `pairwise[a][b]` counts voters ranking a strictly above b."""

    candidates: tuple[str, ...]
    ballots: int
    winner: tuple[str, ...]
    ranking: tuple[tuple[str, ...], ...]
    pairwise: dict[str, dict[str, int]]
    strongest: dict[str, dict[str, int]]
    borda: dict[str, float]
    first_preferences: dict[str, float]


def _normalise(ballot: Iterable[Iterable[str]]) -> Ballot:
    # Accept lists as well as tuples (Counter needs hashable keys); empty groups mean nothing.
    return tuple(g for g in (tuple(group) for group in ballot) if g)


def _check_ballot(ballot: Ballot, where: str) -> None:
    seen: set[str] = set()
    for group in ballot:
        for name in group:
            if name in seen:
                raise InputError(
                    f"{where} lists '{name}' twice; rank each candidate once "
                    "(use '=' to tie candidates)."
                )
            seen.add(name)


def _unknown_error(unknown: dict[str, str]) -> InputError:
    listed = ", ".join(f"'{name}' ({where})" for name, where in unknown.items())
    return InputError(
        f"Unknown candidate(s): {listed}. Fix the spelling or add them to the candidate list."
    )


def _check_candidates(candidates: Sequence[str]) -> tuple[str, ...]:
    names = tuple(candidates)
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"The candidate list repeats {', '.join(dupes)}; list each once.")
    return names


def _candidate_list(
    counts: Counter[Ballot], first_at: dict[Ballot, int], candidates: Sequence[str] | None
) -> tuple[str, ...]:
    if candidates is None:
        # Counter keeps insertion order, so this is first-seen order over the original ballots.
        seen: dict[str, None] = {}
        for ballot in counts:
            for group in ballot:
                seen.update(dict.fromkeys(group))
        return tuple(seen)
    names = _check_candidates(candidates)
    known = set(names)
    unknown: dict[str, str] = {}
    for ballot in sorted(counts, key=first_at.__getitem__):
        for name in (n for g in ballot for n in g if n not in known):
            unknown.setdefault(name, f"ballot {first_at[ballot]}")
    if unknown:
        raise _unknown_error(unknown)
    return names


def _ranks(counts: Counter[Ballot], index: dict[str, int]) -> np.ndarray:
    """One row per distinct ballot: the group position of each candidate (unlisted = last)."""
    ranks = np.empty((len(counts), len(index)), dtype=np.int32)
    for row, ballot in enumerate(counts):
        ranks[row, :] = len(ballot)
        for pos, group in enumerate(ballot):
            for name in group:
                ranks[row, index[name]] = pos
    return ranks


def _strongest_paths(d: np.ndarray) -> np.ndarray:
    """Widest paths (Floyd–Warshall) over links d[a][b] that beat d[b][a]."""
    p = np.where(d > d.T, d, 0)
    for k in range(len(p)):
        p = np.maximum(p, np.minimum(p[:, k : k + 1], p[k : k + 1, :]))
    np.fill_diagonal(p, 0)
    return p


def _schulze_order(p: np.ndarray) -> list[list[int]]:
    # Schulze proves p[a][b] > p[b][a] is transitive, so an unbeaten remaining candidate exists.
    remaining = list(range(len(p)))
    order: list[list[int]] = []
    while remaining:
        top = [c for c in remaining if not any(p[o, c] > p[c, o] for o in remaining)]
        order.append(top)
        remaining = [c for c in remaining if c not in top]
    return order


def tally(ballots: Iterable[Ballot], candidates: Sequence[str] | None = None) -> Tally:
    """Count ballots with the Schulze method (winning votes), plus Borda and first choices."""
    counts: Counter[Ballot] = Counter()
    first_at: dict[Ballot, int] = {}
    for n, raw in enumerate(ballots, 1):
        ballot = _normalise(raw)
        if ballot not in counts:  # identical ballots are common: check and rank each once
            _check_ballot(ballot, f"Ballot {n}")
            first_at[ballot] = n
        counts[ballot] += 1
    names = _candidate_list(counts, first_at, candidates)
    index = {name: i for i, name in enumerate(names)}
    total = sum(counts.values())

    weights = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
    ranks = _ranks(counts, index)
    above = ranks[:, :, None] < ranks[:, None, :]  # above[i, a, b]: ballot i puts a over b
    d = np.einsum("i,iab->ab", weights, above.astype(np.int64))
    below = above.sum(axis=2)
    tied_with = (ranks[:, :, None] == ranks[:, None, :]).sum(axis=2) - 1
    borda = weights @ (below + 0.5 * tied_with)
    # An empty ballot has everyone "first" (all unlisted): it must give no first preference.
    lengths = np.fromiter((len(b) for b in counts), dtype=np.int64, count=len(counts))
    first = (ranks == 0) & (lengths > 0)[:, None]
    firsts = weights @ (first / np.maximum(first.sum(axis=1), 1)[:, None])
    p = _strongest_paths(d)

    ranking = tuple(tuple(names[i] for i in group) for group in _schulze_order(p))
    return Tally(
        candidates=names,
        ballots=total,
        winner=ranking[0] if ranking else (),
        ranking=ranking,
        pairwise={a: {b: int(d[i, j]) for j, b in enumerate(names)} for i, a in enumerate(names)},
        strongest={a: {b: int(p[i, j]) for j, b in enumerate(names)} for i, a in enumerate(names)},
        borda={a: float(borda[i]) for i, a in enumerate(names)},
        first_preferences={a: float(firsts[i]) for i, a in enumerate(names)},
    )


def rank_of(t: Tally, candidate: str) -> int:
    """1-based position of the candidate's group in the Schulze ranking."""
    for pos, group in enumerate(t.ranking, 1):
        if candidate in group:
            return pos
    raise InputError(f"'{candidate}' is not a candidate in this vote; check the spelling.")


def top(t: Tally, n: int) -> tuple[str, ...]:
    """The first `n` candidates of the ranking. A tie is kept together: when the n-th
    place is shared, every candidate tied there is in, so it can be more than n."""
    kept: list[str] = []
    for group in t.ranking:
        if len(kept) >= n:
            break
        kept += group
    return tuple(kept)


def to_json(t: Tally) -> dict[str, Any]:
    """A JSON-ready summary of the tally."""
    return {
        "method": "schulze",
        "winner": list(t.winner),
        "ranking": [list(g) for g in t.ranking],
        "pairwise": t.pairwise,
        "borda": t.borda,
        "first_preferences": t.first_preferences,
        "ballots": t.ballots,
    }


# A ranking is read by people; Schulze is cubic in the candidates, so a file cannot
# ask for thousands (3,000 took 86 s).
MAX_CANDIDATES = 200


def _row_to_ballot(row: list[str], where: str) -> tuple[str, Ballot]:
    if any("\n" in c or "\r" in c for c in row):
        raise InputError(
            f"{where} has a line break inside a quoted cell; keep each ballot on one line "
            "and check its quotes."
        )
    cells = [c.strip() for c in row]
    voter = cells[0] if cells else ""
    if not voter:
        raise InputError(f"{where} has no voter name; put the voter's name in the first column.")
    groups: list[tuple[str, ...]] = []
    # Empty cells are skipped: spreadsheets pad rows with trailing commas.
    for cell in cells[1:]:
        if not cell:
            continue
        names = tuple(n.strip() for n in cell.split("="))
        if not all(names):
            raise InputError(
                f"{where} ({voter}) has an empty name in '{cell}'; join tied candidates as A=B."
            )
        groups.append(names)
    ballot = tuple(groups)
    listed = sum(len(g) for g in ballot)
    if listed > MAX_CANDIDATES:
        raise InputError(
            f"{where} ({voter}) ranks {listed} candidates; a ballot ranks at most "
            f"{MAX_CANDIDATES}. Check that the file is a ballot file."
        )
    _check_ballot(ballot, f"{where} ({voter})")
    return voter, ballot


def parse_ballot(line: str) -> tuple[str, Ballot]:
    """Parse one CSV row: 'ana,B,A=C,D' -> ('ana', (('B',), ('A', 'C'), ('D',)))."""
    rows = list(csv.reader([line], skipinitialspace=True))
    return _row_to_ballot(rows[0] if rows else [], "The ballot")


def parse_ballots_csv(
    text: str, candidates: Sequence[str] | None = None
) -> tuple[list[str], list[Ballot]]:
    """Voters and ballots from CSV text ('#' and blank lines skipped); names checked if given."""
    known = set(_check_candidates(candidates)) if candidates is not None else None
    unknown: dict[str, str] = {}
    kept: list[tuple[int, str]] = [
        (n, line)
        for n, line in enumerate(text.lstrip("\ufeff").splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    # Each line keeps its line break, so a quoted cell spanning lines is seen (and refused),
    # and strict mode refuses an unclosed quote instead of reading on silently.
    reader = csv.reader((line + "\n" for _, line in kept), skipinitialspace=True, strict=True)
    voters: list[str] = []
    ballots: list[Ballot] = []
    seen_on: dict[str, int] = {}
    consumed = 0
    try:
        for row in reader:
            line_no = kept[consumed][0]  # a quoted field may span lines; report where it starts
            consumed = reader.line_num
            if not any(c.strip() for c in row):
                continue  # a spreadsheet's padding row: ",,,"
            voter, ballot = _row_to_ballot(row, f"Line {line_no}")
            if voter in seen_on:
                raise InputError(
                    f"Each voter has one ballot; '{voter}' appears on lines "
                    f"{seen_on[voter]} and {line_no}. Remove or rename one of them."
                )
            seen_on[voter] = line_no
            if known is not None:
                for name in (n for g in ballot for n in g if n not in known):
                    unknown.setdefault(name, f"line {line_no}")
            voters.append(voter)
            ballots.append(ballot)
    except csv.Error as exc:
        line_no = kept[min(consumed, len(kept) - 1)][0]
        raise InputError(f"Line {line_no} is not valid CSV ({exc}); check its quotes.") from exc
    if unknown:
        raise _unknown_error(unknown)
    names = {n for b in ballots for g in b for n in g}
    if len(names) > MAX_CANDIDATES:
        raise InputError(
            f"The ballots name {len(names)} different candidates; a vote counts at most "
            f"{MAX_CANDIDATES}. Check that the file is a ballot file."
        )
    return voters, ballots


def letters(n: int) -> str:
    """The n-th candidate letter (from 0): A..Z, then AA, AB, ... (kept across rounds)."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out
