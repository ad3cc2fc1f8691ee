"""A filled-in sample workshop, so a new user can see every screen with data in it."""

from __future__ import annotations

from datetime import date, timedelta

from coach.bootstrap import Services
from coach.domain.types import Member, Workshop

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
IDEAS = {
    "Ana": "We could provide superior service if we knew every regular by name and kept "
    "their preferences on one card.",
    "Bo": "We could provide superior service if we answered every call within three rings.",
    "Chen": "We could provide superior service if every guest's request reached the right "
    "person the first time.",
    "Dana": "We could provide superior service if we knew our regulars and their "
    "preferences before they arrive.",
}
IMAGE = (
    "Every guest is known, expected and looked after by a team that answers fast and "
    "passes nothing on twice."
)
OTHER_IMAGE = "Every regular is greeted by name, and every call is answered within three rings."
STRENGTHS = {
    "Ana": ("We remember our regulars.", "Mrs Lee's tea is on the table before she asks."),
    "Bo": ("We fix problems fast.", "The broken lift in March was fixed within 20 minutes."),
    "Chen": ("We help each other at busy times.", ""),
}
CORE = [
    ("We remember our regulars and what they like.", "Mrs Lee's tea, before she asks."),
    ("We fix problems fast.", "The broken lift in March: fixed within 20 minutes."),
]
RATINGS = {  # element -> ratings by Ana, Bo, Chen, Dana, Eli, Fay
    "understand": (4, 3, 4, 3, 4, 3),
    "standards": (2, 3, 2, 2, 3, 2),
    "develop": (3, 3, 2, 3, 3, 4),
    "listen": (2, 2, 1, 2, 2, 1),
    "measure": (1, 2, 2, 1, 2, 2),
    "recognise": (4, 5, 3, 4, 2, 4),
}
RECOMMENDATIONS = {
    "Ana": "Put each regular's preferences on one card that every shift can see.",
    "Bo": "Publish a call-back standard: every voicemail answered within 2 hours.",
    "Dana": "Ask ten guests a week what we should change, and report it monthly.",
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
    steps = svc.steps
    steps.plan(workshop.code, key, whole=True)
    members = {name: ws.join(workshop.code, name)[1] for name in TEAM}
    _image(svc, workshop, key, members)
    steps.go(workshop.code, key, "mission", seen="image")
    for name, text in TEAM.items():
        ws.submit(workshop.code, members[name].token, text, f"demo-{name}")
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
    _core(svc, workshop, key, members)
    steps.go(workshop.code, key, "assess", seen="core")
    for name, m in members.items():
        at = list(TEAM).index(name)
        for element, ratings in RATINGS.items():
            steps.rate(workshop.code, m.token, element, ratings[at])
    steps.rate(workshop.code, members["Chen"].token, "listen", 1, "We never ask why guests leave.")
    steps.go(workshop.code, key, "commit", seen="assess")
    adopted = ws.find(workshop.code)
    commitments = []
    for name, line in COMMITMENTS.items():
        plan = svc.commitments.for_member(adopted, members[name])
        svc.commitments.add(plan.token, line)
        commitments.append(svc.commitments.open(plan.token).commitments[0].id)
    steps.go(workshop.code, key, "recommend", seen="commit")
    _register(svc, workshop, key, members, commitments)
    steps.go(workshop.code, key, "followup", seen="recommend")
    svc.commitments.set_followup(workshop.code, key, date.today() + timedelta(days=14))
    return ws.find(workshop.code), key, {name: m.token for name, m in members.items()}


def _image(svc: Services, workshop: Workshop, key: str, members: dict[str, Member]) -> None:
    """Step 3: ideas, the reveal, the team's image and its check."""
    steps, code = svc.steps, workshop.code
    ids = [steps.add_item(code, members[n].token, "image", t).id for n, t in IDEAS.items()]
    steps.set_revealed(code, key, "image", True)
    steps.propose(code, key, "image", IMAGE, sources=ids)
    steps.propose(code, key, "image", OTHER_IMAGE, sources=ids[:2])
    steps.open_vote(code, key, "image")
    first, second = (r.id for r in steps.results(workshop, "image"))
    for n, m in enumerate(members.values()):
        steps.rank(code, m.token, "image", [[first], [second]] if n % 3 else [[second]])
    steps.close_vote(code, key, "image")
    steps.keep(code, key, "image", [first])
    for m in members.values():
        steps.check(code, m.token, "image", 4)
    steps.agree(code, key, "image")


def _core(svc: Services, workshop: Workshop, key: str, members: dict[str, Member]) -> None:
    """Step 5: strengths with examples (one without), the reveal, the agreed core."""
    steps, code = svc.steps, workshop.code
    steps.go(code, key, "core", seen="mission")
    for name, (text, example) in STRENGTHS.items():
        steps.add_item(code, members[name].token, "core", text, example)
    steps.set_revealed(code, key, "core", True)
    for text, example in CORE:
        steps.propose(code, key, "core", text, example)
    for m in members.values():
        steps.check(code, m.token, "core", 4)
    steps.agree(code, key, "core")


def _register(
    svc: Services, workshop: Workshop, key: str, members: dict[str, Member], commitments: list[int]
) -> None:
    """Step 7: recommendations, the reveal, and a register that says what each builds on."""
    steps, code = svc.steps, workshop.code
    made = {
        name: steps.add_item(code, members[name].token, "recommend", text)
        for name, text in RECOMMENDATIONS.items()
    }
    steps.set_revealed(code, key, "recommend", True)
    ideas = {i.text: i.id for i in svc.steps.view(workshop, "image").items}
    core = svc.steps.results(workshop, "core")
    owners = {"Ana": "Front office manager", "Bo": "Ops lead", "Dana": "General manager"}
    for n, (name, item) in enumerate(made.items()):
        rec = steps.add_recommendation(code, key, item.text, owners[name], [item.id])
        steps.update_recommendation(
            code,
            key,
            rec,
            status="agreed" if n < 2 else "proposed",
            ideas=[ideas[IDEAS[name]]] if name in IDEAS else [],
            strengths=[core[0].id] if name == "Ana" else [],
            commitments=[commitments[n]],
        )
