"""Scheduled jobs of the assemblies domain. Module-level functions that take only ids."""

from app.db import unit_of_work
from app.events import utcnow
from app.scheduler import scheduler
from assemblies import lifecycle, meetups, outbox
from assemblies.events import MeetupCancelled, MeetupRescheduled, MeetupScheduled, WaitlistPromoted
from assemblies.models import STATUS_CANCELLED, STATUS_ENDED

SWEEP_SECONDS = 300


def advance_meetup(meetup_id: int) -> None:
    """Job: move one meetup's status along to where the clock says."""
    with unit_of_work() as uow:
        meetup = meetups.get_meetup(uow.session, meetup_id, for_update=True)
        lifecycle.advance(uow, meetup, utcnow())


def send_reminders(meetup_id: int, kind: str) -> None:
    """Job: queue the 24-hour or 1-hour reminders of a meetup, then try to deliver them."""
    with unit_of_work() as uow:
        meetup = meetups.get_meetup(uow.session, meetup_id)
        lifecycle.queue_reminders(uow, meetup, kind, utcnow())
    outbox.deliver_pending()


def deliver_outbox() -> None:
    """Job: send pending email if SMTP is configured."""
    outbox.deliver_pending()


def sweep() -> None:
    """Periodic job: catch up lagging meetups, extend series, purge old contacts, send mail."""
    now = utcnow()
    with unit_of_work() as uow:
        for meetup in lifecycle.lagging_meetups(uow, now):
            lifecycle.advance(uow, meetup, now)
        meetups.extend_series(uow, now)
        lifecycle.purge_contact_details(uow, now)
    outbox.deliver_pending()


def _job_id(meetup_id: int, name: str) -> str:
    return f"meetup:{meetup_id}:{name}"


def schedule_meetup_jobs(batch) -> None:
    """Event subscriber: keep each meetup's jobs in step with its times (after commit)."""
    now = utcnow()
    changed = lifecycle.meetup_ids_in(batch, MeetupScheduled.__name__, MeetupRescheduled.__name__)
    for meetup in lifecycle.load_meetups(changed):
        if meetup.status in (STATUS_ENDED, STATUS_CANCELLED):
            continue
        for name, when in lifecycle.job_times(meetup).items():
            if name.startswith("remind-"):
                if when > now:
                    scheduler().run_at(
                        _job_id(meetup.id, name),
                        when,
                        send_reminders,
                        meetup.id,
                        name.removeprefix("remind-"),
                    )
                else:
                    scheduler().cancel(_job_id(meetup.id, name))
            else:
                scheduler().run_at(_job_id(meetup.id, name), when, advance_meetup, meetup.id)
    for meetup_id in lifecycle.meetup_ids_in(batch, MeetupCancelled.__name__):
        for name in lifecycle.job_times_names():
            scheduler().cancel(_job_id(meetup_id, name))
    if any(row.type in (WaitlistPromoted.__name__, MeetupCancelled.__name__) for row in batch):
        scheduler().run_at("outbox:deliver", now, deliver_outbox)
