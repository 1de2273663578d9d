"""Check-in at the door: every refusal reason, walk-ins, phone binding, and the door's
permissions, through the services, the pages and (for races) a real server."""

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from app.auth import services as accounts
from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.events import EventRecord, utcnow
from assemblies import attendance, checkin, meetups, recurrence, registrations, tickets
from assemblies.meetups import MeetupDetails
from assemblies.models import Meetup, Registration
from assemblies.services import create_assembly
from tests.clients import LiveClient, signed_in_session
from tests.servers import DEMO_PASSWORD

PASSWORD = "correct-horse-battery"


@pytest.fixture
def world(app):
    """Assembly A with a meetup whose check-in is open, and assembly B with another."""
    with app.app_context(), unit_of_work() as uow:
        a = create_assembly(uow, "alpha", "Alpha Assembly", "Alpha", "London")
        b = create_assembly(uow, "beta", "Beta Assembly", "Beta", "Wales")
        door = accounts.create_staff_account(uow, "door@example.org", "Dee", PASSWORD)
        fac = accounts.create_staff_account(uow, "fac@example.org", "Fac", PASSWORD)
        other = accounts.create_staff_account(uow, "door-b@example.org", "Bee", PASSWORD)
        accounts.grant_role(uow, door.id, a.id, "door")
        accounts.grant_role(uow, fac.id, a.id, "facilitator")
        accounts.grant_role(uow, other.id, b.id, "door")
        open_now = _meetup(uow, a.id, start_in=timedelta(minutes=10), capacity=2)
        elsewhere = _meetup(uow, b.id, start_in=timedelta(minutes=10))
        later = _meetup(uow, a.id, start_in=timedelta(days=2))
    return {"a": a.id, "b": b.id, "open": open_now.id, "other": elsewhere.id, "later": later.id}


def _meetup(uow, assembly_id, start_in, capacity=50) -> Meetup:
    start = recurrence.utc_to_london_naive(utcnow() + start_in)
    details = MeetupDetails(
        title="Meetup",
        starts_local=start,
        ends_local=start + timedelta(hours=2),
        capacity=capacity,
        venue_address="Hall",
        checkin_opens_minutes=30,
        registration_opens_days=7,
    )
    return meetups.schedule_meetup(uow, assembly_id, details, None, utcnow())[0]


def register(app, meetup_id, name="Ann") -> Registration:
    with app.app_context(), unit_of_work() as uow:
        return registrations.register(uow, meetup_id, name, None, utcnow())[0]


def qr_for(app, registration, device=None) -> str:
    with app.test_request_context():
        return tickets.ticket_qr_text(
            registration.meetup_id, registration.id, registration.qr_nonce, device
        )


def scan(app, meetup_id, qr, scan_id=None, device="door 1"):
    with app.app_context(), unit_of_work() as uow:
        return checkin.scan_ticket(
            uow,
            meetup_id,
            qr,
            scan_id or f"scan-{id(qr)}-{utcnow().timestamp()}",
            device,
            utcnow(),
        )


def test_a_valid_ticket_is_admitted_once_then_already_checked_in(app, world):
    person = register(app, world["open"])
    qr = qr_for(app, person)
    first = scan(app, world["open"], qr, "scan-000001")
    again = scan(app, world["open"], qr, "scan-000002", device="door 2")
    assert (first.outcome, first.name) == ("admitted", "Ann")
    assert again.outcome == "already"
    assert "door 1" in again.detail
    with app.app_context(), read_session() as session:
        assert attendance.present_count(session, world["open"]) == 1
        assert attendance.is_present(session, world["open"], person.id)


def test_a_replayed_scan_id_gets_the_first_answer_and_changes_nothing(app, world):
    person = register(app, world["open"])
    qr = qr_for(app, person)
    first = scan(app, world["open"], qr, "offline-scan-1")
    replay = scan(app, world["open"], qr, "offline-scan-1")
    assert first.outcome == replay.outcome == "admitted"
    assert replay.replayed is True
    with app.app_context(), read_session() as session:
        checked_in = session.exec(
            select(EventRecord).where(EventRecord.type == "AttendeeCheckedIn")
        ).all()
    assert len(checked_in) == 1


