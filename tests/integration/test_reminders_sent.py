"""Reminders reach people: a real SMTP server and a webhook server on 127.0.0.1, each
message exactly once, however often `remind` runs."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from coach.bootstrap import Services, build
from coach.notify.channels import Mailer, SMTPSettings, Webhook
from coach.notify.reminders import Reminders
from tests.support.cli_runner import Cli
from tests.support.local_servers import smtp_server, webhook_server
from tests.support.partners import partnered

TODAY = date.today()


def _team(svc: Services) -> None:
    """Ana commits to every Friday with Bo as partner and checks in; a manager is due to
    give feedback in three days."""
    p = partnered(
        svc,
        "I will thank one colleague at every Friday huddle.",
        workshop="Front desk",
        cadence="weekly",
    )
    svc.commitments.set_email(p.ana, "ana@example.com")
    svc.commitments.set_email(p.bo, " bo@example.com ")
    svc.commitments.check_in(p.ana, p.commitment_id, "in progress", "Thanked Chen today.")
    svc.commitments.set_followup(p.code, p.key, TODAY + timedelta(days=3))
    svc.commitments.set_manager_email(p.code, p.key, "dana@example.com")


def _reminders(svc: Services, port: int, url: str) -> Reminders:
    smtp = SMTPSettings("127.0.0.1", port, False, "", "", "coach@example.com")
    return Reminders(svc.workshops, svc.commitments, Mailer(smtp), Webhook(url))


def test_every_digest_arrives_once(svc: Services) -> None:
    _team(svc)
    with smtp_server() as (port, inbox), webhook_server() as (url, posts):
        first = _reminders(svc, port, url).run(TODAY)
        assert sorted(o.status for o in first) == ["sent"] * 4
        again = _reminders(svc, port, url).run(TODAY)  # cron fires twice, or a rerun
        assert [o.status for o in again] == ["already sent"] * 4
        assert len(inbox) == 3 and len(posts) == 1

    mail = {m["To"]: m for m in inbox}
    assert set(mail) == {"ana@example.com", "bo@example.com", "dana@example.com"}
    assert all(m["From"] == "coach@example.com" for m in inbox)
    friday = TODAY + timedelta(days=(4 - TODAY.weekday()) % 7)
    ana = mail["ana@example.com"].get_payload()
    assert f"{friday:%a %d %b}: I will thank one colleague at every Friday huddle." in ana
    bo = mail["bo@example.com"].get_payload()
    assert "Ana checked in 'in progress'" in bo and "Thanked Chen today." in bo
    dana = mail["dana@example.com"]
    assert dana["Subject"] == "Step 8 follow-up: Front desk"
    assert "3 days left" in dana.get_payload()
    (post,) = posts
    assert set(post) == {"text"}  # the incoming-webhook shape Slack and Teams accept
    assert "Front desk" in post["text"] and "1 commitments open." in post["text"]


def test_next_week_is_a_new_digest(svc: Services) -> None:
    _team(svc)
    with smtp_server() as (port, inbox), webhook_server() as (url, _):
        _reminders(svc, port, url).run(TODAY)
        later = _reminders(svc, port, url).run(TODAY + timedelta(days=7))
    sent = {o.message.to for o in later if o.status == "sent"}
    assert "ana@example.com" in sent  # another Friday
    assert "dana@example.com" in sent  # now overdue, still reminded
    assert len(inbox) >= 5


def test_a_failed_send_is_tried_again_later_and_names_no_secret(svc: Services) -> None:
    _team(svc)
    with smtp_server() as (port, inbox), webhook_server(status=500) as (url, posts):
        outcomes = _reminders(svc, port, url).run(TODAY)
        failed = [o for o in outcomes if o.status == "failed"]
        assert len(failed) == 1 and failed[0].message.channel == "webhook"
        assert "answered 500" in failed[0].error and url not in failed[0].error
        assert posts == [] and len(inbox) == 3  # the emails went
    with smtp_server() as (port, inbox2), webhook_server() as (url, posts):
        retry = _reminders(svc, port, url).run(TODAY)
    assert sorted(o.status for o in retry) == ["already sent"] * 3 + ["sent"]
    assert len(posts) == 1 and inbox2 == []


def test_a_dry_run_sends_and_records_nothing(svc: Services) -> None:
    _team(svc)
    with smtp_server() as (port, inbox), webhook_server() as (url, posts):
        dry = _reminders(svc, port, url).run(TODAY, dry_run=True)
        assert [o.status for o in dry] == ["would send"] * 4
        assert inbox == [] and posts == []
        real = _reminders(svc, port, url).run(TODAY)
    assert [o.status for o in real] == ["sent"] * 4  # the dry run claimed nothing


def test_an_unreachable_mail_server_says_what_to_check(svc: Services) -> None:
    _team(svc)
    from tests.support.app_server import free_port

    smtp = SMTPSettings("127.0.0.1", free_port(), False, "", "", "c@example.com")
    outcomes = Reminders(svc.workshops, svc.commitments, Mailer(smtp), None).run(TODAY)
    errors = {o.error for o in outcomes if o.status == "failed"}
    assert errors and all("COACH_SMTP_HOST" in e for e in errors)
    assert {o.status for o in outcomes if o.message.channel == "webhook"} == {"no channel"}


def test_a_bad_email_is_refused(svc: Services) -> None:
    plan = svc.commitments.start("Ana", "We help.")
    with pytest.raises(Exception, match="not an email address"):
        svc.commitments.set_email(plan.token, "ana at example")
    svc.commitments.set_email(plan.token, "")  # none: no digest
    assert svc.commitments.open(plan.token).email == ""


def test_the_remind_command(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    monkeypatch.setenv("COACH_DATABASE_URL", f"sqlite:///{tmp_path / 'r.db'}")
    for name in ("COACH_SMTP_HOST", "COACH_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    _team(build())
    off = cli("remind")
    assert off.code == 0 and "Reminders are off: set COACH_SMTP_HOST" in off.stdout
    with smtp_server() as (port, inbox):
        monkeypatch.setenv("COACH_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("COACH_SMTP_PORT", str(port))
        monkeypatch.setenv("COACH_SMTP_PASSWORD", "s3cret-pass")
        dry = cli("remind", "--dry-run")
        assert dry.code == 0 and "would send: email to ana@example.com" in dry.stdout
        assert inbox == []
        sent = cli("remind")
        assert sent.code == 0 and sent.stdout.count("sent: email to") == 3
        assert "no channel: webhook" in sent.stdout  # no chat configured: said, not sent
        assert cli("remind").stdout.count("already sent") == 3
    assert len(inbox) == 3
    assert "s3cret-pass" not in dry.stdout + sent.stdout + sent.err  # never shown


def test_secrets_toml_configures_the_mail_server(tmp_path: Path, monkeypatch) -> None:
    from coach.notify.channels import SMTPSettings

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COACH_SMTP_HOST", raising=False)
    assert SMTPSettings.from_env() is None
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[smtp]\nhost = "mail.example.com"\nstarttls = true\nuser = "coach"\npassword = "pw"\n'
    )
    smtp = SMTPSettings.from_env()
    assert smtp is not None
    assert (smtp.host, smtp.port, smtp.starttls, smtp.sender) == (
        "mail.example.com", 587, True, "coach"
    )  # fmt: skip
    assert "pw" not in repr(smtp)


def test_starttls_and_login_against_a_server_that_requires_both(
    svc: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mail server insists on STARTTLS before AUTH; the certificate is one the test
    made and the client is told to trust (SSL_CERT_FILE), so verification stays on."""
    import ssl
    import subprocess

    from aiosmtpd.smtp import AuthResult

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    logins: list[tuple[str, str]] = []

    def authenticator(server, session, envelope, mechanism, data):  # type: ignore[no-untyped-def]
        logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"right-pass", handled=False)

    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    _team(svc)
    options = {
        "tls_context": tls,
        "require_starttls": True,
        "auth_required": True,
        "authenticator": authenticator,
    }
    with smtp_server(**options) as (port, inbox):
        wrong = SMTPSettings("127.0.0.1", port, True, "coach", "wrong-pass", "c@example.com")
        failed = Reminders(svc.workshops, svc.commitments, Mailer(wrong), None).run(TODAY)
        errors = {o.error for o in failed if o.status == "failed"}
        assert errors == {
            "The mail server refused the login: check COACH_SMTP_USER and COACH_SMTP_PASSWORD."
        }
        right = SMTPSettings("127.0.0.1", port, True, "coach", "right-pass", "c@example.com")
        sent = Reminders(svc.workshops, svc.commitments, Mailer(right), None).run(TODAY)
        assert sorted(o.status for o in sent if o.message.channel == "email") == ["sent"] * 3
    assert len(inbox) == 3
    assert ("coach", "right-pass") in logins
