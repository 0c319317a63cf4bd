"""The outbox: email is queued with the transaction that wants it and sent by a worker, to a
real SMTP server on 127.0.0.1 (and to ones that hang or refuse)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.support.dashboard import signed_in
from tests.support.mailservers import FROM, mail_settings, refusing_server, silent_server
from widget import mail
from widget.extensions import db
from widget.models import MailState, OutboxMail, as_utc, utcnow
from widget.notify import outbox
from widget.notify.outbox import Letter
from widget.transactions import take_write_lock


@pytest.fixture
def app(make_app, smtp):  # type: ignore[no-untyped-def]
    _, port = smtp
    app = make_app(**mail_settings(port))
    with app.app_context():
        yield app


def queue(purpose: str = "test:1", **fields: object) -> OutboxMail:
    # Outside a request, as a command would: the write lock before the first read (SQLite), or
    # a worker thread's commit between our read and our write makes the write fail at once.
    db.session.commit()
    take_write_lock()
    letter = Letter(
        **(
            {
                "recipient": "ann@example.com",
                "subject": "Hello",
                "text": "Plain words.",
                "html": "<p>Plain words.</p>",
            }
            | fields
        )
    )
    row = outbox.enqueue(letter, purpose)
    db.session.commit()
    return row


def run_worker(app) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert result.exit_code == 0, result.output


def row(mail_id: int) -> OutboxMail:
    db.session.expire_all()
    found = db.session.get(OutboxMail, mail_id)
    assert found is not None
    return found


def make_due(mail_id: int) -> None:
    """As if the wait before its next attempt had passed."""
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id)
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def test_a_queued_email_is_sent_by_the_worker_as_an_automatic_multipart_message(app, smtp):
    inbox, _ = smtp
    queued = queue(headers=(("List-Unsubscribe", "<https://comments.example.net/u/x>"),))
    assert inbox.messages == []  # queuing sends nothing
    run_worker(app)

    sender, recipients, message = inbox.messages[0]
    assert (sender, recipients) == (FROM, ["ann@example.com"])
    assert message["From"] == FROM
    assert message["Message-ID"] == queued.message_id
    assert message["Message-ID"].endswith("@comments.example.net>")
    assert message["Date"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] == "<https://comments.example.net/u/x>"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and plain.get_content().strip() == "Plain words."
    assert html is not None and "<p>Plain words.</p>" in html.get_content()
    assert row(queued.id).state == MailState.SENT.value
    assert row(queued.id).sent_at is not None


def test_an_email_queued_in_a_transaction_that_rolls_back_is_never_sent(app, smtp):
    inbox, _ = smtp
    outbox.enqueue(Letter("ann@example.com", "Hello", "Words."), "test:rolled-back")
    db.session.rollback()
    run_worker(app)
    assert inbox.messages == []
    assert db.session.scalars(select(OutboxMail)).all() == []


def test_the_same_purpose_queued_twice_is_one_email(app, smtp):
    inbox, _ = smtp
    first = queue("reply:7:1")
    second = queue("reply:7:1")
    assert first.id == second.id
    run_worker(app)
    assert len(inbox.messages) == 1


def test_a_header_of_two_lines_is_refused_when_queued(app):
    with pytest.raises(mail.Unsendable):
        queue(subject="Hi\r\nBcc: everyone@example.com")


def test_a_mail_server_that_never_answers_is_given_up_on_within_the_timeout(make_app):
    with silent_server() as port:
        app = make_app(**mail_settings(port, WIDGET_SMTP_TIMEOUT=0.5))
        with app.app_context():
            queued = queue()
            started = time.monotonic()
            run_worker(app)
            assert time.monotonic() - started < 3
            waiting = row(queued.id)
    assert waiting.state == MailState.QUEUED.value
    assert waiting.attempts == 1
    assert "timed out" in waiting.last_error
    assert as_utc(waiting.next_attempt_at) > utcnow() + timedelta(seconds=50)  # retried later


def test_after_a_failure_the_next_attempt_sends_the_same_message(make_app, smtp):
    inbox, port = smtp
    with silent_server() as silent:
        app = make_app(**mail_settings(silent, WIDGET_SMTP_TIMEOUT=0.3))
        with app.app_context():
            queued = queue()
            message_id = queued.message_id
            run_worker(app)
    app.config["WIDGET_SMTP_PORT"] = port  # the mail server is back
    with app.app_context():
        run_worker(app)
        assert inbox.messages == []  # not yet due: it waits a minute after a first failure
        make_due(queued.id)
        run_worker(app)
        assert row(queued.id).state == MailState.SENT.value
        assert row(queued.id).attempts == 2
    assert inbox.messages[0][2]["Message-ID"] == message_id


def test_each_failure_waits_twice_as_long_as_the_one_before_up_to_six_hours():
    waits = [outbox.retry_wait(n) for n in range(1, 12)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] == timedelta(hours=6)


def test_an_email_the_server_keeps_refusing_is_dead_after_its_last_attempt(make_app):
    with refusing_server() as (server, port):
        app = make_app(**mail_settings(port))
        with app.app_context():
            queued = queue()
            for _ in range(outbox.MAX_ATTEMPTS):
                make_due(queued.id)
                run_worker(app)
            assert server.refused == outbox.MAX_ATTEMPTS
            dead = row(queued.id)
            assert dead.state == MailState.DEAD.value
            assert "550" in dead.last_error
            make_due(queued.id)
            run_worker(app)
            assert server.refused == outbox.MAX_ATTEMPTS  # never tried again

            status = app.test_cli_runner().invoke(args=["mail", "status"])
            assert "dead=1" in status.output
            assert f"dead #{queued.id} to ann@example.com" in status.output
            again = app.test_cli_runner().invoke(args=["mail", "retry"])
            assert "1 dead emails queued again" in again.output
            assert row(queued.id).state == MailState.QUEUED.value


def test_the_sites_owner_sees_its_dead_emails_on_the_settings_page(make_app, make_site):  # type: ignore[no-untyped-def]
    with refusing_server() as (_, port):
        app = make_app(**mail_settings(port))
        with app.app_context():
            site, other = make_site(), make_site(name="Other")
            queued = outbox.enqueue(Letter("ann@example.com", "New reply on Tomatoes", "Hi"),
                                    "test:dead", site.id)  # fmt: skip
            outbox.enqueue(
                Letter("bo@example.com", "New reply elsewhere", "Hi"), "test:other", other.id
            )
            db.session.commit()
            db.session.execute(update(OutboxMail).values(attempts=outbox.MAX_ATTEMPTS - 1))
            db.session.commit()
            run_worker(app)
            assert row(queued.id).state == MailState.DEAD.value
            page = signed_in(app.test_client(), site).get(f"/dashboard/sites/{site.id}/settings")
    text = page.get_data(as_text=True)
    assert "1 given up on after every retry" in text
    assert "New reply on Tomatoes, to ann@example.com" in text
    assert "elsewhere" not in text


def test_a_row_one_worker_holds_is_not_claimed_by_another(app, smtp):
    queued = queue()
    assert outbox.claim("worker-a") == [queued.id]
    assert outbox.claim("worker-b") == []
    # Worker B saw the row due just before A claimed it: its claim changes nothing.
    assert outbox.claim_row(queued.id, "worker-b", utcnow()) is False
    db.session.commit()
    assert row(queued.id).claimed_by == "worker-a"
    assert outbox.send_claimed(queued.id, "worker-b") is False  # not its claim
    inbox, _ = smtp
    assert inbox.messages == []


def test_a_crashed_workers_row_is_sent_again_with_the_same_message_id(app, smtp):
    """Worker A handed the message to the server and died before it could say so: once its
    lease has run out, worker B sends it again, as the same message."""
    inbox, _ = smtp
    queued = queue()
    assert outbox.claim("worker-a") == [queued.id]
    claimed = row(queued.id)
    mail.deliver(
        mail.compose(
            claimed.recipient, claimed.subject, claimed.text, message_id=claimed.message_id
        )
    )  # ... and then worker A's process was killed
    assert outbox.claim("worker-b") == []  # A's lease still holds
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == queued.id)
        .values(lease_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert outbox.send_due("worker-b") == 1

    ids = [message["Message-ID"] for _, _, message in inbox.messages]
    assert ids == [queued.message_id, queued.message_id]
    assert row(queued.id).state == MailState.SENT.value
    assert row(queued.id).attempts == 2


def test_a_late_worker_does_not_overwrite_the_row_another_took_over(app, smtp):
    queued = queue()
    outbox.claim("worker-a")
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == queued.id)
        .values(lease_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert outbox.claim("worker-b") == [queued.id]
    assert outbox.send_claimed(queued.id, "worker-a") is False
    assert row(queued.id).claimed_by == "worker-b"
    assert row(queued.id).state == MailState.SENDING.value


def test_the_web_process_thread_sends_what_a_request_queued(make_app, smtp):
    inbox, port = smtp
    app = make_app(**mail_settings(port, WIDGET_MAIL_WORKER=True))
    app.test_client().get("/api/v1/openapi.json")  # the first request starts the thread
    with app.app_context():
        queue()
    assert inbox.arrived.wait(20)  # at once, unless the machine is very busy
    assert inbox.messages[0][1] == ["ann@example.com"]


def test_without_the_setting_no_thread_sends(make_app, smtp):
    inbox, port = smtp
    app = make_app(**mail_settings(port))
    app.test_client().get("/api/v1/openapi.json")
    with app.app_context():
        queue()
    assert not inbox.arrived.wait(1)


def test_two_workers_at_once_send_each_email_once(app, smtp):
    inbox, _ = smtp
    queued = [queue(f"test:{n}", recipient=f"r{n}@example.com") for n in range(12)]
    db.session.commit()
    stop = threading.Event()
    workers = [threading.Thread(target=outbox.work, args=(app, stop, True)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    ids = sorted(message["Message-ID"] for _, _, message in inbox.messages)
    assert ids == sorted(q.message_id for q in queued)


def test_what_was_sent_a_month_ago_is_deleted_by_the_worker(app, smtp):
    old = queue("test:old")
    queue("test:recent")
    run_worker(app)
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == old.id)
        .values(sent_at=utcnow() - outbox.KEEP_SENT - timedelta(minutes=1))
    )
    db.session.commit()
    run_worker(app)
    db.session.expire_all()
    assert db.session.scalars(select(OutboxMail.purpose)).all() == ["test:recent"]
