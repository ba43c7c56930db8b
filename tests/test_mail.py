"""E-mail, sent outside the request (issue 16, item 1).

A real SMTP server (aiosmtpd) runs inside the test process on a free port; the worker
is the real command, ``flask --app workspace worker --once``, and the clock is the
``NOW`` setting, moved by the tests.
"""

from __future__ import annotations

import signal
import socket
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tests.conftest import CORE_CONFIG, Factory
from workspace import jobs
from workspace.extensions import db
from workspace.mail import OutboxMessage, queue_mail
from workspace.mail_sending import BATCH, claim, claim_due, deliver_due
from workspace.testing import POSTGRES_URL, sign_in

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


class Mailbox:
    """An aiosmtpd handler: keeps what it receives; refuses nobody@ (550, no such
    user) and full@ (452, try later)."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user here"
        if address.startswith("full@"):
            return "452 4.2.2 Mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SMTPServer:
    """A test SMTP server on ``port``, started and stopped at will."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.mailbox = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[tuple[list[str], EmailMessage]]:
        return self.mailbox.received


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    server = SMTPServer(free_port())
    yield server
    server.stop()


@pytest.fixture
def workspace_config(smtp) -> dict:
    return {**CORE_CONFIG, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "NOW": START}


def queue(app, *args, **kwargs) -> int:
    with app.app_context():
        message = queue_mail(*args, **kwargs)
        db.session.commit()
        return message.id


def work(runner) -> str:
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def stored(app, message_id: int) -> OutboxMessage:
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        db.session.expunge(message)
        return message


def test_a_message_is_delivered_as_text_and_html_with_a_one_click_unsubscribe(app, runner, smtp):
    smtp.start()
    message_id = queue(
        app,
        "ana@example.org",
        "Minutes of the Burgos meeting\nBcc: evil@example.org",
        "The minutes are ready.",
        "<p>The minutes are <b>ready</b>.</p>",
        kind="notification",
        unsubscribe_url="https://ws.example.org/unsubscribe/abc",
        attachments=[("meeting.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")],
    )
    assert "Mail: 1 sent, 0 retry, 0 failed." in work(runner)

    [(recipients, email)] = smtp.received
    assert recipients == ["ana@example.org"]
    assert email["To"] == "ana@example.org"
    assert email["From"] == "InterVentures Workspace <workspace@localhost>"
    # The subject stays one header: a line break in it cannot add a Bcc.
    assert email["Subject"] == "Minutes of the Burgos meeting Bcc: evil@example.org"
    assert email["Bcc"] is None
    assert email["List-Unsubscribe"] == "<https://ws.example.org/unsubscribe/abc>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email["Date"] is not None
    assert email.get_body(("plain",)).get_content().strip() == "The minutes are ready."
    assert "<b>ready</b>" in email.get_body(("html",)).get_content()
    [attachment] = email.iter_attachments()
    assert attachment.get_filename() == "meeting.ics"
    assert attachment.get_content_type() == "text/calendar"

    sent = stored(app, message_id)
    assert (sent.status, sent.attempts, sent.sent_at) == ("sent", 1, START)
    assert email["Message-ID"] == sent.message_id
    # Sent is sent: the next round sends nothing.
    assert "Mail: 0 sent" in work(runner)
    assert len(smtp.received) == 1


def test_the_server_being_down_delays_the_message_without_losing_or_doubling_it(app, runner, smtp):
    message_id = queue(app, "ana@example.org", "Reminder", "Your report is due.")

    assert "1 retry" in work(runner)  # nobody listens on the port yet
    waiting = stored(app, message_id)
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    assert waiting.next_attempt_at == START + timedelta(minutes=1)
    assert waiting.last_error

    smtp.start()
    assert "Mail: 0 sent, 0 retry" in work(runner)  # not due yet: left alone
    assert smtp.received == []

    app.config["NOW"] = START + timedelta(minutes=1)
    assert "Mail: 1 sent" in work(runner)
    app.config["NOW"] = START + timedelta(hours=5)
    work(runner)
    assert [email["Subject"] for _, email in smtp.received] == ["Reminder"]
    delivered = stored(app, message_id)
    assert (delivered.status, delivered.attempts, delivered.last_error) == ("sent", 2, "")


def test_with_the_server_away_a_round_tries_one_batch_and_leaves_the_rest(app, runner):
    ids = [queue(app, f"p{n}@example.org", "Reminder", "Due.") for n in range(BATCH + 5)]
    assert f"Mail: 0 sent, {BATCH} retry, 0 failed." in work(runner)
    attempts = sorted(stored(app, message_id).attempts for message_id in ids)
    assert attempts == [0] * 5 + [1] * BATCH


