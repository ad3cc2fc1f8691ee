"""The read model: what every export and summary shows, built once from explicit inputs.

Scores have one source: the rubrics as they are now. Each distinct statement is scored once
with the mission rubric, each commitment with the commitment rubric, and every row names the
rubric and version that scored it. The scores stored with each draft version (what its author
saw on submitting) stay in the database but are not mixed in: one table never shows two
scores for one text. Votes have one source too: each round's ballots are tallied once, and
every rank, Borda count, first-preference share and pairwise cell comes from that tally.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from statistics import mean

from coach.domain import assessment as assessment_mod
from coach.domain import elements as elements_mod
from coach.domain import kept, voting
from coach.domain import themes as themes_mod
from coach.domain.agenda import Agenda, AgendaItem
from coach.domain.codes import format_code
from coach.domain.types import QUESTIONS, Candidate, CheckIn, Draft, Feedback, Round, Workshop
from coach.exports.table import (
    AgendaRow,
    AssessmentRow,
    CommitmentRow,
    ConsensusRow,
    ConsensusTable,
    IdeaRow,
    KeptRow,
    RegisterRow,
    RoundSummary,
    StepRow,
    Vote,
)
from coach.scoring.scorer import ScoreResult, get_scorer, score_text
from coach.service.commitments import Team
from coach.service.consensus import CheckResult, Consensus
from coach.service.steps import Steps

_STATUS = {"candidates": "gathering candidates", "voting": "voting", "check": "four-criteria check"}


def vote(t: voting.Tally, labels: dict[int, str]) -> Vote:
    """The round's pairwise table under its candidates' letters, read row over column."""
    return Vote(
        ballots=t.ballots,
        candidates=tuple(labels[int(c)] for c in t.candidates),
        pairwise=tuple(
            tuple(None if a == b else t.pairwise[a][b] for b in t.candidates) for a in t.candidates
        ),
    )


def tally_rows(
    t: voting.Tally, labels: dict[int, str]
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Schulze places (ties share a place), then each candidate's Borda points and first prefs."""
    ranking: list[dict[str, object]] = [
        {"place": voting.rank_of(t, c), "candidate": labels[int(c)]}
        for group in t.ranking
        for c in group
    ]
    points: list[dict[str, object]] = [
        {
            "candidate": labels[int(c)],
            "Borda points": t.borda[c],
            # The header says why a share can be a fraction; the screen's caption says how.
            "first preferences (ties split)": t.first_preferences[c],
        }
        for c in t.candidates
    ]
    return ranking, points


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


def note_line(f: Feedback) -> str:
    """One management note as a line of text: its date, its author, what it says."""
    return f"{f.created_at:%Y-%m-%d} {f.author or 'Management'}: {f.note}"


def _rubric(result: ScoreResult) -> str:
    return f"{result.rubric} v{result.rubric_version}"


def _summary(
    rnd: Round, tally: voting.Tally | None, labels: dict[int, str], check: CheckResult | None
) -> RoundSummary:
    leader = next((c for c in rnd.candidates if c.id == rnd.leader_id), None)
    concerns: tuple[str, ...] = ()
    status = _STATUS.get(rnd.phase, "")
    if rnd.phase == "closed":
        status = "closed: consensus" if rnd.outcome == "consensus" else "closed: concerns raised"
        if check is not None:
            concerns = tuple(f"{m.display_name} on {q} ({s}): {c}" for m, q, s, c in check.below)
    return RoundSummary(
        number=rnd.number,
        status=status,
        winner=leader.text if leader else "",
        concerns=concerns,
        vote=vote(tally, labels) if tally is not None else None,
    )


def _candidate_row(
    c: Candidate,
    rnd: Round,
    tally: voting.Tally | None,
    result: ScoreResult,
    names: dict[int, str],
    found: Sequence[themes_mod.Theme],
    adopted_id: int | None,
) -> ConsensusRow:
    t = tally if tally is not None and str(c.id) in tally.candidates else None
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
            "label": Consensus.label(rnd, c.id),
            "overall": result.overall,
            "rubric": _rubric(result),
            **{k: v.score for k, v in result.criteria.items()},
            "themes_covered": "; ".join(
                x.label for x in themes_mod.coverage(c.text, found).covered
            ),
            "schulze_rank": voting.rank_of(t, str(c.id)) if t is not None else None,
            "borda": t.borda[str(c.id)] if t is not None else None,
            "first_preferences": t.first_preferences[str(c.id)] if t is not None else None,
            "status": status,
            **f2f,
        }
    )


