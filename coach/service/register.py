"""Step 7's register: recommendations with owners, statuses and what each builds on, and
management's response in Step 8. A mixin of Steps (coach.service.steps), sharing its stores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from coach.domain.items import REC_STATUSES, Recommendation
from coach.domain.types import Workshop
from coach.errors import InputError
from coach.service.workshops import NotFound, Workshops, refuse_nul
from coach.storage.commitments import CommitmentStore
from coach.storage.steps import StepStore

RESULT_CHARS = 1000
OWNER_CHARS = 80
RESPONSE_CHARS = 2000


def bounded_text(value: str, what: str, most: int, *, required: bool = True) -> str:
    """Text a person wrote, trimmed and bounded; a message that says what to do otherwise."""
    text = refuse_nul(value or "", what).strip()
    if required and not text:
        raise InputError(f"{what} is empty: write it first.")
    if len(text) > most:
        raise InputError(f"{what} is {len(text):,} characters; keep it to {most:,}.")
    return text


class Register:
    store: StepStore
    ws: Workshops
    commitments: CommitmentStore

    # -- the recommendations register ---------------------------------------------------
    def add_recommendation(
        self,
        raw_code: str,
        key: str | None,
        text: str,
        owner: str = "",
        sources: Sequence[int] = (),
    ) -> int:
        workshop = self.ws.facilitator(raw_code, key)
        body = bounded_text(text, "The recommendation", RESULT_CHARS)
        who = " ".join(bounded_text(owner, "The owner", OWNER_CHARS, required=False).split())
        mine = {i.id for i in self.store.items(workshop.id, False, "recommend")}
        if unknown := sorted(set(sources) - mine):
            raise NotFound(f"Items {unknown} are not recommendations in this workshop.")
        if len(self.store.recommendations(workshop.id)) >= 50:
            raise InputError("The register holds 50 recommendations at most.")
        return self.store.add_recommendation(workshop.id, body, who, sources)

    def update_recommendation(
        self,
        raw_code: str,
        key: str | None,
        rec_id: int,
        *,
        text: str | None = None,
        owner: str | None = None,
        status: str | None = None,
        ideas: Sequence[int] | None = None,
        strengths: Sequence[int] | None = None,
        commitments: Sequence[int] | None = None,
        removed: bool = False,
    ) -> None:
        """Edit an entry of the register (or take it out: kept in backups)."""
        workshop = self.ws.facilitator(raw_code, key)
        values: dict[str, object] = {}
        if text is not None:
            values["text"] = bounded_text(text, "The recommendation", RESULT_CHARS)
        if owner is not None:
            values["owner"] = " ".join(
                bounded_text(owner, "The owner", OWNER_CHARS, required=False).split()
            )
        if status is not None:
            if status not in REC_STATUSES:
                raise InputError(f"Choose a status from: {', '.join(REC_STATUSES)}.")
            values["status"] = status
        links = {"ideas": ideas, "strengths": strengths, "commitments": commitments}
        for name, ids in links.items():
            if ids is not None:
                if unknown := sorted(set(ids) - self._linkable(workshop, name)):
                    raise NotFound(f"The {name} {unknown} are not in this workshop.")
                values[name] = list(ids)
        if removed:
            values["removed_at"] = datetime.now(UTC)
        if not self.store.update_recommendation(workshop.id, rec_id, values):
            raise NotFound("That recommendation is not in the register. Reload the page.")

    def put_back_recommendation(self, raw_code: str, key: str | None, rec_id: int) -> None:
        """Undo "take it out": the entry is back in the register, as it was."""
        workshop = self.ws.facilitator(raw_code, key)
        if len(self.store.recommendations(workshop.id)) >= 50:
            raise InputError("The register holds 50 recommendations at most: take one out first.")
        if not self.store.update_recommendation(
            workshop.id, rec_id, {"removed_at": None}, taken_out=True
        ):
            raise NotFound("That entry is not taken out of the register. Reload the page.")

    def taken_out(self, workshop: Workshop) -> list[tuple[int, str]]:
        """(id, text) of the register's entries taken out, the latest first."""
        return self.store.taken_out(workshop.id)

    def _linkable(self, workshop: Workshop, name: str) -> set[int]:
        """What a register entry may build on: this workshop's Step 3 ideas, Step 5 core
        aspects, or Step 6 commitments."""
        if name == "ideas":
            return {i.id for i in self.store.items(workshop.id, False, "image")}
        if name == "strengths":
            return {r.id for r in self.store.results(workshop.id, "core")}
        return {c.id for p in self.commitments.plans_in(workshop.id) for c in p.commitments}

    def respond(self, raw_code: str, secret: str | None, rec_id: int, response: str) -> None:
        """Management's response to one recommendation (Step 8): the manager or facilitator."""
        workshop, _ = self.ws.overseer(raw_code, secret)
        body = bounded_text(response, "The response", RESPONSE_CHARS)
        if not self.store.update_recommendation(
            workshop.id, rec_id, {"response": body, "responded_at": datetime.now(UTC)}
        ):
            raise NotFound("That recommendation is not in the register. Reload the page.")

    def recommendations(self, workshop: Workshop) -> list[Recommendation]:
        return self.store.recommendations(workshop.id)
