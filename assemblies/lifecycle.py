"""A meetup's life: scheduled, check-in open, in progress, ended (or cancelled).

The status follows the clock. Jobs in the scheduler move each meetup along at the right
moments and queue its reminders; a periodic sweep catches anything that fell due while no
scheduler was running, so a transition is never skipped, only (briefly) late.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import select

from app.db import UnitOfWork, read_session
from app.events import EventRecord, record
from assemblies import outbox
from assemblies.events import CheckInOpened, MeetupEnded, MeetupStarted
from assemblies.models import (
    REG_CONFIRMED,
    REG_WAITLISTED,
    STATUS_CANCELLED,
    STATUS_CHECKIN_OPEN,
    STATUS_ENDED,
    STATUS_IN_PROGRESS,
    STATUS_SCHEDULED,
    Meetup,
    OutboxMessage,
    Registration,
)

ORDER = (STATUS_SCHEDULED, STATUS_CHECKIN_OPEN, STATUS_IN_PROGRESS, STATUS_ENDED)
TRANSITION_EVENTS = {
    STATUS_CHECKIN_OPEN: CheckInOpened,
    STATUS_IN_PROGRESS: MeetupStarted,
    STATUS_ENDED: MeetupEnded,
}
REMINDERS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}
DEFAULT_CONTACT_RETENTION_DAYS = 30


def expected_status(meetup: Meetup, now: datetime) -> str:
    """Where the clock says the meetup should be."""
    if meetup.status == STATUS_CANCELLED:
        return STATUS_CANCELLED
    if now >= meetup.ends_at:
        return STATUS_ENDED
    if now >= meetup.starts_at:
        return STATUS_IN_PROGRESS
    if now >= meetup.checkin_opens_at:
        return STATUS_CHECKIN_OPEN
    return STATUS_SCHEDULED


def advance(uow: UnitOfWork, meetup: Meetup, now: datetime) -> list[str]:
    """Move the meetup forward to where the clock says, one recorded step at a time."""
    target = expected_status(meetup, now)
    if target == STATUS_CANCELLED or meetup.status == STATUS_CANCELLED:
        return []
    steps = ORDER[ORDER.index(meetup.status) + 1 : ORDER.index(target) + 1]
    for status in steps:
        meetup.status = status
        record(uow, TRANSITION_EVENTS[status](meetup_id=meetup.id, assembly_id=meetup.assembly_id))
    if steps:
        uow.session.add(meetup)
    return list(steps)


def lagging_meetups(uow: UnitOfWork, now: datetime) -> list[Meetup]:
    """Meetups whose stored status is behind the clock."""
    candidates = uow.session.exec(
        select(Meetup)
        .where(
            Meetup.status.in_([STATUS_SCHEDULED, STATUS_CHECKIN_OPEN, STATUS_IN_PROGRESS]),
            Meetup.checkin_opens_at <= now,
        )
        .with_for_update()  # the per-meetup job may be advancing the same meetup
    )
    return [m for m in candidates if expected_status(m, now) != m.status]


def queue_reminders(uow: UnitOfWork, meetup: Meetup, kind: str, now: datetime) -> int:
    """Queue a reminder for each registrant with an email (once each); returns how many."""
    if meetup.status in (STATUS_CANCELLED, STATUS_ENDED) or now >= meetup.starts_at:
        return 0
    people = uow.session.exec(
        select(Registration).where(
            Registration.meetup_id == meetup.id,
            Registration.status.in_([REG_CONFIRMED, REG_WAITLISTED]),
            Registration.email.is_not(None),
        )
    )
    queued = 0
    for person in people:
        if person.status == REG_CONFIRMED:
            queued += outbox.queue_reminder(uow, meetup, person, kind) is not None
    return queued


def job_times(meetup: Meetup) -> dict[str, datetime]:
    """When each of the meetup's jobs should run, by job name."""
    return {
        "checkin": meetup.checkin_opens_at,
        "start": meetup.starts_at,
        "end": meetup.ends_at,
        **{f"remind-{kind}": meetup.starts_at - before for kind, before in REMINDERS.items()},
    }


def job_times_names() -> list[str]:
    """The names of a meetup's jobs."""
    return ["checkin", "start", "end", *(f"remind-{kind}" for kind in REMINDERS)]


def meetup_ids_in(batch: list[EventRecord], *types: str) -> set[int]:
    """Ids of the meetups that events of the given types are about."""
    return {row.payload["meetup_id"] for row in batch if row.type in types}


def load_meetups(ids: set[int]) -> list[Meetup]:
    """Meetups by id (read only)."""
    if not ids:
        return []
    with read_session() as session:
        return list(session.exec(select(Meetup).where(Meetup.id.in_(ids))))


def contact_retention() -> timedelta:
    """How long after a meetup ends its attendees' email addresses are kept (configurable)."""
    days = current_app.config.get("CONTACT_RETENTION_DAYS", DEFAULT_CONTACT_RETENTION_DAYS)
    return timedelta(days=days)


def purge_contact_details(uow: UnitOfWork, now: datetime) -> int:
    """Forget email addresses (and the mail sent to them) a set number of days after a meetup
    ends (ASSEMBLY_CONTACT_RETENTION_DAYS, 30 by default)."""
    cutoff = now - contact_retention()
    old_meetups = select(Meetup.id).where(Meetup.ends_at < cutoff)
    people = list(
        uow.session.exec(
            select(Registration).where(
                Registration.meetup_id.in_(old_meetups),
                Registration.email.is_not(None),
            )
        )
    )
    for person in people:
        person.email = None
        uow.session.add(person)
    for message in uow.session.exec(
        select(OutboxMessage).where(OutboxMessage.meetup_id.in_(old_meetups))
    ):
        uow.session.delete(message)
    return len(people)
