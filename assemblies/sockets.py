"""Socket commands of the door: scan, type a code, search by name, admit, check out,
and switch walk-ins. Thin: check the role, parse, call one service, acknowledge."""

from flask_login import current_user
from limits import parse

from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.events import utcnow
from app.realtime import Realtime, require_fields
from app.security import limiter
from assemblies import checkin
from assemblies.attendance import attendance_list, counts
from assemblies.models import Meetup

CODE_ATTEMPTS = parse("30 per minute")  # per door account: guessing 8-character codes is slow


def _meetup_for_crew(data: dict, facilitator: bool = False) -> Meetup:
    require_fields(data, meetup_id=int)
    with read_session() as session:
        meetup = session.get(Meetup, data["meetup_id"])
    allowed = meetup is not None and (
        current_user.can_facilitate(meetup.assembly_id)
        if facilitator
        else current_user.can_work_door(meetup.assembly_id)
    )
    if not allowed:
        who = "facilitators" if facilitator else "door crew"
        raise ServiceError("forbidden", f"Only this assembly's {who} may do that.", 403)
    return meetup


def _device(data: dict) -> str:
    label = data.get("device")
    name = getattr(current_user, "display_name", "door")
    return f"{name}, {label[:30]}" if isinstance(label, str) and label.strip() else name


def cmd_scan(data: dict) -> dict:
    """Check in the holder of a scanned ticket QR."""
    meetup = _meetup_for_crew(data)
    require_fields(data, qr=str, scan_id=str)
    with unit_of_work() as uow:
        result = checkin.scan_ticket(
            uow, meetup.id, data["qr"], data["scan_id"], _device(data), utcnow()
        )
    return {"result": result.as_dict()}


def cmd_code(data: dict) -> dict:
    """Check in by a typed short code (rate limited per door account against guessing)."""
    meetup = _meetup_for_crew(data)
    require_fields(data, code=str, scan_id=str)
    if not limiter.limiter.hit(CODE_ATTEMPTS, "door-code", str(current_user.id)):
        raise ServiceError("rate_limited", "Too many codes typed: wait a minute and try again.")
    with unit_of_work() as uow:
        result = checkin.admit_by_code(
            uow, meetup.id, data["code"], data["scan_id"], _device(data), utcnow()
        )
    return {"result": result.as_dict()}


def cmd_admit(data: dict) -> dict:
    """Check in someone picked from the name search."""
    meetup = _meetup_for_crew(data)
    require_fields(data, registration_id=int, scan_id=str)
    with unit_of_work() as uow:
        result = checkin.admit_registration(
            uow, meetup.id, data["registration_id"], data["scan_id"], _device(data), utcnow()
        )
    return {"result": result.as_dict()}


def cmd_search(data: dict) -> dict:
    """Find registrations by name."""
    meetup = _meetup_for_crew(data)
    require_fields(data, q=str)
    with read_session() as session:
        found = checkin.search(session, meetup.id, data["q"][:80])
    return {"people": [_person(r) for r in found]}


def _person(registration) -> dict:
    return {
        "registration_id": registration.id,
        "name": registration.display_name,
        "status": registration.status,
        "walk_in": registration.walk_in,
        "present": bool(registration.checked_in_at and not registration.checked_out_at),
        "checked_out": bool(registration.checked_out_at),
    }


def cmd_checkout(data: dict) -> dict:
    """Check someone out."""
    meetup = _meetup_for_crew(data)
    require_fields(data, registration_id=int)
    with unit_of_work() as uow:
        checkin.check_out(uow, meetup.id, data["registration_id"], utcnow())
    return {}


def cmd_attendance(data: dict) -> dict:
    """The attendance list and counts (the crew refreshes it on check-in events)."""
    meetup = _meetup_for_crew(data)
    with read_session() as session:
        people = attendance_list(session, meetup.id)
        figures = counts(session, meetup.id)
    return {"counts": vars(figures), "people": [_person(r) for r in people]}


def cmd_walk_ins(data: dict) -> dict:
    """Facilitators turn walk-ins on or off."""
    meetup = _meetup_for_crew(data, facilitator=True)
    require_fields(data, enabled=bool)
    with unit_of_work() as uow:
        checkin.switch_walk_ins(uow, meetup.id, data["enabled"])
    return {"enabled": data["enabled"]}


def register(realtime: Realtime) -> None:
    """Add the door commands to the app's command table."""
    crew = "door volunteers, facilitators and hosts of the meetup's assembly"
    realtime.add_command("door.scan", cmd_scan, crew)
    realtime.add_command("door.code", cmd_code, crew)
    realtime.add_command("door.admit", cmd_admit, crew)
    realtime.add_command("door.search", cmd_search, crew)
    realtime.add_command("door.checkout", cmd_checkout, crew)
    realtime.add_command("door.attendance", cmd_attendance, crew)
    realtime.add_command("door.walk_ins", cmd_walk_ins, "facilitators and hosts of the assembly")
