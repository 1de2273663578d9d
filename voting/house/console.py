"""What the House adds to a meetup's console: the national motions its assembly may run, the
command that puts one to the vote, and the one that proposes a local amendment."""

from flask_login import current_user

from app.db import unit_of_work
from app.errors import ServiceError
from app.events import utcnow
from app.realtime import Realtime, require_fields
from assemblies import attendance
from voting.house.models import NationalMotion
from voting.house.motions import open_motions_for, propose_local_amendment, run_motion
from voting.models import Vote
from voting.sockets import FACILITATORS, facilitated_meetup


def motions_for_console(session, meetup_id: int) -> dict:
    """Console extra: the open national motions aimed at this meetup's assembly."""
    facts = attendance.meetup_facts(session, meetup_id)
    return {
        "motions": [
            {
                "id": m.id,
                "title": m.title,
                "wording": m.wording,
                "version": m.version,
                "closes_at": m.closes_at.isoformat(),
                "amends_id": m.amends_id,
            }
            for m in open_motions_for(session, facts.assembly_id, facts.region, utcnow())
        ]
    }


def motion_wording(session, vote: Vote) -> str | None:
    """A vote's text when it runs a national motion or a local amendment: the wording."""
    if vote.motion_id is None:
        return None
    motion = session.get(NationalMotion, vote.motion_id)
    return motion.wording if motion else None


def cmd_motion_run(data: dict) -> dict:
    """Put a national motion to the vote at this meetup (facilitators)."""
    meetup = facilitated_meetup(data)
    require_fields(data, motion_id=int, client_id=str)
    duration = data.get("duration_seconds")
    if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool)):
        raise ServiceError("bad_request", "Field 'duration_seconds' must be a whole number.")
    with unit_of_work() as uow:
        vote = run_motion(
            uow,
            meetup.id,
            data["motion_id"],
            data["client_id"],
            utcnow(),
            meetup.assembly_id,
            meetup.region,
            duration,
        )
    return {"vote_id": vote.id}


def cmd_motion_amend(data: dict) -> dict:
    """Propose a local amendment to a national motion, for this meetup's assembly
    (facilitators); it can then be put to the vote like the motion itself."""
    meetup = facilitated_meetup(data)
    require_fields(data, motion_id=int, wording=str)
    with unit_of_work() as uow:
        amendment = propose_local_amendment(
            uow,
            data["motion_id"],
            data["wording"],
            meetup.assembly_id,
            meetup.region,
            utcnow(),
            current_user.id,
        )
    return {"motion_id": amendment.id}


def register(realtime: Realtime) -> None:
    """Add the motion commands."""
    realtime.add_command("motion.run", cmd_motion_run, FACILITATORS)
    realtime.add_command("motion.amend", cmd_motion_amend, FACILITATORS)
