"""Workshop rules for Step 4: join codes, facilitator access, private drafting and reveal.

Pages call these functions; every permission and privacy rule is enforced here, so a
crafted URL or a participant session cannot reach what the rules forbid."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from coach.domain.codes import (
    format_code,
    hash_key,
    member_plan_token,
    new_code,
    new_link_secret,
    parse_code,
    token_hash,
)
from coach.domain.types import Draft, DraftVersion, Member, Workshop
from coach.errors import CoachError, InputError
from coach.scoring.rubric import load_rubric
from coach.scoring.scorer import ScoreResult, score_text
from coach.storage.db import StoreError
from coach.storage.workshops import Store

LIMITS = {
    "programme name": 120,
    "workshop name": 120,
    "organisation": 120,
    "focus": 300,
    "member name": 60,
}


# One participant session must not be able to flood a workshop.
MAX_MEMBERS = 500


MAX_VERSIONS = 30


MAX_SUBMITS_PER_MINUTE = 10
# Joins per client within coach.storage.workshops.JOIN_WINDOW (10 minutes). One browser is
# one person: a few joins allow a mistake or two. One network address may be a whole venue
# behind one router, so it gets far more; both stop one device from filling a workshop.
JOINS_PER_BROWSER = 3
JOINS_PER_ADDRESS = 40
TIMER_MAX_MINUTES = 60


class NotFound(CoachError):
    """No workshop, member or draft answers to what was given."""


class AccessDenied(CoachError):
    """The action needs the facilitator key."""


class AlreadyDone(CoachError):
    """What was asked is already so (another screen did it): nothing changed."""


class Locked(CoachError):
    """Drafting is locked by the facilitator."""


def refuse_nul(value: str, what: str = "text") -> str:
    """NUL cannot be stored in every database (PostgreSQL refuses it): say so, keep the rest."""
    if "\x00" in value:
        raise InputError(
            f"The {what} contains a NUL character (\\x00), which cannot be "
            "stored. Remove it and try again."
        )
    return value


# In a name or title: direction controls (U+202E flips what follows it) and invisible
# characters (a "name" of zero-width spaces). Joiners that some scripts and emoji need stay.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u2060\ufeff\u00ad]")


def clean_field(value: str | None, field: str, *, required: bool = False) -> str:
    """Trimmed, single-line, bounded, with no direction controls or invisible characters;
    a clear message when it does not fit."""
    text = " ".join(_INVISIBLE.sub("", refuse_nul(value or "", field)).split())
    if required and not text:
        raise InputError(f"Give the {field}.")
    if len(text) > LIMITS[field]:
        raise InputError(f"The {field} is {len(text)} characters; keep it to {LIMITS[field]}.")
    return text


def _presenter_token(key_hash: str) -> str:
    # Derived from the key's hash, so nothing new is stored and it cannot be turned back
    # into the key; a new facilitator key would give a new presentation link.
    return hashlib.sha256(f"present:{key_hash}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class OnBehalf:
    """The facilitator at the shared screen, entering a draft, a ballot or answers for a
    member (who may have no phone): their key stands in for the member's link."""

    key: str | None
    member_id: int


def _no_workshop(code: str) -> str:
    return (
        f"No workshop has the code {format_code(code)}. Check the code with your "
        "facilitator, or open the join link again."
    )


def _searchable(token: str | None) -> str:
    """The token to look up, or "" for none: a NUL can never be in a token, and
    PostgreSQL would refuse to even look it up."""
    return token if token and "\x00" not in token else ""


def _client_hash(workshop: Workshop, value: str) -> str:
    """Where a join came from, keyed by the workshop: never the address itself."""
    if not value:
        return ""
    return hashlib.sha256(f"{workshop.code}:{value}".encode()).hexdigest()[:32]


def _not_too_many_joins(from_browser: int, from_address: int) -> None:
    if from_browser >= JOINS_PER_BROWSER or from_address >= JOINS_PER_ADDRESS:
        raise InputError(
            "This device has joined this workshop several times in the last few minutes. "
            'If you joined before, use "Continue as ..." or your member link; otherwise ask '
            "the facilitator to add you at the shared screen."
        )


