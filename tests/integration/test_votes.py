"""Vote rules that need no server: bad rules, and votes closing when their meetup ends."""

from datetime import timedelta

import pytest

from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.events import utcnow
from assemblies import lifecycle, meetups, recurrence
from assemblies.meetups import MeetupDetails
from assemblies.models import Meetup
from assemblies.services import create_assembly
from voting import votes
from voting.models import Vote


@pytest.fixture
def meetup_id(app):
    start = recurrence.utc_to_london_naive(utcnow() + timedelta(minutes=10))
    details = MeetupDetails(
        title="M",
        starts_local=start,
        ends_local=start + timedelta(hours=1),
        capacity=10,
        venue_address="Hall",
        checkin_opens_minutes=30,
    )
    with app.app_context(), unit_of_work() as uow:
        assembly = create_assembly(uow, "alpha", "Alpha", "Alpha", "London")
        return meetups.schedule_meetup(uow, assembly.id, details, None, utcnow())[0].id


@pytest.mark.parametrize(
    ("method", "rule"),
    [
        ("stv", {"seats": 0}),
        ("yes_no", {"threshold": "3/2"}),
        ("yes_no", {"treshold": "1/2"}),
        ("dots", {"dots": -1}),
    ],
)
def test_a_bad_rule_is_refused_when_the_vote_opens(app, meetup_id, method, rule):
    with pytest.raises(ServiceError) as refused:
        with app.app_context(), unit_of_work() as uow:
            votes.open_vote(uow, meetup_id, "client-id-1", "Q?", method, ["A", "B"], rule, utcnow())
    assert refused.value.code == "bad_rule" and refused.value.message


def test_short_client_ids_are_refused(app, meetup_id):
    with pytest.raises(ServiceError, match="client id"):
        with app.app_context(), unit_of_work() as uow:
            votes.open_vote(uow, meetup_id, "", "Q?", "yes_no", [], None, utcnow())


def test_open_votes_close_when_the_meetup_ends(app, meetup_id):
    with app.app_context(), unit_of_work() as uow:
        vote = votes.open_vote(uow, meetup_id, "client-id-2", "Q?", "yes_no", [], None, utcnow())
    with app.app_context(), unit_of_work() as uow:
        meetup = uow.session.get(Meetup, meetup_id)
        lifecycle.advance(uow, meetup, meetup.ends_at)
    with app.app_context(), read_session() as session:
        closed = session.get(Vote, vote.id)
    assert closed.status == "closed"
    assert closed.result["summary"]
