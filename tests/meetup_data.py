"""Test data on a running server's own database: an in-process app and meetups made in it."""

from datetime import timedelta

from app.db import unit_of_work
from app.events import utcnow
from assemblies import meetups, recurrence
from assemblies.meetups import MeetupDetails
from assemblies.models import Meetup

HACKNEY = 1


def add_meetup(
    app,
    start_in: float,
    length: float,
    checkin_before_minutes: int = 0,
    capacity: int = 20,
    title: str = "Live test",
) -> Meetup:
    """Schedule a Hackney meetup starting `start_in` seconds from now (seconds, not minutes)."""
    start = recurrence.utc_to_london_naive(utcnow() + timedelta(seconds=start_in))
    details = MeetupDetails(
        title=title,
        starts_local=start,
        ends_local=start + timedelta(seconds=length),
        capacity=capacity,
        venue_address="Hall",
        checkin_opens_minutes=checkin_before_minutes,
        registration_opens_days=1,
    )
    with app.app_context(), unit_of_work() as uow:
        return meetups.schedule_meetup(uow, HACKNEY, details, None, utcnow())[0]


def checkin_open_details(title: str = "M", hours: int = 1, capacity: int = 10) -> MeetupDetails:
    """A meetup starting in 10 minutes whose check-in is already open (it opens 30 minutes
    before the start)."""
    start = recurrence.utc_to_london_naive(utcnow() + timedelta(minutes=10))
    return MeetupDetails(
        title=title,
        starts_local=start,
        ends_local=start + timedelta(hours=hours),
        capacity=capacity,
        venue_address="Hall",
        checkin_opens_minutes=30,
    )