def _not_flooding(versions: int, recent: list[datetime]) -> None:
    """Refuse a new version past the caps; `recent` holds the latest versions' times."""
    if versions >= MAX_VERSIONS:
        raise InputError(
            f"This draft already has {MAX_VERSIONS} versions, the most one "
            "draft keeps. Ask the facilitator if you need to start afresh."
        )
    minute_ago = datetime.now(UTC) - timedelta(minutes=1)
    if sum(t >= minute_ago for t in recent) >= MAX_SUBMITS_PER_MINUTE:
        raise InputError(
            "That is a lot of versions in one minute: wait a moment and "
            "submit again. Your text is still in the box."
        )


@dataclass(frozen=True)
class Submission:
    version: DraftVersion
    created: bool  # False when it repeated the latest version (double submit, same text)
    result: ScoreResult


@dataclass(frozen=True)
class Entry:
    """One member on the board: their status, and their draft when it may be shown."""

    member: Member
    draft: Draft | None  # None: nothing submitted, or hidden until the facilitator reveals
    draft_id: int | None
    submitted: bool
    versions: int
    deleted: bool


@dataclass(frozen=True)
class Board:
    workshop: Workshop
    entries: tuple[Entry, ...]

    @property
    def submitted(self) -> int:
        return sum(e.submitted and not e.deleted for e in self.entries)

    @property
    def visible_drafts(self) -> list[Draft]:
        return [e.draft for e in self.entries if e.draft is not None and not e.deleted]


def scores_of(result: ScoreResult) -> dict[str, int]:
    return {"overall": result.overall, **{k: c.score for k, c in result.criteria.items()}}


