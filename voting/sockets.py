"""Socket commands of the live meeting. Thin: find who is asking, call one service, ack."""

import re

from flask import session as flask_session
from flask_login import current_user

from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.events import utcnow
from app.realtime import Realtime, require_fields
from assemblies import attendance
from voting import services, votes
from voting.ballot_writer import ballot_writer
from voting.models import Vote
from voting.snapshot import snapshot

ATTENDEES = "attendees checked in to the meetup, from their bound phone"
FACILITATORS = "facilitators and hosts of the meetup's assembly"


def _meetup(data: dict) -> attendance.MeetupFacts:
    require_fields(data, meetup_id=int)
    with read_session() as session:
        meetup = attendance.meetup_facts(session, data["meetup_id"])
    if meetup is None:
        raise ServiceError("no_such_meetup", "There is no such meetup.", 404)
    return meetup


def facilitated_meetup(data: dict) -> attendance.MeetupFacts:
    """The meetup a console command names, if the sender may facilitate it (else forbidden)."""
    meetup = _meetup(data)
    if not current_user.can_facilitate(meetup.assembly_id):
        raise ServiceError("forbidden", "Only this assembly's facilitators may do that.", 403)
    return meetup


def _me(meetup_id: int) -> int | None:
    """The present attendee this connection's phone votes for, if any."""
    with read_session() as session:
        return attendance.attendee_for_device(session, meetup_id, flask_session.get("device"))


def cmd_state(data: dict) -> dict:
    """The whole meeting picture (crew see the moderation queue and names too)."""
    meetup = _meetup(data)
    crew = current_user.can_work_door(meetup.assembly_id)
    me = _me(meetup.id)
    with read_session() as session:
        picture = snapshot(session, meetup.id, me=me, crew=crew)
    return {"state": picture, "me": me}


def cmd_submit(data: dict) -> dict:
    """Submit a proposal, or an amendment with `parent_id` (attendees; facilitators too)."""
    meetup = _meetup(data)
    require_fields(data, client_id=str, title=str)
    parent_id = data.get("parent_id")
    if parent_id is not None and not isinstance(parent_id, int):
        raise ServiceError("bad_request", "Field 'parent_id' must be a whole number.")
    by_facilitator = bool(data.get("as_facilitator")) and current_user.can_facilitate(
        meetup.assembly_id
    )
    with unit_of_work() as uow:
        proposal, repeated = services.submit_proposal(
            uow,
            meetup.id,
            data["client_id"],
            data["title"],
            str(data.get("body") or ""),
            None if by_facilitator else _me(meetup.id),
            parent_id,
            by_facilitator,
        )
        if by_facilitator and not repeated:
            services.accept_proposal(uow, meetup.id, proposal.id)
    return {"proposal_id": proposal.id, "repeated": repeated}


def cmd_support(data: dict) -> dict:
    """Support a proposal (`on`: true) or withdraw support (false)."""
    meetup = _meetup(data)
    require_fields(data, proposal_id=int, on=bool)
    with unit_of_work() as uow:
        count = services.set_support(
            uow, meetup.id, data["proposal_id"], _me(meetup.id), data["on"]
        )
    return {"supports": count}


def cmd_hand(data: dict) -> dict:
    """Raise (`up`: true) or lower a hand to speak."""
    meetup = _meetup(data)
    require_fields(data, up=bool)
    with unit_of_work() as uow:
        services.raise_hand(uow, meetup.id, _me(meetup.id), data["up"], utcnow())
    return {"up": data["up"]}


def cmd_signal(data: dict) -> dict:
    """Hold up or put down a hand signal: agree, clarify or process."""
    meetup = _meetup(data)
    require_fields(data, kind=str, up=bool)
    with unit_of_work() as uow:
        counts = services.set_signal(uow, meetup.id, _me(meetup.id), data["kind"], data["up"])
    return {"signals": counts}


def _console(action):
    """Wrap a facilitator action that takes (uow, meetup_id, data)."""

    def handler(data: dict) -> dict:
        meetup = facilitated_meetup(data)
        with unit_of_work() as uow:
            result = action(uow, meetup.id, data)
        return result or {}

    handler.__doc__ = action.__doc__
    return handler


def _agenda_add(uow, meetup_id, data):
    """Add an agenda item."""
    require_fields(data, title=str, minutes=int)
    item = services.add_agenda_item(uow, meetup_id, data["title"], data["minutes"])
    return {"item_id": item.id}


def _agenda_move(uow, meetup_id, data):
    """Move an agenda item up or down."""
    require_fields(data, item_id=int, offset=int)
    services.move_agenda_item(uow, meetup_id, data["item_id"], data["offset"])


def _agenda_start(uow, meetup_id, data):
    """Start an agenda item's timer."""
    require_fields(data, item_id=int)
    services.start_agenda_item(uow, meetup_id, data["item_id"], utcnow())


def _agenda_finish(uow, meetup_id, data):
    """Finish an agenda item."""
    require_fields(data, item_id=int)
    services.finish_agenda_item(uow, meetup_id, data["item_id"], utcnow())


def _accept(uow, meetup_id, data):
    """Accept a proposal onto the agenda."""
    require_fields(data, proposal_id=int)
    services.accept_proposal(uow, meetup_id, data["proposal_id"])


def _return(uow, meetup_id, data):
    """Return a proposal with a reason."""
    require_fields(data, proposal_id=int, reason=str)
    services.return_proposal(uow, meetup_id, data["proposal_id"], data["reason"])