def test_forged_and_altered_tokens_are_refused(app, world):
    person = register(app, world["open"])
    qr = qr_for(app, person)
    altered = qr[:-3] + ("AAA" if not qr.endswith("AAA") else "BBB")
    assert scan(app, world["open"], altered).outcome == "forged"
    payload_swapped = "PA1." + qr[4:].replace(qr[6], "x" if qr[6] != "x" else "y", 1)
    assert scan(app, world["open"], payload_swapped).outcome == "forged"
    assert scan(app, world["open"], "https://example.org/not-ours").outcome == "not_a_ticket"
    assert scan(app, world["open"], "").outcome == "not_a_ticket"


def test_an_expired_token_is_refused(app, world, monkeypatch):
    person = register(app, world["open"])
    qr = qr_for(app, person)
    monkeypatch.setattr(tickets, "TICKET_MAX_AGE", -1)
    assert scan(app, world["open"], qr).outcome == "expired"


def test_another_meetups_ticket_is_refused_and_named(app, world):
    person = register(app, world["other"], "Bea")
    result = scan(app, world["open"], qr_for(app, person))
    assert result.outcome == "other_meetup"
    assert "Meetup" in result.detail


def test_a_cancelled_ticket_is_refused(app, world):
    person = register(app, world["open"])
    qr = qr_for(app, person)
    with app.app_context(), unit_of_work() as uow:
        registrations.cancel_registration(uow, person.ticket_token, utcnow())
    assert scan(app, world["open"], qr).outcome == "cancelled"


def test_check_in_not_open_yet(app, world):
    person = register(app, world["later"])
    result = scan(app, world["later"], qr_for(app, person))
    assert result.outcome == "not_open"
    assert "Opens" in result.detail


def test_check_in_closed_for_a_cancelled_meetup(app, world):
    person = register(app, world["open"])
    with app.app_context(), unit_of_work() as uow:
        meetups.cancel_meetup(uow, world["open"], "", "one")
    assert scan(app, world["open"], qr_for(app, person)).outcome in ("cancelled", "closed")


def test_waitlisted_people_are_flagged_and_can_be_admitted_by_the_crew(app, world):
    register(app, world["open"], "One")
    register(app, world["open"], "Two")
    waiting = register(app, world["open"], "Three")
    assert waiting.status == "waitlisted"
    assert scan(app, world["open"], qr_for(app, waiting)).outcome == "waitlisted"
    with app.app_context(), unit_of_work() as uow:
        result = checkin.admit_registration(
            uow, world["open"], waiting.id, "admit-000001", "door 1", utcnow()
        )
    assert result.outcome == "admitted"


def test_typed_codes(app, world):
    person = register(app, world["open"])
    other = register(app, world["other"], "Bea")
    code = f"{person.short_code[:4].lower()}-{person.short_code[4:].lower()}"

    def typed(text, scan_id):
        with app.app_context(), unit_of_work() as uow:
            return checkin.admit_by_code(uow, world["open"], text, scan_id, "door", utcnow())

    assert typed(code, "code-000001").outcome == "admitted"
    assert typed(person.short_code, "code-000002").outcome == "already"
    assert typed("ZZZZ-ZZZZ", "code-000003").outcome == "unknown"
    assert typed("<script>", "code-000004").outcome == "unknown"
    assert typed(other.short_code, "code-000005").outcome == "other_meetup"


def test_check_out_and_back_in(app, world):
    person = register(app, world["open"])
    scan(app, world["open"], qr_for(app, person), "scan-in-0001")
    with app.app_context(), unit_of_work() as uow:
        checkin.check_out(uow, world["open"], person.id, utcnow())
    with app.app_context(), read_session() as session:
        assert not attendance.is_present(session, world["open"], person.id)
        assert attendance.counts(session, world["open"]).checked_out == 1
    with pytest.raises(ServiceError, match="not checked in"):
        with app.app_context(), unit_of_work() as uow:
            checkin.check_out(uow, world["open"], person.id, utcnow())
    assert scan(app, world["open"], qr_for(app, person), "scan-in-0002").outcome == "admitted"