class Workshops:
    """The Step 4 service: one instance per process, wrapped around the store."""

    def __init__(self, store: Store):
        self.store = store
        self._max_chars = load_rubric("mission").max_chars

    # -- open and create ---------------------------------------------------
    def create(self, name: str, organisation: str = "", focus: str = "") -> tuple[Workshop, str]:
        """A new workshop and its facilitator key (shown once; only its hash is stored)."""
        key = secrets.token_urlsafe(24)
        workshop = self.store.create_workshop(
            code=new_code(),
            name=clean_field(name, "workshop name", required=True),
            organisation=clean_field(organisation, "organisation"),
            focus=clean_field(focus, "focus"),
            key_hash=hash_key(key),
        )
        return workshop, key

    def find(self, raw_code: str) -> Workshop:
        code = parse_code(raw_code)
        workshop = self.store.workshop(code)
        if workshop is None:
            raise NotFound(_no_workshop(code))
        return workshop

    def is_facilitator(self, workshop: Workshop, key: str | None) -> bool:
        """The facilitator key, or the token of a device that remembers the workshop."""
        if not key or "\x00" in key:
            return False
        return self.holds_key(workshop, key) or self.store.device_workshop(key) == workshop.id

    def holds_key(self, workshop: Workshop, key: str | None) -> bool:
        if not key:
            return False
        return hmac.compare_digest(self.store.key_hash(workshop.id), hash_key(key))

    # -- the manager's link ----------------------------------------------------
    def manager_link(self, raw_code: str, key: str | None) -> str:
        """A new manager's link (shown once; its hash is kept): it opens the team's
        commitments to read, give feedback and set the follow-up date, nothing else. An
        older manager's link stops working."""
        workshop = self.facilitator(raw_code, key)
        token = secrets.token_urlsafe(24)
        self.store.set_manager_token(workshop.id, token)
        return token

    def revoke_manager(self, raw_code: str, key: str | None) -> None:
        self.store.set_manager_token(self.facilitator(raw_code, key).id, None)

    def overseer(self, raw_code: str, secret: str | None) -> tuple[Workshop, bool]:
        """The workshop for its facilitator (True) or its manager (False); else refused."""
        workshop = self.find(raw_code)
        if self.is_facilitator(workshop, secret):
            return workshop, True
        stored = self.store.manager_hash(workshop.id)
        if secret and stored and hmac.compare_digest(stored, token_hash(secret)):
            return workshop, False
        raise AccessDenied(
            "This manager's link is not right, or the facilitator has replaced it. Ask them "
            "for the current one."
        )

    # -- devices that remember a workshop ------------------------------------
    def remember_device(self, raw_code: str, key: str | None) -> str:
        """A token for this device to reopen the workshop: kept in the browser instead of
        the key, and revocable on its own."""
        workshop = self.facilitator(raw_code, key)
        token = secrets.token_urlsafe(24)
        self.store.add_device(workshop.id, token)
        return token

    def forget_device(self, raw_code: str, token: str | None) -> None:
        """A device forgets the workshop: its token stops working (it needs no key)."""
        if token and "\x00" not in token:
            self.store.revoke_devices(self.find(raw_code).id, token=token)

    def devices(self, raw_code: str, key: str | None) -> list[tuple[int, datetime]]:
        return self.store.devices(self.facilitator(raw_code, key).id)

    def forget_devices(self, raw_code: str, key: str | None) -> int:
        """Every device that remembers the workshop forgets it (e.g. after a shared laptop)."""
        return self.store.revoke_devices(self.facilitator(raw_code, key).id)

    def presenter_token(self, raw_code: str, key: str | None) -> str:
        """A read-only link for the projector: it opens the presentation, never the controls,
        so the facilitator key never shows on the big screen's address bar."""
        workshop = self.facilitator(raw_code, key)
        return _presenter_token(self.store.key_hash(workshop.id))

    def presenter(self, raw_code: str, token: str | None) -> Workshop:
        workshop = self.find(raw_code)
        expected = _presenter_token(self.store.key_hash(workshop.id))
        if not token or not hmac.compare_digest(expected, token):
            raise AccessDenied(
                "This presentation link is not right. Open it again from the facilitator "
                "screen (Present on the projector)."
            )
        return workshop

    def facilitator(self, raw_code: str, key: str | None) -> Workshop:
        workshop = self.find(raw_code)
        if not self.is_facilitator(workshop, key):
            raise AccessDenied(
                "Only the facilitator can do this. Open the facilitator link you saved when "
                "you created the workshop."
            )
        return workshop

    # -- members -----------------------------------------------------------
    def join(
        self, raw_code: str, name: str = "", *, browser: str = "", address: str = ""
    ) -> tuple[Workshop, Member]:
        """A new member; in a workshop with admission, they wait until let in.

        `browser` and `address` identify the client (a browser cookie, its network
        address) so one device cannot join over and over; only keyed hashes are stored.
        """
        code = parse_code(raw_code)
        workshop = self.find(code)
        if workshop.join_code and code != workshop.join_code:
            raise AccessDenied(
                "This join code has been replaced by the facilitator. Ask them for the new "
                "code on the shared screen; people already in keep their links."
            )
        member = self.store.add_member(
            workshop.id,
            clean_field(name, "member name"),
            new_link_secret(),
            capacity=MAX_MEMBERS,
            admitted=not workshop.admission,
            joined_from=(_client_hash(workshop, browser), _client_hash(workshop, address)),
            guard=_not_too_many_joins,
        )
        return workshop, member

    def rotate_key(self, raw_code: str, key: str | None) -> str:
        """A new facilitator key, shown once: the old key, the projector link made from it
        and every remembered device stop working (a key seen on a screen, or left on a
        shared computer)."""
        workshop = self.facilitator(raw_code, key)
        if not self.holds_key(workshop, key):
            raise AccessDenied(
                "A new key needs the facilitator link itself, not a device that remembers "
                "the workshop. Open the facilitator link you saved."
            )
        new = secrets.token_urlsafe(24)
        self.store.set_key_hash(workshop.id, hash_key(new))
        return new

    def new_member_link(self, raw_code: str, key: str | None, member_id: int) -> str:
        """A new link for one member (a lost phone, a link sent to the wrong person): the
        old link and any merged duplicate's stop working; draft, ballot and plan stay."""
        workshop = self.facilitator(raw_code, key)
        member = self._own_member(workshop, member_id)
        if member.merged_into is not None:
            raise InputError("This join was merged into another member: renew theirs instead.")
        token = new_link_secret()
        self.store.new_member_link(workshop.id, member.id, token, member_plan_token(token))
        return token

    def rotate_join_code(self, raw_code: str, key: str | None) -> Workshop:
        """A fresh join code: the old one stops letting new people in (a code seen outside
        the room), while every member, facilitator and presentation link keeps working."""
        workshop = self.facilitator(raw_code, key)
        for _ in range(5):
            try:
                return self.store.set_join_code(workshop.id, new_code())
            except StoreError:
                continue  # a clash with another workshop's code: draw again
        raise StoreError("Could not draw a new join code: try again.")

    def merge(self, raw_code: str, key: str | None, keep_id: int, duplicate_id: int) -> Member:
        """One person who joined twice: fold the duplicate into the member to keep."""
        workshop = self.facilitator(raw_code, key)
        if keep_id == duplicate_id:
            raise InputError("Choose two different members to merge.")
        keep = self._own_member(workshop, keep_id)
        duplicate = self._own_member(workshop, duplicate_id)
        if keep.removed or duplicate.merged_into is not None:
            raise InputError(
                f"{keep.display_name if keep.removed else duplicate.display_name} is already "
                "removed or merged: bring them back first, or choose someone else."
            )
        return self.store.merge_members(workshop.id, keep_id, duplicate_id)

    def seen(self, token: str | None) -> None:
        """A member's screen asked for news: their "last seen" moves on."""
        if usable := _searchable(token):
            self.store.seen(usable)

    def membership(self, raw_code: str, token: str | OnBehalf | None) -> tuple[Workshop, Member]:
        """The workshop and the member whose link this is, in one read; NotFound otherwise.
        `OnBehalf`: the facilitator's key and the member they enter for."""
        if isinstance(token, OnBehalf):
            return self._entered_for(raw_code, token)
        code = parse_code(raw_code)
        usable = _searchable(token)
        workshop, member = self.store.membership(code, usable)
        if workshop is None:
            raise NotFound(_no_workshop(code))
        if member is None or not usable:
            raise NotFound("This member link is not part of the workshop. Join again.")
        if member.removed:
            raise AccessDenied(
                "The facilitator has removed you from this workshop. If that was a mistake, "
                "ask them to bring you back; your draft is kept."
            )
        if not member.admitted:
            raise AccessDenied(
                "You are waiting for the facilitator to let you in: this page follows by "
                "itself once they do."
            )
        return workshop, member

    def _entered_for(self, raw_code: str, on: OnBehalf) -> tuple[Workshop, Member]:
        workshop = self.facilitator(raw_code, on.key)
        member = self._own_member(workshop, on.member_id)
        if member.removed:
            raise AccessDenied(f"{member.display_name} is removed: bring them back first.")
        return workshop, member

    def member(self, workshop: Workshop, token: str | None) -> Member | None:
        usable = _searchable(token)
        member = self.store.member(usable) if usable else None
        return member if member is not None and member.workshop_id == workshop.id else None

    # -- drafting ----------------------------------------------------------
    def submit(
        self, raw_code: str, member_token: str | OnBehalf, text: str, nonce: str
    ) -> Submission:
        """Score and store a new version of the member's draft; text is kept verbatim."""
        workshop, member = self.membership(raw_code, member_token)
        if workshop.locked:
            raise Locked(
                "Drafting is locked: the facilitator has closed this round. "
                "Your text is still in the box; ask them to unlock it."
            )
        if workshop.time_up(datetime.now(UTC)):
            raise Locked(
                "Time is up: the writing time has run out. Your text is still in the box; "
                "ask the facilitator for a little more time."
            )
        self.check_text(text)
        result = score_text(text, "mission")
        version, created = self.store.add_version(
            member, text, scores_of(result), result.rubric_version, nonce, guard=_not_flooding
        )
        return Submission(version, created, result)

    def check_text(self, text: str) -> None:
        """A statement must have words and fit the rubric's limit; it is kept verbatim."""
        refuse_nul(text, "statement")
        if not text.strip():
            raise InputError("This statement is empty: write one sentence first.")
        if len(text) > self._max_chars:
            raise InputError(
                f"This statement is {len(text):,} characters; the limit is "
                f"{self._max_chars:,}. A mission statement is one sentence: shorten it and "
                "submit again."
            )

    def own_draft(self, workshop: Workshop, member: Member) -> Draft | None:
        found = self.store.drafts(workshop.id, include_deleted=True, member_id=member.id)
        return found[0] if found else None

    def board(self, workshop: Workshop) -> Board:
        """Everyone's status; the drafts themselves only once the facilitator reveals."""
        drafts = {d.member_id: d for d in self.store.drafts(workshop.id, include_deleted=True)}
        entries = []
        for m in self.store.members(workshop.id):
            d = drafts.get(m.id)
            entries.append(
                Entry(
                    member=m,
                    draft=d if d is not None and workshop.revealed else None,
                    draft_id=d.id if d else None,
                    submitted=d is not None,
                    versions=len(d.versions) if d else 0,
                    deleted=bool(d and d.deleted),
                )
            )
        return Board(workshop, tuple(entries))

    # -- facilitator actions -------------------------------------------------
    def set_revealed(self, raw_code: str, key: str | None, revealed: bool) -> Workshop:
        """Reveal (or hide) the drafts: what the button said, never a toggle of what is now."""
        workshop = self.facilitator(raw_code, key)
        if workshop.revealed == revealed:
            state = "revealed" if revealed else "hidden"
            raise AlreadyDone(f"The drafts are already {state} (another screen did it).")
        return self.store.set_flags(workshop.id, revealed=revealed)

    def set_locked(self, raw_code: str, key: str | None, locked: bool) -> Workshop:
        workshop = self.facilitator(raw_code, key)
        if workshop.locked == locked:
            state = "locked" if locked else "open"
            raise AlreadyDone(f"Drafting is already {state} (another screen did it).")
        return self.store.set_flags(workshop.id, locked=locked)

    def set_privacy(
        self,
        raw_code: str,
        key: str | None,
        *,
        anonymous: bool | None = None,
        scores_shown: bool | None = None,
    ) -> Workshop:
        """Names hidden on the shared screen, projector and exports; scores shown or not."""
        workshop = self.facilitator(raw_code, key)
        return self.store.set_flags(workshop.id, anonymous=anonymous, scores_shown=scores_shown)

    def start_timer(
        self, raw_code: str, key: str | None, minutes: float, *, lock_at_zero: bool = False
    ) -> Workshop:
        """The silent writing time: phones and screens count down; drafting may close at 0."""
        workshop = self.facilitator(raw_code, key)
        if not 0 < minutes <= TIMER_MAX_MINUTES:
            raise InputError(f"Give the writing time in minutes, from 1 to {TIMER_MAX_MINUTES}.")
        ends = datetime.now(UTC) + timedelta(minutes=minutes)
        return self.store.set_timer(workshop.id, ends, lock_at_zero)

    def stop_timer(self, raw_code: str, key: str | None) -> Workshop:
        workshop = self.facilitator(raw_code, key)
        return self.store.set_timer(workshop.id, None, False)

    def add_member(self, raw_code: str, key: str | None, name: str = "") -> Member:
        """The facilitator adds someone at the shared screen."""
        workshop = self.facilitator(raw_code, key)
        return self.store.add_member(
            workshop.id,
            clean_field(name, "member name"),
            new_link_secret(),
            capacity=MAX_MEMBERS,
        )  # no limit per client: the facilitator's own screen adds whom they choose

    def rename(self, raw_code: str, key: str | None, member_id: int, name: str) -> Member:
        workshop = self.facilitator(raw_code, key)
        if member_id not in {m.id for m in self.store.members(workshop.id)}:
            raise NotFound("That member is not in this workshop.")
        return self.store.rename_member(member_id, clean_field(name, "member name"))

    def remove_member(
        self, raw_code: str, key: str | None, member_id: int, removed: bool = True
    ) -> Member:
        """Remove someone (a duplicate join, a person who left): their ballot and check
        leave every count and their draft is kept, marked removed. Reversible."""
        workshop = self.facilitator(raw_code, key)
        self._own_member(workshop, member_id)
        return self.store.set_member_state(workshop.id, member_id, removed=removed)

    def set_admission(self, raw_code: str, key: str | None, on: bool) -> Workshop:
        """Hold new joins in a lobby until the facilitator lets each one in."""
        workshop = self.facilitator(raw_code, key)
        return self.store.set_flags(workshop.id, admission=on)

    def admit(self, raw_code: str, key: str | None, member_id: int) -> Member:
        workshop = self.facilitator(raw_code, key)
        self._own_member(workshop, member_id)
        return self.store.set_member_state(workshop.id, member_id, admitted=True)

    def set_absent(self, raw_code: str, key: str | None, member_id: int, absent: bool) -> Member:
        """Someone who stepped out: a vote or check can close without them."""
        workshop = self.facilitator(raw_code, key)
        self._own_member(workshop, member_id)
        return self.store.set_member_state(workshop.id, member_id, absent=absent)

    def back(self, member: Member) -> None:
        """An absent member who answers is present again."""
        if member.absent:
            self.store.set_member_state(member.workshop_id, member.id, absent=False)

    def _own_member(self, workshop: Workshop, member_id: int) -> Member:
        for m in self.store.members(workshop.id):
            if m.id == member_id:
                return m
        raise NotFound("That member is not in this workshop.")

    def set_draft_removed(
        self, raw_code: str, key: str | None, draft_id: int, removed: bool
    ) -> None:
        """Remove a draft from the board (recoverable), or bring it back."""
        workshop = self.facilitator(raw_code, key)
        self.store.set_draft_deleted(workshop.id, draft_id, removed)

    def member_for_facilitator(self, raw_code: str, key: str | None, member_id: int) -> Member:
        """At the shared screen, the facilitator submits on a member's behalf."""
        return self._own_member(self.facilitator(raw_code, key), member_id)