def test_retries_back_off_and_end_as_failed(app, runner):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    message_id = queue(app, "ana@example.org", "Reminder", "Your report is due.")
    waits = []
    for _ in range(3):
        work(runner)
        message = stored(app, message_id)
        waits.append(message.next_attempt_at - app.config["NOW"])
        app.config["NOW"] = message.next_attempt_at
    assert waits[:2] == [timedelta(minutes=1), timedelta(minutes=2)]
    failed = stored(app, message_id)
    assert (failed.status, failed.attempts) == ("failed", 3)
    work(runner)
    assert stored(app, message_id).attempts == 3


def test_a_refused_address_is_recorded_and_not_retried(app, runner, smtp):
    smtp.start()
    refused = queue(app, "nobody@example.org", "Invitation", "Welcome.")
    mixed = queue(app, ["ana@example.org", "nobody@example.org"], "Minutes", "Ready.")
    full = queue(app, "full@example.org", "Minutes", "Ready.")

    assert "Mail: 1 sent, 1 retry, 1 failed." in work(runner)
    failed = stored(app, refused)
    assert failed.status == "failed"
    assert "nobody@example.org: 550 5.1.1 No such user here" in failed.last_error
    partly = stored(app, mixed)
    assert partly.status == "sent"
    assert "nobody@example.org: 550" in partly.last_error
    assert [recipients for recipients, _ in smtp.received] == [["ana@example.org"]]
    # A full mailbox (4xx) is worth another try; a bad address is not.
    assert stored(app, full).status == "queued"

    app.config["NOW"] = START + timedelta(hours=3)
    work(runner)
    assert stored(app, refused).attempts == 1
    assert stored(app, full).attempts == 2


def test_nothing_is_queued_when_the_change_is_rolled_back(app):
    with app.app_context():
        queue_mail("ana@example.org", "Invitation", "Welcome.")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_queue_mail_refuses_what_cannot_be_sent(app):
    with app.app_context():
        with pytest.raises(ValueError, match="recipient"):
            queue_mail(["", "  "], "Subject", "Text")
        with pytest.raises(ValueError, match="line break"):
            queue_mail("ana@example.org\r\nBcc: evil@example.org", "Subject", "Text")
        with pytest.raises(ValueError, match="5 MB"):
            queue_mail("a@example.org", "S", "T", attachments=[("big", b"x" * 6_000_000, "x/y")])


def test_two_workers_never_send_one_message_twice(app, smtp):
    smtp.start()
    with app.app_context():
        for number in range(60):
            queue_mail(f"person{number}@example.org", f"Message {number}", "Text.")
        db.session.commit()
    errors = []

    def worker() -> None:
        try:
            with app.app_context():
                deliver_due()
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    subjects = sorted(email["Subject"] for _, email in smtp.received)
    assert subjects == sorted(f"Message {number}" for number in range(60))
    with app.app_context():
        assert set(db.session.scalars(select(OutboxMessage.status))) == {"sent"}


@pytest.mark.skipif(not POSTGRES_URL, reason="two claiming transactions at once: PostgreSQL")
def test_a_worker_skips_the_messages_another_is_claiming(app):
    with app.app_context():
        for number in range(3):
            queue_mail(f"person{number}@example.org", f"Message {number}", "Text.")
        db.session.commit()
        with db.engine.connect() as other_worker:
            # The other worker has claimed two messages and not committed yet.
            theirs = other_worker.execute(claim_due(2, START)).scalars().all()
            ours: list[int] = []

            def our_claim() -> None:
                with app.app_context():
                    ours.extend(claim(10))

            claiming = threading.Thread(target=our_claim)
            claiming.start()
            claiming.join(timeout=10)
            assert not claiming.is_alive(), "the claim waited for the other worker's rows"
            other_worker.commit()
        assert len(theirs) == 2
        assert len(ours) == 1
        assert set(theirs).isdisjoint(ours)
        assert claim(10) == []  # all three are claimed (leased) now


@pytest.mark.parametrize("workspace_config", [{**CORE_CONFIG, "NOW": START}])
def test_with_no_server_messages_become_eml_files(app, runner):
    message_id = queue(app, "ana@example.org", "Set your password", "Open the link.", "<p>Open</p>")
    assert "Mail: 1 sent" in work(runner)
    [file] = (Path(app.instance_path) / "outbox").glob("*.eml")
    assert file.name == f"20270301T090000Z-{message_id}.eml"
    email = message_from_bytes(file.read_bytes(), policy=policy.default)
    assert email["Subject"] == "Set your password"
    assert email.get_body(("plain",)).get_content().strip() == "Open the link."
    assert stored(app, message_id).status == "sent"


