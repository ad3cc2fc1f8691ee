"""The whole workshop: the agenda the room follows, Steps 3, 5 and 7 (private items, reveal,
the team's result and its fist-to-five check), the recommendations register, and the
self-assessment of current practice.

Every permission rule is enforced here, as in workshops.py: a member writes only their own
items, only the facilitator moves the room, only the manager or facilitator responds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from coach.domain import themes as themes_mod
from coach.domain import voting
from coach.domain.agenda import (
    ITEM_STEPS,
    MAX_MINUTES,
    STEP_KEYS,
    Agenda,
    AgendaItem,
    StepInfo,
    default_items,
    first_step,
    info,
)
from coach.domain.items import (
    AGREE,
    Item,
    Result,
    StepCheck,
    agreement,
)
from coach.domain.types import Member, Workshop
from coach.errors import CoachError, InputError
from coach.service.practice import Practice
from coach.service.register import Register, bounded_text
from coach.service.workshops import AlreadyDone, NotFound, OnBehalf, Workshops
from coach.storage.commitments import CommitmentStore
from coach.storage.db import Database, one_transaction
from coach.storage.steps import StepStore

ITEM_CHARS = 500
EXAMPLE_CHARS = 300
RESULT_CHARS = 1000
CONCERN_CHARS = 200


class StepError(CoachError):
    """The action does not fit where the room is."""


@dataclass(frozen=True)
class StepView:
    """One items step as a shared screen shows it."""

    info: StepInfo
    item: AgendaItem
    writers: int  # members who have written at least one item
    counted: int  # members whose answers count
    items: tuple[Item, ...]  # every item, once revealed; () before
    results: tuple[Result, ...]
    missing: tuple[Member, ...]  # yet to answer the check on the results
    below: tuple[tuple[Member, StepCheck], ...]  # answers below AGREE, with concerns
    ballots: int = 0  # members who have ranked the candidates in the open (or last) vote
    tally: voting.Tally | None = None  # the vote's outcome, once any ballot is in

    @property
    def agreed(self) -> bool:
        return self.item.agreed_at is not None

    @property
    def voting(self) -> bool:
        return self.item.voting

    @property
    def checking(self) -> bool:
        """Whether the team can answer the fist-to-five now: a result to check, no vote open,
        and for a single result (the image) just one candidate left."""
        if not self.results or self.voting or self.agreed:
            return False
        return self.info.result_many or len(self.results) == 1

    def label(self, result_id: int) -> str:
        """A candidate's letter, A, B, C... in the order they were put to the team."""
        ids = [r.id for r in self.results]
        return voting.letters(ids.index(result_id)) if result_id in ids else "?"

    def themes(self) -> list[themes_mod.Theme]:
        """Phrases several items share (item indexes in `items` order)."""
        return themes_mod.shared_themes([i.text for i in self.items])


def _tally(
    results: Sequence[Result], ballots: Iterable[tuple[tuple[int, ...], ...]]
) -> voting.Tally | None:
    """The ranked vote on the candidates still standing, as Step 4's vote is counted."""
    names = [str(r.id) for r in results]
    standing = set(names)
    cast = [
        tuple(g for g in (tuple(str(i) for i in grp if str(i) in standing) for grp in b) if g)
        for b in ballots
    ]
    if not cast or len(names) < 2:
        return None
    return voting.tally(cast, names)