def test_showing_the_ticket_on_a_new_phone_moves_the_voting_rights(app, world):
    person = register(app, world["open"])
    scan(app, world["open"], qr_for(app, person, device="old-phone"), "bind-000001")
    with app.app_context(), read_session() as session:
        assert attendance.attendee_for_device(session, world["open"], "old-phone") == person.id
    result = scan(app, world["open"], qr_for(app, person, device="new-phone"), "bind-000002")
    assert result.outcome == "rebound"
    with app.app_context(), read_session() as session:
        assert attendance.attendee_for_device(session, world["open"], "new-phone") == person.id
        assert attendance.attendee_for_device(session, world["open"], "old-phone") is None
        moved = session.exec(select(EventRecord).where(EventRecord.type == "VotingDeviceMoved"))
        assert len(moved.all()) == 1


def test_one_phone_never_votes_for_two_people(app, world):
    first, second = register(app, world["open"], "A"), register(app, world["open"], "B")
    scan(app, world["open"], qr_for(app, first, device="shared"), "share-000001")
    scan(app, world["open"], qr_for(app, second, device="shared"), "share-000002")
    with app.app_context(), read_session() as session:
        assert attendance.attendee_for_device(session, world["open"], "shared") == second.id


def test_walk_in_by_the_join_code(app, world, monkeypatch):
    with app.test_request_context():
        token = tickets.join_token(world["open"])
    with app.app_context(), unit_of_work() as uow:
        walker = checkin.join_walk_in(uow, token, "  Walk   In ", "phone-1", utcnow())
    with app.app_context(), unit_of_work() as uow:
        again = checkin.join_walk_in(uow, token, "Walk In", "phone-1", utcnow())
    assert walker.walk_in and walker.display_name == "Walk In"
    assert again.id == walker.id  # the same phone scanning twice is one walk-in
    with app.app_context(), read_session() as session:
        assert attendance.attendee_for_device(session, world["open"], "phone-1") == walker.id
        assert attendance.counts(session, world["open"]).walk_ins == 1
    monkeypatch.setattr(tickets, "JOIN_GRACE_SECONDS", -1)
    with pytest.raises(ServiceError, match="expired"):
        with app.app_context(), unit_of_work() as uow:
            checkin.join_walk_in(uow, token, "Late", "phone-2", utcnow())


def test_attendance_counts_tell_present_expected_walk_ins_and_checked_out(app, world):
    first, second = register(app, world["open"], "A"), register(app, world["open"], "B")
    register(app, world["open"], "C")  # the meetup has two places: C is on the waitlist
    register(app, world["other"], "Elsewhere")
    scan(app, world["open"], qr_for(app, first), "count-000001")
    scan(app, world["open"], qr_for(app, second), "count-000002")
    with app.test_request_context():
        token = tickets.join_token(world["open"])
    with app.app_context(), unit_of_work() as uow:
        checkin.join_walk_in(uow, token, "Walker", "phone-w", utcnow())
        leaver = checkin.join_walk_in(uow, token, "Leaver", "phone-l", utcnow())
    for person in (second, leaver):
        with app.app_context(), unit_of_work() as uow:
            checkin.check_out(uow, world["open"], person.id, utcnow())
    with app.app_context(), read_session() as session:
        figures = attendance.counts(session, world["open"])
    assert figures == attendance.AttendanceCounts(present=2, expected=2, walk_ins=2, checked_out=2)