def _draft_row(d: Draft, result: ScoreResult, found: Sequence[themes_mod.Theme]) -> ConsensusRow:
    return ConsensusRow.model_validate(
        {
            "text": d.latest.text,
            "kind": "draft",
            "author": d.member_name,
            "overall": result.overall,
            "rubric": _rubric(result),
            **{k: v.score for k, v in result.criteria.items()},
            "themes_covered": "; ".join(
                t.label for t in themes_mod.coverage(d.latest.text, found).covered
            ),
            "status": "removed" if d.deleted else "draft",
        }
    )


def _commitments(team: Team) -> tuple[CommitmentRow, ...]:
    labels = {e.key: e.label for e in elements_mod.elements()}
    notes: dict[int | None, list[str]] = {}
    for f in team.feedback:  # oldest first, as stored
        notes.setdefault(f.commitment_id, []).append(note_line(f))
    return tuple(
        CommitmentRow.model_validate(
            {
                "person": r.person,
                "text": r.view.commitment.text,
                **{k: c.score for k, c in r.view.result.criteria.items()},
                "overall": r.view.result.overall,
                "rubric": _rubric(r.view.result),
                "line_of_sight": r.view.line_of_sight,
                "elements": "; ".join(labels.get(k, k) for k in r.view.elements),
                "due": r.view.commitment.due,
                "cadence": r.view.commitment.cadence,
                "partner": r.view.partner,
                "status": r.view.commitment.status,
                "last_check_in": _last(r.view.commitment.checkins),
                "manager_feedback": "\n".join(notes.get(r.view.commitment.id, ())),
            }
        )
        for r in team.rows
    )


def build(
    workshop: Workshop,
    *,
    drafts: Sequence[Draft],
    rounds: Sequence[Round],
    consensus: Consensus,
    team: Team,
    themes: Sequence[themes_mod.Theme],
    steps: Steps | None = None,
) -> ConsensusTable:
    """Every draft the facilitator kept, every round's candidates and vote, the commitments.

    Exports are shared with the larger group, so drafts the facilitator removed stay out
    (they are kept, marked removed, in the workshop and in backups).

    `consensus` tallies each round's ballots and reads its four-criteria check, once each.
    """
    texts = dict.fromkeys([d.latest.text for d in drafts])
    texts.update(dict.fromkeys(c.text for rnd in rounds for c in rnd.candidates))
    scored = {text: score_text(text, "mission") for text in texts}
    tallies = {rnd.id: consensus.tally(rnd) for rnd in rounds}
    checks = {
        rnd.id: consensus.check_result(workshop, rnd) for rnd in rounds if rnd.phase == "closed"
    }
    names = {d.id: d.member_name for d in drafts}
    rows = [_draft_row(d, scored[d.latest.text], themes) for d in drafts if not d.deleted]
    summaries = []
    for rnd in rounds:
        tally = tallies[rnd.id]
        labels = {c.id: Consensus.label(rnd, c.id) for c in rnd.candidates}
        summaries.append(_summary(rnd, tally, labels, checks.get(rnd.id)))
        rows += [
            _candidate_row(c, rnd, tally, scored[c.text], names, themes, workshop.adopted_id)
            for c in rnd.candidates
        ]
    adopted = next(
        (c.text for rnd in rounds for c in rnd.candidates if c.id == workshop.adopted_id), None
    )
    mission, commitment = (get_scorer(name).rubric for name in ("mission", "commitment"))
    table = ConsensusTable(
        workshop=workshop.name,
        organisation=workshop.organisation,
        focus=workshop.focus,
        code=format_code(workshop.code),
        generated_at=datetime.now(UTC),
        rubric=f"{mission.name} v{mission.version}",
        commitment_rubric=f"{commitment.name} v{commitment.version}",
        adopted=adopted,
        rounds=tuple(summaries),
        rows=tuple(rows),
        commitments=_commitments(team),
        followup_due=workshop.followup_due,
        team_feedback=tuple(note_line(f) for f in team.feedback if f.commitment_id is None),
        kept_weeks=tuple(_kept(r) for r in team.kept_weeks),
        kept_elements=tuple(_kept(r) for r in team.kept_elements),
        ideas=tuple(
            IdeaRow(
                person=person,
                text=i.text,
                created=i.created_at.date(),
                tried=i.tried_on,
                implemented=i.implemented_on,
            )
            for person, i in team.ideas
        ),
    )
    if steps is None:
        return table
    # Validated again as a whole, so the added rows are checked as every other row is.
    return ConsensusTable.model_validate(table.model_dump() | _whole(workshop, steps, team))


