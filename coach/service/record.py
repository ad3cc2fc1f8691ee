"""The consensus record as plain data: the table to export, and rows for the screens."""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import mean

from coach.bootstrap import Services
from coach.domain import elements as elements_mod
from coach.domain import themes as themes_mod
from coach.domain import voting
from coach.domain.codes import format_code
from coach.domain.types import QUESTIONS, Candidate, CheckIn, Feedback, Round, Workshop
from coach.exports.table import CommitmentRow, ConsensusRow, ConsensusTable, RoundSummary
from coach.scoring.scorer import score_text
from coach.service.consensus import Consensus


def tally_rows(
    t: voting.Tally, labels: dict[int, str]
) -> tuple[list[dict[str, object]], dict[str, dict[str, int]], list[dict[str, object]]]:
    """Schulze places (ties share a place), the pairwise table, Borda and first preferences."""
    ranking = [
        {"place": voting.rank_of(t, c), "candidate": labels[int(c)]}
        for group in t.ranking
        for c in group
    ]
    pairwise = {
        labels[int(a)]: {labels[int(b)]: t.pairwise[a][b] for b in t.candidates}
        for a in t.candidates
    }
    points = [
        {
            "candidate": labels[int(c)],
            "Borda points": t.borda[c],
            "first preferences": t.first_preferences[c],
        }
        for c in t.candidates
    ]
    return ranking, pairwise, points


def check_rows(rnd: Round) -> list[dict[str, object]]:
    """Per question: the lowest and the mean fist-to-five on the leading candidate."""
    answers = [c for c in rnd.checks if c.candidate_id == rnd.leader_id]
    return [
        {
            "question": q,
            "answers": len(answers),
            "min": min((a.scores[q] for a in answers), default=None),
            "mean": round(mean(a.scores[q] for a in answers), 2) if answers else None,
        }
        for q in QUESTIONS
    ]


def _summaries(svc: Services, workshop: Workshop, rounds: list[Round]) -> list[RoundSummary]:
    out = []
    for rnd in rounds:
        leader = next((c for c in rnd.candidates if c.id == rnd.leader_id), None)
        concerns: tuple[str, ...] = ()
        status = {
            "candidates": "gathering candidates",
            "voting": "voting",
            "check": "four-criteria check",
        }.get(rnd.phase, "")
        if rnd.phase == "closed":
            status = (
                "closed: consensus" if rnd.outcome == "consensus" else "closed: concerns raised"
            )
            below = svc.consensus.check_result(workshop, rnd).below
            concerns = tuple(f"{m.display_name} on {q} ({s}): {c}" for m, q, s, c in below)
        out.append(
            RoundSummary(
                number=rnd.number,
                status=status,
                winner=leader.text if leader else "",
                concerns=concerns,
            )
        )
    return out


def _candidate_row(
    c: Candidate,
    rnd: Round,
    consensus: Consensus,
    names: dict[int, str],
    found: list[themes_mod.Theme],
    adopted_id: int | None,
) -> ConsensusRow:
    result = score_text(c.text, "mission")
    t = consensus.tally(rnd)
    placed = t is not None and str(c.id) in t.candidates
    checks = [k for k in rnd.checks if k.candidate_id == c.id]
    f2f: dict[str, object] = {}
    for q in QUESTIONS:
        values = [k.scores[q] for k in checks]
        f2f[f"f2f_{q}_min"] = min(values) if values else None
        f2f[f"f2f_{q}_mean"] = round(mean(values), 2) if values else None
    if c.id == adopted_id:
        kind, status = "adopted", "adopted"
    else:
        kind = "candidate"
        status = (
            "withdrawn"
            if c.withdrawn
            else f"leader: {rnd.outcome or 'checking'}"
            if c.id == rnd.leader_id
            else "candidate"
        )
    return ConsensusRow.model_validate(
        {
            "text": c.text,
            "kind": kind,
            "sources": "; ".join(names.get(s, "removed draft") for s in c.sources),
            "round": rnd.number,
            "overall": result.overall,
            **{k: v.score for k, v in result.criteria.items()},
            "themes_covered": "; ".join(
                x.label for x in themes_mod.coverage(c.text, found).covered
            ),
            "schulze_rank": voting.rank_of(t, str(c.id)) if t is not None and placed else None,
            "borda": t.borda[str(c.id)] if t is not None and placed else None,
            "first_preferences": t.first_preferences[str(c.id)]
            if t is not None and placed
            else None,
            "status": status,
            **f2f,
        }
    )


def build(
    svc: Services, workshop: Workshop, rounds: list[Round], found: list[themes_mod.Theme]
) -> ConsensusTable:
    """One row per draft and per candidate, with the record of every round."""
    drafts = svc.store.drafts(workshop.id, include_deleted=True)
    names = {d.id: d.member_name for d in drafts}
    rows = [
        ConsensusRow.model_validate(
            {
                "text": d.latest.text,
                "kind": "draft",
                "author": d.member_name,
                "overall": d.latest.scores.get("overall", 0),
                **{q: d.latest.scores.get(q, 0) for q in QUESTIONS},
                "themes_covered": "; ".join(
                    t.label for t in themes_mod.coverage(d.latest.text, found).covered
                ),
                "status": "removed" if d.deleted else "draft",
            }
        )
        for d in drafts
    ]
    for rnd in rounds:
        rows += [
            _candidate_row(c, rnd, svc.consensus, names, found, workshop.adopted_id)
            for c in rnd.candidates
        ]
    adopted = svc.consensus.adopted(workshop)
    team = svc.commitments.team(workshop)
    labels = {e.key: e.label for e in elements_mod.elements()}
    notes = dict(zip((f.commitment_id for f in team.feedback), _notes(team.feedback), strict=True))
    commitments = tuple(
        CommitmentRow.model_validate(
            {
                "person": r.person,
                "text": r.view.commitment.text,
                **{k: c.score for k, c in r.view.result.criteria.items()},
                "overall": r.view.result.overall,
                "line_of_sight": r.view.line_of_sight,
                "elements": "; ".join(labels.get(k, k) for k in r.view.elements),
                "due": r.view.commitment.due,
                "cadence": r.view.commitment.cadence,
                "partner": r.view.partner,
                "status": r.view.commitment.status,
                "last_check_in": _last(r.view.commitment.checkins),
                "manager_feedback": notes.get(r.view.commitment.id, ""),
            }
        )
        for r in team.rows
    )
    return ConsensusTable(
        workshop=workshop.name,
        organisation=workshop.organisation,
        focus=workshop.focus,
        code=format_code(workshop.code),
        generated_at=datetime.now(UTC),
        adopted=adopted.text if adopted else None,
        rounds=tuple(_summaries(svc, workshop, rounds)),
        rows=tuple(rows),
        commitments=commitments,
        followup_due=workshop.followup_due,
        team_feedback=tuple(
            n
            for f, n in zip(team.feedback, _notes(team.feedback), strict=True)
            if f.commitment_id is None
        ),
    )


def _notes(feedback: tuple[Feedback, ...]) -> list[str]:
    return [f"{f.author or 'Management'}: {f.note}" for f in feedback]


def _last(checkins: tuple[CheckIn, ...]) -> str:
    if not checkins:
        return ""
    k = checkins[-1]
    return f"{k.created_at:%Y-%m-%d}: {k.status}" + (f": {k.note}" if k.note else "")
