"""Use cases at the door: scan a ticket, type a short code, admit from a name search,
check out, walk in by the projector's QR, and bind an attendee's voting phone.

Every door action carries a client-made scan id. A scan replayed after a dropped connection
returns the answer recorded the first time; exactly one of two simultaneous scans of the same
ticket admits it (a conditional UPDATE), and the other is told "already checked in".
"""

import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from app.db import UnitOfWork
from app.errors import ServiceError
from app.events import record
from app.i18n import london_time
from assemblies.attendance import counts
from assemblies.events import (
    AttendeeCheckedIn,
    AttendeeCheckedOut,
    VotingDeviceMoved,
    WalkInsSwitched,
)
from assemblies.models import (
    REG_CANCELLED,
    REG_CONFIRMED,
    REG_WAITLISTED,
    STATUS_CANCELLED,
    STATUS_ENDED,
    DoorScan,
    Meetup,
    Registration,
)
from assemblies.registrations import SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH, unique_short_code
from assemblies.tickets import TokenRefused, device_hash, read_join_token, read_ticket_qr

MESSAGES = {
    "admitted": "Admitted",
    "already": "Already checked in",
    "rebound": "Already checked in: voting moved to the phone showing this ticket",
    "unknown": "Unknown code",
    "not_a_ticket": "This QR code is not one of our tickets",
    "forged": "Not a valid ticket: it was forged or altered",
    "expired": "This ticket has expired",
    "revoked": "This ticket was replaced by a newer one",
    "cancelled": "Cancelled ticket",
    "other_meetup": "Ticket for another meetup",
    "not_open": "Check-in is not open yet",
    "closed": "Check-in is closed",
    "waitlisted": "On the waitlist: admit only if there is room",
}
ADMITTED_OUTCOMES = ("admitted", "rebound")


@dataclass
class DoorResult:
    """What the door screen shows after a scan."""

    outcome: str
    message: str
    registration_id: int | None = None
    name: str | None = None
    detail: str = ""
    replayed: bool = False

    @property
    def admitted(self) -> bool:
        """True if the person may come in."""
        return self.outcome in ADMITTED_OUTCOMES

    def as_dict(self) -> dict:
        """JSON-ready form for the socket acknowledgement."""
        return {**asdict(self), "admitted": self.admitted}


def _result(outcome: str, registration: Registration | None = None, detail: str = "") -> DoorResult:
    return DoorResult(
        outcome=outcome,
        message=MESSAGES[outcome],
        registration_id=registration.id if registration else None,
        name=registration.display_name if registration else None,
        detail=detail,
    )


def normalise_code(code: str) -> str:
    """Upper-case a typed short code and drop spaces and dashes."""
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())


def _lock_meetup(session: Session, meetup_id: int) -> Meetup:
    meetup = session.exec(select(Meetup).where(Meetup.id == meetup_id).with_for_update()).first()
    if meetup is None:
        raise ServiceError("no_such_meetup", "There is no such meetup.", 404)
    return meetup


def _scan_key(meetup_id: int, scan_id: str) -> str:
    """Scan ids are the door devices' own; scoping them to the meetup keeps meetups apart."""
    return f"{meetup_id}:{scan_id}"


def _replayed(session: Session, meetup_id: int, scan_id: str) -> DoorResult | None:
    previous = session.get(DoorScan, _scan_key(meetup_id, scan_id))
    if previous is None:
        return None
    registration = (
        session.get(Registration, previous.registration_id) if previous.registration_id else None
    )
    result = _result(previous.outcome, registration)
    result.replayed = True
    return result


def _check_scan_id(scan_id: str) -> None:
    if not isinstance(scan_id, str) or not 8 <= len(scan_id) <= 64:
        raise ServiceError("bad_request", "Each door action needs a scan id of 8 to 64 characters.")


def _finish(uow: UnitOfWork, meetup: Meetup, scan_id: str, device: str, result: DoorResult):
    uow.session.add(
        DoorScan(
            scan_id=_scan_key(meetup.id, scan_id),
            meetup_id=meetup.id,
            registration_id=result.registration_id,
            outcome=result.outcome,
            device=device[:60],
        )
    )
    return result


def scan_ticket(
    uow: UnitOfWork, meetup_id: int, qr_text: str, scan_id: str, device: str, now: datetime
) -> DoorResult:
    """Admit the holder of a scanned ticket QR, or say exactly why not."""
    _check_scan_id(scan_id)
    meetup = _lock_meetup(uow.session, meetup_id)  # first: replays of one id are serialised
    if replay := _replayed(uow.session, meetup_id, scan_id):
        return replay
    try:
        claim = read_ticket_qr(qr_text)
    except TokenRefused as refused:
        return _finish(uow, meetup, scan_id, device, _result(refused.code))
    registration = uow.session.get(Registration, claim.registration_id)
    if registration is None or registration.meetup_id != claim.meetup_id:
        return _finish(uow, meetup, scan_id, device, _result("unknown"))
    if claim.meetup_id != meetup_id:
        result = _other_meetup(uow.session, registration)
    elif registration.status == REG_CANCELLED:
        result = _result("cancelled", registration)
    elif claim.nonce != registration.qr_nonce:
        result = _result("revoked", registration)
    else:
        result = _admit(uow, meetup, registration, device, now, bind_hash=claim.device_hash)
    return _finish(uow, meetup, scan_id, device, result)


