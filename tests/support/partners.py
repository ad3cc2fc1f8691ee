"""A workshop where Ana has made a commitment with Bo as her accountability partner."""

from __future__ import annotations

from dataclasses import dataclass

from coach.bootstrap import Services


@dataclass(frozen=True)
class Partnered:
    code: str
    key: str  # the facilitator's
    ana: str  # Ana's plan link, as her own page has it
    bo: str  # Bo's plan link
    commitment_id: int  # Ana's commitment, Bo its partner


def partnered(
    svc: Services,
    text: str = "I will greet every guest by name every shift.",
    *,
    workshop: str = "Desk",
    cadence: str = "",
) -> Partnered:
    w, key = svc.workshops.create(workshop)
    _, ana = svc.workshops.join(w.code, "Ana")
    _, bo = svc.workshops.join(w.code, "Bo")
    ana_plan = svc.commitments.for_member(w, ana)
    bo_plan = svc.commitments.for_member(w, bo)
    svc.commitments.add(ana_plan.token, text)
    c = svc.commitments.open(ana_plan.token).commitments[0]
    svc.commitments.update(ana_plan.token, c.id, cadence=cadence, partner_id=bo.id)
    return Partnered(w.code, key, ana_plan.token, bo_plan.token, c.id)
