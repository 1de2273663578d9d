"""The live meeting as one JSON-ready picture, for the console, phones and the projector.

Clients load it on connect and after structural changes; counts (supports, queue, signals)
also arrive in events, so a busy room does not reload it for every support.
"""

from flask import current_app
from sqlalchemy import func
from sqlmodel import Session, select

from assemblies import attendance
from assemblies.models import Meetup
from voting import services, votes
from voting.models import (
    PROPOSAL_ACCEPTED,
    PROPOSAL_SUBMITTED,
    AgendaItem,
    MeetingState,
    Proposal,
    Support,
    Vote,
)


def _item(item: AgendaItem) -> dict:
    return {
        "id": item.id,
        "title": item.title,
        "duration_minutes": item.duration_minutes,
        "state": item.state,
        "started_at": item.started_at.isoformat() if item.started_at else None,
    }


def _proposal(proposal: Proposal, supports: dict[int, int], mine: set[int]) -> dict:
    return {
        "id": proposal.id,
        "parent_id": proposal.parent_id,
        "title": proposal.title,
        "body": proposal.body,
        "status": proposal.status,
        "supports": supports.get(proposal.id, 0),
        "supported": proposal.id in mine,
        "by_facilitator": proposal.by_facilitator,
    }


def decision_order(accepted: list[Proposal]) -> list[Proposal]:
    """Accepted proposals in the order they will be decided: each one's amendments first."""
    parents = sorted((p for p in accepted if p.parent_id is None), key=lambda p: p.agenda_order)
    ordered = []
    for parent in parents:
        amendments = [p for p in accepted if p.parent_id == parent.id]
        ordered.extend(sorted(amendments, key=lambda p: p.agenda_order))
        ordered.append(parent)
    return ordered


def snapshot(session: Session, meetup_id: int, me: int | None = None, crew: bool = False) -> dict:
    """Everything a screen needs; `me` is the attendee asking, `crew` adds moderation data."""
    meetup = session.get(Meetup, meetup_id)
    proposals = list(session.exec(select(Proposal).where(Proposal.meetup_id == meetup_id)))
    supports = _support_counts(session, meetup_id)
    mine = _my_supports(session, meetup_id, me)
    accepted = [p for p in proposals if p.status == PROPOSAL_ACCEPTED]
    state = session.get(MeetingState, meetup_id)
    queue = services.speaking_queue(session, meetup_id)
    speaker = services.current_speaker(session, meetup_id)
    names = (
        attendance.display_names(session, {r.registration_id for r in queue} | {speaker} - {None})
        if crew
        else {}
    )
    picture = {
        "meetup": {"id": meetup.id, "title": meetup.title, "status": meetup.status},
        "agenda": [_item(item) for item in services.agenda(session, meetup_id)],
        "proposals": [_proposal(p, supports, mine) for p in decision_order(accepted)],
        "discussing": state.discussing_proposal_id if state else None,
        "queue": {
            "waiting": len(queue),
            "position": next((n for n, r in enumerate(queue, 1) if r.registration_id == me), None),
            "speaking_is_me": speaker is not None and speaker == me,
        },
        "signals": services.signal_counts(session, meetup_id),
        "present": attendance.present_count(session, meetup_id),
        "checked_in": me is not None,
    }
    picture["votes"] = [_vote(session, v, me) for v in votes.votes_of(session, meetup_id)[:10]]
    if me is not None:
        picture["mine"] = [
            {**_proposal(p, supports, mine), "reason": p.return_reason}
            for p in proposals
            if p.author_registration_id == me
        ]
    if crew:
        for extend in current_app.extensions.get("console_extras", []):
            picture.update(extend(session, meetup_id))  # e.g. national motions to run
        picture["moderation"] = [
            _proposal(p, supports, mine) for p in proposals if p.status == PROPOSAL_SUBMITTED
        ]
        picture["queue"]["names"] = [names.get(r.registration_id, "?") for r in queue]
        picture["queue"]["speaking"] = names.get(speaker) if speaker else None
    return picture


def _vote_text(session: Session, vote: Vote) -> str | None:
    """The full text being voted on, when the question is only its title (a national motion's
    wording, say), from the `vote_texts` hooks other packages add."""
    for text_of in current_app.extensions.get("vote_texts", []):
        text = text_of(session, vote)
        if text:
            return text
    return None


def _vote(session: Session, vote: Vote, me: int | None) -> dict:
    mine = votes.my_ballot(session, vote, me)
    return {
        "id": vote.id,
        "question": vote.question,
        "text": _vote_text(session, vote),
        "method": vote.method,
        "options": vote.options,
        "rule": vote.rule,
        "secret": vote.secret,
        "changeable": vote.changeable,
        "live_results": vote.live_results,
        "status": vote.status,
        "closes_at": vote.closes_at.isoformat() if vote.closes_at else None,
        "cast": votes.ballots_cast(session, vote.id),
        "my_receipt": mine.receipt if mine else None,
        "my_ballot": mine.choice["ballot"] if mine else None,
        "result": vote.result,
        "manual": vote.manual,
    }


def _support_counts(session: Session, meetup_id: int) -> dict[int, int]:
    rows = session.exec(
        select(Support.proposal_id, func.count())
        .join(Proposal, Proposal.id == Support.proposal_id)
        .where(Proposal.meetup_id == meetup_id)
        .group_by(Support.proposal_id)
    )
    return dict(rows.all())


def _my_supports(session: Session, meetup_id: int, me: int | None) -> set[int]:
    if me is None:
        return set()
    rows = session.exec(
        select(Support.proposal_id)
        .join(Proposal, Proposal.id == Support.proposal_id)
        .where(Proposal.meetup_id == meetup_id, Support.registration_id == me)
    )
    return set(rows.all())
