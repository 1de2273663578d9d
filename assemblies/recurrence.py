"""Recurring meetups: RRULEs expanded in Europe/London wall-clock time (pure functions).

A weekly 19:00 meetup must stay at 19:00 in London across the clock changes, so rules are
expanded on naive London times and each occurrence is then converted to UTC.
"""

from datetime import UTC, datetime, timedelta

from dateutil.rrule import rrulestr

from app.errors import ServiceError
from app.i18n import LONDON

MAX_OCCURRENCES = 60
HORIZON = timedelta(days=183)  # rules without an end are generated this far ahead
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def london_to_utc(local: datetime) -> datetime:
    """A naive Europe/London wall-clock time as an aware UTC time."""
    return local.replace(tzinfo=LONDON).astimezone(UTC)


def utc_to_london_naive(moment: datetime) -> datetime:
    """An aware time as naive Europe/London wall-clock time."""
    return moment.astimezone(LONDON).replace(tzinfo=None)


def rule_parts(rule: str) -> dict[str, str]:
    """An RRULE's NAME=VALUE parts, upper-cased, without an 'RRULE:' prefix."""
    text = rule.strip().upper().removeprefix("RRULE:")
    return dict(part.split("=", 1) for part in text.split(";") if "=" in part)


def normalise_rule(rule: str) -> str:
    """Check a rule and return it in canonical form (UNTIL read as London time).

    Raises ServiceError with a message for people when the rule is unusable.
    """
    parts = rule_parts(rule)
    if not parts or len(rule) > 500 or "\n" in rule:
        raise ServiceError("invalid_rrule", "The repeat rule is empty or too long.")
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise ServiceError(
            "invalid_rrule", "The repeat rule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."
        )
    if "UNTIL" in parts:
        parts["UNTIL"] = parts["UNTIL"].removesuffix("Z")
    text = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        rrulestr(text, dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError) as error:
        raise ServiceError("invalid_rrule", f"The repeat rule is not valid: {error}.") from None
    return text


def parse_rule(rule: str, first_start_local: datetime):
    """Parse a rule anchored at a naive London wall-clock start."""
    return rrulestr(normalise_rule(rule), dtstart=first_start_local)


def occurrences(
    rule: str, first_start_local: datetime, now: datetime, after: datetime | None = None
) -> list[datetime]:
    """Occurrence starts (aware UTC) of a rule, up to the horizon and the occurrence cap.

    `after` (UTC) skips occurrences at or before it; the horizon is measured from `now`.
    """
    parsed = parse_rule(rule, first_start_local)
    horizon_local = utc_to_london_naive(now + HORIZON)
    starts: list[datetime] = []
    for local in parsed:
        if local > horizon_local or len(starts) >= MAX_OCCURRENCES:
            break
        start = london_to_utc(local)
        if after is None or start > after:
            starts.append(start)
    return starts


def weekly_rule(count: int) -> str:
    """Every week on the first meetup's weekday, `count` times."""
    return f"FREQ=WEEKLY;COUNT={count}"


def monthly_nth_weekday_rule(first_start_local: datetime, count: int) -> str:
    """Every month on the same nth weekday as the first meetup (e.g. every first Saturday)."""
    nth = (first_start_local.day - 1) // 7 + 1
    weekday = WEEKDAY_CODES[first_start_local.weekday()]
    return f"FREQ=MONTHLY;BYDAY={nth}{weekday};COUNT={count}"


def describe_rule(rule: str) -> str:
    """A short English description of common rules, else the rule itself."""
    parts = rule_parts(rule)
    count = f", {parts['COUNT']} times" if "COUNT" in parts else ""
    if parts.get("FREQ") == "WEEKLY" and parts.get("INTERVAL", "1") == "1":
        return f"Every week{count}"
    if parts.get("FREQ") == "MONTHLY" and "BYDAY" in parts:
        return f"Monthly ({parts['BYDAY']}){count}"
    return rule
