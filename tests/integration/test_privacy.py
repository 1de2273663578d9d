"""Privacy on a real database: secret ballots that name no one, an attendee seeing and erasing
their own data, and contact details purged a set number of days after a meetup."""

import hashlib
import hmac
import random
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from app.config import from_environment
from app.db import read_session, unit_of_work
from app.events import EventRecord, utcnow
from assemblies import checkin, lifecycle, meetups, recurrence, registrations
from assemblies.meetups import MeetupDetails
from assemblies.models import Meetup, Registration
from assemblies.services import create_assembly
from tests.conftest import TEST_SECRET
from voting import votes
from voting.models import Ballot

PEOPLE = [("Amira Shah", "amira@example.org"), ("Bryn Jones", "bryn@example.org")] + [
    (f"Person {n}", f"person{n}@example.org") for n in range(6)
]


def schedule(uow, assembly_id: int, starts_in: timedelta, title: str = "Privacy") -> int:
    start = recurrence.utc_to_london_naive(utcnow() + starts_in)
    details = MeetupDetails(
        title=title,
        starts_local=start,
        ends_local=start + timedelta(hours=2),
        capacity=50,
        venue_address="Hall",
        checkin_opens_minutes=30,
        registration_opens_days=1,
    )
    return meetups.schedule_meetup(uow, assembly_id, details, None, utcnow())[0].id


@pytest.fixture
def hall(app):
    """A meetup with check-in open and everyone in PEOPLE registered and checked in."""
    with app.app_context(), unit_of_work() as uow:
        assembly = create_assembly(uow, "alpha", "Alpha", "Alpha", "London")
        meetup_id = schedule(uow, assembly.id, timedelta(minutes=10))
        people = [
            registrations.register(uow, meetup_id, name, email, utcnow())[0]
            for name, email in PEOPLE
        ]
        for n, person in enumerate(people):
            checkin.admit_registration(uow, meetup_id, person.id, f"scan-{n:04d}", "Door", utcnow())
        return {"meetup": meetup_id, "assembly": assembly.id, "people": [p.id for p in people]}


def cast_in_random_order(app, hall, vote_id: int) -> None:
    order = list(hall["people"])
    random.Random(7).shuffle(order)
    for n, registration_id in enumerate(order):
        with app.app_context(), unit_of_work() as uow:
            votes.cast_ballot(uow, vote_id, registration_id, ["yes", "no"][n % 2], utcnow())


def identifiers(app, meetup_id: int) -> set[str]:
    """Everything that could name an attendee: ids, names, emails, tokens, codes, devices."""
    with app.app_context(), read_session() as session:
        people = session.exec(select(Registration).where(Registration.meetup_id == meetup_id))
        found = set()
        for person in people:
            found |= {person.display_name, person.email, person.ticket_token, person.short_code}
            found |= {person.device_hash, person.checked_in_device, person.qr_nonce}
        return {value for value in found if value}


def open_vote(app, meetup_id: int, secret: bool = True) -> int:
    with app.app_context(), unit_of_work() as uow:
        vote = votes.open_vote(
            uow, meetup_id, f"vote-{secret}-1", "Q?", "yes_no", [], None, utcnow(), secret=secret
        )
        return vote.id


def test_secret_ballots_and_their_events_hold_nothing_that_names_the_voter(app, client, hall):
    vote_id = open_vote(app, hall["meetup"])
    cast_in_random_order(app, hall, vote_id)
    secrets_of_people = identifiers(app, hall["meetup"])
    with app.app_context(), read_session() as session:
        rows = session.execute(text("SELECT * FROM ballot WHERE vote_id = :v"), {"v": vote_id})
        rows = [dict(row._mapping) for row in rows]
        cast = session.exec(select(EventRecord).where(EventRecord.type == "BallotCast")).all()
        times = session.exec(select(Ballot.cast_at).where(Ballot.vote_id == vote_id)).all()
    assert {(moment.second, moment.microsecond) for moment in times} == {(0, 0)}  # minute only
    assert len(rows) == len(PEOPLE)
    for row in rows:
        assert row["registration_id"] is None
        assert not {str(value) for value in row.values()} & secrets_of_people
    for event in cast:
        assert set(event.payload) == {"vote_id", "receipt", "choice", "replaces"}
        assert not any(secret in str(event.payload) for secret in secrets_of_people)
    # Only the server secret links a ballot to a registration: the voter key is its HMAC.
    keys = {row["voter_key"] for row in rows}
    plain = {hashlib.sha256(f"{r}:{vote_id}".encode()).hexdigest() for r in hall["people"]}
    assert not keys & plain
    with_secret = {
        hmac.new(TEST_SECRET.encode(), f"{r}:{vote_id}".encode(), hashlib.sha256).hexdigest()
        for r in hall["people"]
    }
    assert keys == with_secret
    with app.app_context(), unit_of_work() as uow:
        votes.close_vote(uow, vote_id, utcnow())
    box = client.get(f"/v/{vote_id}.json").get_json()["ballot_box"]
    assert [set(entry) for entry in box] == [{"receipt", "ballot", "name"}] * len(PEOPLE)
    assert [entry["receipt"] for entry in box] == sorted(entry["receipt"] for entry in box)
    assert all(entry["name"] is None for entry in box)