_STEP_OF = {"image": "Step 3", "core": "Step 5", "recommend": "Step 7"}
_ITEM_KIND = {"image": "idea", "core": "strength", "recommend": "recommendation"}
_RESULT_KIND = {"image": "image", "core": "core aspect"}


def _whole(workshop: Workshop, steps: Steps, team: Team) -> dict[str, object]:
    """The rest of the workshop for the larger group: the agenda, the revealed items of
    Steps 3, 5 and 7 and what the team agreed, the assessment, and the register."""
    agenda = steps.agenda(workshop)
    rows: list[StepRow] = []
    texts: dict[int, str] = {}
    core: dict[int, str] = {}
    for key in ("image", "core", "recommend"):
        view = steps.view(workshop, key, agenda)
        if key == "core":
            core = {r.id: r.text for r in view.results}
        number = {i.id: n for n, i in enumerate(view.items, 1)}
        for item in view.items:  # private until revealed: only revealed items are shared
            texts[item.id] = item.text
            scored = score_text(item.text, view.info.rubric) if view.info.rubric else None
            rows.append(
                StepRow(
                    step=_STEP_OF[key],
                    kind=_ITEM_KIND[key],  # type: ignore[arg-type]
                    author=item.member_name,
                    text=item.text,
                    example=item.example,
                    note="no example" if view.info.example_label and item.needs_example else "",
                    overall=scored.overall if scored else None,
                    rubric=f"{view.info.rubric} v{get_scorer(view.info.rubric).rubric.version}"
                    if scored
                    else "",
                )
            )
        for r in view.results if key in _RESULT_KIND else ():
            rows.append(
                StepRow(
                    step=_STEP_OF[key],
                    kind=_RESULT_KIND[key],  # type: ignore[arg-type]
                    text=r.text,
                    example=r.example,
                    note="agreed" if view.agreed else "being checked",
                    sources=", ".join(f"#{number[i]}" for i in r.sources if i in number),
                )
            )
    said = {r.view.commitment.id: f"{r.person}: {r.view.commitment.text}" for r in team.rows}
    register = tuple(
        RegisterRow(
            text=r.text,
            owner=r.owner,
            status=r.status,
            builds_on_ideas="\n".join(texts[i] for i in r.ideas if i in texts),
            builds_on_strengths="\n".join(core[i] for i in r.strengths if i in core),
            builds_on_commitments="\n".join(said[i] for i in r.commitments if i in said),
            response=r.response,
            responded=r.responded_at.date() if r.responded_at else None,
        )
        for r in steps.recommendations(workshop)
    )
    spread = steps.assessment(workshop, team.coverage)
    return {
        "agenda": tuple(_agenda_row(workshop, agenda, i) for i in agenda.items),
        "steps": tuple(rows),
        "recommendations": register,
        "assessment_title": assessment_mod.framework(workshop.framework).title,
        "assessment": tuple(
            AssessmentRow(
                element=e.label,
                answers=len(e.ratings),
                mean=round(e.mean, 2) if e.mean is not None else None,
                lowest=min(e.ratings) if e.ratings else None,
                highest=max(e.ratings) if e.ratings else None,
                spread=e.spread if e.ratings else None,
                commitments=e.commitments,
                recommendations=e.recommendations,
                gap=assessment_mod.gap_line(e) if e.gap else "",
                comments="\n".join(e.comments),
            )
            for e in spread
            if agenda.on("assess") or e.ratings
        ),
    }


def _agenda_row(workshop: Workshop, agenda: Agenda, item: AgendaItem) -> AgendaRow:
    s = item.info
    if not item.enabled:
        status = "off"
    elif item.agreed_at is not None or (item.step == "mission" and workshop.adopted_id):
        status = "adopted" if item.step == "mission" else "agreed"
    elif item.step == agenda.current:
        status = "the room is here"
    else:
        status = ""
    return AgendaRow(
        step=f"Step {s.number}" if s.number else "",
        title=s.short,
        on=item.enabled,
        minutes=item.minutes,
        status=status,
    )


def _kept(r: kept.Rate) -> KeptRow:
    return KeptRow(
        text=r.label,
        check_ins=r.check_ins,
        kept=r.kept,
        kept_rate=f"{r.rate:.0%}" if r.check_ins else "",
    )


def _last(checkins: tuple[CheckIn, ...]) -> str:
    if not checkins:
        return ""
    k = checkins[-1]
    return f"{k.created_at:%Y-%m-%d}: {k.status}" + (f": {k.note}" if k.note else "")
