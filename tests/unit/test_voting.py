"""Ranked vote: published Schulze examples, a brute-force reference, Borda, parsing, CLI."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from coach.domain.voting import Ballot, parse_ballot, parse_ballots_csv, rank_of, tally, to_json
from coach.errors import InputError
from tests.support.cli_runner import Cli


def strict(count: int, order: str) -> list[Ballot]:
    """`count` identical ballots ranking single-letter candidates in `order`, no ties."""
    return [tuple((c,) for c in order)] * count


def profile(spec: str) -> list[Ballot]:
    """'5 ACBED, 5 ADECB' -> the ballots it describes."""
    out: list[Ballot] = []
    for part in spec.split(","):
        count, order = part.split()
        out += strict(int(count), order)
    return out


# --- Published examples -------------------------------------------------------------------

# Wikipedia, "Schulze method", section "Example" (the same example is on Markus Schulze's
# examples page, en.wikipedia.org/wiki/User:MarkusSchulze/Schulze_method_examples, Example 1).
WIKIPEDIA = "5 ACBED, 5 ADECB, 8 BEDAC, 3 CABED, 7 CAEBD, 2 CBADE, 7 DCEBA, 8 EBADC"
# The article's matrix of pairwise preferences d[row][col] and strongest paths p[row][col].
WIKI_D = {
    "A": {"B": 20, "C": 26, "D": 30, "E": 22},
    "B": {"A": 25, "C": 16, "D": 33, "E": 18},
    "C": {"A": 19, "B": 29, "D": 17, "E": 24},
    "D": {"A": 15, "B": 12, "C": 28, "E": 14},
    "E": {"A": 23, "B": 27, "C": 21, "D": 31},
}
WIKI_P = {
    "A": {"B": 28, "C": 28, "D": 30, "E": 24},
    "B": {"A": 25, "C": 28, "D": 33, "E": 24},
    "C": {"A": 25, "B": 29, "D": 29, "E": 24},
    "D": {"A": 25, "B": 28, "C": 28, "E": 24},
    "E": {"A": 25, "B": 28, "C": 28, "D": 31},
}


def test_wikipedia_example_winner_and_order() -> None:
    t = tally(profile(WIKIPEDIA), "ABCDE")
    assert t.ballots == 45
    assert t.winner == ("E",)
    assert t.ranking == (("E",), ("A",), ("C",), ("B",), ("D",))
    assert [rank_of(t, c) for c in "EACBD"] == [1, 2, 3, 4, 5]


def test_wikipedia_example_pairwise_and_strongest_paths() -> None:
    t = tally(profile(WIKIPEDIA), "ABCDE")
    # The article's worked cells: A-B is 20 to 25; the strongest path A->C goes via D (28).
    assert (t.pairwise["A"]["B"], t.pairwise["B"]["A"]) == (20, 25)
    assert t.strongest["A"]["B"] == 28 and t.strongest["E"]["D"] == 31
    assert t.strongest["A"]["C"] == 28 and t.strongest["B"]["D"] == 33
    for a in "ABCDE":
        assert t.pairwise[a][a] == 0 and t.strongest[a][a] == 0
        for b in set("ABCDE") - {a}:
            assert t.pairwise[a][b] == WIKI_D[a][b], (a, b)
            assert t.strongest[a][b] == WIKI_P[a][b], (a, b)


def test_symmetric_condorcet_cycle_is_a_three_way_tie() -> None:
    # The textbook Condorcet paradox: each pair is 2 to 1 around the cycle A>B>C>A, so every
    # strongest path has strength 2 and no candidate beats another.
    t = tally(profile("1 ABC, 1 BCA, 1 CAB"))
    assert t.pairwise["A"]["B"] == t.pairwise["B"]["C"] == t.pairwise["C"]["A"] == 2
    assert {t.strongest[a][b] for a in "ABC" for b in "ABC" if a != b} == {2}
    assert t.ranking == (("A", "B", "C"),)
    assert t.winner == ("A", "B", "C")
    assert {rank_of(t, c) for c in "ABC"} == {1}


def test_two_candidates_split_one_to_one_is_a_tie() -> None:
    t = tally(profile("1 AB, 1 BA"))
    assert t.winner == ("A", "B") and t.ranking == (("A", "B"),)
    assert t.strongest == {"A": {"A": 0, "B": 0}, "B": {"A": 0, "B": 0}}


def test_four_candidate_example_with_two_potential_winners() -> None:
    # 9 voters: 3 ABCD, 2 DABC, 2 DBCA, 2 CBDA. Recalled as an example with two potential winners
    # (B and D) from Schulze's examples page; the numbers here are derived by hand:
    #   d: A>B 5:4, A>C 5:4, D>A 6:3, B>C 7:2, B>D 5:4, C>D 5:4
    #   p[A][B]=5 vs p[B][A]=5 (B-D-A, min 5,6)        -> tie
    #   p[A][C]=5 vs p[C][A]=5 (C-D-A)                 -> tie
    #   p[D][A]=6 vs p[A][D]=5 (A-B-D)                 -> D beats A
    #   p[B][C]=7 vs p[C][B]=5 (C-D-A-B)               -> B beats C
    #   p[B][D]=5 vs p[D][B]=5 (D-A-B)                 -> tie
    #   p[C][D]=5 vs p[D][C]=5 (D-A-C)                 -> tie
    # Unbeaten: B and D. Among A and C (B, D removed) neither beats the other.
    t = tally(profile("3 ABCD, 2 DABC, 2 DBCA, 2 CBDA"), "ABCD")
    assert t.pairwise["D"]["A"] == 6 and t.pairwise["B"]["C"] == 7
    assert t.strongest["D"]["A"] == 6 and t.strongest["A"]["D"] == 5
    assert t.strongest["C"]["B"] == 5
    assert t.winner == ("B", "D")
    assert t.ranking == (("B", "D"), ("A", "C"))
    assert [rank_of(t, c) for c in "ABCD"] == [2, 1, 2, 1]


# --- Ties, incomplete and empty ballots, computed by hand ---------------------------------

# Group positions (unlisted = after the last group):
#   b1 A > B=C        A0 B1 C1 D2
#   b2 B > A          B0 A1 C2 D2
#   b3 C=D > A        C0 D0 A1 B2
#   b4 (empty)        all tied
#   b5 B=C > D > A    B0 C0 D1 A2
HAND: list[Ballot] = [
    (("A",), ("B", "C")),
    (("B",), ("A",)),
    (("C", "D"), ("A",)),
    (),
    (("B", "C"), ("D",), ("A",)),
]


def test_hand_example_pairwise_and_ranking() -> None:
    # d: A-B 2:2, A-C 2:2, A-D 2:2, B-C 1:1 (b2 vs b3), B-D 3:1 (b1 b2 b5 vs b3),
    # C-D 2:0 (b1 b5; tied on b2 b3 b4). Only links: B->D (3) and C->D (2), so D is beaten
    # and A, B, C tie for first.
    t = tally(HAND, ["A", "B", "C", "D"])
    d = t.pairwise
    assert [d["A"]["B"], d["B"]["A"], d["A"]["C"], d["C"]["A"]] == [2, 2, 2, 2]
    assert [d["A"]["D"], d["D"]["A"], d["B"]["C"], d["C"]["B"]] == [2, 2, 1, 1]
    assert [d["B"]["D"], d["D"]["B"], d["C"]["D"], d["D"]["C"]] == [3, 1, 2, 0]
    assert t.strongest["B"]["D"] == 3 and t.strongest["C"]["D"] == 2
    assert t.strongest["A"]["D"] == 0 and t.strongest["D"]["B"] == 0
    assert t.ballots == 5
    assert t.winner == ("A", "B", "C")
    assert t.ranking == (("A", "B", "C"), ("D",))
    assert rank_of(t, "D") == 2


def test_hand_example_borda_and_first_preferences() -> None:
    # Borda per ballot, (below) + 0.5 * (tied with):
    #   b1 A 3, B 1.5, C 1.5, D 0   b2 B 3, A 2, C 0.5, D 0.5   b3 C 2.5, D 2.5, A 1, B 0
    #   b4 each 1.5 (all tied)      b5 B 2.5, C 2.5, D 1, A 0
    # First preferences: b1 A 1; b2 B 1; b3 C .5 D .5; b4 nothing; b5 B .5 C .5
    t = tally(HAND, ["A", "B", "C", "D"])
    assert t.borda == {"A": 7.5, "B": 8.5, "C": 8.5, "D": 5.5}
    assert t.first_preferences == {"A": 1.0, "B": 1.5, "C": 1.0, "D": 0.5}


def test_unlisted_candidate_counts_at_the_bottom() -> None:
    # E is a candidate no one lists: everyone listed beats it, and it ties with the other unlisted.
    t = tally([(("A",),), (("B",), ("A",))], ["A", "B", "E"])
    assert t.pairwise["A"]["E"] == 2 and t.pairwise["B"]["E"] == 1
    assert t.pairwise["E"] == {"A": 0, "B": 0, "E": 0}
    # Ballot 1: A 2, B 0.5, E 0.5. Ballot 2: B 2, A 1, E 0.
    assert t.borda == {"A": 3.0, "B": 2.5, "E": 0.5}
    assert t.ranking[-1] == ("E",)


def test_candidates_default_to_first_seen_order() -> None:
    t = tally([(("Z",),), (("Y", "X"), ("Z",))])
    assert t.candidates == ("Z", "Y", "X")


def test_identical_ballots_count_with_multiplicity() -> None:
    ballots = strict(3, "AB") + strict(2, "BA")
    t = tally(ballots)
    assert (t.pairwise["A"]["B"], t.pairwise["B"]["A"]) == (3, 2)
    assert t.winner == ("A",) and t.first_preferences == {"A": 3.0, "B": 2.0}


def test_no_ballots() -> None:
    t = tally([], ["A", "B"])
    assert t.ballots == 0 and t.winner == ("A", "B")
    assert t.borda == {"A": 0.0, "B": 0.0}


def test_tally_rejects_bad_input() -> None:
    with pytest.raises(InputError, match=r"'X' \(ballot 2\)"):
        tally([(("A",),), (("X",), ("A",))], ["A", "B"])
    with pytest.raises(InputError, match=r"Ballot 2 lists 'A' twice"):
        tally([(("A",),), (("A",), ("B", "A"))])
    with pytest.raises(InputError, match="repeats A"):
        tally([], ["A", "A"])
    with pytest.raises(InputError, match="not a candidate"):
        rank_of(tally([(("A",),)]), "Q")


def test_to_json_shape() -> None:
    t = tally(HAND, ["A", "B", "C", "D"])
    obj = json.loads(json.dumps(to_json(t)))
    assert obj["method"] == "schulze"
    assert obj["winner"] == ["A", "B", "C"]
    assert obj["ranking"] == [["A", "B", "C"], ["D"]]
    assert obj["pairwise"]["B"]["D"] == 3
    assert obj["borda"]["D"] == 5.5 and obj["first_preferences"]["B"] == 1.5
    assert obj["ballots"] == 5


# --- Brute-force reference ----------------------------------------------------------------


def ref_tally(
    ballots: list[Ballot], names: list[str]
) -> tuple[dict, dict, list[set[str]], dict, dict]:
    """Definitions applied literally: every simple path, every pair, every ballot."""

    def pos(ballot: Ballot, c: str) -> int:
        return next((i for i, g in enumerate(ballot) if c in g), len(ballot))

    d = {a: {b: sum(pos(x, a) < pos(x, b) for x in ballots) for b in names} for a in names}

    def link(a: str, b: str) -> int:
        return d[a][b] if d[a][b] > d[b][a] else 0

    p = {a: {b: 0 for b in names} for a in names}
    for a, b in itertools.permutations(names, 2):
        others = [c for c in names if c not in (a, b)]
        for r in range(len(others) + 1):
            for middle in itertools.permutations(others, r):
                path = (a, *middle, b)
                strength = min(link(x, y) for x, y in itertools.pairwise(path))
                p[a][b] = max(p[a][b], strength)

    ranking: list[set[str]] = []
    left = set(names)
    while left:
        top = {c for c in left if all(p[c][o] >= p[o][c] for o in left)}
        ranking.append(top)
        left -= top

    borda = {c: 0.0 for c in names}
    first = {c: 0.0 for c in names}
    for x in ballots:
        for c in names:
            below = sum(pos(x, o) > pos(x, c) for o in names)
            tied = sum(pos(x, o) == pos(x, c) for o in names) - 1
            borda[c] += below + 0.5 * tied
        for c in x[0] if x else ():
            first[c] += 1 / len(x[0])
    return d, p, ranking, borda, first


def random_election(rng: random.Random) -> tuple[list[Ballot], list[str]]:
    names = list("ABCDE")[: rng.randint(2, 5)]
    ballots: list[Ballot] = []
    for _ in range(rng.randint(1, 15)):
        listed = rng.sample(names, rng.randint(0, len(names)))
        groups: list[list[str]] = []
        for c in listed:
            if groups and rng.random() < 0.3:
                groups[-1].append(c)
            else:
                groups.append([c])
        ballots.append(tuple(tuple(g) for g in groups))
    return ballots, names


@pytest.mark.parametrize("seed", range(4))
def test_matches_brute_force_on_random_elections(seed: int) -> None:
    rng = random.Random(1000 + seed)  # noqa: S311 - fixed seeds for reproducible elections
    for _ in range(100):
        ballots, names = random_election(rng)
        d, p, ranking, borda, first = ref_tally(ballots, names)
        t = tally(ballots, names)
        assert t.pairwise == d
        assert t.strongest == p
        assert [set(g) for g in t.ranking] == ranking
        assert t.winner == t.ranking[0]
        assert t.borda == pytest.approx(borda)
        assert t.first_preferences == pytest.approx(first)


def test_ranking_properties_on_random_elections() -> None:
    rng = random.Random(7)  # noqa: S311 - fixed seeds for reproducible elections
    for _ in range(200):
        ballots, names = random_election(rng)
        t = tally(ballots, names)

        def beats(a: str, b: str, p: dict[str, dict[str, int]] = t.strongest) -> bool:
            return p[a][b] > p[b][a]

        for a, b, c in itertools.permutations(names, 3):
            assert not (beats(a, b) and beats(b, c)) or beats(a, c)
        for earlier, later in itertools.pairwise(t.ranking):
            assert all(any(beats(e, x) for e in earlier) for x in later)
        for group in t.ranking:
            assert not any(beats(a, b) for a in group for b in group)
        assert sorted(c for g in t.ranking for c in g) == sorted(names)
        assert sum(t.borda.values()) == pytest.approx(
            len(ballots) * len(names) * (len(names) - 1) / 2
        )


def test_ballot_order_does_not_matter() -> None:
    rng = random.Random(3)  # noqa: S311 - fixed seeds for reproducible elections
    ballots, names = random_election(rng)
    shuffled = rng.sample(ballots, len(ballots))
    assert tally(ballots, names) == tally(shuffled, names)


# --- Parsing ------------------------------------------------------------------------------


def test_parse_ballot() -> None:
    assert parse_ballot("ana,B,A=C,D") == ("ana", (("B",), ("A", "C"), ("D",)))
    assert parse_ballot(" bo , A = B ,C,,") == ("bo", (("A", "B"), ("C",)))
    assert parse_ballot("cy") == ("cy", ())
    with pytest.raises(InputError, match="no voter name"):
        parse_ballot(",A,B")
    with pytest.raises(InputError, match="'A' twice"):
        parse_ballot("ana,A,B=A")
    with pytest.raises(InputError, match="empty name"):
        parse_ballot("ana,A=,B")


def test_parse_ballots_csv() -> None:
    text = (
        "\ufeff# voter, ranking best first\n"
        "ana,B,A=C,D\n"
        "\n"
        '  bob , "Serve, then grow", B\n'
        "   # a comment after spaces\n"
        "cy\n"
    )
    voters, ballots = parse_ballots_csv(text)
    assert voters == ["ana", "bob", "cy"]
    assert ballots == [
        (("B",), ("A", "C"), ("D",)),
        (("Serve, then grow",), ("B",)),
        (),
    ]


def test_parse_errors_carry_line_numbers() -> None:
    with pytest.raises(InputError, match=r"'ana' appears on lines 2 and 5"):
        parse_ballots_csv("# header\nana,A,B\nbob,B\n\nana,B,A\n")
    with pytest.raises(InputError, match=r"Line 3 \(bob\) lists 'B' twice"):
        parse_ballots_csv("ana,A,B\n# x\nbob,B,A=B\n")
    with pytest.raises(InputError, match=r"'X' \(line 3\)"):
        parse_ballots_csv("ana,A,B\n\nbob,X,A\n", candidates=["A", "B"])
    with pytest.raises(InputError, match=r"Line 2 has no voter name"):
        parse_ballots_csv("ana,A\n,B\n")


# --- CLI (in-process, see conftest.py) ------------------------------------------------


CSV = "# voter, best first\nana,B,A=C,D\nbob,A,B\ncy,A=B\ndee,C,A,B,D\n"


def test_cli_json(cli: Cli, tmp_path: Path) -> None:
    # d: A>B 2:1 (bob, dee vs ana), A>C 2:1, B>C 3:1, and everyone over D, so A wins outright.
    path = tmp_path / "ballots.csv"
    path.write_text(CSV, encoding="utf-8")
    out = cli("tally", str(path), "--json")
    assert out.code == 0, out.err
    obj = json.loads(out.stdout)
    assert {"method", "winner", "ranking", "pairwise", "borda", "first_preferences"} <= set(obj)
    assert obj["method"] == "schulze" and obj["ballots"] == 4
    assert obj["winner"] == ["A"]
    assert obj["ranking"] == [["A"], ["B"], ["C"], ["D"]]
    assert obj["pairwise"]["A"]["B"] == 2 and obj["pairwise"]["B"]["A"] == 1
    # B on ana's ballot: 3 below; bob: 2 below; cy: 2 below + tied with A; dee: 1 below.
    assert obj["borda"]["B"] == 8.5
    assert obj["first_preferences"] == {"B": 1.5, "A": 1.5, "C": 1.0, "D": 0.0}


def test_cli_table_and_stdin(cli: Cli) -> None:
    out = cli("tally", "-", stdin=CSV)
    assert out.code == 0, out.err
    assert "Winner: A" in out.stdout
    assert "Borda" in out.stdout and "Pairwise" in out.stdout
    tie = cli("tally", "-", stdin="a,X,Y\nb,Y,X\n")
    assert "tie between X and Y" in tie.stdout


def test_cli_errors_exit_2(cli: Cli, tmp_path: Path) -> None:
    missing = cli("tally", str(tmp_path / "nope.csv"))
    assert missing.code == 2 and "Cannot read" in missing.err
    dup = cli("tally", "-", stdin="ana,A\nana,B\n")
    assert dup.code == 2
    assert "'ana' appears on lines 1 and 2" in dup.err
    empty = cli("tally", "-", stdin="# nothing yet\n")
    assert empty.code == 2 and "No ranked candidates" in empty.err


def test_a_padding_row_a_bom_and_quoted_names_are_read() -> None:
    text = '\ufeffana,A,B\n,,,\n"bo, jr",B,A\n  ,  , \n'
    voters, ballots = parse_ballots_csv(text)
    assert voters == ["ana", "bo, jr"]
    assert ballots == [(("A",), ("B",)), (("B",), ("A",))]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('ana,A,B\nbo,"B,A\ncy,A,B\n', "Line 2"),  # an unclosed quote
        ('ana,"A\nB",C\n', "line break inside a quoted cell"),
    ],
)
def test_quoting_mistakes_are_named_not_misread(text: str, says: str) -> None:
    with pytest.raises(InputError, match=says):
        parse_ballots_csv(text)


def test_a_ballot_cannot_ask_for_thousands_of_candidates() -> None:
    huge = "ana," + ",".join(f"C{i}" for i in range(3000)) + "\n"
    with pytest.raises(InputError, match="ranks 3000 candidates; a ballot ranks at most 200"):
        parse_ballots_csv(huge)
    many = "".join(f"v{i},C{i}\n" for i in range(250))
    with pytest.raises(InputError, match="250 different candidates"):
        parse_ballots_csv(many)


def test_top_n_keeps_the_leaders_and_a_tie_together() -> None:
    from coach.domain.voting import top

    ballots = [(("A",), ("B",), ("C",), ("D",))] * 3 + [(("B",), ("A",), ("D",), ("C",))] * 2
    t = tally(ballots)
    assert t.ranking == (("A",), ("B",), ("C",), ("D",))
    assert top(t, 1) == ("A",)
    assert top(t, 2) == ("A", "B")
    assert top(t, 9) == tuple(c for g in t.ranking for c in g)
    tied = tally([(("A", "B"), ("C",))] * 2)  # A and B share first place
    assert top(tied, 1) == ("A", "B")
    assert top(tied, 0) == ()