@pytest.mark.parametrize("workspace_config", [{**CORE_CONFIG, "NOW": START}])
def test_the_outbox_page_is_for_admins(app, runner, world, make: Factory):
    queue(app, "ana@example.org", "Set your password", "Open https://ws.example.org/set/abc")
    work(runner)
    admin = sign_in(app, world.admin.email)
    page = admin.get("/admin/outbox")
    assert page.status_code == 200
    assert "ana@example.org" in page.text
    assert "Set your password" in page.text
    assert "No mail server is set" in page.text
    with app.app_context():
        message_id = db.session.scalar(select(OutboxMessage.id))
    one = admin.get(f"/admin/outbox/{message_id}")
    assert one.status_code == 200
    assert "Open https://ws.example.org/set/abc" in one.text
    assert sign_in(app, world.coordinator.email).get("/admin/outbox").status_code == 403
    assert admin.get("/admin/outbox/999999").status_code == 404


def test_an_admin_sends_a_failed_message_again(app, runner, world):
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    message_id = queue(app, "ana@example.org", "Reminder", "Your report is due.")
    work(runner)  # no server answers: out of its one attempt
    assert stored(app, message_id).status == "failed"
    admin = sign_in(app, world.admin.email)
    page = admin.get(f"/admin/outbox/{message_id}").text
    assert "Send again now" in page
    response = admin.post(f"/admin/outbox/{message_id}/retry")
    assert response.status_code == 303
    again = stored(app, message_id)
    assert (again.status, again.next_attempt_at) == ("queued", app.config["NOW"])
    assert "sends it again at its next look" in admin.get(response.location).text
    work(runner)  # the server is still away: one more attempt, failed again
    assert (stored(app, message_id).status, stored(app, message_id).attempts) == ("failed", 2)
    # A sent message has nothing to send again.
    app.config["MAIL_SERVER"] = ""
    admin.post(f"/admin/outbox/{message_id}/retry")
    work(runner)
    assert stored(app, message_id).status == "sent"
    refused = admin.post(f"/admin/outbox/{message_id}/retry", follow_redirects=True)
    assert "there is nothing to send again" in refused.text
    assert stored(app, message_id).status == "sent"


@pytest.fixture
def job_registry():
    """Jobs registered by a test leave with it."""
    saved = dict(jobs.JOBS)
    yield
    jobs.JOBS.clear()
    jobs.JOBS.update(saved)


@pytest.mark.parametrize("workspace_config", [{**CORE_CONFIG, "NOW": START}])
def test_a_scheduled_job_runs_once_per_due_time(app, runner, job_registry):
    runs = []

    @jobs.scheduled("test.digest", every=timedelta(hours=1))
    def digest() -> None:
        runs.append(app.config["NOW"])
        queue_mail("ana@example.org", "Your digest", "Three changes.")

    @jobs.scheduled("test.broken", every=timedelta(hours=1))
    def broken() -> None:
        raise RuntimeError("the report service is down")

    output = work(runner)
    assert "Mail: 1 sent" in output  # the mail the job queued goes out in the same round
    assert "test.digest" in output
    work(runner)
    app.config["NOW"] = START + timedelta(minutes=59)
    work(runner)
    app.config["NOW"] = START + timedelta(hours=1)
    work(runner)
    assert runs == [START, START + timedelta(hours=1)]
    with app.app_context():
        record = db.session.get(jobs.JobRun, "test.broken")
        assert record.last_error == "RuntimeError: the report service is down"
        assert db.session.get(jobs.JobRun, "test.digest").last_error == ""


@pytest.mark.parametrize(
    "workspace_config", [{**CORE_CONFIG, "NOW": START, "WORKER_POLL_SECONDS": 0.05}]
)
def test_the_worker_sends_until_sigterm_then_stops_cleanly(app, runner):
    message_id = queue(app, "ana@example.org", "Invitation", "Welcome.")
    previous = signal.getsignal(signal.SIGTERM)

    def stop_when_sent() -> None:
        for _ in range(200):
            if stored(app, message_id).status == "sent":
                break
            threading.Event().wait(0.05)
        signal.raise_signal(signal.SIGTERM)

    stopper = threading.Thread(target=stop_when_sent)
    stopper.start()
    result = runner.invoke(args=["worker"])
    stopper.join()
    assert result.exit_code == 0, result.output
    assert "Mail: 1 sent" in result.output
    assert result.output.rstrip().endswith("Worker stopped.")
    assert signal.getsignal(signal.SIGTERM) is previous
