"""Use cases for registrations: register, join the waitlist, cancel, promote, count."""

import secrets
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.auth.services import normalise_email
from app.db import UnitOfWork
from app.errors import ServiceError
from app.events import record, utcnow
from app.i18n import london_time
from assemblies import outbox
from assemblies.events import AttendeeRegistered, RegistrationCancelled, WaitlistPromoted
from assemblies.models import (
    REG_CANCELLED,
    REG_CONFIRMED,
    REG_WAITLISTED,
    STATUS_CANCELLED,
    STATUS_ENDED,
    Meetup,
    Registration,
)

# Short codes are read aloud and typed at the door: no 0/O, 1/I/L look-alikes.
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHORT_CODE_LENGTH = 8


def new_short_code() -> str:
    """A random short ticket code, e.g. 'K7QX-M2PA' without the dash."""
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def _lock_meetup(session: Session, meetup_id: int) -> Meetup:
    meetup = session.exec(select(Meetup).where(Meetup.id == meetup_id).with_for_update()).first()
    if meetup is None:
        raise ServiceError("no_such_meetup", "There is no such meetup.", 404)
    return meetup


def count_by_status(session: Session, meetup_id: int) -> dict[str, int]:
    """How many registrations of each status a meetup has."""
    rows = session.exec(
        select(Registration.status, func.count())
        .where(Registration.meetup_id == meetup_id)
        .group_by(Registration.status)
    )
    return {REG_CONFIRMED: 0, REG_WAITLISTED: 0, REG_CANCELLED: 0, **dict(rows.all())}


def confirmed_count(session: Session, meetup_id: int) -> int:
    """How many people have a confirmed place."""
    return count_by_status(session, meetup_id)[REG_CONFIRMED]


def check_registration_open(meetup: Meetup, now: datetime) -> None:
    """Refuse registrations outside the meetup's registration window."""
    if meetup.status == STATUS_CANCELLED:
        raise ServiceError("cancelled", "This meetup has been cancelled.")
    if meetup.status == STATUS_ENDED or now >= meetup.registration_closes_at:
        raise ServiceError("registration_closed", "Registration for this meetup has closed.")
    if now < meetup.registration_opens_at:
        opens = london_time(meetup.registration_opens_at)
        raise ServiceError("registration_not_open", f"Registration opens on {opens}.")


def register(
    uow: UnitOfWork, meetup_id: int, display_name: str, email: str | None, now: datetime
) -> tuple[Registration, bool]:
    """Register someone; returns (registration, already_registered).

    A place is confirmed while the meetup has room, otherwise the person joins the waitlist.
    The same email twice for one meetup gives back the existing registration.
    """
    display_name = " ".join(display_name.split())
    if not 1 <= len(display_name) <= 80:
        raise ServiceError(
            "invalid_name", "Give a name of 1 to 80 characters.", field="display_name"
        )
    email = normalise_email(email) if email and email.strip() else None
    meetup = _lock_meetup(uow.session, meetup_id)
    check_registration_open(meetup, now)
    if email:
        existing = uow.session.exec(
            select(Registration).where(
                Registration.meetup_id == meetup_id,
                Registration.email == email,
                Registration.status != REG_CANCELLED,
            )
        ).first()
        if existing:
            return existing, True
    counts = count_by_status(uow.session, meetup_id)
    status = REG_CONFIRMED if counts[REG_CONFIRMED] < meetup.capacity else REG_WAITLISTED
    registration = Registration(
        meetup_id=meetup_id,
        ticket_token=secrets.token_urlsafe(18),
        short_code=unique_short_code(uow.session),
        display_name=display_name,
        email=email,
        status=status,
        created_at=now,
        qr_nonce=secrets.token_urlsafe(9),
    )
    uow.session.add(registration)
    uow.session.flush()
    counts[status] += 1
    record(
        uow,
        AttendeeRegistered(
            meetup_id,
            meetup.assembly_id,
            registration.id,
            counts[REG_CONFIRMED],
            counts[REG_WAITLISTED],
            status,
        ),
    )
    return registration, False


def unique_short_code(session: Session) -> str:
    """A short ticket code that no registration has yet."""
    while True:
        code = new_short_code()
        if not session.exec(select(Registration.id).where(Registration.short_code == code)).first():
            return code


def find_by_token(session: Session, token: str) -> Registration | None:
    """The registration behind a ticket link, if any."""
    if not token or len(token) > 40:
        return None
    return session.exec(select(Registration).where(Registration.ticket_token == token)).first()


def cancel_registration(uow: UnitOfWork, token: str, now: datetime) -> Registration:
    """Give up a place (or leave the waitlist); a freed place goes to the first person waiting."""
    registration = find_by_token(uow.session, token)
    if registration is None:
        raise ServiceError("no_such_ticket", "There is no such ticket.", 404)
    meetup = _lock_meetup(uow.session, registration.meetup_id)
    if registration.status == REG_CANCELLED:
        raise ServiceError("already_cancelled", "This registration is already cancelled.")
    if meetup.status == STATUS_ENDED:
        raise ServiceError("ended", "This meetup has ended.")
    registration.status = REG_CANCELLED
    registration.cancelled_at = now
    registration.qr_nonce = secrets.token_urlsafe(9)  # revokes every QR of this ticket
    uow.session.add(registration)
    uow.session.flush()
    counts = count_by_status(uow.session, meetup.id)
    record(
        uow,
        RegistrationCancelled(
            meetup.id,
            meetup.assembly_id,
            registration.id,
            counts[REG_CONFIRMED],
            counts[REG_WAITLISTED],
        ),
    )
    fill_free_places(uow, meetup, now)
    return registration


def fill_free_places(
    uow: UnitOfWork, meetup: Meetup, now: datetime | None = None
) -> list[Registration]:
    """Promote people from the waitlist, first come first served, while there is room."""
    now = now or utcnow()
    promoted = []
    counts = count_by_status(uow.session, meetup.id)
    while counts[REG_CONFIRMED] < meetup.capacity and counts[REG_WAITLISTED] > 0:
        first = uow.session.exec(
            select(Registration)
            .where(Registration.meetup_id == meetup.id, Registration.status == REG_WAITLISTED)
            .order_by(Registration.created_at, Registration.id)
        ).first()
        first.status = REG_CONFIRMED
        first.promoted_at = now
        uow.session.add(first)
        uow.session.flush()
        counts[REG_CONFIRMED] += 1
        counts[REG_WAITLISTED] -= 1
        record(
            uow,
            WaitlistPromoted(
                meetup.id,
                meetup.assembly_id,
                first.id,
                counts[REG_CONFIRMED],
                counts[REG_WAITLISTED],
            ),
        )
        outbox.queue_promotion(uow, meetup, first)
        promoted.append(first)
    return promoted


def waitlist_position(session: Session, registration: Registration) -> int | None:
    """1 for the first person waiting; None if not on the waitlist."""
    if registration.status != REG_WAITLISTED:
        return None
    ahead = session.exec(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.meetup_id == registration.meetup_id,
            Registration.status == REG_WAITLISTED,
            (Registration.created_at < registration.created_at)
            | (
                (Registration.created_at == registration.created_at)
                & (Registration.id < registration.id)
            ),
        )
    ).one()
    return ahead + 1


def registrations_of(session: Session, meetup_id: int) -> list[Registration]:
    """Every registration of a meetup, oldest first."""
    return list(
        session.exec(
            select(Registration)
            .where(Registration.meetup_id == meetup_id)
            .order_by(Registration.created_at, Registration.id)
        )
    )
