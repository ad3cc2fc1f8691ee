"""The read model behind every export: each figure once, from one source."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coach.bootstrap import Services, build
from coach.domain import themes, voting
from coach.domain.types import Round, Workshop
from coach.exports.table import ConsensusTable
from coach.scoring.scorer import score_text
from coach.service import record
from coach.service.consensus import Consensus

COMMITMENT = "I will call back every guest within 2 hours."


@pytest.fixture
def svc() -> Services:
    return build()


def _record(
    svc: Services, workshop: Workshop, consensus: Consensus | None = None
) -> ConsensusTable:
    workshop = svc.workshops.find(workshop.code)
    drafts = svc.store.drafts(workshop.id, include_deleted=True)
    return record.build(
        workshop,
        drafts=drafts,
        rounds=svc.consensus.history(workshop),
        consensus=consensus or svc.consensus,
        team=svc.commitments.team(workshop),
        themes=themes.shared_themes([d.latest.text for d in drafts]),
    )


def test_every_management_note_reaches_the_commitment_in_order(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    plan = svc.commitments.for_member(w, ana)
    svc.commitments.add(plan.token, COMMITMENT)
    cid = svc.commitments.open(plan.token).commitments[0].id
    svc.commitments.give_feedback(w.code, key, cid, "Lee", "Good start.")
    svc.commitments.give_feedback(w.code, key, cid, "", "Keep the log.")
    svc.commitments.give_feedback(w.code, key, None, "Mo", "Well done, team.")
    today = datetime.now(UTC).date().isoformat()

    table = _record(svc, w)
    (row,) = table.commitments
    assert row.manager_feedback.splitlines() == [
        f"{today} Lee: Good start.",
        f"{today} Management: Keep the log.",
    ]
    assert table.team_feedback == (f"{today} Mo: Well done, team.",)


class _CountingConsensus(Consensus):
    """The real service, counting how often the record asks it to tally a round."""

    def __init__(self, real: Consensus) -> None:
        super().__init__(real.ws, real.rounds)
        self.tallied: list[int] = []

    def tally(self, rnd: Round) -> voting.Tally | None:
        self.tallied.append(rnd.id)
        return super().tally(rnd)


def _voted_round(svc: Services) -> tuple[Workshop, dict[str, int]]:
    """Three members, candidates A (Ana's draft), B (Bo's), C (Cy's); Cy's ballot ties A=B."""
    w, key = svc.workshops.create("Desk")
    tokens = {}
    for name, text in DRAFTS.items():
        _, m = svc.workshops.join(w.code, name)
        svc.workshops.submit(w.code, m.token, text, f"n-{name}")
        tokens[name] = m.token
    svc.workshops.set_revealed(w.code, key, True)
    drafts = {d.member_name: d.id for d in svc.store.drafts(w.id)}
    ids = {
        label: svc.consensus.promote(w.code, key, drafts[name]).id
        for label, name in zip("ABC", DRAFTS, strict=True)
    }
    svc.consensus.open_vote(w.code, key)
    ballots = {"Ana": [["C"], ["A"], ["B"]], "Bo": [["C"], ["B"], ["A"]], "Cy": [["A", "B"]]}
    for name, ballot in ballots.items():
        svc.consensus.ballot(w.code, tokens[name], [[ids[c] for c in g] for g in ballot])
    return w, ids


DRAFTS = {
    "Ana": "We welcome every guest like family.",
    "Bo": "We answer every call within three rings.",
    "Cy": "We make every stay feel easy.",
}


def test_the_vote_is_tallied_once_per_round(svc: Services) -> None:
    w, _ = _voted_round(svc)
    counting = _CountingConsensus(svc.consensus)
    table = _record(svc, w, counting)
    (rnd,) = svc.consensus.history(svc.workshops.find(w.code))
    assert counting.tallied == [rnd.id]
    assert sum(r.kind == "candidate" for r in table.rows) == 3  # three rows, one tally


def test_the_round_records_its_vote_row_over_column(svc: Services) -> None:
    w, _ = _voted_round(svc)
    table = _record(svc, w)
    (summary,) = table.rounds
    assert summary.vote is not None and summary.vote.ballots == 3
    assert summary.vote.candidates == ("A", "B", "C")
    # Ana and Bo rank C above A and B; Cy ranks A and B (tied) above C.
    assert summary.vote.pairwise == ((None, 1, 1), (1, None, 1), (2, 2, None))
    firsts = {r.label: r.first_preferences for r in table.rows if r.kind == "candidate"}
    assert firsts == {"A": 0.5, "B": 0.5, "C": 2.0}  # Cy's tied first is split


def test_every_score_comes_from_the_current_rubric(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    text = DRAFTS["Ana"]
    # A version scored by an older rubric: its stored scores are not what this rubric gives.
    old = dict.fromkeys(("overall", "desired", "bold", "clear", "stretching"), 1)
    svc.store.add_version(ana, text, old, "0", "n-old")
    svc.workshops.set_revealed(w.code, key, True)
    (draft,) = svc.store.drafts(w.id)
    svc.consensus.promote(w.code, key, draft.id)
    plan = svc.commitments.for_member(w, ana)
    svc.commitments.add(plan.token, COMMITMENT)

    table = _record(svc, w)
    now = score_text(text, "mission")
    mission = f"mission v{now.rubric_version}"
    assert table.rubric == mission
    assert (
        table.commitment_rubric
        == f"commitment v{score_text(COMMITMENT, 'commitment').rubric_version}"
    )
    draft_row, candidate = table.rows
    for row in (draft_row, candidate):
        assert row.rubric == mission
        assert row.overall == now.overall != 1
        assert (row.desired, row.bold, row.clear, row.stretching) == tuple(
            now.criteria[q].score for q in ("desired", "bold", "clear", "stretching")
        )
    (commitment,) = table.commitments
    assert commitment.rubric == table.commitment_rubric