def _hide(uow, meetup_id, data):
    """Hide an abusive proposal."""
    require_fields(data, proposal_id=int)
    services.hide_proposal(uow, meetup_id, data["proposal_id"])


def _merge(uow, meetup_id, data):
    """Merge a duplicate into another proposal."""
    require_fields(data, proposal_id=int, into_id=int)
    services.merge_proposals(uow, meetup_id, data["proposal_id"], data["into_id"])


def _discuss(uow, meetup_id, data):
    """Show a proposal as being discussed (proposal_id null for none)."""
    proposal_id = data.get("proposal_id")
    if proposal_id is not None and not isinstance(proposal_id, int):
        raise ServiceError("bad_request", "Field 'proposal_id' must be a whole number or null.")
    services.discuss(uow, meetup_id, proposal_id)


def _next_speaker(uow, meetup_id, data):
    """Call the next speaker."""
    return {"registration_id": services.call_next_speaker(uow, meetup_id, utcnow())}


def _clear_queue(uow, meetup_id, data):
    """Clear the speaking queue."""
    services.clear_queue(uow, meetup_id, utcnow())


def _clear_signals(uow, meetup_id, data):
    """Put all hand signals down."""
    services.clear_signals(uow, meetup_id)


def cmd_cast(data: dict) -> dict:
    """Cast (or change) a ballot; the acknowledgement carries the receipt, and is sent only
    once the ballot is stored (ballots are written in groups, see voting/ballot_writer.py)."""
    require_fields(data, vote_id=int)
    if "ballot" not in data:
        raise ServiceError("bad_request", "Field 'ballot' is missing.")
    client_id = data.get("client_id") if isinstance(data.get("client_id"), str) else ""
    receipt, changed = ballot_writer().cast(
        data["vote_id"], flask_session.get("device"), data["ballot"], client_id
    )
    return {"receipt": receipt, "changed": changed}


def _vote_open(uow, meetup_id, data):
    """Open a vote."""
    require_fields(data, client_id=str, question=str, method=str)
    options = data.get("options") or []
    rule = data.get("rule") or {}
    duration = data.get("duration_seconds")
    if not isinstance(options, list) or not isinstance(rule, dict):
        raise ServiceError("bad_request", "Options must be a list and the rule an object.")
    if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool)):
        raise ServiceError("bad_request", "Field 'duration_seconds' must be a whole number.")
    vote = votes.open_vote(
        uow,
        meetup_id,
        data["client_id"],
        data["question"],
        data["method"],
        options,
        rule,
        utcnow(),
        secret=data.get("secret", True) is not False,
        live_results=data.get("live_results") is True,
        changeable=data.get("changeable", True) is not False,
        duration_seconds=duration,
        proposal_id=data.get("proposal_id") if isinstance(data.get("proposal_id"), int) else None,
    )
    return {"vote_id": vote.id}


def _vote_for(uow, meetup_id, data) -> int:
    require_fields(data, vote_id=int)
    vote = uow.session.get(Vote, data["vote_id"])
    if vote is None or vote.meetup_id != meetup_id:
        raise ServiceError("no_such_vote", "There is no such vote.", 404)
    return vote.id


def _vote_close(uow, meetup_id, data):
    """Close a vote now and count it."""
    vote = votes.close_vote(uow, _vote_for(uow, meetup_id, data), utcnow())
    return {"result": vote.result}


def _vote_manual(uow, meetup_id, data):
    """Record counts from a show of hands or paper ballots and close the vote."""
    counts = data.get("counts")
    if not isinstance(counts, dict):
        raise ServiceError("bad_request", "Field 'counts' must be an object.")
    vote = votes.record_manual_counts(uow, _vote_for(uow, meetup_id, data), counts, utcnow())
    return {"result": vote.result}


def may_join_registration(match: re.Match) -> bool:
    """An attendee's private room: only from the phone bound to that registration."""
    registration_id = int(match.group(1))
    with read_session() as session:
        meetup_id = attendance.meetup_of_registration(session, registration_id)
        if meetup_id is None:
            return False
        device = flask_session.get("device")
        return attendance.attendee_for_device(session, meetup_id, device) == registration_id


def register(realtime: Realtime) -> None:
    """Add the meeting commands and the attendee room rule."""
    realtime.add_command("meeting.state", cmd_state, "anyone; crew see moderation and names")
    realtime.add_command("proposal.submit", cmd_submit, ATTENDEES + "; " + FACILITATORS)
    realtime.add_command("proposal.support", cmd_support, ATTENDEES)
    realtime.add_command("hand.raise", cmd_hand, ATTENDEES)
    realtime.add_command("signal.set", cmd_signal, ATTENDEES)
    realtime.add_command("vote.cast", cmd_cast, ATTENDEES)
    console = {
        "agenda.add": _agenda_add,
        "agenda.move": _agenda_move,
        "agenda.start": _agenda_start,
        "agenda.finish": _agenda_finish,
        "proposal.accept": _accept,
        "proposal.return": _return,
        "proposal.hide": _hide,
        "proposal.merge": _merge,
        "proposal.discuss": _discuss,
        "queue.next": _next_speaker,
        "queue.clear": _clear_queue,
        "signals.clear": _clear_signals,
        "vote.open": _vote_open,
        "vote.close": _vote_close,
        "vote.manual": _vote_manual,
    }
    for name, action in console.items():
        realtime.add_command(name, _console(action), FACILITATORS)
    realtime.add_room_rule(
        r"registration:(\d+)", may_join_registration, "the attendee's own bound phone"
    )
