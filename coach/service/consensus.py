"""From revealed drafts to one adopted statement: candidates, ranked vote, fist-to-five check.

Round phases: candidates -> voting -> check -> closed (consensus | concerns). A round that
closes with concerns leads to the next round, which starts from a revised candidate.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.domain import voting
from coach.domain.types import (
    QUESTIONS,
    Candidate,
    CandidateKind,
    Draft,
    Expect,
    Member,
    Phase,
    Round,
    RoundHead,
    Workshop,
)
from coach.errors import CoachError, InputError
from coach.service.workshops import NotFound, OnBehalf, Workshops, refuse_nul
from coach.storage.consensus import ConsensusStore
from coach.storage.db import Database, one_transaction

CONCERN_CHARS = 200
PHASE_NAMES = {
    "candidates": "gathering candidates",
    "voting": "ranked vote",
    "check": "four-criteria check",
    "closed": "closed",
}


PHASE_STATES = {
    "candidates": "gathering candidates",
    "voting": "in its ranked vote",
    "check": "in its four-criteria check",
    "closed": "closed",
}


class PhaseError(CoachError):
    """The action does not fit the round's current phase."""


class StaleAction(PhaseError):
    """The screen that asked showed an older state (another tab acted first)."""


@dataclass(frozen=True)
class CheckResult:
    answered: tuple[Member, ...]
    missing: tuple[Member, ...]
    below: tuple[tuple[Member, str, int, str], ...]  # member, question, score, concern

    @property
    def consensus(self) -> bool:
        return not self.missing and not self.below


