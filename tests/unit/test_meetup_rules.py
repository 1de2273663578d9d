"""Meetup validation and the lifecycle's clock (pure rules, no database)."""

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import ServiceError
from assemblies.lifecycle import expected_status
from assemblies.meetups import MeetupDetails, validate_details
from assemblies.models import Meetup

NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)


def details(**changes) -> MeetupDetails:
    base = {
        "title": "Assembly",
        "starts_local": datetime(2027, 1, 5, 19, 0),
        "ends_local": datetime(2027, 1, 5, 21, 0),
        "capacity": 50,
        "venue_address": "1 High Street",
    }
    return MeetupDetails(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"ends_local": datetime(2027, 1, 5, 18, 0)}, "end_before_start", "ends"),
        ({"ends_local": datetime(2027, 1, 5, 19, 0)}, "end_before_start", "ends"),
        (
            {"starts_local": datetime(2026, 12, 1, 19), "ends_local": datetime(2026, 12, 1, 21)},
            "in_the_past",
            "starts",
        ),
        ({"capacity": 0}, "invalid_capacity", "capacity"),
        ({"capacity": -5}, "invalid_capacity", "capacity"),
        ({"title": "   "}, "invalid_title", "title"),
        ({"venue_address": ""}, "no_place", "venue_address"),
        ({"online_link": "javascript:alert(1)"}, "invalid_link", "online_link"),
        ({"ends_local": datetime(2027, 1, 6, 9, 0)}, "too_long", "ends"),
        (
            {"registration_opens_days": 0, "registration_closes_minutes": 10},
            "invalid_window",
            "registration_closes_minutes",
        ),
        ({"checkin_opens_minutes": -1}, "invalid_window", "checkin_opens_minutes"),
    ],
)
def test_bad_details_are_refused_naming_the_field(changes, code, field):
    with pytest.raises(ServiceError) as caught:
        validate_details(details(**changes), NOW)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_good_details_pass():
    validate_details(details(online_link="https://meet.example.org/x", venue_address=""), NOW)


def meetup(status="scheduled") -> Meetup:
    start = datetime(2027, 1, 5, 19, 0, tzinfo=UTC)
    return Meetup(
        assembly_id=1,
        title="x",
        capacity=5,
        status=status,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        checkin_opens_at=start - timedelta(minutes=30),
        registration_opens_at=start - timedelta(days=7),
        registration_closes_at=start,
    )


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (timedelta(minutes=-31), "scheduled"),
        (timedelta(minutes=-30), "checkin_open"),
        (timedelta(0), "in_progress"),
        (timedelta(hours=1, minutes=59), "in_progress"),
        (timedelta(hours=2), "ended"),
    ],
)
def test_the_clock_decides_the_status(offset, expected):
    m = meetup()
    assert expected_status(m, m.starts_at + offset) == expected


def test_a_cancelled_meetup_stays_cancelled():
    m = meetup("cancelled")
    assert expected_status(m, m.ends_at + timedelta(days=1)) == "cancelled"
