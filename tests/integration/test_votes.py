"""Vote rules that need no server: bad rules, votes closing when their meetup ends, and a
group of casts written in one transaction."""

from datetime import timedelta

import pytest

from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.events import utcnow
from assemblies import lifecycle, meetups
from assemblies.models import Meetup, Registration
from assemblies.services import create_assembly
from tests.meetup_data import checkin_open_details
from voting import votes
from voting.models import Vote


@pytest.fixture
def meetup_id(app):
    details = checkin_open_details("M", hours=1, capacity=10)
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


def _present_attendees(app, meetup_id: int, count: int) -> list[int]:
    """Checked-in walk-ins, written straight to the table (the door is tested elsewhere)."""
    with app.app_context(), unit_of_work() as uow:
        people = [
            Registration(
                meetup_id=meetup_id,
                ticket_token=f"token-{meetup_id}-{n}",
                short_code=f"CODE{n:04d}",
                display_name=f"Person {n}",
                walk_in=True,
                checked_in_at=utcnow(),
            )
            for n in range(count)
        ]
        uow.session.add_all(people)
        uow.session.flush()
        return [person.id for person in people]


def test_a_group_of_casts_is_written_together_and_each_gets_its_own_outcome(app, meetup_id):
    alice, bob, carol = _present_attendees(app, meetup_id, 3)
    with app.app_context(), unit_of_work() as uow:
        vote = votes.open_vote(
            uow, meetup_id, "client-id-3", "Q?", "yes_no", [], None, utcnow(), duration_seconds=60
        )
    now = utcnow()
    group = [
        votes.Cast(alice, "yes", now, "alice-first"),
        votes.Cast(None, "yes", now, "nobody-here"),  # not checked in
        votes.Cast(bob, "maybe", now, "bob-typo-1"),  # not an option
        votes.Cast(bob, "no", now, "bob-second"),
        votes.Cast(alice, "no", now, "alice-changes"),  # changes her ballot in the same group
        votes.Cast(alice, "no", now, "alice-changes"),  # a retry: nothing changes
        votes.Cast(carol, "abstain", now + timedelta(minutes=2), "carol-late"),  # after the timer
    ]
    with app.app_context(), unit_of_work() as uow:
        outcomes = votes.cast_ballots(uow, vote.id, group)
        before_close = votes.ballots_cast(uow.session, vote.id)
    first, nobody, typo, bob_ballot, changed, retried, late = outcomes
    assert isinstance(first, tuple) and first[1] is False
    assert nobody.code == "not_checked_in" and typo.code == "bad_ballot"
    assert bob_ballot[1] is False
    assert changed[1] is True and changed[0] != first[0] and retried == changed
    assert late.code == "vote_closed"
    assert before_close == 2
    with app.app_context(), unit_of_work() as uow:
        closed = votes.close_vote(uow, vote.id, utcnow())
        box = {b.receipt: b.choice["ballot"] for b in votes.ballot_box(uow.session, closed)}
    assert box[changed[0]] == "no" and box[bob_ballot[0]] == "no" and first[0] not in box
