"""Scheduling, editing, cancelling and registering, through the services and the pages."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select

from app.auth import services as accounts
from app.db import read_session, unit_of_work
from app.events import utcnow
from assemblies import meetups, recurrence, registrations
from assemblies.meetups import MeetupDetails
from assemblies.models import Meetup, OutboxMessage, Registration
from assemblies.services import create_assembly

PASSWORD = "correct-horse-battery"


@pytest.fixture
def world(app):
    """Two assemblies, a facilitator of each, and a door volunteer of the first."""
    with app.app_context(), unit_of_work() as uow:
        a = create_assembly(uow, "alpha", "Alpha Assembly", "Alpha", "London")
        b = create_assembly(uow, "beta", "Beta Assembly", "Beta", "Wales")
        fac = accounts.create_staff_account(uow, "fac@example.org", "Fac A", PASSWORD)
        other = accounts.create_staff_account(uow, "fac-b@example.org", "Fac B", PASSWORD)
        door = accounts.create_staff_account(uow, "door@example.org", "Door A", PASSWORD)
        accounts.grant_role(uow, fac.id, a.id, "facilitator")
        accounts.grant_role(uow, other.id, b.id, "facilitator")
        accounts.grant_role(uow, door.id, a.id, "door")
    return {"a": a.id, "b": b.id}


def soon(days: int = 3, hour: int = 19) -> datetime:
    """A London wall-clock time a few days ahead."""
    local = recurrence.utc_to_london_naive(utcnow()) + timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def details(capacity: int = 10, days: int = 3, **extra) -> MeetupDetails:
    start = soon(days)
    return MeetupDetails(
        title="Assembly",
        starts_local=start,
        ends_local=start + timedelta(hours=2),
        capacity=capacity,
        venue_address="1 High Street",
        **extra,
    )


def schedule(app, assembly_id: int, rule: str | None = None, **kwargs) -> list[Meetup]:
    with app.app_context(), unit_of_work() as uow:
        return meetups.schedule_meetup(uow, assembly_id, details(**kwargs), rule, utcnow())


def register(app, meetup_id: int, name: str, email: str | None = None):
    with app.app_context(), unit_of_work() as uow:
        return registrations.register(uow, meetup_id, name, email, utcnow())


def sign_in(client, email):
    assert client.post("/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302


def form_data(**changes) -> dict:
    start = soon(5)
    data = {
        "title": "Weekly assembly",
        "agenda_summary": "Welcome, breakouts, proposals, votes.",
        "starts": start.strftime("%Y-%m-%dT%H:%M"),
        "ends": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "venue_name": "Hall",
        "venue_address": "1 High Street",
        "accessibility_notes": "Step-free",
        "online_link": "",
        "capacity": "40",
        "registration_opens_days": "28",
        "registration_closes_minutes": "0",
        "checkin_opens_minutes": "30",
        "repeat": "none",
        "repeat_count": "8",
        "rrule": "",
        "scope": "one",
    }
    return {**data, **changes}


def meetup_count(app) -> int:
    with app.app_context(), read_session() as session:
        return len(session.exec(select(Meetup)).all())


def test_capacity_then_waitlist_then_promotion_on_cancel(app, world):
    meetup = schedule(app, world["a"], capacity=2)[0]
    first, _ = register(app, meetup.id, "Ann", "ann@example.org")
    register(app, meetup.id, "Bo")
    waiting, _ = register(app, meetup.id, "Cy", "cy@example.org")
    later, _ = register(app, meetup.id, "Di")
    assert waiting.status == later.status == "waitlisted"
    with app.app_context(), unit_of_work() as uow:
        registrations.cancel_registration(uow, first.ticket_token, utcnow())
    with app.app_context(), read_session() as session:
        assert session.get(Registration, waiting.id).status == "confirmed"
        assert session.get(Registration, later.id).status == "waitlisted"
        assert registrations.waitlist_position(session, session.get(Registration, later.id)) == 1
        mail = session.exec(select(OutboxMessage)).all()
    assert [(m.kind, m.to_address) for m in mail] == [("promoted", "cy@example.org")]
    assert mail[0].sent_at is None  # no SMTP_URL: kept in the outbox, not pretended sent


def test_the_same_email_twice_gives_one_registration(app, world, client):
    meetup = schedule(app, world["a"])[0]
    first, already_first = register(app, meetup.id, "Ann", "Ann@Example.org")
    again, already_again = register(app, meetup.id, "Ann B", "ann@example.org")
    assert (already_first, already_again) == (False, True)
    assert again.id == first.id
    page = client.post(
        f"/m/{meetup.id}/register",
        data={"display_name": "Ann", "email": "ann@example.org"},
        follow_redirects=True,
    )
    assert b"already registered" in page.data
    with app.app_context(), read_session() as session:
        assert registrations.count_by_status(session, meetup.id)["confirmed"] == 1


def test_raising_capacity_promotes_and_lowering_below_confirmed_is_refused(app, world):
    meetup = schedule(app, world["a"], capacity=1)[0]
    register(app, meetup.id, "Ann")
    waiting, _ = register(app, meetup.id, "Bo")
    with app.app_context(), unit_of_work() as uow:
        meetups.edit_meetup(uow, meetup.id, details(capacity=2), "one", utcnow())
    with app.app_context(), read_session() as session:
        assert session.get(Registration, waiting.id).status == "confirmed"
    with pytest.raises(Exception, match="cannot go below"):
        with app.app_context(), unit_of_work() as uow:
            meetups.edit_meetup(uow, meetup.id, details(capacity=1), "one", utcnow())


def test_registration_window_is_enforced(app, world):
    meetup = schedule(app, world["a"], days=40, registration_opens_days=7)[0]
    with pytest.raises(Exception, match="Registration opens on"):
        register(app, meetup.id, "Early")


def test_recurring_series_edit_one_edit_following_and_cancel_following(app, world):
    series = schedule(app, world["a"], rule=recurrence.weekly_rule(8))
    assert len(series) == 8
    ids = [m.id for m in series]
    moved = details()
    moved.starts_local = recurrence.utc_to_london_naive(series[2].starts_at).replace(hour=18)
    moved.ends_local = moved.starts_local + timedelta(hours=3)
    with app.app_context(), unit_of_work() as uow:
        meetups.edit_meetup(uow, ids[2], moved, "one", utcnow())
    later = details()
    later.title = "Renamed"
    later.starts_local = recurrence.utc_to_london_naive(series[4].starts_at).replace(hour=20)
    later.ends_local = later.starts_local + timedelta(hours=2)
    with app.app_context(), unit_of_work() as uow:
        meetups.edit_meetup(uow, ids[4], later, "following", utcnow())
    with app.app_context(), unit_of_work() as uow:
        meetups.cancel_meetup(uow, ids[6], "Hall closed", "following")
    with app.app_context(), read_session() as session:
        rows = [session.get(Meetup, i) for i in ids]
    london = [recurrence.utc_to_london_naive(m.starts_at).hour for m in rows]
    assert london == [19, 19, 18, 19, 20, 20, 20, 20]
    assert rows[2].detached and not rows[3].detached
    assert [m.title for m in rows] == ["Assembly"] * 4 + ["Renamed"] * 4
    assert [m.status for m in rows] == ["scheduled"] * 6 + ["cancelled"] * 2
    assert rows[4].revision == 1


def test_open_ended_series_is_bounded_then_extended(app, world):
    series = schedule(app, world["a"], rule="FREQ=WEEKLY")
    assert 20 <= len(series) <= 27
    with app.app_context(), unit_of_work() as uow:
        added = meetups.extend_series(uow, utcnow() + timedelta(days=28))
    assert added == 4


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends": "2020-01-01T10:00"}, b"The end must be after the start."),
        ({"starts": "2020-01-01T10:00", "ends": "2020-01-01T12:00"}, b"The start is in the past."),
        ({"capacity": "0"}, b"Capacity must be at least 1."),
        ({"repeat": "custom", "rrule": "FREQ=HOURLY"}, b"FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
        ({"repeat": "custom", "rrule": ""}, b"Write a repeat rule"),
        ({"venue_address": "", "online_link": ""}, b"Give a venue address, an online link"),
    ],
)
def test_bad_meetup_forms_show_a_message_and_save_nothing(app, world, client, changes, message):
    sign_in(client, "fac@example.org")
    page = client.post("/a/alpha/meetups/new", data=form_data(**changes))
    assert page.status_code == 400
    assert message in page.data
    assert meetup_count(app) == 0


def test_scheduling_a_recurring_meetup_through_the_form(app, world, client):
    sign_in(client, "fac@example.org")
    response = client.post("/a/alpha/meetups/new", data=form_data(repeat="weekly"))
    assert response.status_code == 302
    assert meetup_count(app) == 8
    dashboard = client.get("/a/alpha/dashboard").data
    assert dashboard.count(b"data-confirmed=") == 8


def test_duplicate_slug_is_refused_on_the_form(app, world, client):
    sign_in(client, "fac@example.org")
    assert client.get("/assemblies/new").status_code == 403
    client.post("/sign-out")
    with app.app_context(), unit_of_work() as uow:
        accounts.create_staff_account(uow, "host@example.org", "Host", PASSWORD, True)
    sign_in(client, "host@example.org")
    page = client.post(
        "/assemblies/new",
        data={"name": "Again", "slug": "alpha", "area": "A", "region": "London"},
    )
    assert page.status_code == 400
    assert b"already used" in page.data


def test_facilitators_manage_only_their_own_assembly(app, world, client):
    meetup_b = schedule(app, world["b"])[0]
    sign_in(client, "fac@example.org")
    assert client.get("/a/beta/dashboard").status_code == 403
    assert client.get("/a/beta/edit").status_code == 403
    assert client.post("/a/beta/meetups/new", data=form_data()).status_code == 403
    assert client.get(f"/m/{meetup_b.id}/edit").status_code == 403
    assert client.get(f"/m/{meetup_b.id}/registrations.csv").status_code == 403
    assert client.post(f"/m/{meetup_b.id}/cancel", data={"scope": "one"}).status_code == 403
    assert client.get("/a/alpha/edit").status_code == 200
    client.post("/sign-out")
    sign_in(client, "door@example.org")
    assert client.get("/a/alpha/dashboard").status_code == 403
    client.post("/sign-out")
    assert client.get("/a/alpha/dashboard").status_code == 302


def test_calendars_parse_back(app, world, client):
    series = schedule(app, world["a"], rule=recurrence.weekly_rule(3))
    with app.app_context(), unit_of_work() as uow:
        meetups.cancel_meetup(uow, series[2].id, "", "one")
    for path, expected in (
        (f"/m/{series[0].id}.ics", 1),
        ("/a/alpha/calendar.ics", 3),
        ("/calendar.ics", 3),
    ):
        response = client.get(path)
        assert response.mimetype == "text/calendar"
        calendar = Calendar.from_ical(response.data)
        events = calendar.walk("VEVENT")
        assert len(events) == expected
        assert all(str(e["UID"]).startswith("meetup-") for e in events)
    events = Calendar.from_ical(client.get("/a/alpha/calendar.ics").data).walk("VEVENT")
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert events[0].decoded("DTSTART") == series[0].starts_at


def test_registrations_csv_neutralises_formulas(app, world, client):
    meetup = schedule(app, world["a"])[0]
    register(app, meetup.id, '=HYPERLINK("http://evil")', "x@example.org")
    sign_in(client, "fac@example.org")
    response = client.get(f"/m/{meetup.id}/registrations.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    assert rows[0][0] == "name"
    assert rows[1][0].startswith("'=")
    assert rows[1][1] == "x@example.org"


def test_register_and_cancel_through_the_pages(app, world, client):
    meetup = schedule(app, world["a"], capacity=1)[0]
    response = client.post(f"/m/{meetup.id}/register", data={"display_name": "Ann"})
    ticket_url = response.headers["Location"]
    assert ticket_url.startswith("/t/")
    assert b"You have a place" in client.get(ticket_url).data
    second = client.post(f"/m/{meetup.id}/register", data={"display_name": "<script>x</script>"})
    waiting_url = second.headers["Location"]
    waiting = client.get(waiting_url).data
    assert b"waitlist" in waiting and b"number 1" in waiting
    assert b"<script>x</script>" not in waiting and b"&lt;script&gt;" in waiting
    client.post(f"{ticket_url}/cancel")
    assert b"This registration is cancelled." in client.get(ticket_url).data
    assert b"You have a place" in client.get(waiting_url).data
    assert client.get("/t/not-a-real-ticket").status_code == 404


def test_empty_name_is_refused(app, world, client):
    meetup = schedule(app, world["a"])[0]
    page = client.post(f"/m/{meetup.id}/register", data={"display_name": "   "})
    assert page.status_code == 400
    with app.app_context(), read_session() as session:
        assert session.exec(select(Registration)).all() == []