@pytest.mark.parametrize(
    ("mutation", "code"),
    [("forged", "join_forged"), ("walk_ins_off", "walk_ins_off"), ("not_open", "checkin_not_open")],
)
def test_walk_in_refusals(app, world, mutation, code):
    meetup_id = world["later"] if mutation == "not_open" else world["open"]
    with app.test_request_context():
        token = tickets.join_token(meetup_id)
    if mutation == "forged":
        token = token[:-2] + "xx"
    if mutation == "walk_ins_off":
        with app.app_context(), unit_of_work() as uow:
            checkin.switch_walk_ins(uow, meetup_id, False)
    with pytest.raises(ServiceError) as refused:
        with app.app_context(), unit_of_work() as uow:
            checkin.join_walk_in(uow, token, "X", "phone-9", utcnow())
    assert refused.value.code == code


def sign_in(client, email):
    assert client.post("/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302


def test_door_and_screen_pages_are_for_the_assemblys_crew_only(app, world, client):
    door, screen = f"/m/{world['open']}/door", f"/m/{world['open']}/screen"
    assert client.get(door).status_code == 302
    sign_in(client, "door-b@example.org")
    assert client.get(door).status_code == 403
    client.post("/sign-out")
    sign_in(client, "door@example.org")
    assert client.get(door).status_code == 200
    assert client.get(screen).status_code == 403
    assert client.get(f"/m/{world['open']}/join-code").status_code == 403
    assert client.get(f"/m/{world['open']}/attendance.csv").status_code == 403
    client.post("/sign-out")
    sign_in(client, "fac@example.org")
    assert client.get(screen).status_code == 200
    code = client.get(f"/m/{world['open']}/join-code")
    assert code.mimetype == "image/svg+xml" and "/j/" in code.headers["X-Join-Url"]
    assert client.get(f"/m/{world['open']}/attendance.csv").status_code == 200


def test_walk_in_pages(app, world, client):
    with app.test_request_context():
        token = tickets.join_token(world["open"])
    page = client.get(f"/j/{token}")
    assert b"Join" in page.data
    done = client.post(f"/j/{token}", data={"display_name": "<b>Walker</b>"})
    assert done.headers["Location"] == f"/m/{world['open']}/phone"
    phone = client.get(f"/m/{world['open']}/phone").data
    assert b"You are checked in, &lt;b&gt;Walker&lt;/b&gt;." in phone
    refused = client.get("/j/not-a-token")
    assert refused.status_code == 400 and b"not valid" in refused.data


def test_the_ticket_page_binds_a_phone_when_none_is_bound(app, world, client):
    person = register(app, world["open"])
    with app.app_context(), unit_of_work() as uow:
        checkin.admit_by_code(uow, world["open"], person.short_code, "code-bind-01", "d", utcnow())
    page = client.get(f"/t/{person.ticket_token}")
    assert b"Vote from this phone" in page.data
    assert client.post(f"/t/{person.ticket_token}/bind").status_code == 302
    phone = client.get(f"/m/{world['open']}/phone").data
    assert b"You are checked in, Ann." in phone
    other_phone = app.test_client()
    other_phone.get(f"/t/{person.ticket_token}")
    other_phone.post(f"/t/{person.ticket_token}/bind")
    with app.app_context(), read_session() as session:
        bound = session.get(Registration, person.id).device_hash
    assert bound is not None
    assert b"not checked in" in other_phone.get(f"/m/{world['open']}/phone").data


# --- against a real server: the socket commands, the double-scan race, rate limits ---


@pytest.fixture
def door_clients(module_server):
    """Two door devices (the demo door volunteer) and an anonymous phone, connected."""
    made = []

    def connect(email=None):
        cookies = {}
        if email:
            cookies = signed_in_session(module_server.url, email, DEMO_PASSWORD).cookies.get_dict()
        client = LiveClient(module_server.url, cookies=cookies).connect()
        made.append(client)
        return client

    yield connect
    for client in made:
        client.close()


def _live_meetup_with_person(module_server, monkeypatch):
    from app import create_app

    for key in ("DATABASE_URL", "ASSEMBLY_INSTANCE", "SECRET_KEY"):
        monkeypatch.setenv(key, module_server.env[key])
    monkeypatch.setenv("ASSEMBLY_SCHEDULER", "off")
    monkeypatch.setenv("ASSEMBLY_ASYNC_MODE", "threading")
    app = create_app({"TESTING": True})
    with app.app_context(), unit_of_work() as uow:
        meetup = _meetup(uow, 1, start_in=timedelta(minutes=10))
    person = register(app, meetup.id, "Racer")
    qr = qr_for(app, person)
    app.extensions["scheduler"].shutdown()
    app.extensions["database"].engine.dispose()
    return meetup.id, person, qr


def test_two_doors_scanning_the_same_ticket_at_once_admit_it_once(
    module_server, door_clients, monkeypatch
):
    meetup_id, person, qr = _live_meetup_with_person(module_server, monkeypatch)
    doors = [door_clients("door@assembly.example.org") for _ in range(2)]
    barrier = threading.Barrier(2)
    answers = []

    def press(client, n):
        barrier.wait()
        answers.append(
            client.call(
                "door.scan",
                {
                    "meetup_id": meetup_id,
                    "qr": qr,
                    "scan_id": f"race-scan-{n}",
                    "device": f"d{n}",
                },
            )
        )

    threads = [threading.Thread(target=press, args=(c, n)) for n, c in enumerate(doors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    outcomes = sorted(answer["result"]["outcome"] for answer in answers)
    assert outcomes == ["admitted", "already"]
    ack = doors[0].call("door.attendance", {"meetup_id": meetup_id})
    assert ack["counts"]["present"] == 1


def test_door_commands_are_refused_to_attendees_and_other_crews(
    module_server, door_clients, monkeypatch
):
    meetup_id, _person, qr = _live_meetup_with_person(module_server, monkeypatch)
    phone = door_clients()
    command = {"meetup_id": meetup_id, "qr": qr, "scan_id": "attempt-0001"}
    assert phone.call("door.scan", command)["error"]["code"] == "forbidden"
    assert phone.call("door.attendance", {"meetup_id": meetup_id})["error"]["code"] == "forbidden"
    assert phone.call("join", {"room": f"meetup:{meetup_id}:crew"})["error"]["code"] == "forbidden"
    door = door_clients("door@assembly.example.org")
    assert door.call("door.walk_ins", {"meetup_id": meetup_id, "enabled": False})["ok"] is False
    facilitator = door_clients("facilitator@assembly.example.org")
    assert facilitator.call("door.walk_ins", {"meetup_id": meetup_id, "enabled": False})["ok"]


def test_typed_codes_are_rate_limited_against_guessing(module_server, door_clients, monkeypatch):
    meetup_id, _person, _qr = _live_meetup_with_person(module_server, monkeypatch)
    door = door_clients("door@assembly.example.org")
    answers = [
        door.call(
            "door.code",
            {"meetup_id": meetup_id, "code": f"AAAA{n:04d}", "scan_id": f"guess-{n:06d}"},
        )
        for n in range(32)
    ]
    assert all(a["ok"] and a["result"]["outcome"] == "unknown" for a in answers[:30])
    assert answers[-1]["error"]["code"] == "rate_limited"


def test_the_crew_room_sees_check_ins_live(module_server, door_clients, monkeypatch):
    meetup_id, person, qr = _live_meetup_with_person(module_server, monkeypatch)
    door = door_clients("door@assembly.example.org")
    watcher = door_clients("facilitator@assembly.example.org")
    assert watcher.call("join", {"room": f"meetup:{meetup_id}:crew"})["ok"]
    door.call("door.scan", {"meetup_id": meetup_id, "qr": qr, "scan_id": "live-scan-01"})
    event = watcher.wait_for(lambda e: e["type"] == "AttendeeCheckedIn")
    assert event["payload"] == {
        "meetup_id": meetup_id,
        "registration_id": person.id,
        "walk_in": False,
        "present": 1,
        "walk_ins": 0,
    }
