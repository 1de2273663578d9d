"""Use cases for meetups: schedule (one-off or recurring), edit, cancel, extend series."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.db import UnitOfWork
from app.errors import ServiceError
from app.events import record
from assemblies import recurrence
from assemblies.events import (
    MeetupCancelled,
    MeetupRescheduled,
    MeetupScheduled,
    SeriesCancelledFrom,
    SeriesScheduled,
)
from assemblies.lifecycle import advance
from assemblies.models import (
    STATUS_CANCELLED,
    STATUS_ENDED,
    STATUS_SCHEDULED,
    Meetup,
    MeetupSeries,
)
from assemblies.registrations import confirmed_count, fill_free_places

SCOPE_ONE = "one"
SCOPE_FOLLOWING = "following"
MAX_DURATION = timedelta(hours=12)
MAX_CAPACITY = 100_000


@dataclass
class MeetupDetails:
    """What a facilitator fills in to schedule a meetup. Times are London wall-clock times."""

    title: str
    starts_local: datetime
    ends_local: datetime
    capacity: int
    agenda_summary: str = ""
    venue_name: str = ""
    venue_address: str = ""
    accessibility_notes: str = ""
    online_link: str = ""
    registration_opens_days: int = 28
    registration_closes_minutes: int = 0
    checkin_opens_minutes: int = 30

    @property
    def duration(self) -> timedelta:
        """How long each meetup lasts."""
        return self.ends_local - self.starts_local


SHARED_FIELDS = (
    "title",
    "agenda_summary",
    "venue_name",
    "venue_address",
    "accessibility_notes",
    "online_link",
    "capacity",
)
APPLIED_COLUMNS = (
    *SHARED_FIELDS,
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "checkin_opens_at",
)


def validate_details(details: MeetupDetails, now: datetime) -> None:
    """Refuse details that cannot make a meetup; each error names its form field."""
    details.title = details.title.strip()
    if not 1 <= len(details.title) <= 120:
        raise ServiceError(
            "invalid_title", "Give the meetup a title (up to 120 characters).", field="title"
        )
    if details.ends_local <= details.starts_local:
        raise ServiceError("end_before_start", "The end must be after the start.", field="ends")
    if details.duration > MAX_DURATION:
        raise ServiceError("too_long", "A meetup can last at most 12 hours.", field="ends")
    if recurrence.london_to_utc(details.starts_local) <= now:
        raise ServiceError("in_the_past", "The start is in the past.", field="starts")
    if not 1 <= details.capacity <= MAX_CAPACITY:
        raise ServiceError("invalid_capacity", "Capacity must be at least 1.", field="capacity")
    if not (details.venue_address.strip() or details.online_link.strip()):
        raise ServiceError(
            "no_place", "Give a venue address, an online link, or both.", field="venue_address"
        )
    link = details.online_link.strip()
    if link and not link.startswith(("https://", "http://")):
        raise ServiceError(
            "invalid_link", "The online link must start with https://.", field="online_link"
        )
    _check_windows(details)


def _check_windows(details: MeetupDetails) -> None:
    if not 0 <= details.registration_opens_days <= 365:
        raise ServiceError(
            "invalid_window",
            "Registration opens 0 to 365 days before.",
            field="registration_opens_days",
        )
    if not 0 <= details.registration_closes_minutes <= 7 * 24 * 60:
        raise ServiceError(
            "invalid_window",
            "Registration closes 0 to 10,080 minutes before.",
            field="registration_closes_minutes",
        )
    if details.registration_opens_days * 24 * 60 <= details.registration_closes_minutes:
        raise ServiceError(
            "invalid_window",
            "Registration must open before it closes.",
            field="registration_closes_minutes",
        )
    if not 0 <= details.checkin_opens_minutes <= 24 * 60:
        raise ServiceError(
            "invalid_window",
            "Check-in opens 0 to 1,440 minutes before.",
            field="checkin_opens_minutes",
        )


def _apply(meetup: Meetup, details: MeetupDetails, start: datetime) -> None:
    """Copy the details onto a meetup starting at `start` (aware UTC)."""
    for name in SHARED_FIELDS:
        value = getattr(details, name)
        setattr(meetup, name, value.strip() if isinstance(value, str) else value)
    meetup.starts_at = start
    meetup.ends_at = start + details.duration
    meetup.registration_opens_at = start - timedelta(days=details.registration_opens_days)
    meetup.registration_closes_at = start - timedelta(minutes=details.registration_closes_minutes)
    meetup.checkin_opens_at = start - timedelta(minutes=details.checkin_opens_minutes)


def schedule_meetup(
    uow: UnitOfWork, assembly_id: int, details: MeetupDetails, rule: str | None, now: datetime
) -> list[Meetup]:
    """Schedule a one-off meetup, or every occurrence of a recurring one up to the horizon."""
    validate_details(details, now)
    if not rule:
        return [
            _add_meetup(
                uow, assembly_id, None, details, recurrence.london_to_utc(details.starts_local)
            )
        ]
    rule = recurrence.normalise_rule(rule)
    starts = recurrence.occurrences(rule, details.starts_local, now)
    if not starts:
        raise ServiceError(
            "no_occurrences", "The repeat rule gives no dates from the start on.", field="rrule"
        )
    series = MeetupSeries(
        assembly_id=assembly_id,
        rrule=rule,
        first_start_local=details.starts_local.strftime("%Y-%m-%dT%H:%M"),
        duration_minutes=int(details.duration.total_seconds() // 60),
    )
    uow.session.add(series)
    uow.session.flush()
    meetups = [_add_meetup(uow, assembly_id, series.id, details, start) for start in starts]
    record(uow, SeriesScheduled(series.id, assembly_id, rule, [m.id for m in meetups]))
    return meetups


def _add_meetup(uow, assembly_id, series_id, details, start) -> Meetup:
    meetup = Meetup(assembly_id=assembly_id, series_id=series_id, status=STATUS_SCHEDULED)
    _apply(meetup, details, start)
    uow.session.add(meetup)
    uow.session.flush()
    record(
        uow,
        MeetupScheduled(
            meetup.id,
            assembly_id,
            series_id,
            meetup.title,
            meetup.starts_at.isoformat(),
            meetup.ends_at.isoformat(),
        ),
    )
    return meetup


def details_of(meetup: Meetup) -> MeetupDetails:
    """The editable details of a meetup, for pre-filling the edit form."""
    starts_local = recurrence.utc_to_london_naive(meetup.starts_at)
    return MeetupDetails(
        title=meetup.title,
        starts_local=starts_local,
        ends_local=recurrence.utc_to_london_naive(meetup.ends_at),
        capacity=meetup.capacity,
        agenda_summary=meetup.agenda_summary,
        venue_name=meetup.venue_name,
        venue_address=meetup.venue_address,
        accessibility_notes=meetup.accessibility_notes,
        online_link=meetup.online_link,
        registration_opens_days=(meetup.starts_at - meetup.registration_opens_at).days,
        registration_closes_minutes=_minutes(meetup.starts_at - meetup.registration_closes_at),
        checkin_opens_minutes=_minutes(meetup.starts_at - meetup.checkin_opens_at),
    )


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def get_meetup(session: Session, meetup_id: int, for_update: bool = False) -> Meetup:
    """The meetup with this id (locked for update on PostgreSQL if asked), or a 404 error."""
    query = select(Meetup).where(Meetup.id == meetup_id)
    meetup = session.exec(query.with_for_update() if for_update else query).first()
    if meetup is None:
        raise ServiceError("no_such_meetup", "There is no such meetup.", 404)
    return meetup


def edit_meetup(
    uow: UnitOfWork, meetup_id: int, details: MeetupDetails, scope: str, now: datetime
) -> list[Meetup]:
    """Edit one meetup, or it and every later occurrence of its series."""
    meetup = get_meetup(uow.session, meetup_id, for_update=True)
    _require_editable(meetup)
    validate_details(details, now)
    if scope == SCOPE_FOLLOWING and meetup.series_id:
        return _edit_following(uow, meetup, details)
    if meetup.series_id:
        meetup.detached = True
    _edit_one(uow, meetup, details, recurrence.london_to_utc(details.starts_local))
    return [meetup]


def _require_editable(meetup: Meetup) -> None:
    if meetup.status == STATUS_CANCELLED:
        raise ServiceError("cancelled", "This meetup is cancelled and cannot be changed.")
    if meetup.status != STATUS_SCHEDULED:
        raise ServiceError("already_started", "Check-in has opened; this meetup is fixed now.")


def _edit_one(uow: UnitOfWork, meetup: Meetup, details: MeetupDetails, start: datetime) -> None:
    if details.capacity < meetup.capacity and details.capacity < confirmed_count(
        uow.session, meetup.id
    ):
        raise ServiceError(
            "capacity_below_confirmed",
            "Capacity cannot go below the number of people already confirmed.",
            field="capacity",
        )
    before = {name: getattr(meetup, name) for name in APPLIED_COLUMNS}
    _apply(meetup, details, start)
    after = {name: getattr(meetup, name) for name in before}
    changed = sorted(name for name in before if before[name] != after[name])
    if not changed:
        return
    meetup.revision += 1
    uow.session.add(meetup)
    record(
        uow,
        MeetupRescheduled(
            meetup.id,
            meetup.assembly_id,
            changed,
            meetup.starts_at.isoformat(),
            meetup.ends_at.isoformat(),
        ),
    )
    if "capacity" in changed:
        fill_free_places(uow, meetup)


def _edit_following(uow: UnitOfWork, meetup: Meetup, details: MeetupDetails) -> list[Meetup]:
    shift = details.starts_local - recurrence.utc_to_london_naive(meetup.starts_at)
    series = uow.session.get(MeetupSeries, meetup.series_id)
    following = list(
        uow.session.exec(
            select(Meetup)
            .where(Meetup.series_id == meetup.series_id, Meetup.starts_at >= meetup.starts_at)
            .where(Meetup.status == STATUS_SCHEDULED, Meetup.detached == False)  # noqa: E712
            .order_by(Meetup.starts_at)
        )
    )
    for occurrence in following:
        local = recurrence.utc_to_london_naive(occurrence.starts_at) + shift
        _edit_one(uow, occurrence, details, recurrence.london_to_utc(local))
    first_local = datetime.fromisoformat(series.first_start_local) + shift
    series.first_start_local = first_local.strftime("%Y-%m-%dT%H:%M")
    series.duration_minutes = int(details.duration.total_seconds() // 60)
    uow.session.add(series)
    return following


def cancel_meetup(uow: UnitOfWork, meetup_id: int, reason: str, scope: str) -> list[Meetup]:
    """Cancel one meetup, or it and every later occurrence of its series."""
    meetup = get_meetup(uow.session, meetup_id, for_update=True)
    reason = reason.strip()[:300]
    if meetup.status in (STATUS_CANCELLED, STATUS_ENDED):
        raise ServiceError("not_cancellable", "This meetup has already ended or been cancelled.")
    targets = [meetup]
    if scope == SCOPE_FOLLOWING and meetup.series_id:
        targets = list(
            uow.session.exec(
                select(Meetup)
                .where(Meetup.series_id == meetup.series_id, Meetup.starts_at >= meetup.starts_at)
                .where(Meetup.status.in_([STATUS_SCHEDULED]) | (Meetup.id == meetup.id))
                .order_by(Meetup.starts_at)
            )
        )
        series = uow.session.get(MeetupSeries, meetup.series_id)
        series.cancelled_from = meetup.starts_at
        uow.session.add(series)
        record(uow, SeriesCancelledFrom(series.id, meetup.id, [m.id for m in targets], reason))
    for target in targets:
        target.status = STATUS_CANCELLED
        target.cancel_reason = reason
        target.revision += 1
        uow.session.add(target)
        record(uow, MeetupCancelled(target.id, target.assembly_id, reason))
    return targets


def extend_series(uow: UnitOfWork, now: datetime) -> int:
    """Generate occurrences of open-ended series up to the horizon; returns how many."""
    added = 0
    for series in uow.session.exec(
        select(MeetupSeries).where(MeetupSeries.cancelled_from.is_(None))
    ):
        template = uow.session.exec(
            select(Meetup)
            .where(Meetup.series_id == series.id, Meetup.detached == False)  # noqa: E712
            .where(Meetup.status != STATUS_CANCELLED)
            .order_by(Meetup.starts_at.desc())
        ).first()
        if template is None:
            continue
        details = details_of(template)
        first_local = datetime.fromisoformat(series.first_start_local)
        for start in recurrence.occurrences(
            series.rrule, first_local, now, after=template.starts_at
        ):
            details.starts_local = recurrence.utc_to_london_naive(start)
            details.ends_local = details.starts_local + timedelta(minutes=series.duration_minutes)
            _add_meetup(uow, series.assembly_id, series.id, details, start)
            added += 1
    return added


def meetups_of(
    session: Session, assembly_id: int, now: datetime
) -> tuple[list[Meetup], list[Meetup]]:
    """An assembly's upcoming (soonest first) and past (latest first) meetups."""
    rows = list(session.exec(select(Meetup).where(Meetup.assembly_id == assembly_id)))
    upcoming = sorted((m for m in rows if m.ends_at > now), key=lambda m: m.starts_at)
    past = sorted((m for m in rows if m.ends_at <= now), key=lambda m: m.starts_at, reverse=True)
    return upcoming, past


def import_past_meetup(
    uow: UnitOfWork, assembly_id: int, details: MeetupDetails, record_content=None
) -> Meetup:
    """Record a meetup that was held before it was put on the platform (imports and demo data).

    It is scheduled, `record_content(uow, meetup)` may add what happened in it (agenda,
    proposals), then it is moved through its life to `ended` with the usual events.
    """
    start = recurrence.london_to_utc(details.starts_local)
    meetup = _add_meetup(uow, assembly_id, None, details, start)
    if record_content:
        record_content(uow, meetup)
    advance(uow, meetup, meetup.ends_at)
    return meetup
