"""The watch endpoint: a phone's token moves only when its view does; the facilitator's on
any change; nothing about the workshop leaks; the database is read at most once per TTL."""

from __future__ import annotations

import time

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from coach.bootstrap import Services, build
from coach.config import Settings
from coach.ui import watch_api


@pytest.fixture
def svc(monkeypatch: pytest.MonkeyPatch, migrated_database_url: str) -> Services:
    monkeypatch.setenv("COACH_DATABASE_URL", migrated_database_url)
    monkeypatch.setattr(watch_api, "_services", None)  # the endpoint builds its own, like a server
    monkeypatch.setattr(watch_api, "_cache", {})
    monkeypatch.setattr(watch_api, "TTL", 0.0)
    return build(Settings(database_url=migrated_database_url, public_url=None))


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=[Route("/_coach/watch", watch_api.watch)]))


def _v(client: TestClient, code: str, view: str) -> str:
    answer = client.get("/_coach/watch", params={"code": code, "view": view})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    assert set(answer.json()) == {"v"}  # a token, nothing about the workshop
    return str(answer.json()["v"])


def test_a_phone_redraws_for_its_view_not_for_every_draft(
    svc: Services, client: TestClient
) -> None:
    w, key = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    phone, screen = _v(client, w.code, "phone"), _v(client, w.code, "all")
    svc.workshops.submit(w.code, ana.token, "We welcome every guest.", "n1")
    assert _v(client, w.code, "phone") == phone  # someone's draft: phones stay as they are
    assert _v(client, w.code, "all") != screen  # the facilitator's board moves on
    svc.workshops.set_revealed(w.code, key, True)
    assert _v(client, w.code, "phone") != phone  # reveal: every phone follows


def test_an_unknown_or_malformed_code_is_a_plain_404(svc: Services, client: TestClient) -> None:
    for code in ("", "NOPE", "ZZZZZZZZZZZZ", "<script>"):
        answer = client.get("/_coach/watch", params={"code": code, "view": "phone"})
        assert answer.status_code == 404 and answer.json() == {"v": ""}


def _counting_finds(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], TestClient]:
    """A client of the endpoint whose services note each full read of a workshop."""
    reads: list[str] = []
    real = watch_api.build

    def counting() -> Services:
        built = real()
        original = built.workshops.find

        def find(code: str):  # type: ignore[no-untyped-def]
            reads.append(code)
            return original(code)

        built.workshops.find = find  # type: ignore[method-assign]
        return built

    monkeypatch.setattr(watch_api, "build", counting)
    return reads, TestClient(Starlette(routes=[Route("/_coach/watch", watch_api.watch)]))


def test_screens_share_one_read_per_ttl(svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    w, _ = svc.workshops.create("Desk")
    monkeypatch.setattr(watch_api, "TTL", 60.0)
    reads, client = _counting_finds(monkeypatch)
    started = time.monotonic()
    for _ in range(20):
        _v(client, w.code, "phone")
    assert len(reads) == 1 and time.monotonic() - started < 60


def test_a_members_poll_notes_last_seen_at_most_once_per_interval(
    svc: Services, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watch_api, "_seen", {})
    w, _ = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    writes: list[str] = []
    client.get("/_coach/watch", params={"code": w.code, "view": "phone"})  # builds services
    assert watch_api._services is not None
    real = watch_api._services.workshops.seen
    monkeypatch.setattr(
        watch_api._services.workshops, "seen", lambda t: (writes.append(t or ""), real(t))
    )
    before = _v(client, w.code, "all")
    for _ in range(5):
        answer = client.get(
            "/_coach/watch",
            params={"code": w.code, "view": "phone"},
            headers={"X-Coach-Member": ana.token},
        )
        assert answer.status_code == 200
    assert writes == [ana.token]  # five polls, one write
    assert svc.store.members(w.id)[0].last_seen is not None
    assert _v(client, w.code, "all") == before  # being seen redraws no screen
    assert ana.token not in str(answer.url)  # the token travels in a header, not the address


def test_a_phone_follows_its_own_member_being_marked_absent(
    svc: Services, client: TestClient
) -> None:
    w, key = svc.workshops.create("Desk")
    _, ana = svc.workshops.join(w.code, "Ana")
    _, bo = svc.workshops.join(w.code, "Bo")

    def phone(member: str) -> str:
        answer = client.get(
            "/_coach/watch",
            params={"code": w.code, "view": "phone"},
            headers={"X-Coach-Member": member},
        )
        return str(answer.json()["v"])

    ana_before, bo_before = phone(ana.token), phone(bo.token)
    svc.workshops.set_absent(w.code, key, ana.id, True)
    assert phone(ana.token) != ana_before  # Ana's phone redraws: "marked absent"
    assert phone(bo.token) == bo_before  # Bo's has nothing new to show
    # The page computes the same token from what it shows, so it does not loop.
    shown = svc.workshops.membership(w.code, ana.token)[1]
    page = watch_api.token(svc.workshops.find(w.code), None, "phone", watch_api.member_state(shown))
    assert page == phone(ana.token)


def test_an_unchanged_workshop_costs_one_small_read(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the TTL, the endpoint asks only for the revision; the workshop, its round and
    its members are read again only once something was committed."""
    w, key = svc.workshops.create("Desk")
    reads, client = _counting_finds(monkeypatch)
    first = _v(client, w.code, "phone")
    for _ in range(5):  # TTL is 0: every poll goes to the database
        assert _v(client, w.code, "phone") == first
    assert len(reads) == 1
    svc.workshops.set_locked(w.code, key, True)
    assert _v(client, w.code, "phone") != first  # the lock shows at once
    assert len(reads) == 2
