"""Self-assessment of current practice (002, 004): ratings against the workshop's chosen
framework, and the team's spread linked to commitments and recommendations. A mixin of
Steps (coach.service.steps), sharing its stores."""

from __future__ import annotations

from collections.abc import Mapping

from coach.domain import assessment as assessment_mod
from coach.domain import elements as elements_mod
from coach.domain.items import Rating
from coach.domain.types import Member, Workshop
from coach.errors import InputError
from coach.service.register import bounded_text
from coach.service.workshops import OnBehalf, Workshops
from coach.storage.db import one_transaction
from coach.storage.steps import StepStore


class Practice:
    store: StepStore
    ws: Workshops

    # -- self-assessment of current practice --------------------------------------------
    def set_framework(self, raw_code: str, key: str | None, framework: str) -> None:
        """Which assessment of current practice the team uses (any file in
        rubrics/assessments/ or COACH_ASSESSMENTS_DIR)."""
        workshop = self.ws.facilitator(raw_code, key)
        assessment_mod.framework(framework)  # a clear error if there is no such file
        self.store.set_framework(workshop.id, framework)

    @one_transaction
    def rate_all(
        self,
        raw_code: str,
        token: str | OnBehalf,
        answers: Mapping[str, tuple[int, str]],
    ) -> None:
        """A member's ratings (element -> rating, comment), all saved or none."""
        for element, (rating, comment) in answers.items():
            self.rate(raw_code, token, element, rating, comment)

    def rate(
        self,
        raw_code: str,
        token: str | OnBehalf,
        element: str,
        rating: int,
        comment: str = "",
    ) -> None:
        """A member's rating of one element of the workshop's assessment, 1 to 5."""
        workshop, member = self.ws.membership(raw_code, token)
        fw = assessment_mod.framework(workshop.framework)
        if element not in {e.key for e in fw.element}:
            raise InputError(f"{fw.title} has no element {element!r}.")
        if not 1 <= rating <= 5:
            raise InputError("Rate from 1 (not at all) to 5 (consistently well).")
        note = bounded_text(comment, "The comment", assessment_mod.COMMENT_CHARS, required=False)
        self.store.set_rating(workshop.id, member.id, fw.key, element, rating, note)

    def own_ratings(self, workshop: Workshop, member: Member) -> dict[tuple[str, str], Rating]:
        return {
            (r.framework, r.element): r
            for r in self.store.ratings(workshop.id)
            if r.member_id == member.id
        }

    def assessment(
        self, workshop: Workshop, committed: Mapping[str, int]
    ) -> tuple[assessment_mod.ElementSpread, ...]:
        """The team's spread per element of its assessment, linked to the commitments
        (`committed`: element key -> commitments carrying it) and the recommendations that
        take it on."""
        fw = assessment_mod.framework(workshop.framework)
        counted = {m.id for m in self.ws.store.members(workshop.id) if m.counted}
        ratings = [
            (r.element, r.rating, r.comment)
            for r in self.store.ratings(workshop.id, fw.key)
            if r.member_id in counted
        ]
        recommended: dict[str, int] = {}
        for rec in self.store.recommendations(workshop.id):
            if rec.status != "declined":
                for key in elements_mod.tag(rec.text):
                    recommended[key] = recommended.get(key, 0) + 1
        return assessment_mod.spread(fw, ratings, committed, recommended)
