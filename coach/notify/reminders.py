"""`mission-coach remind`: the digests that are due, each sent once.

A person with an email on their plan gets a weekly digest: what is due this week, their
partners' check-ins, new feedback from management. A manager with an email gets a
weekly note while the Step 8 feedback date is near or past. A chat webhook gets the
same for the team. Every message has a key (whom, which week); the send log claims it
before sending, so a second run, or two at once, send nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from coach.domain.reminders import occurrences
from coach.domain.types import Plan, Workshop
from coach.notify.channels import Channel, NotifyError
from coach.service.commitments import Commitments
from coach.service.workshops import Workshops

WEEK = timedelta(days=7)
SOON = 7  # days before the follow-up date that the manager is reminded


@dataclass(frozen=True)
class Message:
    key: str  # whom and which week: the send log's key
    channel: Literal["email", "webhook"]
    to: str  # an email address; "" for the chat
    subject: str
    body: str


@dataclass(frozen=True)
class Outcome:
    message: Message
    status: Literal["sent", "already sent", "would send", "failed", "no channel"]
    error: str = ""


def _week(today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


class Reminders:
    def __init__(
        self,
        workshops: Workshops,
        commitments: Commitments,
        mailer: Channel | None,
        webhook: Channel | None,
    ):
        self.ws, self.cm = workshops, commitments
        self.channels: dict[str, Channel | None] = {"email": mailer, "webhook": webhook}

    # -- what is due --------------------------------------------------------
    def due(self, today: date) -> list[Message]:
        out = [m for plan in self.cm.store.plans_with_email() if (m := self._person(plan, today))]
        for w in self.ws.store.workshops_with_followup():
            if w.manager_email and (m := self._manager(w, today)):
                out.append(m)
            if (m := self._team(w, today)) is not None:
                out.append(m)
        return out

    def _person(self, plan: Plan, today: date) -> Message | None:
        lines: list[str] = []
        end = today + timedelta(days=6)
        team = self.cm.team_of(plan)  # read once for this person's digest
        calendar = {r.uid: r for r in self.cm.calendar(plan, team=team)}
        for c in plan.commitments:
            if c.status in ("done", "dropped"):
                continue
            if c.due and c.due < today and not c.cadence:
                lines.append(f"- Overdue since {c.due:%a %d %b}: {c.text}")
                continue
            reminder = calendar.get(f"commitment-{c.id}@mission-coach")
            for day in occurrences(reminder, today, end) if reminder else []:
                lines.append(f"- {day:%a %d %b}: {c.text}")
        since = datetime.combine(today - WEEK, datetime.min.time()).astimezone()
        for item in self.cm.partnering(plan, team):
            for k in item.commitment.checkins:
                if k.created_at >= since:
                    note = f": {k.note}" if k.note else ""
                    lines.append(
                        f"- {item.owner} checked in '{k.status}' on {k.created_at:%a %d %b}"
                        f"{note} ({item.commitment.text})"
                    )
        new = [f for f, is_new in self.cm.my_feedback(plan) if is_new]
        if new:
            lines.append(f"- {len(new)} new note(s) from management: open your plan to read them.")
        if not lines:
            return None
        hello = f"Hello {plan.name}," if plan.name else "Hello,"
        body = "\n".join([hello, "", "This week:", *lines, "", "Your mission: " + plan.mission])
        return Message(
            f"person:{plan.id}:{_week(today)}", "email", plan.email,
            "Your commitments this week", body.strip(),
        )  # fmt: skip

    def _manager(self, w: Workshop, today: date) -> Message | None:
        line = _followup_line(w, today)
        if line is None:
            return None
        body = f"{w.name}: {line}\nOpen the team's commitments with your manager's link."
        return Message(
            f"manager:{w.id}:{_week(today)}", "email", w.manager_email,
            f"Step 8 follow-up: {w.name}", body,
        )  # fmt: skip

    def _team(self, w: Workshop, today: date) -> Message | None:
        line = _followup_line(w, today)
        team = self.cm.team(w)
        open_ = [r for r in team.rows if r.view.commitment.status not in ("done", "dropped")]
        if line is None and not open_:
            return None
        parts = [f"{len(open_)} commitments open."]
        if line:
            parts.append(line)
        return Message(
            f"webhook:{w.id}:{_week(today)}", "webhook", "",
            f"{w.name}: this week", " ".join(parts),
        )  # fmt: skip

    # -- sending ---------------------------------------------------------------
    def run(self, today: date, *, dry_run: bool = False) -> list[Outcome]:
        outcomes = []
        store = self.ws.store
        for m in self.due(today):
            channel = self.channels.get(m.channel)
            if dry_run:
                outcomes.append(Outcome(m, "would send" if channel else "no channel"))
                continue
            if channel is None:
                outcomes.append(Outcome(m, "no channel"))
                continue
            if not store.claim_send(m.key, m.channel):
                outcomes.append(Outcome(m, "already sent"))
                continue
            try:
                channel.send(m.to, m.subject, m.body)
            except NotifyError as exc:
                store.release_send(m.key)  # a later run tries again
                outcomes.append(Outcome(m, "failed", str(exc)))
                continue
            store.sent(m.key)
            outcomes.append(Outcome(m, "sent"))
        return outcomes


def _followup_line(w: Workshop, today: date) -> str | None:
    if w.followup_due is None:
        return None
    left = (w.followup_due - today).days
    if left < 0:
        return f"Management feedback is overdue by {-left} days (it was due {w.followup_due})."
    if left <= SOON:
        return f"Management feedback is due by {w.followup_due}: {left} days left."
    return None