class Steps(Register, Practice):
    """The agenda, and Steps 3, 5 and 7; the register and the assessment come from the
    two mixins, which share its stores."""

    def __init__(self, store: StepStore, workshops: Workshops, commitments: CommitmentStore):
        self.store = store
        self.ws = workshops
        self.commitments = commitments

    @property
    def database(self) -> Database:
        return self.store.store

    # -- the agenda ---------------------------------------------------------
    def agenda(self, workshop: Workshop) -> Agenda:
        return self.store.agenda(workshop.id)

    @one_transaction
    def create_workshop(
        self, name: str, organisation: str = "", focus: str = "", *, whole: bool = True
    ) -> tuple[Workshop, str]:
        """A new workshop on its agenda, in one transaction: Steps 3 to 8, or 4, 6 and 8."""
        workshop, key = self.ws.create(name, organisation, focus)
        self.plan(workshop.code, key, whole=whole)
        return self.ws.find(workshop.code), key

    def plan(self, raw_code: str, key: str | None, *, whole: bool) -> Agenda:
        """Steps 3 to 8 (whole) or Steps 4, 6 and 8; the room starts on the first."""
        workshop = self.ws.facilitator(raw_code, key)
        items = default_items(whole=whole)
        return self.store.set_agenda(workshop.id, items, first_step(items))

    @one_transaction
    def set_agenda(
        self,
        raw_code: str,
        key: str | None,
        enabled: Mapping[str, bool],
        minutes: Mapping[str, int],
    ) -> Agenda:
        """Steps switched on or off and their minutes; a room on a step switched off moves
        on to the next step still on."""
        workshop = self.ws.facilitator(raw_code, key)
        now = self.store.agenda(workshop.id)
        for step, m in minutes.items():
            if not 1 <= m <= MAX_MINUTES:
                raise InputError(f"Give {info(step).short} 1 to {MAX_MINUTES} minutes.")
        items = tuple(
            i.model_copy(
                update={
                    "enabled": enabled.get(i.step, i.enabled),
                    "minutes": minutes.get(i.step, i.minutes),
                }
            )
            for i in now.items
        )
        if not any(i.enabled for i in items):
            raise InputError("Keep at least one step on the agenda.")
        changed = Agenda(items=items, current=now.current)
        current = now.current if changed.on(now.current) else None
        current = current or changed.neighbour(1) or first_step(items)
        return self.store.set_agenda(workshop.id, items, current)

    @one_transaction
    def go(self, raw_code: str, key: str | None, step: str, *, seen: str) -> Agenda:
        """Move the room to `step`. `seen`: the step the facilitator's screen showed, so a
        stale tab cannot move the room twice."""
        workshop = self.ws.facilitator(raw_code, key)
        agenda = self.store.agenda(workshop.id)
        if step not in STEP_KEYS or not agenda.on(step):
            raise InputError("That step is not on this workshop's agenda.")
        if agenda.current == step:
            raise AlreadyDone(f"The room is already on {info(step).short}.")
        if agenda.current != seen:
            raise StepError(
                f"Another screen moved the room to {info(agenda.current).short} first. "
                "This screen now shows where the room is."
            )
        self.store.set_step(workshop.id, step)
        # The last step's writing time and lock end with it: each step starts open.
        if workshop.timer_ends_at is not None:
            self.ws.store.set_timer(workshop.id, None, False)
        if workshop.locked:
            self.ws.store.set_flags(workshop.id, locked=False)
        return self.store.agenda(workshop.id)

    # -- members' items -----------------------------------------------------------
    def _open_step(self, workshop: Workshop, step: str) -> StepInfo:
        if step not in ITEM_STEPS:
            raise InputError("Items are written in Steps 3, 5 and 7 only.")
        agenda = self.store.agenda(workshop.id)
        if agenda.current != step:
            raise StepError(
                f"The room has moved on to {info(agenda.current).short}: this page now follows it."
            )
        if agenda.item(step).agreed_at is not None:
            raise StepError(
                "The team has agreed this step's result. Ask the facilitator to reopen it "
                "to add more."
            )
        if workshop.locked or workshop.time_up(datetime.now(UTC)):
            raise StepError("Writing is closed for now: the facilitator opens it again.")
        return info(step)

    def add_item(
        self, raw_code: str, token: str | OnBehalf, step: str, text: str, example: str = ""
    ) -> Item:
        """A member's idea, strength (with its example) or recommendation, kept verbatim."""
        workshop, member = self.ws.membership(raw_code, token)
        about = self._open_step(workshop, step)
        body = bounded_text(text, about.label, ITEM_CHARS)
        shown = bounded_text(example, "The example", EXAMPLE_CHARS, required=False)
        added = self.store.add_item(workshop.id, member.id, step, body, shown, about.max_items)
        if added is None:
            raise InputError(
                f"You have written {about.max_items} already, the most for this step. "
                "Withdraw one to add another."
            )
        return added

    def withdraw_item(self, raw_code: str, token: str | OnBehalf, item_id: int) -> None:
        workshop, member = self.ws.membership(raw_code, token)
        mine = [i for i in self.store.items(workshop.id, False) if i.id == item_id]
        if not mine or mine[0].member_id != member.id:
            raise NotFound("That item is not yours, or is gone. Reload the page.")
        self._open_step(workshop, mine[0].step)
        self.store.set_item_deleted(workshop.id, item_id, True)

    def set_item_removed(self, raw_code: str, key: str | None, item_id: int, removed: bool) -> None:
        """The facilitator takes an item off the shared screen (kept in the record)."""
        workshop = self.ws.facilitator(raw_code, key)
        if not any(i.id == item_id for i in self.store.items(workshop.id, False)):
            raise NotFound("That item is not in this workshop.")
        self.store.set_item_deleted(workshop.id, item_id, removed)

    def own_items(self, workshop: Workshop, member: Member, step: str) -> list[Item]:
        return [
            i
            for i in self.store.items(workshop.id, workshop.anonymous, step)
            if i.member_id == member.id and not i.deleted
        ]

    def set_revealed(self, raw_code: str, key: str | None, step: str, revealed: bool) -> None:
        workshop = self.ws.facilitator(raw_code, key)
        if step not in ITEM_STEPS:
            raise InputError("Only Steps 3, 5 and 7 have items to reveal.")
        if self.store.agenda(workshop.id).item(step).revealed == revealed:
            raise AlreadyDone(
                f"The items are already {'revealed' if revealed else 'hidden'} "
                "(another screen did it)."
            )
        self.store.set_step(workshop.id, step, revealed=revealed)

    def view(self, workshop: Workshop, step: str, agenda: Agenda | None = None) -> StepView:
        """What every shared screen shows of an items step: counts before the reveal, the
        items after, the team's results and who still has to answer the check."""
        agenda = agenda or self.store.agenda(workshop.id)
        item = agenda.item(step)
        members = [m for m in self.ws.store.members(workshop.id) if m.counted]
        counted = {m.id: m for m in members}
        everything = [
            i
            for i in self.store.items(workshop.id, workshop.anonymous, step)
            if not i.deleted and i.member_id in counted
        ]
        results = tuple(self.store.results(workshop.id, step))
        missing: tuple[int, ...] = ()
        below: tuple[StepCheck, ...] = ()
        if results:
            missing, below = agreement(tuple(counted), self.store.checks(workshop.id, step))
        ballots = {m: b for m, b in self.store.ballots(workshop.id, step).items() if m in counted}
        return StepView(
            info=info(step),
            item=item,
            writers=len({i.member_id for i in everything}),
            counted=len(counted),
            items=tuple(everything) if item.revealed else (),
            results=results,
            missing=tuple(counted[m] for m in missing),
            below=tuple((counted[c.member_id], c) for c in below),
            ballots=len(ballots),
            tally=_tally(results, ballots.values()),
        )

    # -- the team's result and its check -----------------------------------------------
    def propose(
        self,
        raw_code: str,
        key: str | None,
        step: str,
        text: str,
        example: str = "",
        sources: Sequence[int] = (),
    ) -> None:
        """A candidate image (Step 3) or core aspect (Step 5) for the team. Several images
        go to a ranked vote; the check starts again whenever the candidates change."""
        workshop = self.ws.facilitator(raw_code, key)
        if step not in ("image", "core"):
            raise InputError("The team agrees a result in Steps 3 and 5; Step 7 has a register.")
        self._not_voting(workshop, step)
        body = bounded_text(text, "The result", RESULT_CHARS)
        shown = bounded_text(example, "The example", EXAMPLE_CHARS, required=False)
        known = {i.id for i in self.store.items(workshop.id, False)}
        if unknown := sorted(set(sources) - known):
            raise NotFound(f"Items {unknown} are not in this workshop.")
        if len(self.store.results(workshop.id, step)) >= 10:
            raise InputError("Ten candidates at most: take one out first.")
        self.store.add_result(workshop.id, step, body, shown, sources)

    def remove_result(self, raw_code: str, key: str | None, step: str, result_id: int) -> None:
        workshop = self.ws.facilitator(raw_code, key)
        self._not_voting(workshop, step)
        if not any(r.id == result_id for r in self.store.results(workshop.id, step)):
            raise NotFound("That result is gone already. Reload the page.")
        self.store.remove_result(workshop.id, step, result_id)

    def check(
        self, raw_code: str, token: str | OnBehalf, step: str, score: int, concern: str = ""
    ) -> None:
        """A member's fist-to-five on the step's result: 3 or more supports it."""
        workshop, member = self.ws.membership(raw_code, token)
        if not 0 <= score <= 5:
            raise InputError("Answer with 0 to 5 fingers.")
        view = self.view(workshop, step)
        if view.agreed:
            raise AlreadyDone("The team has agreed this result already.")
        if not view.checking:
            raise StepError(self._why_no_check(view))
        note = bounded_text(concern, "The concern", CONCERN_CHARS, required=False)
        if score < AGREE and not note:
            raise InputError("Say what would have to change for you to support it.")
        self.store.set_check(workshop.id, step, member.id, score, note)

    @staticmethod
    def _why_no_check(view: StepView) -> str:
        if not view.results:
            return "There is nothing to check yet: the team has no result."
        if view.voting:
            return "The team is ranking the candidates first: the check comes after the vote."
        return (
            f"There are {len(view.results)} candidate images: the team keeps one (a ranked "
            "vote helps) before the check."
        )

    def _not_voting(self, workshop: Workshop, step: str) -> None:
        if self.store.agenda(workshop.id).item(step).voting:
            raise StepError("A ranked vote is open on these candidates: close it first.")

    def own_check(self, workshop: Workshop, member: Member, step: str) -> StepCheck | None:
        return next(
            (c for c in self.store.checks(workshop.id, step) if c.member_id == member.id), None
        )

    @one_transaction
    def agree(self, raw_code: str, key: str | None, step: str) -> None:
        """The team agrees the result: every member who counts has answered, all with 3 or
        more fingers."""
        workshop = self.ws.facilitator(raw_code, key)
        view = self.view(workshop, step)
        if view.agreed:
            raise AlreadyDone("The team has agreed this step already.")
        if not view.results:
            raise StepError("Write the team's result first, then ask for the check.")
        if not view.checking:
            raise StepError(self._why_no_check(view))
        if view.missing:
            names = ", ".join(m.display_name for m in view.missing)
            raise StepError(f"Waiting for {len(view.missing)} to answer: {names}.")
        if view.below:
            raise StepError(
                f"{len(view.below)} cannot support it yet. Revise the result with them."
            )
        self.store.set_step(workshop.id, step, agreed_at=datetime.now(UTC))

    # -- a ranked vote on the candidates -------------------------------------------------
    def open_vote(self, raw_code: str, key: str | None, step: str) -> None:
        """Members rank the candidates on their phones, as in Step 4's vote."""
        workshop = self.ws.facilitator(raw_code, key)
        view = self.view(workshop, step)
        if view.voting:
            raise AlreadyDone("The vote is open already (another screen opened it).")
        if view.agreed:
            raise StepError("The team has agreed this step: reopen it first.")
        if len(view.results) < 2:
            raise StepError("A vote needs two candidates at least: put another to the team.")
        self.store.set_voting(workshop.id, step, True)

    def close_vote(self, raw_code: str, key: str | None, step: str) -> None:
        workshop = self.ws.facilitator(raw_code, key)
        if not self.store.agenda(workshop.id).item(step).voting:
            raise AlreadyDone("The vote is closed already (another screen closed it).")
        self.store.set_voting(workshop.id, step, False)

    def rank(
        self, raw_code: str, token: str | OnBehalf, step: str, ranking: Sequence[Sequence[int]]
    ) -> None:
        """A member's ranking: groups of tied candidates, best first (some may be left out)."""
        workshop, member = self.ws.membership(raw_code, token)
        if not self.store.agenda(workshop.id).item(step).voting:
            raise StepError("The vote has closed: the facilitator's screen shows the result.")
        groups = [sorted({int(i) for i in g}) for g in ranking if g]
        ids = [i for g in groups for i in g]
        if not ids:
            raise InputError("Give at least one candidate a place.")
        if len(ids) != len(set(ids)):
            raise InputError("Give each candidate one place only.")
        standing = {r.id for r in self.store.results(workshop.id, step)}
        if set(ids) - standing:
            raise StepError("The candidates changed: this page now shows the current ones.")
        self.store.set_ballot(workshop.id, step, member.id, groups)

    def own_ballot(
        self, workshop: Workshop, member: Member, step: str
    ) -> tuple[tuple[int, ...], ...] | None:
        return self.store.ballots(workshop.id, step).get(member.id)

    @one_transaction
    def keep(self, raw_code: str, key: str | None, step: str, result_ids: Sequence[int]) -> None:
        """Keep these candidates (the vote's leader, or the top aspects); the others are
        taken out (kept in backups) and the check starts on what is left."""
        workshop = self.ws.facilitator(raw_code, key)
        self._not_voting(workshop, step)
        results = self.store.results(workshop.id, step)
        kept = set(result_ids)
        if not kept or kept - {r.id for r in results}:
            raise InputError("Choose which candidates to keep.")
        for r in results:
            if r.id not in kept:
                self.store.remove_result(workshop.id, step, r.id)

    def reopen(self, raw_code: str, key: str | None, step: str) -> None:
        """Undo an agreement: the team works on the step again."""
        workshop = self.ws.facilitator(raw_code, key)
        if self.store.agenda(workshop.id).item(step).agreed_at is None:
            raise AlreadyDone("The step is open already.")
        self.store.set_step(workshop.id, step, agreed_at=None)

    def results(self, workshop: Workshop, step: str) -> list[Result]:
        return self.store.results(workshop.id, step)
