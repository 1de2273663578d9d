"""Meetups against a real server: the registration race, the lifecycle across a restart,
live transitions over Socket.IO, and real email through an SMTP server on loopback."""

import threading
import time
from datetime import timedelta

import pytest
import requests
from aiosmtpd.controller import Controller
from sqlmodel import select

from app.db import read_session, unit_of_work
from app.events import EventRecord, utcnow
from assemblies import meetups, recurrence, registrations
from assemblies.meetups import MeetupDetails
from assemblies.models import Meetup, OutboxMessage
from tests.clients import LiveClient, csrf_token
from tests.meetup_data import add_meetup
from tests.servers import free_port


def lifecycle_events(app, meetup_id: int) -> list[str]:
    with app.app_context(), read_session() as session:
        rows = session.exec(
            select(EventRecord.type)
            .where(EventRecord.stream == f"meetup:{meetup_id}")
            .order_by(EventRecord.version)
        ).all()
    return [t for t in rows if t in ("CheckInOpened", "MeetupStarted", "MeetupEnded")]


def wait_until(predicate, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.2)
    return predicate()


def test_fifty_people_race_for_the_last_ten_places(live_server, server_app):
    app = server_app(live_server)
    meetup = add_meetup(app, start_in=3600, length=3600, capacity=20)
    with app.app_context(), unit_of_work() as uow:
        for n in range(10):
            registrations.register(uow, meetup.id, f"Early {n}", None, utcnow())
    sessions = []
    for _ in range(50):
        http = requests.Session()
        token = csrf_token(http.get(f"{live_server.url}/m/{meetup.id}", timeout=10).text)
        sessions.append((http, token))
    barrier = threading.Barrier(50)
    statuses = []

    def race(n, http, token):
        barrier.wait()
        response = http.post(
            f"{live_server.url}/m/{meetup.id}/register",
            data={"display_name": f"Racer {n}", "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=race, args=(n, *pair)) for n, pair in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * 50
    with app.app_context(), read_session() as session:
        counts = registrations.count_by_status(session, meetup.id)
    assert (counts["confirmed"], counts["waitlisted"]) == (20, 40)


def test_transitions_are_broadcast_live_to_the_meetup_room(live_server, server_app):
    app = server_app(live_server)
    meetup = add_meetup(app, start_in=3, length=2)
    phone = LiveClient(live_server.url).connect()
    try:
        assert phone.call("join", {"room": f"meetup:{meetup.id}"})["ok"]
        for kind in ("CheckInOpened", "MeetupStarted", "MeetupEnded"):
            event = phone.wait_for(lambda e, kind=kind: e["type"] == kind, timeout=20)
            assert event["payload"]["meetup_id"] == meetup.id
        seqs = [e["seq"] for e in phone.events]
        assert seqs == sorted(seqs)
    finally:
        phone.close()


def test_transitions_due_while_the_server_was_down_happen_on_restart(live_server, server_app):
    app = server_app(live_server)
    live_server.stop()
    meetup = add_meetup(app, start_in=1.5, length=1)
    time.sleep(3)  # check-in, start and end all fall due while no server runs
    assert lifecycle_events(app, meetup.id) == []
    live_server.start()
    expected = ["CheckInOpened", "MeetupStarted", "MeetupEnded"]
    assert wait_until(lambda: lifecycle_events(app, meetup.id) == expected)
    time.sleep(2)  # later wake-ups and the sweep record nothing twice
    assert lifecycle_events(app, meetup.id) == expected
    with app.app_context(), read_session() as session:
        assert session.get(Meetup, meetup.id).status == "ended"


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp_inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, f"smtp://127.0.0.1:{controller.port}"
    controller.stop()


def test_waitlist_promotion_is_emailed_for_real(server_factory, server_app, smtp_inbox):
    inbox, smtp_url = smtp_inbox
    server = server_factory(SMTP_URL=smtp_url).start()
    app = server_app(server)
    meetup = add_meetup(app, start_in=7200, length=3600, capacity=1)
    with app.app_context(), unit_of_work() as uow:
        first, _ = registrations.register(uow, meetup.id, "First", None, utcnow())
        registrations.register(uow, meetup.id, "Waiting", "waiting@example.org", utcnow())
    http = requests.Session()
    page = http.get(f"{server.url}/t/{first.ticket_token}", timeout=10).text
    http.post(
        f"{server.url}/t/{first.ticket_token}/cancel",
        data={"csrf_token": csrf_token(page)},
        timeout=10,
    )
    assert wait_until(lambda: inbox.messages, timeout=15)
    recipients, content = inbox.messages[0]
    assert recipients == ["waiting@example.org"]
    assert "A place came free and it is yours" in content
    assert "/t/" in content
    with app.app_context(), read_session() as session:
        sent = session.exec(select(OutboxMessage)).one()
    assert sent.sent_at is not None


def test_reminders_go_out_through_smtp(app, smtp_inbox):
    inbox, smtp_url = smtp_inbox
    from assemblies import jobs
    from assemblies.services import create_assembly

    app.config["SMTP_URL"] = smtp_url
    with app.app_context(), unit_of_work() as uow:
        assembly = create_assembly(uow, "alpha", "Alpha", "Alpha", "London")
    start = recurrence.utc_to_london_naive(utcnow() + timedelta(hours=5))
    details = MeetupDetails(
        title="Remind me",
        starts_local=start,
        ends_local=start + timedelta(hours=2),
        capacity=5,
        venue_address="Hall, 1 High St",
    )
    with app.app_context(), unit_of_work() as uow:
        meetup = meetups.schedule_meetup(uow, assembly.id, details, None, utcnow())[0]
        registrations.register(uow, meetup.id, "Ann", "ann@example.org", utcnow())
        registrations.register(uow, meetup.id, "Bo", None, utcnow())
    with app.app_context():
        jobs.send_reminders(meetup.id, "1h")
        jobs.send_reminders(meetup.id, "1h")  # a retried job sends nothing twice
    assert wait_until(lambda: inbox.messages, timeout=10)
    time.sleep(0.5)
    assert len(inbox.messages) == 1
    assert inbox.messages[0][0] == ["ann@example.org"]
    assert "Remind me starts in an hour" in inbox.messages[0][1]