def token_of(app, registration_id: int) -> str:
    with app.app_context(), read_session() as session:
        return session.get(Registration, registration_id).ticket_token


def test_an_attendee_sees_their_data_from_their_ticket(app, client, hall):
    with app.app_context(), unit_of_work() as uow:
        later = schedule(uow, hall["assembly"], timedelta(hours=12), title="Next month")
        registrations.register(uow, later, "Amira S", "amira@example.org", utcnow())
    token = token_of(app, hall["people"][0])
    assert f"/t/{token}/data" in client.get(f"/t/{token}").get_data(as_text=True)
    page = client.get(f"/t/{token}/data").get_data(as_text=True)
    for shown in ("Amira Shah", "Amira S", "amira@example.org", "Privacy", "Next month"):
        assert shown in page
    assert "Bryn" not in page
    assert client.get("/t/not-a-real-token/data").status_code == 404


def test_erasing_needs_the_box_ticked_and_keeps_the_ballots_counted(app, client, hall):
    vote_id = open_vote(app, hall["meetup"])
    cast_in_random_order(app, hall, vote_id)
    amira = hall["people"][0]
    token = token_of(app, amira)
    assert client.post(f"/t/{token}/data", data={}).status_code == 400
    assert token_of(app, amira) == token  # nothing erased
    done = client.post(f"/t/{token}/data", data={"confirm": "y"})
    assert done.status_code == 200 and "erased" in done.get_data(as_text=True)
    assert client.get(f"/t/{token}").status_code == 404
    with app.app_context(), read_session() as session:
        person = session.get(Registration, amira)
        erased = session.exec(
            select(EventRecord).where(EventRecord.type == "PersonalDataErased")
        ).all()
    assert (person.display_name, person.email, person.device_hash) == ("Erased", None, None)
    assert [event.payload["registration_id"] for event in erased] == [amira]
    assert not any(word in str(erased[0].payload) for word in ("Amira", "amira@"))
    with app.app_context(), unit_of_work() as uow:
        closed = votes.close_vote(uow, vote_id, utcnow())
    assert closed.result["ballots_cast"] == len(PEOPLE)


def test_erasing_is_refused_without_the_csrf_token(app, client, hall):
    app.config["WTF_CSRF_ENABLED"] = True
    token = token_of(app, hall["people"][1])
    assert client.post(f"/t/{token}/data", data={"confirm": "y"}).status_code == 400
    assert token_of(app, hall["people"][1]) == token


def test_contact_details_are_purged_after_the_configured_days(app, hall):
    app.config["CONTACT_RETENTION_DAYS"] = 5
    with app.app_context(), read_session() as session:
        ends = session.get(Meetup, hall["meetup"]).ends_at
    with app.app_context(), unit_of_work() as uow:
        assert lifecycle.purge_contact_details(uow, ends + timedelta(days=4)) == 0
    with app.app_context(), unit_of_work() as uow:
        assert lifecycle.purge_contact_details(uow, ends + timedelta(days=6)) == len(PEOPLE)
    with app.app_context(), read_session() as session:
        people = session.exec(select(Registration).where(Registration.meetup_id == hall["meetup"]))
        assert {person.email for person in people} == {None}


def test_the_retention_is_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSEMBLY_INSTANCE", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    assert from_environment()["CONTACT_RETENTION_DAYS"] == 30
    monkeypatch.setenv("ASSEMBLY_CONTACT_RETENTION_DAYS", "7")
    assert from_environment()["CONTACT_RETENTION_DAYS"] == 7


def test_the_privacy_page_is_linked_from_every_page(app, client):
    app.config["CONTACT_RETENTION_DAYS"] = 14
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)
    page = client.get("/privacy").get_data(as_text=True)
    assert "special category" in page and "14 days" in page
