"""An attendee's own personal data: what is kept about them, and erasing it on request.

Reached only through a ticket link (the secret that stands for the person). Erasing keeps the
registration rows, so counts, attendance totals and the event log still add up, but replaces
everything that says who the person was. Secret ballots never held the registration, so they
stay counted exactly as they were; a named ballot's voter is then shown as "Erased".
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.db import UnitOfWork
from app.errors import ServiceError
from app.events import record
from assemblies import registrations
from assemblies.events import PersonalDataErased
from assemblies.models import (
    REG_CANCELLED,
    STATUS_ENDED,
    Meetup,
    OutboxMessage,
    Registration,
)

ERASED_NAME = "Erased"


@dataclass(frozen=True)
class HeldRegistration:
    """One registration of the person, with the meetup it is for."""

    registration: Registration
    meetup: Meetup


def _same_person(session: Session, registration: Registration) -> list[Registration]:
    """This registration and, when it has an email address, every other one with that address."""
    if not registration.email:
        return [registration]
    query = select(Registration).where(Registration.email == registration.email)
    others = [found for found in session.exec(query) if found.id != registration.id]
    return [registration, *others]


def held_about(session: Session, token: str) -> list[HeldRegistration]:
    """Everything kept about the holder of this ticket: their registrations, newest meetup first."""
    registration = registrations.find_by_token(session, token)
    if registration is None:
        raise ServiceError("no_such_ticket", "There is no such ticket.", 404)
    held = [
        HeldRegistration(found, session.get(Meetup, found.meetup_id))
        for found in _same_person(session, registration)
    ]
    return sorted(held, key=lambda item: item.meetup.starts_at, reverse=True)


def _cancel_if_upcoming(uow: UnitOfWork, registration: Registration, now: datetime) -> None:
    """Give up a place at a meetup that has not ended, so it goes to the next person waiting."""
    meetup = uow.session.get(Meetup, registration.meetup_id)
    if registration.status != REG_CANCELLED and meetup.status != STATUS_ENDED:
        registrations.cancel_registration(uow, registration.ticket_token, now)


def _forget(uow: UnitOfWork, registration: Registration) -> None:
    """Replace what identifies the person; the ticket link, codes and voting phone stop working."""
    registration.display_name = ERASED_NAME
    registration.email = None
    registration.ticket_token = secrets.token_urlsafe(18)
    registration.short_code = registrations.unique_short_code(uow.session)
    registration.qr_nonce = secrets.token_urlsafe(9)
    registration.device_hash = None
    registration.checked_in_device = ""
    uow.session.add(registration)
    mail = select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
    for message in uow.session.exec(mail):
        uow.session.delete(message)


def erase(uow: UnitOfWork, token: str, now: datetime) -> int:
    """Erase the ticket holder's personal data from all their registrations; returns how many."""
    held = held_about(uow.session, token)
    for item in held:
        _cancel_if_upcoming(uow, item.registration, now)
        _forget(uow, item.registration)
        record(
            uow,
            PersonalDataErased(item.meetup.id, item.meetup.assembly_id, item.registration.id),
        )
    return len(held)