def admit_by_code(
    uow: UnitOfWork, meetup_id: int, code: str, scan_id: str, device: str, now: datetime
) -> DoorResult:
    """Admit by the short code printed under the QR (the fallback when scanning fails)."""
    _check_scan_id(scan_id)
    meetup = _lock_meetup(uow.session, meetup_id)  # first: replays of one id are serialised
    if replay := _replayed(uow.session, meetup_id, scan_id):
        return replay
    code = normalise_code(code)
    registration = None
    if len(code) == SHORT_CODE_LENGTH and set(code) <= set(SHORT_CODE_ALPHABET):
        registration = uow.session.exec(
            select(Registration).where(Registration.short_code == code)
        ).first()
    if registration is None:
        result = _result("unknown")
    elif registration.meetup_id != meetup_id:
        result = _other_meetup(uow.session, registration)
    else:
        result = _admit(uow, meetup, registration, device, now)
    return _finish(uow, meetup, scan_id, device, result)


def admit_registration(
    uow: UnitOfWork,
    meetup_id: int,
    registration_id: int,
    scan_id: str,
    device: str,
    now: datetime,
) -> DoorResult:
    """Admit someone picked from the name search (waitlisted people too: the crew decides)."""
    _check_scan_id(scan_id)
    meetup = _lock_meetup(uow.session, meetup_id)  # first: replays of one id are serialised
    if replay := _replayed(uow.session, meetup_id, scan_id):
        return replay
    registration = uow.session.get(Registration, registration_id)
    if registration is None or registration.meetup_id != meetup_id:
        result = _result("unknown")
    else:
        result = _admit(uow, meetup, registration, device, now, admit_waitlisted=True)
    return _finish(uow, meetup, scan_id, device, result)


def _other_meetup(session: Session, registration: Registration) -> DoorResult:
    other = session.get(Meetup, registration.meetup_id)
    return _result(
        "other_meetup", registration, detail=f"{other.title}, {london_time(other.starts_at)}"
    )


def _window_problem(meetup: Meetup, now: datetime) -> DoorResult | None:
    if meetup.status in (STATUS_CANCELLED, STATUS_ENDED) or now >= meetup.ends_at:
        return _result("closed")
    if now < meetup.checkin_opens_at:
        return _result("not_open", detail=f"Opens {london_time(meetup.checkin_opens_at)}")
    return None


def _admit(
    uow: UnitOfWork,
    meetup: Meetup,
    registration: Registration,
    device: str,
    now: datetime,
    bind_hash: str | None = None,
    admit_waitlisted: bool = False,
) -> DoorResult:
    if registration.status == REG_CANCELLED:
        return _result("cancelled", registration)
    if problem := _window_problem(meetup, now):
        return problem
    if registration.status == REG_WAITLISTED and not admit_waitlisted:
        return _result("waitlisted", registration)
    if registration.checked_in_at and not registration.checked_out_at:
        return _already(uow, registration, bind_hash)
    won = uow.session.exec(
        update(Registration)
        .where(Registration.id == registration.id)
        .where((Registration.checked_in_at.is_(None)) | (Registration.checked_out_at.is_not(None)))
        .values(
            checked_in_at=now,
            checked_out_at=None,
            checked_in_device=device[:60],
            status=REG_CONFIRMED,
        )
    ).rowcount
    uow.session.refresh(registration)
    if not won:
        return _already(uow, registration, bind_hash)
    if bind_hash:
        _bind(uow, registration, bind_hash)
    _record_checked_in(uow, meetup, registration)
    return _result("admitted", registration)


def _already(uow: UnitOfWork, registration: Registration, bind_hash: str | None) -> DoorResult:
    when = london_time(registration.checked_in_at, "%H:%M")
    detail = f"at {when} by {registration.checked_in_device or 'a door device'}"
    if bind_hash and bind_hash != registration.device_hash:
        _bind(uow, registration, bind_hash)
        return _result("rebound", registration, detail=detail)
    return _result("already", registration, detail=detail)


def _bind(uow: UnitOfWork, registration: Registration, new_hash: str) -> None:
    """Make this phone the attendee's voting device; no phone votes for two people."""
    uow.session.exec(
        update(Registration)
        .where(Registration.meetup_id == registration.meetup_id)
        .where(Registration.device_hash == new_hash, Registration.id != registration.id)
        .values(device_hash=None)
    )
    moved = registration.device_hash is not None and registration.device_hash != new_hash
    registration.device_hash = new_hash
    uow.session.add(registration)
    if moved:
        record(uow, VotingDeviceMoved(registration.meetup_id, registration.id))