class Consensus:
    def __init__(self, workshops: Workshops, rounds: ConsensusStore):
        self.ws = workshops
        self.rounds = rounds

    @property
    def database(self) -> Database:
        """Where this service's use cases run, each as one unit of work."""
        return self.ws.store

    # -- reading -------------------------------------------------------------
    def history(self, workshop: Workshop) -> list[Round]:
        return self.rounds.rounds(workshop.id)

    def head(self, workshop: Workshop) -> RoundHead | None:
        """Where the current round stands, without its ballots and checks."""
        return self.rounds.head(workshop.id)

    def current(self, workshop: Workshop) -> Round | None:
        latest = self.rounds.rounds(workshop.id, latest_only=True)
        return latest[0] if latest else None

    def tally(self, rnd: Round) -> voting.Tally | None:
        if not rnd.ballots or not rnd.active:
            return None
        names = [str(c.id) for c in rnd.active]
        active = set(names)
        ballots = [
            tuple(
                g
                for g in (tuple(str(i) for i in grp if str(i) in active) for grp in b.ranking)
                if g
            )
            for b in rnd.ballots
        ]
        return voting.tally(ballots, names)

    def check_result(self, workshop: Workshop, rnd: Round) -> CheckResult:
        members = [m for m in self.ws.store.members(workshop.id) if m.counted]
        answers = {c.member_id: c for c in rnd.checks if c.candidate_id == rnd.leader_id}
        below = tuple(
            (m, q, answers[m.id].scores[q], answers[m.id].concern)
            for m in members
            if m.id in answers
            for q in QUESTIONS
            if answers[m.id].scores[q] < 3
        )
        return CheckResult(
            answered=tuple(m for m in members if m.id in answers),
            missing=tuple(m for m in members if m.id not in answers),
            below=below,
        )

    def adopted(self, workshop: Workshop) -> Candidate | None:
        if workshop.adopted_id is None:
            return None
        for rnd in self.history(workshop):
            for c in rnd.candidates:
                if c.id == workshop.adopted_id:
                    return c
        return None

    # -- facilitator: candidates -------------------------------------------
    def _facilitate(
        self, code: str, key: str | None, expect: Expect | None
    ) -> tuple[Workshop, Round | None]:
        """The facilitator's workshop and current round, held for this unit of work, and
        as the screen that asked expected them: a stale button changes nothing."""
        workshop = self.ws.facilitator(code, key)
        self.rounds.lock_workshop(workshop.id)
        head = self.rounds.head(workshop.id)
        if head is not None:
            self.rounds.lock_round(head.id, exclusive=True)
        workshop = self.ws.find(code)  # as it is now that no other action can run
        rnd = self.current(workshop)
        now = (
            Expect(round=rnd.number, phase=rnd.phase)
            if rnd
            else Expect(round=0, phase="candidates")
        )
        if expect is not None and expect != now:
            where = (
                f"round {now.round} is in its {PHASE_NAMES[now.phase]}"
                if rnd
                else "no round has started"
            )
            if rnd is not None and rnd.outcome:
                where += f" ({rnd.outcome})"
            raise StaleAction(
                f"This screen was out of date: {where} now, so nothing was changed. "
                "The page now shows where things stand."
            )
        return workshop, rnd

    def _open(self, code: str, key: str | None, expect: Expect | None) -> tuple[Workshop, Round]:
        """The facilitator's workshop and its round open for candidates (round 1 if none)."""
        workshop, current = self._facilitate(code, key, expect)
        if current is None:
            self.rounds.open_round(workshop.id)
        rnd = self._latest(workshop)
        if rnd.phase != "candidates":
            raise PhaseError(
                f"Round {rnd.number} is in its {PHASE_NAMES[rnd.phase]}: "
                "candidates can be added only before the vote opens."
            )
        return workshop, rnd

    @one_transaction
    def promote(
        self, code: str, key: str | None, draft_id: int, *, expect: Expect | None = None
    ) -> Candidate:
        workshop = self.ws.facilitator(code, key)
        if not workshop.revealed:
            raise PhaseError("Reveal the drafts first: candidates come from revealed drafts.")
        draft = self._draft(workshop, draft_id)
        return self._add(code, key, draft.latest.text, "promoted", [draft.id], expect)

    @one_transaction
    def add_merged(
        self,
        code: str,
        key: str | None,
        text: str,
        sources: list[int],
        *,
        expect: Expect | None = None,
    ) -> Candidate:
        return self._add(code, key, text, "merged", sources, expect)

    def _add(
        self,
        code: str,
        key: str | None,
        text: str,
        kind: CandidateKind,
        sources: list[int],
        expect: Expect | None,
    ) -> Candidate:
        workshop, rnd = self._open(code, key, expect)
        self.ws.check_text(text)
        for c in rnd.active:
            if c.text == text:
                return c  # the same words twice would split the vote
        known = {d.id for d in self.ws.store.drafts(workshop.id, include_deleted=True)}
        return self.rounds.add_candidate(
            workshop.id, rnd.id, text, kind, [s for s in sources if s in known]
        )

    @one_transaction
    def withdraw(
        self, code: str, key: str | None, candidate_id: int, *, expect: Expect | None = None
    ) -> None:
        workshop, rnd = self._open(code, key, expect)
        if candidate_id not in {c.id for c in rnd.candidates}:
            raise NotFound("That candidate is not in the current round.")
        self.rounds.set_withdrawn(workshop.id, candidate_id, True)

    # -- facilitator: phases -----------------------------------------------
    @one_transaction
    def open_vote(self, code: str, key: str | None, *, expect: Expect | None = None) -> None:
        workshop, rnd = self._open(code, key, expect)
        if not rnd.active:
            raise PhaseError("Add at least one candidate before opening the vote.")
        if len(rnd.active) == 1:  # nothing to rank: check the only candidate
            self.rounds.set_round(workshop.id, rnd.id, phase="check", leader_id=rnd.active[0].id)
        else:
            self.rounds.set_round(workshop.id, rnd.id, phase="voting")

    @one_transaction
    def close_vote(
        self,
        code: str,
        key: str | None,
        leader_id: int | None = None,
        *,
        expect: Expect | None = None,
    ) -> None:
        workshop, rnd = self._in_phase(code, key, "voting", expect)
        result = self.tally(rnd)
        if result is None:
            raise PhaseError("No ballots yet: each member ranks the candidates first.")
        winners = [int(w) for w in result.winner]
        if leader_id is None and len(winners) == 1:
            leader_id = winners[0]
        if leader_id is not None and leader_id not in winners:
            raise PhaseError("Only a winner of the vote can go to the four-criteria check.")
        # A tie closes the vote with no leader yet: the facilitator chooses (choose_leader)
        # once everyone can see the result, never the software silently.
        self.rounds.set_round(workshop.id, rnd.id, phase="check", leader_id=leader_id or 0)

    @one_transaction
    def choose_leader(
        self, code: str, key: str | None, leader_id: int, *, expect: Expect | None = None
    ) -> None:
        """After a tied vote: which of the tied winners the team checks first."""
        workshop, rnd = self._in_phase(code, key, "check", expect)
        if rnd.leader_id is not None:
            raise StaleAction("A candidate is already being checked: the page now shows which.")
        result = self.tally(rnd)
        if result is None or str(leader_id) not in result.winner:
            raise PhaseError("Only a winner of the vote can go to the four-criteria check.")
        self.rounds.set_round(workshop.id, rnd.id, leader_id=leader_id)

    def tied(self, rnd: Round) -> list[int]:
        """The tied winners of a closed vote still waiting for the facilitator's choice."""
        result = self.tally(rnd)
        if rnd.phase != "check" or rnd.leader_id is not None or result is None:
            return []
        return [int(w) for w in result.winner]

    @one_transaction
    def close_check(
        self, code: str, key: str | None, *, expect: Expect | None = None
    ) -> CheckResult:
        workshop, rnd = self._in_phase(code, key, "check", expect)
        result = self.check_result(workshop, rnd)
        if result.missing:
            names = ", ".join(m.display_name for m in result.missing)
            raise PhaseError(f"Waiting for {len(result.missing)} to answer: {names}.")
        self.rounds.set_round(
            workshop.id,
            rnd.id,
            phase="closed",
            outcome="consensus" if result.consensus else "concerns",
        )
        return result

    @one_transaction
    def next_round(
        self, code: str, key: str | None, revised: str, *, expect: Expect | None = None
    ) -> int:
        """After concerns: a new round with the revised candidate and the previous leader."""
        workshop, rnd = self._facilitate(code, key, expect)
        if rnd is None or rnd.phase != "closed" or rnd.outcome != "concerns":
            raise PhaseError("A new round opens after a check that raised concerns.")
        self.ws.check_text(revised)
        leader = next(c for c in rnd.candidates if c.id == rnd.leader_id)
        self.rounds.open_round(workshop.id)
        new = self._latest(workshop)
        self.rounds.add_candidate(workshop.id, new.id, revised, "revised", list(leader.sources))
        if revised != leader.text:
            self.rounds.add_candidate(
                workshop.id, new.id, leader.text, "carried", list(leader.sources)
            )
        return new.number

    @one_transaction
    def adopt(
        self, code: str, key: str | None, candidate_id: int, *, expect: Expect | None = None
    ) -> Workshop:
        workshop, _ = self._facilitate(code, key, expect)
        if workshop.adopted_id == candidate_id:
            return workshop  # another tab adopted it a moment ago: the same outcome
        for rnd in self.history(workshop):
            if rnd.leader_id == candidate_id and rnd.outcome == "consensus":
                return self.rounds.adopt(workshop.id, candidate_id)
        raise PhaseError(
            "Adopt the candidate that passed the four-criteria check "
            "(everyone at 3 or more on every question)."
        )

    # -- undo: each phase change can be taken back until the next one ----------
    @one_transaction
    def undo_close_vote(self, code: str, key: str | None, *, expect: Expect | None = None) -> None:
        """Back to the vote, every ballot kept; the check's answers so far stay on record."""
        workshop, rnd = self._in_phase(code, key, "check", expect)
        back: Phase = "voting" if rnd.ballots else "candidates"  # one candidate skipped the vote
        self.rounds.set_round(workshop.id, rnd.id, phase=back, leader_id=0)

    @one_transaction
    def undo_close_check(self, code: str, key: str | None, *, expect: Expect | None = None) -> None:
        """Back to the four-criteria check, every answer kept, until a statement is adopted."""
        workshop, rnd = self._in_phase(code, key, "closed", expect)
        if workshop.adopted_id is not None:
            raise PhaseError("A statement is adopted: undo the adoption first.")
        self.rounds.set_round(workshop.id, rnd.id, phase="check", outcome="")

    @one_transaction
    def undo_next_round(self, code: str, key: str | None, *, expect: Expect | None = None) -> None:
        """Take back a round that opened after concerns, while it still gathers candidates."""
        workshop, rnd = self._in_phase(code, key, "candidates", expect)
        if rnd.number == 1:
            raise PhaseError("Round 1 is where the work starts: there is no round before it.")
        self.rounds.delete_round(workshop.id, rnd.id)

    @one_transaction
    def undo_adopt(self, code: str, key: str | None) -> Workshop:
        workshop, _ = self._facilitate(code, key, None)
        if workshop.adopted_id is None:
            return workshop  # already undone in another tab
        return self.rounds.adopt(workshop.id, None)

    def _in_phase(
        self, code: str, key: str | None, phase: Phase, expect: Expect | None = None
    ) -> tuple[Workshop, Round]:
        workshop, rnd = self._facilitate(code, key, expect)
        if rnd is None or rnd.phase != phase:
            now = f"round {rnd.number} is {PHASE_STATES[rnd.phase]}" if rnd else "no round yet"
            raise PhaseError(f"Not now: {now}, and that step needs it {PHASE_STATES[phase]}.")
        return workshop, rnd

    # -- members (or the facilitator entering for them at the shared screen) ---
    @one_transaction
    def ballot(self, code: str, member_token: str | OnBehalf, ranking: list[list[int]]) -> None:
        workshop, member, rnd = self._member_in(code, member_token, "voting")
        ids = set(rnd.active)
        groups = [list(dict.fromkeys(g)) for g in ranking if g]
        flat = [i for g in groups for i in g]
        if len(flat) != len(set(flat)):
            raise InputError("Each candidate can have only one place on your ballot.")
        if not flat:
            raise InputError("Rank at least one candidate.")
        if set(flat) - ids:
            raise InputError("That ballot names a candidate that is not in this round.")
        self.ws.back(member)
        self.rounds.put_ballot(workshop.id, rnd.id, member.id, groups)

    @one_transaction
    def check(
        self, code: str, member_token: str | OnBehalf, scores: dict[str, int], concern: str
    ) -> None:
        workshop, member, rnd = self._member_in(code, member_token, "check")
        missing = [q for q in QUESTIONS if q not in scores]
        if missing:
            raise InputError(
                f"Answer every question before saving: {', '.join(missing)} "
                f"{'has' if len(missing) == 1 else 'have'} no answer yet."
            )
        if set(scores) != set(QUESTIONS) or any(
            not isinstance(v, int) or not 0 <= v <= 5 for v in scores.values()
        ):
            raise InputError("Give each of the four questions a score from 0 to 5.")
        concern = " ".join(refuse_nul(concern, "concern").split())
        if len(concern) > CONCERN_CHARS:
            raise InputError(f"Keep the concern to one line ({CONCERN_CHARS} characters).")
        if min(scores.values()) < 3 and not concern:
            raise InputError(
                "Below 3 on a question: say in one line what would change your "
                "mind, so the next round can answer it."
            )
        if rnd.leader_id is None:
            raise PhaseError("No candidate is being checked in this round.")
        self.ws.back(member)
        self.rounds.put_check(workshop.id, rnd.id, member.id, rnd.leader_id, scores, concern)

    def _member_in(
        self, code: str, token: str | OnBehalf, phase: Phase
    ) -> tuple[Workshop, Member, RoundHead]:
        """Light reads (a write must not load every ballot already cast), the round held."""
        workshop, member = self.ws.membership(code, token)
        head = self.head(workshop)
        if head is None:
            raise PhaseError(f"The {PHASE_NAMES[phase]} is not open right now.")
        # Held until this answer is written: a close cannot slip in between.
        self.rounds.lock_round(head.id, exclusive=False)
        rnd = self.rounds.round_head(head.id)
        if rnd.phase != phase:
            raise PhaseError(f"The {PHASE_NAMES[phase]} is not open right now.")
        return workshop, member, rnd

    # -- helpers ---------------------------------------------------------------
    def _latest(self, workshop: Workshop) -> Round:
        rnd = self.current(workshop)
        if rnd is None:
            raise PhaseError("No round has started yet.")
        return rnd

    def _draft(self, workshop: Workshop, draft_id: int) -> Draft:
        for d in self.ws.store.drafts(workshop.id):
            if d.id == draft_id:
                return d
        raise NotFound("That draft is not on the board.")

    @staticmethod
    def _label(rnd: Round, candidate_id: int) -> str:
        """The candidate's letter, the same in every round it appears in."""
        ids = [c.id for c in rnd.candidates]
        if candidate_id not in ids:
            return "?"
        found = rnd.candidates[ids.index(candidate_id)]
        return found.letter or chr(ord("A") + ids.index(candidate_id))  # a pre-letter backup

    label = _label
