"""A filled-in sample workshop, so a new user can see every screen with data in it."""

from __future__ import annotations

from datetime import date, timedelta

from coach.bootstrap import Services
from coach.domain.types import Workshop

TEAM = {
    "Ana": "We welcome every guest like family and make each stay feel easy.",
    "Bo": "We try to provide adequate service to all our customers.",
    "Chen": "We exceed every guest's expectations at every level of our hotel.",
    "Dana": "We make every guest feel at home, from the first hello to the last goodbye.",
    "Eli": "We leverage synergies to maximise guest satisfaction metrics.",
    "Fay": "We welcome every guest by name and exceed their expectations every day.",
}
MERGED = "We welcome every guest like family and exceed their expectations at every level."
AGREE = {"desired": 4, "bold": 4, "clear": 4, "stretching": 4}
COMMITMENTS = {
    "Ana": "I promise to welcome every guest by name within a minute of arrival, every shift.",
    "Bo": "I will call back every guest who leaves a voicemail within 2 hours.",
    "Chen": "I will ask three departing guests each day what would make their next stay "
    "better, and log it.",
    "Dana": "I will thank one colleague for great service at every Friday huddle.",
}


def create(svc: Services) -> tuple[Workshop, str]:
    """A workshop that has been through drafting, a vote, a check and adoption."""
    workshop, key, _ = create_with_links(svc)
    return workshop, key


def create_with_links(svc: Services) -> tuple[Workshop, str, dict[str, str]]:
    """The demo workshop, its facilitator key, and each member's link secret by name (the
    database keeps only their hashes)."""
    ws, cs = svc.workshops, svc.consensus
    workshop, key = ws.create(
        "Front desk team (demo)",
        "Harbour Hotel",
        "superior customer service at every level of operations",
    )
    members = {}
    for name, text in TEAM.items():
        _, m = ws.join(workshop.code, name)
        ws.submit(workshop.code, m.token, text, f"demo-{name}")
        members[name] = m
    ws.submit(
        workshop.code,
        members["Bo"].token,
        "We provide warm, reliable service to every customer.",
        "demo-Bo-2",
    )
    ws.set_revealed(workshop.code, key, True)
    drafts = {d.member_name: d.id for d in svc.store.drafts(workshop.id)}
    promoted = cs.promote(workshop.code, key, drafts["Dana"])
    merged = cs.add_merged(
        workshop.code, key, MERGED, [drafts["Ana"], drafts["Chen"], drafts["Fay"]]
    )
    cs.open_vote(workshop.code, key)
    for i, m in enumerate(members.values()):
        first, second = (merged, promoted) if i % 3 else (promoted, merged)
        cs.ballot(workshop.code, m.token, [[first.id], [second.id]])
    cs.close_vote(workshop.code, key)
    for name, m in members.items():
        scores = dict(AGREE, clear=3) if name == "Eli" else AGREE
        cs.check(workshop.code, m.token, scores, "")
    cs.close_check(workshop.code, key)
    cs.adopt(workshop.code, key, merged.id)
    adopted = ws.find(workshop.code)
    for name, line in COMMITMENTS.items():
        plan = svc.commitments.for_member(adopted, members[name])
        svc.commitments.add(plan.token, line)
    svc.commitments.set_followup(workshop.code, key, date.today() + timedelta(days=14))
    return ws.find(workshop.code), key, {name: m.token for name, m in members.items()}
