"""Recurring meetups in London time, across the clock changes."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import ServiceError
from assemblies import recurrence

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def london_wall_times(starts):
    return {recurrence.utc_to_london_naive(start).strftime("%H:%M") for start in starts}


def test_weekly_at_19_stays_at_19_across_the_march_clock_change():
    starts = recurrence.occurrences("FREQ=WEEKLY;COUNT=8", datetime(2027, 3, 16, 19, 0), NOW)
    assert len(starts) == 8
    assert london_wall_times(starts) == {"19:00"}
    assert starts[1].hour == 19  # 23 March: GMT
    assert starts[2].hour == 18  # 30 March: BST began on the 28th, so 18:00 UTC


def test_weekly_at_19_stays_at_19_across_the_october_clock_change():
    starts = recurrence.occurrences(
        "FREQ=WEEKLY;COUNT=4", datetime(2027, 10, 19, 19, 0), datetime(2027, 9, 1, tzinfo=UTC)
    )
    assert london_wall_times(starts) == {"19:00"}
    assert [s.hour for s in starts] == [18, 18, 19, 19]  # BST ends on 31 October


def test_every_first_saturday():
    first = datetime(2027, 2, 6, 11, 0)  # the first Saturday of February
    rule = recurrence.monthly_nth_weekday_rule(first, 5)
    assert rule == "FREQ=MONTHLY;BYDAY=1SA;COUNT=5"
    starts = recurrence.occurrences(rule, first, NOW)
    days = [recurrence.utc_to_london_naive(s) for s in starts]
    assert all(day.weekday() == 5 and day.day <= 7 for day in days)
    assert [day.month for day in days] == [2, 3, 4, 5, 6]


def test_a_rule_without_an_end_is_generated_a_bounded_distance_ahead():
    starts = recurrence.occurrences("FREQ=WEEKLY", datetime(2027, 1, 5, 19, 0), NOW)
    assert 20 <= len(starts) <= 27
    assert starts[-1] <= NOW + recurrence.HORIZON
    daily = recurrence.occurrences("FREQ=DAILY", datetime(2027, 1, 2, 19, 0), NOW)
    assert len(daily) == recurrence.MAX_OCCURRENCES


def test_after_skips_occurrences_already_generated():
    first = datetime(2027, 1, 5, 19, 0)
    all_starts = recurrence.occurrences("FREQ=WEEKLY;COUNT=6", first, NOW)
    later = recurrence.occurrences("FREQ=WEEKLY;COUNT=6", first, NOW, after=all_starts[2])
    assert later == all_starts[3:]


def test_until_in_utc_is_accepted():
    rule = recurrence.normalise_rule("RRULE:freq=weekly;until=20270201T000000Z")
    assert rule == "FREQ=WEEKLY;UNTIL=20270201T000000"
    starts = recurrence.occurrences(rule, datetime(2027, 1, 5, 19, 0), NOW)
    assert len(starts) == 4


@pytest.mark.parametrize(
    "rule", ["", "FREQ=HOURLY", "FREQ=MINUTELY;COUNT=5", "FREQ=WEEKLY;BYDAY=XX", "nonsense"]
)
def test_unusable_rules_are_refused_with_a_message(rule):
    with pytest.raises(ServiceError) as caught:
        recurrence.occurrences(rule, datetime(2027, 1, 5, 19, 0), NOW)
    assert caught.value.code == "invalid_rrule"
    assert caught.value.message


@given(
    hour=st.integers(min_value=0, max_value=23).filter(lambda h: h not in (1, 2)),
    minute=st.sampled_from([0, 15, 30, 45]),
    day_offset=st.integers(min_value=0, max_value=364),
)
def test_weekly_wall_clock_time_never_drifts(hour, minute, day_offset):
    first = datetime(2027, 1, 1, hour, minute) + timedelta(days=day_offset)
    now = recurrence.london_to_utc(first) - timedelta(days=1)
    starts = recurrence.occurrences("FREQ=WEEKLY;COUNT=30", first, now)
    assert 26 <= len(starts) <= 27  # the six-month horizon cuts the thirty short
    assert london_wall_times(starts) == {f"{hour:02d}:{minute:02d}"}
    assert all(
        b - a in (timedelta(days=7), timedelta(days=7, hours=1), timedelta(days=7, hours=-1))
        for a, b in pairwise(starts)
    )
