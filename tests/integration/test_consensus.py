"""Toward consensus: candidates, the ranked vote, the four-criteria check, rounds, adoption."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect

from coach.bootstrap import Services, build
from coach.config import Settings
from coach.domain.types import Member, Workshop
from coach.errors import InputError
from coach.service.consensus import PhaseError
from coach.service.workshops import AccessDenied, NotFound
from coach.storage.db import normalise_url
from coach.storage.migrations import LATEST, current_version, migrate

GOOD = {"desired": 4, "bold": 4, "clear": 3, "stretching": 5}


def _team(svc: Services, n: int = 3) -> tuple[Workshop, str, list[Member], list[int]]:
    w, key = svc.workshops.create("Desk")
    members, drafts = [], []
    texts = [
        "We welcome every guest like family.",
        "We exceed every guest's expectations.",
        "We make every stay easy and warm.",
        "We listen to every guest.",
    ]
    for i in range(n):
        _, m = svc.workshops.join(w.code, f"M{i}")
        svc.workshops.submit(w.code, m.token, texts[i], f"n{i}")
        members.append(m)
    svc.workshops.set_revealed(w.code, key, True)
    drafts = [d.id for d in svc.store.drafts(w.id)]
    return svc.workshops.find(w.code), key, members, drafts


def _round(svc: Services, w: Workshop):
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    assert rnd is not None
    return rnd


def test_promote_needs_reveal_and_the_facilitator(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "A")
    svc.workshops.submit(w.code, m.token, "We help.", "n")
    draft_id = svc.store.drafts(w.id)[0].id
    with pytest.raises(PhaseError, match="Reveal the drafts first"):
        svc.consensus.promote(w.code, key, draft_id)
    svc.workshops.set_revealed(w.code, key, True)
    with pytest.raises(AccessDenied):
        svc.consensus.promote(w.code, "nope", draft_id)
    c = svc.consensus.promote(w.code, key, draft_id)
    assert c.text == "We help." and c.sources == (draft_id,) and c.round == 1


def test_merged_candidate_records_sources_and_refuses_bad_text(svc: Services) -> None:
    w, key, _, drafts = _team(svc)
    c = svc.consensus.add_merged(
        w.code, key, "We welcome every guest and exceed expectations.", [*drafts[:2], 999]
    )
    assert c.kind == "merged" and c.sources == tuple(drafts[:2])
    again = svc.consensus.add_merged(w.code, key, c.text, drafts)
    assert again.id == c.id  # the same words never become two candidates
    with pytest.raises(InputError, match="empty"):
        svc.consensus.add_merged(w.code, key, "  ", drafts)


def test_vote_check_consensus_and_adopt(svc: Services) -> None:
    w, key, members, drafts = _team(svc)
    a = svc.consensus.promote(w.code, key, drafts[0])
    b = svc.consensus.promote(w.code, key, drafts[1])
    with pytest.raises(PhaseError, match="not open"):
        svc.consensus.ballot(w.code, members[0].token, [[a.id]])
    svc.consensus.open_vote(w.code, key)
    with pytest.raises(PhaseError, match="before the vote opens"):
        svc.consensus.add_merged(w.code, key, "We care.", [])
    svc.consensus.ballot(w.code, members[0].token, [[a.id], [b.id]])
    svc.consensus.ballot(w.code, members[1].token, [[b.id], [a.id]])
    svc.consensus.ballot(w.code, members[2].token, [[b.id]])
    svc.consensus.ballot(w.code, members[2].token, [[a.id], [b.id]])  # replaces the first
    rnd = _round(svc, w)
    assert len(rnd.ballots) == 3
    tally = svc.consensus.tally(rnd)
    assert tally is not None and tally.winner == (str(a.id),)
    svc.consensus.close_vote(w.code, key)
    assert _round(svc, w).leader_id == a.id
    for m in members[:2]:
        svc.consensus.check(w.code, m.token, GOOD, "")
    with pytest.raises(PhaseError, match="Waiting for 1 to answer: M2"):
        svc.consensus.close_check(w.code, key)
    svc.consensus.check(w.code, members[2].token, GOOD, "")
    result = svc.consensus.close_check(w.code, key)
    assert result.consensus
    adopted = svc.consensus.adopt(w.code, key, a.id)
    assert adopted.adopted_id == a.id
    assert svc.consensus.adopted(svc.workshops.find(w.code)) == a


def test_a_tie_is_never_broken_silently(svc: Services) -> None:
    w, key, members, drafts = _team(svc, 2)
    a = svc.consensus.promote(w.code, key, drafts[0])
    b = svc.consensus.promote(w.code, key, drafts[1])
    svc.consensus.open_vote(w.code, key)
    svc.consensus.ballot(w.code, members[0].token, [[a.id], [b.id]])
    svc.consensus.ballot(w.code, members[1].token, [[b.id], [a.id]])
    svc.consensus.close_vote(w.code, key)  # closes the vote; nobody is checked yet
    assert (_round(svc, w).phase, _round(svc, w).leader_id) == ("check", None)
    assert svc.consensus.tied(_round(svc, w)) == [a.id, b.id]
    with pytest.raises(PhaseError, match="No candidate is being checked"):
        svc.consensus.check(w.code, members[0].token, GOOD, "")
    svc.consensus.choose_leader(w.code, key, b.id)
    assert _round(svc, w).leader_id == b.id and svc.consensus.tied(_round(svc, w)) == []


def test_concerns_open_a_new_round_with_the_revision(svc: Services) -> None:
    w, key, members, drafts = _team(svc)
    a = svc.consensus.promote(w.code, key, drafts[0])
    svc.consensus.open_vote(w.code, key)  # one candidate: straight to the check
    assert _round(svc, w).phase == "check"
    low = dict(GOOD, clear=2)
    with pytest.raises(InputError, match="what would change your mind"):
        svc.consensus.check(w.code, members[0].token, low, "")
    svc.consensus.check(w.code, members[0].token, low, "  Too vague about who we serve. ")
    for m in members[1:]:
        svc.consensus.check(w.code, m.token, GOOD, "")
    result = svc.consensus.close_check(w.code, key)
    assert not result.consensus
    [(who, question, score, concern)] = result.below
    assert (who.name, question, score, concern) == (
        "M0",
        "clear",
        2,
        "Too vague about who we serve.",
    )
    with pytest.raises(PhaseError, match="passed the four-criteria check"):
        svc.consensus.adopt(w.code, key, a.id)
    assert svc.consensus.next_round(w.code, key, "We welcome every hotel guest like family.") == 2
    rounds = svc.consensus.history(svc.workshops.find(w.code))
    assert [r.number for r in rounds] == [1, 2]
    assert rounds[0].outcome == "concerns"
    assert [c.kind for c in rounds[1].candidates] == ["revised", "carried"]
    assert rounds[1].candidates[0].sources == a.sources


@pytest.mark.parametrize(
    ("ranking", "message"),
    [([[1], [1]], "only one place"), ([], "at least one"), ([[424242]], "not in this round")],
)
def test_bad_ballots_are_refused(svc: Services, ranking: list[list[int]], message: str) -> None:
    w, key, members, drafts = _team(svc, 2)
    a = svc.consensus.promote(w.code, key, drafts[0])
    svc.consensus.promote(w.code, key, drafts[1])
    svc.consensus.open_vote(w.code, key)
    ranking = [[a.id if i == 1 else i for i in g] for g in ranking]
    with pytest.raises(InputError, match=message):
        svc.consensus.ballot(w.code, members[0].token, ranking)


def test_a_ballot_is_checked_against_the_current_round_only(svc: Services) -> None:
    """Member writes read a light head of the round: it must still know what is withdrawn."""
    w, key, members, drafts = _team(svc, 3)
    a = svc.consensus.promote(w.code, key, drafts[0])
    b = svc.consensus.promote(w.code, key, drafts[1])
    gone = svc.consensus.promote(w.code, key, drafts[2])
    with pytest.raises(PhaseError, match="ranked vote is not open"):
        svc.consensus.ballot(w.code, members[0].token, [[a.id]])
    svc.consensus.withdraw(w.code, key, gone.id)
    svc.consensus.open_vote(w.code, key)
    head = svc.consensus.rounds.head(w.id)
    assert head is not None and head.active == (a.id, b.id) and head.phase == "voting"
    with pytest.raises(InputError, match="not in this round"):
        svc.consensus.ballot(w.code, members[0].token, [[gone.id], [a.id]])
    other, _ = svc.workshops.create("Other desk")
    _, stranger = svc.workshops.join(other.code, "Zed")
    with pytest.raises(NotFound, match="not part of the workshop"):
        svc.consensus.ballot(w.code, stranger.token, [[a.id]])
    svc.consensus.ballot(w.code, members[0].token, [[b.id], [a.id]])
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    assert rnd is not None and [bal.ranking for bal in rnd.ballots] == [((b.id,), (a.id,))]


def test_scores_must_be_0_to_5(svc: Services) -> None:
    w, key, members, drafts = _team(svc, 1)
    svc.consensus.promote(w.code, key, drafts[0])
    svc.consensus.open_vote(w.code, key)
    with pytest.raises(InputError, match="from 0 to 5"):
        svc.consensus.check(w.code, members[0].token, dict(GOOD, bold=6), "")
    with pytest.raises(InputError, match="bold, clear, stretching have no answer yet"):
        svc.consensus.check(w.code, members[0].token, {"desired": 3}, "")


def test_a_first_schema_database_upgrades_and_keeps_every_row(database_url: str) -> None:
    url = database_url
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        migrate(conn, upto=1)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO workshops (id, code, name, organisation, focus, facilitator_key_hash,"
            " revealed, locked, revision, created_at) VALUES (1, 'AAAABBBBCCCC', 'Old', '', '',"
            " 'h', true, false, 3, '2026-01-01 10:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO members (id, workshop_id, name, token, position, created_at)"
            " VALUES (1, 1, 'Ana', 'tok', 1, '2026-01-01 10:00:00')"
        )
        assert current_version(conn) == 1
    svc = build(Settings(database_url=url, public_url=None))
    with svc.store.engine.connect() as conn:
        assert current_version(conn) == LATEST
    w = svc.workshops.find("AAAABBBBCCCC")
    assert (w.name, w.revealed, w.revision, w.adopted_id) == ("Old", True, 3, None)
    assert svc.store.members(w.id)[0].name == "Ana"
    # The revision goes on from where the old schema left it: screens never see it drop.
    svc.workshops.join(w.code, "Bo")
    assert svc.workshops.find(w.code).revision == 4
    assert {"rounds", "candidates", "ballots", "checks", "workshop_revisions"} <= set(
        inspect(svc.store.engine).get_table_names()
    )