def _record_checked_in(uow: UnitOfWork, meetup: Meetup, registration: Registration) -> None:
    uow.session.flush()
    figures = counts(uow.session, meetup.id)
    record(
        uow,
        AttendeeCheckedIn(
            meetup.id, registration.id, registration.walk_in, figures.present, figures.walk_ins
        ),
    )


def check_out(uow: UnitOfWork, meetup_id: int, registration_id: int, now: datetime) -> None:
    """Mark someone as gone: they stop counting as present and may no longer vote."""
    meetup = _lock_meetup(uow.session, meetup_id)
    registration = uow.session.get(Registration, registration_id)
    if registration is None or registration.meetup_id != meetup_id:
        raise ServiceError("unknown", "There is no such attendee at this meetup.", 404)
    if not registration.checked_in_at or registration.checked_out_at:
        raise ServiceError("not_present", f"{registration.display_name} is not checked in.")
    registration.checked_out_at = now
    uow.session.add(registration)
    uow.session.flush()
    figures = counts(uow.session, meetup.id)
    record(uow, AttendeeCheckedOut(meetup.id, registration.id, figures.present, figures.walk_ins))


def switch_walk_ins(uow: UnitOfWork, meetup_id: int, enabled: bool) -> None:
    """Turn the projector's join QR on or off."""
    meetup = _lock_meetup(uow.session, meetup_id)
    if meetup.walk_ins_enabled != enabled:
        meetup.walk_ins_enabled = enabled
        uow.session.add(meetup)
        record(uow, WalkInsSwitched(meetup_id, enabled))


def walk_in_meetup(session: Session, token: str, now: datetime) -> Meetup:
    """The meetup a join token lets someone walk into, or a ServiceError saying why not."""
    try:
        meetup_id = read_join_token(token)
    except TokenRefused as refused:
        message = (
            "This join code has expired: scan the code on the screen again."
            if refused.code == "expired"
            else "This join code is not valid."
        )
        raise ServiceError(f"join_{refused.code}", message) from None
    meetup = session.get(Meetup, meetup_id)
    if meetup is None:
        raise ServiceError("join_forged", "This join code is not valid.")
    if not meetup.walk_ins_enabled:
        raise ServiceError(
            "walk_ins_off",
            "Walk-ins are turned off for this meetup: please see the people at the door.",
        )
    if problem := _window_problem(meetup, now):
        raise ServiceError(f"checkin_{problem.outcome}", problem.message + ".")
    return meetup


def join_walk_in(
    uow: UnitOfWork, token: str, display_name: str, device_id: str, now: datetime
) -> Registration:
    """Check in a walk-in from their own phone, which becomes their voting device."""
    meetup = walk_in_meetup(uow.session, token, now)
    meetup = _lock_meetup(uow.session, meetup.id)
    display_name = " ".join(display_name.split())
    if not 1 <= len(display_name) <= 80:
        raise ServiceError(
            "invalid_name", "Give a name of 1 to 80 characters.", field="display_name"
        )
    hashed = device_hash(device_id)
    existing = uow.session.exec(
        select(Registration).where(
            Registration.meetup_id == meetup.id,
            Registration.device_hash == hashed,
            Registration.checked_in_at.is_not(None),
            Registration.checked_out_at.is_(None),
        )
    ).first()
    if existing:
        return existing
    registration = Registration(
        meetup_id=meetup.id,
        ticket_token=secrets.token_urlsafe(18),
        short_code=unique_short_code(uow.session),
        display_name=display_name,
        status=REG_CONFIRMED,
        walk_in=True,
        qr_nonce=secrets.token_urlsafe(9),
        checked_in_at=now,
        checked_in_device="walk-in QR",
        device_hash=hashed,
        created_at=now,
    )
    uow.session.add(registration)
    _record_checked_in(uow, meetup, registration)
    return registration


def bind_from_ticket_page(uow: UnitOfWork, ticket_token: str, device_id: str) -> bool:
    """A checked-in attendee with no voting phone yet claims this one from their ticket page."""
    registration = uow.session.exec(
        select(Registration).where(Registration.ticket_token == ticket_token)
    ).first()
    if registration is None or not registration.checked_in_at or registration.checked_out_at:
        return False
    if registration.device_hash is not None:
        return registration.device_hash == device_hash(device_id)
    _bind(uow, registration, device_hash(device_id))
    return True


def search(session: Session, meetup_id: int, query: str, limit: int = 20) -> list[Registration]:
    """Registrations of the meetup whose name contains `query` (case-insensitive)."""
    query = " ".join(query.split()).lower()
    if len(query) < 2:
        return []
    rows = session.exec(
        select(Registration).where(
            Registration.meetup_id == meetup_id, Registration.status != REG_CANCELLED
        )
    )
    return [r for r in rows if query in r.display_name.lower()][:limit]
