"""Backup and restore of a whole workshop: round trips, remapped ids, refusals change nothing."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from coach.bootstrap import Services, build
from coach.cli import demo
from coach.config import Settings
from coach.domain.codes import token_hash
from coach.domain.types import Workshop
from coach.storage.backup import (
    DETACHED,
    FORMAT,
    LEFT_OUT,
    REFERENCES,
    TABLES,
    VERSION,
    BackupError,
    backup,
    canonical,
    dumps,
    loads,
    restore,
)
from coach.storage.llm_cache import LLMStore
from coach.storage.migrations import LATEST
from coach.storage.rows import METADATA
from coach.storage.workshops import Store
from tests.support.cli_runner import Cli


def services(tmp_path: Path, name: str) -> Services:
    return build(Settings(database_url=f"sqlite:///{tmp_path / name}", public_url=None))


# Each rich workshop's member links by name: the database keeps only their hashes.
LINKS: dict[str, dict[str, str]] = {}


def rich(svc: Services) -> tuple[Workshop, str]:
    """The demo workshop plus what the demo leaves out: check-ins, feedback, usage, removals."""
    workshop, key, links = demo.create_with_links(svc)
    LINKS[workshop.code] = links
    members = svc.store.members(workshop.id)
    _, ana = svc.workshops.membership(workshop.code, links["Ana"])
    plan = svc.commitments.for_member(workshop, ana)
    first = plan.commitments[0]
    svc.commitments.update(
        plan.token,
        first.id,
        due=date(2026, 12, 31),
        cadence="weekly",
        partner_id=members[-1].id,
        elements=("recognise", "listen"),
    )
    svc.commitments.check_in(plan.token, first.id, "in progress", "Greeted 40 guests by name.")
    svc.commitments.check_in(plan.token, first.id, "done", "Every guest, every shift.")
    _, partner = svc.workshops.membership(workshop.code, links[members[-1].name])
    partner_plan = svc.commitments.for_member(workshop, partner)
    svc.commitments.respond(partner_plan.token, first.id, "confirm", "Saw it myself.")
    svc.commitments.add_idea(plan.token, "Keep a card of regulars' names at the desk.")
    idea = svc.commitments.open(plan.token).ideas[0]
    svc.commitments.idea_stage(plan.token, idea.id, "tried", on=date(2026, 1, 5))
    svc.commitments.add(plan.token, "I will file the shift report every evening.")
    extra = svc.commitments.store.plans_in(workshop.id)[0].commitments[-1]
    svc.commitments.remove(plan.token, extra.id)
    svc.commitments.give_feedback(workshop.code, key, first.id, "Dana (manager)", "Great start.")
    svc.commitments.give_feedback(workshop.code, key, None, "", "Proud of the team.")
    eli = next(d for d in svc.store.drafts(workshop.id) if d.member_name == "Eli")
    svc.workshops.set_draft_removed(workshop.code, key, eli.id, True)
    usage = LLMStore(svc.store)
    usage.record("feedback", "m", 120, 40, cached=False, workshop_id=workshop.id)
    usage.record("feedback", "m", 120, 40, cached=True, workshop_id=workshop.id)
    usage.record("rewrite", "m", 9, 9, cached=False)  # no workshop: stays behind
    usage.put("k" * 64, "feedback", "m", "{}")  # the shared cache: stays behind
    return svc.workshops.find(workshop.code), key


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
            for t in METADATA.sorted_tables
        }


def seen(svc: Services, code: str) -> dict[str, Any]:
    """What people see of a workshop through the services, with ids turned into words."""
    w = svc.workshops.find(code)
    members = {m.id: m.display_name for m in svc.store.members(w.id)}
    rounds = svc.consensus.history(w)
    text = {c.id: c.text for r in rounds for c in r.candidates}
    drafts = svc.store.drafts(w.id, include_deleted=True)
    owner = {d.id: d.member_name for d in drafts}
    plans = svc.commitments.store.plans_in(w.id)
    commitment = {c.id: c.text for p in plans for c in p.commitments}
    team = svc.commitments.team(w)
    return {
        "workshop": w.model_dump(exclude={"id", "adopted_id"}),
        "adopted": text[w.adopted_id] if w.adopted_id else None,
        "members": [(m.position, m.display_name) for m in svc.store.members(w.id)],
        "drafts": [(d.member_name, d.deleted, d.versions) for d in drafts],
        "rounds": [
            (
                r.number,
                r.phase,
                r.outcome,
                text.get(r.leader_id or 0),
                [
                    (c.text, c.kind, c.withdrawn, [owner[d] for d in c.sources])
                    for c in r.candidates
                ],
                [
                    (members[b.member_id], [[text[i] for i in g] for g in b.ranking])
                    for b in r.ballots
                ],
                [
                    (members[k.member_id], text[k.candidate_id], k.scores, k.concern)
                    for k in r.checks
                ],
            )
            for r in rounds
        ],
        "plans": [
            (
                members.get(p.member_id or 0),
                p.mission,
                [
                    (
                        c.model_dump(exclude={"id", "partner_id", "notes"}),
                        members.get(c.partner_id or 0),
                        [(members[n.partner_id], n.kind, n.note, n.read) for n in c.notes],
                    )
                    for c in p.commitments
                ],
            )
            for p in plans
        ],
        "feedback": [
            (commitment.get(f.commitment_id or 0), f.author, f.note, f.created_at)
            for f in team.feedback
        ],
        "usage": LLMStore(svc.store).totals(w.id),
        "agenda": svc.steps.agenda(w),
        "steps": [
            (
                [(i.member_name, i.text, i.example, i.deleted) for i in view.items],
                [(r.text, r.example, len(r.sources)) for r in view.results],
                view.writers,
                sorted((m.display_name, c.score) for m, c in view.below),
            )
            for view in (svc.steps.view(w, s) for s in ("image", "core", "recommend"))
        ],
        "register": [
            (
                r.text,
                r.owner,
                r.status,
                r.response,
                [commitment[c] for c in r.commitments],
                [x.text for x in svc.steps.results(w, "core") if x.id in r.strengths],
            )
            for r in svc.steps.recommendations(w)
        ],
        "assessment": svc.steps.assessment(w, team.coverage),
    }


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Services, Workshop, str]:
    """The workshop backed up, built once for the module: every test only reads it."""
    svc = services(tmp_path_factory.mktemp("source"), "a.db")
    workshop, key = rich(svc)
    return svc, workshop, key


@pytest.fixture(scope="module")
def refusing(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """A database holding a workshop, shared by the refusal tests (none may change it).

    Broken files are refused in Python before restore opens a connection, so these run
    on SQLite only; what the database itself must roll back runs on both kinds below."""
    svc = services(tmp_path_factory.mktemp("refusing"), "b.db")
    demo.create(svc)
    return svc


@pytest.fixture
def target(migrated_database_url: str) -> Services:
    """The database restored into: SQLite, and PostgreSQL where one is configured."""
    return build(Settings(database_url=migrated_database_url, public_url=None))


def test_every_table_and_id_column_is_covered() -> None:
    assert set(TABLES) == set(METADATA.tables) - LEFT_OUT
    for name in TABLES:
        ids = {c.name for c in METADATA.tables[name].columns if c.name.endswith("_id")}
        assert ids - {col for t, col in DETACHED if t == name} == set(REFERENCES[name]), name


def test_round_trip_into_an_empty_database(
    target: Services, source: tuple[Services, Workshop, str]
) -> None:
    a, workshop, key = source
    data = backup(a.store, workshop.id)
    assert (data["format"], data["version"], data["schema"]) == (FORMAT, VERSION, LATEST)
    # round_members belong to an organisation round: test_programmes round-trips one.
    filled = [t for t in TABLES if t != "round_members"]
    assert all(data["tables"][t] for t in filled), "the sample should fill every table"
    assert len(data["tables"]["llm_usage"]) == 2
    b = target
    code = restore(b.store, loads(dumps(data)))
    assert code == workshop.code
    restored = b.workshops.find(code)
    assert canonical(backup(b.store, restored.id)) == canonical(data)
    assert restored.revision == a.workshops.find(code).revision > 0
    assert seen(b, code) == seen(a, code)
    assert seen(b, code)["adopted"] == demo.MERGED
    # Links keep working: the facilitator key, every member's and every plan's token.
    assert b.workshops.is_facilitator(restored, key)
    for name, link in LINKS[workshop.code].items():
        _, member = b.workshops.membership(code, link)
        if name in demo.COMMITMENTS:
            assert b.commitments.for_member(restored, member).commitments
    after = counts(b.store)
    assert after["llm_cache"] == 0 and after["llm_usage"] == 2


def test_restore_beside_other_workshops_remaps_every_id(
    target: Services, source: tuple[Services, Workshop, str]
) -> None:
    a, workshop, _ = source
    data = backup(a.store, workshop.id)
    b = target
    others = [rich(b)[0], demo.create(b)[0]]  # the same ids are taken by these workshops
    before = {w.code: canonical(backup(b.store, w.id)) for w in others}
    code = restore(b.store, data)
    restored = b.workshops.find(code)
    assert restored.id != workshop.id and restored.adopted_id != workshop.adopted_id
    assert canonical(backup(b.store, restored.id)) == canonical(data)
    assert seen(b, code) == seen(a, code)
    for w in others:  # nothing of the restored workshop leaked into the others
        assert canonical(backup(b.store, w.id)) == before[w.code]
    restored_members = {m.id for m in b.store.members(restored.id)}
    for rnd in b.consensus.history(restored):
        assert {x.member_id for x in (*rnd.ballots, *rnd.checks)} <= restored_members
        ids = {c.id for c in rnd.candidates}
        assert rnd.leader_id in ids
        assert all(i in ids for x in rnd.ballots for g in x.ranking for i in g)
    drafts = {d.id for d in b.store.drafts(restored.id, include_deleted=True)}
    assert all(
        set(c.sources) <= drafts for r in b.consensus.history(restored) for c in r.candidates
    )


BROKEN: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "foreign format": (lambda d: d.update(format="something-else"), "not a Mission Coach backup"),
    "no format": (lambda d: d.pop("format"), "not a Mission Coach backup"),
    "newer version": (lambda d: d.update(version=VERSION + 1), "newer version"),
    "newer schema": (lambda d: d.update(schema=LATEST + 1), "newer version"),
    "unknown table": (lambda d: d["tables"].update(secrets=[]), "unknown table secrets"),
    "missing table": (lambda d: d["tables"].pop("checks"), "missing table checks"),
    "unknown column": (
        lambda d: d["tables"]["members"][0].update(shoe_size=42),
        "unknown column shoe_size",
    ),
    "wrong type": (
        lambda d: d["tables"]["members"][0].update(position="first"),
        "position should be int",
    ),
    "bad date": (
        lambda d: d["tables"]["workshops"][0].update(followup_due="next week"),
        "followup_due is not an ISO date",
    ),
    "broken reference": (
        lambda d: d["tables"]["ballots"][0].update(member_id=999_999),
        "member_id points at members 999999",
    ),
    "broken id in JSON": (
        lambda d: d["tables"]["candidates"][0].update(sources="[999999]"),
        "sources points at drafts 999999",
    ),
    "two workshops": (
        lambda d: d["tables"]["workshops"].append(dict(d["tables"]["workshops"][0], id=2)),
        "exactly one workshop",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_backup_is_refused_and_changes_nothing(
    refusing: Services, source: tuple[Services, Workshop, str], case: str
) -> None:
    a, workshop, _ = source
    data = backup(a.store, workshop.id)
    change, message = BROKEN[case]
    change(data)
    b = refusing
    before = counts(b.store)
    assert before["workshops"] == 1
    with pytest.raises(BackupError, match=message):
        loads(json.dumps(data))
    with pytest.raises(BackupError, match=message):
        restore(b.store, data)
    assert counts(b.store) == before


@pytest.mark.parametrize(
    "text", ["garbage", '{"format": "mission-coach-backup", "tables": {', "", "[1, 2]", "null"]
)
def test_a_file_that_is_not_a_backup_is_refused(text: str) -> None:
    with pytest.raises(BackupError, match="This file is not a Mission Coach backup"):
        loads(text)


def test_a_truncated_backup_is_refused(source: tuple[Services, Workshop, str]) -> None:
    a, workshop, _ = source
    text = dumps(backup(a.store, workshop.id))
    with pytest.raises(BackupError, match="not complete JSON"):
        loads(text[: len(text) // 2])


def test_a_failure_halfway_rolls_everything_back(
    target: Services, source: tuple[Services, Workshop, str]
) -> None:
    a, workshop, _ = source
    data = backup(a.store, workshop.id)
    members = data["tables"]["members"]
    members[-1]["token"] = members[0]["token"]  # passes the checks, fails on the last insert
    b = target
    demo.create(b)
    before = counts(b.store)
    with pytest.raises(BackupError, match="nothing was restored"):
        restore(b.store, data)
    assert counts(b.store) == before
    with pytest.raises(Exception, match="No workshop has the code"):
        b.workshops.find(workshop.code)


def test_restoring_twice_is_refused(
    target: Services, source: tuple[Services, Workshop, str]
) -> None:
    a, workshop, _ = source
    data = backup(a.store, workshop.id)
    b = target
    restore(b.store, data)
    before = counts(b.store)
    with pytest.raises(BackupError, match=r"already has the workshop .* delete that workshop"):
        restore(b.store, data)
    assert counts(b.store) == before


@pytest.mark.parametrize("clash", ["member", "plan"])
def test_links_already_in_use_are_refused(
    target: Services, source: tuple[Services, Workshop, str], clash: str
) -> None:
    a, workshop, _ = source
    data = backup(a.store, workshop.id)
    b = target
    restore(b.store, data)
    before = counts(b.store)
    with pytest.raises(BackupError, match=f"{clash} link\\(s\\) in this backup already belong"):
        restore(b.store, _renamed(data, keep=clash))
    assert counts(b.store) == before


def _renamed(data: dict[str, Any], *, keep: str) -> dict[str, Any]:
    """The same backup under another code, keeping only one kind of token unchanged."""
    other = copy.deepcopy(data)
    other["tables"]["workshops"][0]["code"] = "ZZZZZZZZZZZZ"
    for table, kind in (("members", "member"), ("plans", "plan")):
        if kind != keep:
            for row in other["tables"][table]:
                row["token"] = token_hash("new-" + row["token"])
    return other


def test_cli_backup_and_restore(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a_db, b_db = tmp_path / "a.db", tmp_path / "b.db"

    def on(db: Path) -> None:
        monkeypatch.setenv("COACH_DATABASE_URL", f"sqlite:///{db}")

    monkeypatch.chdir(tmp_path)  # where a backup without -o goes
    on(a_db)
    made = cli("demo")
    assert made.code == 0, made.err
    code = next(line.split()[-1] for line in made.stdout.splitlines() if "join code" in line)
    out = cli("backup", code)  # default name in the working directory
    assert out.code == 0, out.err
    [written] = tmp_path.glob("backup-*.json")
    assert written.name == f"backup-{code.replace('-', '')}-{date.today().isoformat()}.json"
    assert f"Wrote {written.name}" in out.err and "ballots" in out.err
    assert "     6 rows" in out.err  # six members, six ballots, six checks
    assert not list(tmp_path.glob("*.part"))  # written beside, then renamed
    chosen = tmp_path / "chosen.json"
    assert cli("backup", code, "-o", str(chosen)).code == 0
    assert canonical(loads(chosen.read_text(encoding="utf-8"))) == canonical(
        loads(written.read_text(encoding="utf-8"))
    )
    on(b_db)
    out = cli("restore", str(written))
    assert out.code == 0, out.err
    assert "Front desk team (demo)" in out.stdout and code in out.stdout
    a = build(Settings(database_url=f"sqlite:///{a_db}", public_url=None))
    b = build(Settings(database_url=f"sqlite:///{b_db}", public_url=None))
    assert seen(b, code) == seen(a, code)
    again = cli("restore", str(written))
    assert again.code == 2 and "already has the workshop" in again.err
    junk = tmp_path / "junk.json"
    junk.write_text('{"format": "something-else"}', encoding="utf-8")
    out = cli("restore", str(junk))
    assert out.code == 2 and "not a Mission Coach backup" in out.err
    missing = cli("restore", str(tmp_path / "nope.json"))
    assert missing.code == 2 and "Cannot read" in missing.err


@pytest.mark.parametrize(
    "bad", ["", "   ", "x" * 1001, "We serve\x00 guests.", "We serve \ud800 guests."]
)
def test_a_statement_the_app_would_refuse_is_refused_on_restore(bad: str) -> None:
    svc = build(Settings(database_url="sqlite://", public_url=None))
    w, _ = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Ana")
    svc.workshops.submit(w.code, m.token, "We help.", "n")
    data = backup(svc.store, w.id)
    data["tables"]["draft_versions"][0]["text"] = bad
    target = build(Settings(database_url="sqlite://", public_url=None))
    with pytest.raises(BackupError, match="damaged"):
        restore(target.store, data)
    assert target.store.workshop(w.code) is None


def test_a_backup_from_before_the_agenda_restores_on_step_4(
    target: Services, source: tuple[Services, Workshop, str]
) -> None:
    a, workshop, _ = source
    data = backup(a.store, workshop.id)
    data["schema"] = 18
    for name in ("agenda_items", "items", "step_results", "step_checks", "step_ballots"):
        del data["tables"][name]
    del data["tables"]["recommendations"]
    del data["tables"]["ratings"]
    del data["tables"]["workshops"][0]["step"]
    code = restore(target.store, loads(dumps(data)))
    agenda = target.steps.agenda(target.workshops.find(code))
    assert agenda.current == "mission" and not agenda.on("image")
    data["schema"] = 19  # from schema 19 on, the tables must be there
    with pytest.raises(BackupError, match="missing table agenda_items"):
        loads(json.dumps(data))
