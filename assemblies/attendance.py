"""Who is present at a meetup: the small, named surface that the voting floor may ask.

`voting` never reads the registration table itself; it calls these functions:
- `present_count(session, meetup_id)`: how many people are checked in and not checked out;
- `is_present(session, meetup_id, registration_id)`: may this attendee vote here now?
- `attendee_for_device(session, meetup_id, device_id)`: which present attendee (if any) this
  phone votes for;
- `attendees_for_devices(session, meetup_id, device_ids)` and
  `present_among(session, meetup_id, registration_ids)`: the same questions for many phones at
  once (ballots are written in groups);
- `display_names(session, registration_ids)`: names to show the crew (speaking queue);
- `meetup_of_registration(session, registration_id)`: which meetup a registration is for;
- `held_between(session, since, until)`: meetups that ended in a period, and their attendance;
- `meetup_facts(session, meetup_id, lock=False)`: a meetup's assembly, region, status and
  title (locked for update on PostgreSQL when asked, so meeting actions are serialised per
  meetup).
"""

from dataclasses import dataclass

from sqlalchemy import case, func
from sqlmodel import Session, select

from assemblies.models import REG_CANCELLED, REG_CONFIRMED, Assembly, Meetup, Registration
from assemblies.tickets import device_hash

PRESENT = (Registration.checked_in_at.is_not(None)) & (Registration.checked_out_at.is_(None))


def present_count(session: Session, meetup_id: int) -> int:
    """How many people are present now."""
    query = select(func.count()).select_from(Registration)
    return session.exec(query.where(Registration.meetup_id == meetup_id, PRESENT)).one()


def is_present(session: Session, meetup_id: int, registration_id: int) -> bool:
    """True if the attendee is checked in to this meetup and has not checked out."""
    query = select(Registration.id).where(
        Registration.id == registration_id, Registration.meetup_id == meetup_id, PRESENT
    )
    return session.exec(query).first() is not None


def attendee_for_device(session: Session, meetup_id: int, device_id: str | None) -> int | None:
    """The present attendee whose voting phone this is, if any."""
    if not device_id:
        return None
    query = select(Registration.id).where(
        Registration.meetup_id == meetup_id,
        Registration.device_hash == device_hash(device_id),
        PRESENT,
    )
    return session.exec(query).first()


def attendees_for_devices(session: Session, meetup_id: int, device_ids: set[str]) -> dict[str, int]:
    """The present attendee of each of these phones (phones with none are left out)."""
    hashes = {device_hash(device): device for device in device_ids if device}
    if not hashes:
        return {}
    query = select(Registration.device_hash, Registration.id).where(
        Registration.meetup_id == meetup_id, Registration.device_hash.in_(hashes), PRESENT
    )
    return {hashes[hashed]: registration for hashed, registration in session.exec(query)}


def present_among(session: Session, meetup_id: int, registration_ids: set[int]) -> set[int]:
    """Which of these attendees are present at the meetup now."""
    if not registration_ids:
        return set()
    query = select(Registration.id).where(
        Registration.meetup_id == meetup_id, Registration.id.in_(registration_ids), PRESENT
    )
    return set(session.exec(query))


def meetup_of_registration(session: Session, registration_id: int) -> int | None:
    """The meetup a registration belongs to, if it exists."""
    query = select(Registration.meetup_id).where(Registration.id == registration_id)
    return session.exec(query).first()


def display_names(session: Session, registration_ids: set[int]) -> dict[int, str]:
    """Attendees' display names by registration id."""
    if not registration_ids:
        return {}
    query = select(Registration.id, Registration.display_name).where(
        Registration.id.in_(registration_ids)
    )
    return dict(session.exec(query).all())


@dataclass(frozen=True)
class AttendanceCounts:
    """The crew's numbers: present now, expected (confirmed places), walk-ins."""

    present: int
    expected: int
    walk_ins: int
    checked_out: int


def counts(session: Session, meetup_id: int) -> AttendanceCounts:
    """Attendance figures for the crew.

    Counted by the database in one query: every check-in asks for them, so loading each
    registration would make a hall of 2,000 walk-ins cost 2,000 x 2,000 rows.
    """
    query = select(
        _how_many(PRESENT),
        _how_many((Registration.status == REG_CONFIRMED) & Registration.walk_in.is_(False)),
        _how_many(Registration.walk_in.is_(True) & (Registration.status != REG_CANCELLED)),
        _how_many(Registration.checked_out_at.is_not(None)),
    ).where(Registration.meetup_id == meetup_id)
    present, expected, walk_ins, checked_out = session.exec(query).one()
    return AttendanceCounts(present, expected, walk_ins, checked_out)


def _how_many(condition):
    """SQL: how many of the selected rows meet `condition` (0 when there are none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def attendance_list(session: Session, meetup_id: int) -> list[Registration]:
    """Everyone who registered, walked in or was checked in, by name."""
    rows = session.exec(
        select(Registration)
        .where(Registration.meetup_id == meetup_id, Registration.status != REG_CANCELLED)
        .order_by(func.lower(Registration.display_name), Registration.id)
    )
    return list(rows)


@dataclass(frozen=True)
class MeetupFacts:
    """What the voting floor needs to know about a meetup."""

    id: int
    assembly_id: int
    status: str
    title: str
    region: str = ""


def meetup_facts(session: Session, meetup_id: int, lock: bool = False) -> MeetupFacts | None:
    """A meetup's assembly, status and title, or None if there is no such meetup."""
    query = select(Meetup).where(Meetup.id == meetup_id)
    meetup = session.exec(query.with_for_update() if lock else query).first()
    if meetup is None:
        return None
    region = session.exec(select(Assembly.region).where(Assembly.id == meetup.assembly_id)).one()
    return MeetupFacts(meetup.id, meetup.assembly_id, meetup.status, meetup.title, region)


def held_between(session: Session, since, until) -> tuple[int, int]:
    """How many meetups ended in [since, until), and how many people checked in to them."""
    ended = select(Meetup.id).where(
        Meetup.ends_at >= since, Meetup.ends_at < until, Meetup.status == "ended"
    )
    meetups = session.exec(select(func.count()).select_from(ended.subquery())).one()
    people = session.exec(
        select(func.count())
        .select_from(Registration)
        .where(Registration.meetup_id.in_(ended), Registration.checked_in_at.is_not(None))
    ).one()
    return meetups, people
