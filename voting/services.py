"""Use cases of the live meeting: agenda, proposals and amendments, supports, moderation,
the speaking queue and hand signals. Attendees act only while checked in (asked of the
assemblies floor through its attendance surface); every change records an event."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.db import UnitOfWork
from app.errors import ServiceError
from app.events import record
from assemblies import attendance
from assemblies.models import STATUS_CANCELLED, STATUS_ENDED
from voting import events
from voting.models import (
    BODY_MAX,
    ITEM_DONE,
    ITEM_RUNNING,
    PROPOSAL_ACCEPTED,
    PROPOSAL_HIDDEN,
    PROPOSAL_MERGED,
    PROPOSAL_RETURNED,
    PROPOSAL_SUBMITTED,
    SIGNAL_KINDS,
    TITLE_MAX,
    AgendaItem,
    HandSignal,
    MeetingState,
    Proposal,
    SpeakerRequest,
    Support,
)

MAX_AGENDA_ITEMS = 50
MAX_OPEN_PROPOSALS_PER_PERSON = 10


def open_meetup(session: Session, meetup_id: int) -> attendance.MeetupFacts:
    """The meetup (locked for the rest of the transaction), if it is not over; else an error."""
    meetup = attendance.meetup_facts(session, meetup_id, lock=True)
    if meetup is None:
        raise ServiceError("no_such_meetup", "There is no such meetup.", 404)
    if meetup.status in (STATUS_ENDED, STATUS_CANCELLED):
        raise ServiceError("meeting_over", "This meetup is over.")
    return meetup


def require_present(session: Session, meetup_id: int, registration_id: int | None) -> int:
    """The attendee's registration id, if they are checked in; otherwise an error."""
    present = registration_id is not None and attendance.is_present(
        session, meetup_id, registration_id
    )
    return require_present_in({registration_id} if present else set(), registration_id)


def require_present_in(present: set[int], registration_id: int | None) -> int:
    """The attendee's registration id, if it is among those known to be present; else an
    error."""
    if registration_id is None or registration_id not in present:
        raise ServiceError(
            "not_checked_in",
            "Only people checked in to this meetup can do that. Check in at the door or scan "
            "the code on the big screen.",
            403,
        )
    return registration_id


def clean_text(title: str, body: str) -> tuple[str, str]:
    """Trim and check a proposal's title and text."""
    title = " ".join((title or "").split())
    body = (body or "").strip()
    if not title:
        raise ServiceError("empty_title", "Give your proposal a title.", field="title")
    if len(title) > TITLE_MAX:
        raise ServiceError(
            "title_too_long", f"The title can be at most {TITLE_MAX} characters.", field="title"
        )
    if len(body) > BODY_MAX:
        raise ServiceError(
            "body_too_long", f"The text can be at most {BODY_MAX} characters.", field="body"
        )
    return title, body


# --- agenda ---


def add_agenda_item(uow: UnitOfWork, meetup_id: int, title: str, minutes: int) -> AgendaItem:
    """Add an item at the end of the agenda."""
    open_meetup(uow.session, meetup_id)
    title = " ".join((title or "").split())
    if not 1 <= len(title) <= TITLE_MAX:
        raise ServiceError(
            "bad_title", f"Give the item a title of up to {TITLE_MAX} characters.", field="title"
        )
    if not 1 <= minutes <= 240:
        raise ServiceError("bad_duration", "An item lasts 1 to 240 minutes.", field="minutes")
    items = agenda(uow.session, meetup_id)
    if len(items) >= MAX_AGENDA_ITEMS:
        raise ServiceError("agenda_full", "The agenda is full.")
    item = AgendaItem(
        meetup_id=meetup_id, position=len(items) + 1, title=title, duration_minutes=minutes
    )
    uow.session.add(item)
    uow.session.flush()
    record(uow, events.AgendaItemAdded(meetup_id, item.id, title, minutes, item.position))
    return item


def agenda(session: Session, meetup_id: int) -> list[AgendaItem]:
    """The agenda in order."""
    query = select(AgendaItem).where(AgendaItem.meetup_id == meetup_id)
    return list(session.exec(query.order_by(AgendaItem.position)))


def move_agenda_item(uow: UnitOfWork, meetup_id: int, item_id: int, offset: int) -> None:
    """Move an item up (-1) or down (+1)."""
    open_meetup(uow.session, meetup_id)
    items = agenda(uow.session, meetup_id)
    index = next((n for n, item in enumerate(items) if item.id == item_id), None)
    if index is None:
        raise ServiceError("no_such_item", "There is no such agenda item.", 404)
    if offset == 0:
        return
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, item in enumerate(items, start=1):
        item.position = position
        uow.session.add(item)
    record(uow, events.AgendaReordered(meetup_id, [item.id for item in items]))


def start_agenda_item(uow: UnitOfWork, meetup_id: int, item_id: int, now: datetime) -> None:
    """Run an item (its timer starts); the item running before it is finished."""
    open_meetup(uow.session, meetup_id)
    item = uow.session.get(AgendaItem, item_id)
    if item is None or item.meetup_id != meetup_id:
        raise ServiceError("no_such_item", "There is no such agenda item.", 404)
    for running in agenda(uow.session, meetup_id):
        if running.state == ITEM_RUNNING and running.id != item_id:
            _finish(uow, running, now)
    item.state, item.started_at, item.finished_at = ITEM_RUNNING, now, None
    uow.session.add(item)
    record(
        uow, events.AgendaItemStarted(meetup_id, item.id, now.isoformat(), item.duration_minutes)
    )


def finish_agenda_item(uow: UnitOfWork, meetup_id: int, item_id: int, now: datetime) -> None:
    """Mark an item as done."""
    open_meetup(uow.session, meetup_id)
    item = uow.session.get(AgendaItem, item_id)
    if item is None or item.meetup_id != meetup_id:
        raise ServiceError("no_such_item", "There is no such agenda item.", 404)
    _finish(uow, item, now)


def _finish(uow: UnitOfWork, item: AgendaItem, now: datetime) -> None:
    if item.state == ITEM_DONE:
        return
    item.state, item.finished_at = ITEM_DONE, now
    uow.session.add(item)
    record(uow, events.AgendaItemFinished(item.meetup_id, item.id))


# --- proposals ---


def submit_proposal(
    uow: UnitOfWork,
    meetup_id: int,
    client_id: str,
    title: str,
    body: str,
    registration_id: int | None,
    parent_id: int | None = None,
    by_facilitator: bool = False,
) -> tuple[Proposal, bool]:
    """Submit a proposal or amendment; returns (proposal, was_already_submitted).

    The client-made id makes a retry after a dropped connection harmless.
    """
    if not isinstance(client_id, str) or not 8 <= len(client_id) <= 64:
        raise ServiceError("bad_request", "A proposal needs a client id of 8 to 64 characters.")
    open_meetup(uow.session, meetup_id)
    existing = uow.session.exec(
        select(Proposal).where(Proposal.meetup_id == meetup_id, Proposal.client_id == client_id)
    ).first()
    if existing:
        return existing, True
    if not by_facilitator:
        require_present(uow.session, meetup_id, registration_id)
        _check_quota(uow.session, meetup_id, registration_id)
    title, body = clean_text(title, body)
    if parent_id is not None:
        _amendable(uow.session, meetup_id, parent_id)
    proposal = Proposal(
        meetup_id=meetup_id,
        client_id=client_id,
        title=title,
        body=body,
        author_registration_id=None if by_facilitator else registration_id,
        by_facilitator=by_facilitator,
        parent_id=parent_id,
    )
    uow.session.add(proposal)
    uow.session.flush()
    record(uow, events.ProposalSubmitted(meetup_id, proposal.id, parent_id, title, body))
    return proposal, False


def _check_quota(session: Session, meetup_id: int, registration_id: int) -> None:
    waiting = session.exec(
        select(func.count())
        .select_from(Proposal)
        .where(
            Proposal.meetup_id == meetup_id,
            Proposal.author_registration_id == registration_id,
            Proposal.status == PROPOSAL_SUBMITTED,
        )
    ).one()
    if waiting >= MAX_OPEN_PROPOSALS_PER_PERSON:
        raise ServiceError(
            "too_many", "You have many proposals waiting; let the facilitator catch up first."
        )


def _amendable(session: Session, meetup_id: int, parent_id: int) -> Proposal:
    parent = session.get(Proposal, parent_id)
    if parent is None or parent.meetup_id != meetup_id:
        raise ServiceError("no_such_proposal", "There is no such proposal.", 404)
    if parent.status != PROPOSAL_ACCEPTED or parent.parent_id is not None:
        raise ServiceError("not_amendable", "Only accepted proposals can be amended.")
    return parent


def _moderated(session: Session, meetup_id: int, proposal_id: int) -> Proposal:
    open_meetup(session, meetup_id)
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.meetup_id != meetup_id:
        raise ServiceError("no_such_proposal", "There is no such proposal.", 404)
    return proposal


def accept_proposal(uow: UnitOfWork, meetup_id: int, proposal_id: int) -> Proposal:
    """Put a submitted proposal (or amendment) on the agenda."""
    proposal = _moderated(uow.session, meetup_id, proposal_id)
    if proposal.status == PROPOSAL_ACCEPTED:
        return proposal
    if proposal.status != PROPOSAL_SUBMITTED:
        raise ServiceError("not_waiting", "Only proposals waiting for moderation can be accepted.")
    proposal.status = PROPOSAL_ACCEPTED
    proposal.agenda_order = _next_order(uow.session, meetup_id)
    uow.session.add(proposal)
    record(
        uow,
        events.ProposalAccepted(
            meetup_id,
            proposal.id,
            proposal.parent_id,
            proposal.title,
            proposal.body,
            support_count(uow.session, proposal.id),
        ),
    )
    return proposal


def _next_order(session: Session, meetup_id: int) -> int:
    highest = session.exec(
        select(func.max(Proposal.agenda_order)).where(Proposal.meetup_id == meetup_id)
    ).one()
    return (highest or 0) + 1


def return_proposal(uow: UnitOfWork, meetup_id: int, proposal_id: int, reason: str) -> None:
    """Send a proposal back to its author with a reason."""
    proposal = _moderated(uow.session, meetup_id, proposal_id)
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise ServiceError("no_reason", "Say why the proposal is returned.", field="reason")
    if proposal.status != PROPOSAL_SUBMITTED:
        raise ServiceError("not_waiting", "Only proposals waiting for moderation can be returned.")
    proposal.status, proposal.return_reason = PROPOSAL_RETURNED, reason
    uow.session.add(proposal)
    record(
        uow,
        events.ProposalReturned(meetup_id, proposal.id, proposal.author_registration_id, reason),
    )


def hide_proposal(uow: UnitOfWork, meetup_id: int, proposal_id: int) -> None:
    """Hide an abusive proposal from every screen."""
    proposal = _moderated(uow.session, meetup_id, proposal_id)
    if proposal.status == PROPOSAL_HIDDEN:
        return
    proposal.status = PROPOSAL_HIDDEN
    uow.session.add(proposal)
    record(uow, events.ProposalHidden(meetup_id, proposal.id))


def merge_proposals(uow: UnitOfWork, meetup_id: int, proposal_id: int, into_id: int) -> None:
    """Merge a duplicate into another proposal; supporters of either now support the kept one."""
    duplicate = _moderated(uow.session, meetup_id, proposal_id)
    kept = _moderated(uow.session, meetup_id, into_id)
    if duplicate.id == kept.id or kept.status in (
        PROPOSAL_HIDDEN,
        PROPOSAL_MERGED,
        PROPOSAL_RETURNED,
    ):
        raise ServiceError("bad_merge", "Choose a different, visible proposal to merge into.")
    if duplicate.status in (PROPOSAL_HIDDEN, PROPOSAL_MERGED):
        raise ServiceError("bad_merge", "That proposal is already gone.")
    already = set(
        uow.session.exec(select(Support.registration_id).where(Support.proposal_id == kept.id))
    )
    for support in uow.session.exec(select(Support).where(Support.proposal_id == duplicate.id)):
        if support.registration_id in already:
            uow.session.delete(support)
        else:
            support.proposal_id = kept.id
            uow.session.add(support)
    duplicate.status, duplicate.merged_into_id = PROPOSAL_MERGED, kept.id
    uow.session.add(duplicate)
    uow.session.flush()
    record(
        uow,
        events.ProposalsMerged(
            meetup_id, duplicate.id, kept.id, support_count(uow.session, kept.id)
        ),
    )


def discuss(uow: UnitOfWork, meetup_id: int, proposal_id: int | None) -> None:
    """Show a proposal as the one being discussed (or none)."""
    open_meetup(uow.session, meetup_id)
    if proposal_id is not None:
        proposal = uow.session.get(Proposal, proposal_id)
        if (
            proposal is None
            or proposal.meetup_id != meetup_id
            or proposal.status != PROPOSAL_ACCEPTED
        ):
            raise ServiceError("no_such_proposal", "Only accepted proposals can be discussed.")
    state = uow.session.get(MeetingState, meetup_id) or MeetingState(meetup_id=meetup_id)
    state.discussing_proposal_id = proposal_id
    uow.session.add(state)
    record(uow, events.DiscussionStarted(meetup_id, proposal_id))


# --- supports ---


def support_count(session: Session, proposal_id: int) -> int:
    """How many people support a proposal."""
    query = select(func.count()).select_from(Support).where(Support.proposal_id == proposal_id)
    return session.exec(query).one()


def set_support(
    uow: UnitOfWork, meetup_id: int, proposal_id: int, registration_id: int | None, on: bool
) -> int:
    """Support a proposal (once) or withdraw support; returns the new count."""
    open_meetup(uow.session, meetup_id)
    registration_id = require_present(uow.session, meetup_id, registration_id)
    proposal = uow.session.get(Proposal, proposal_id)
    if proposal is None or proposal.meetup_id != meetup_id or proposal.status != PROPOSAL_ACCEPTED:
        raise ServiceError("no_such_proposal", "You can support proposals on the agenda only.")
    mine = uow.session.exec(
        select(Support).where(
            Support.proposal_id == proposal_id, Support.registration_id == registration_id
        )
    ).first()
    if on and mine:
        raise ServiceError("already_supported", "You already support this proposal.")
    if not on and not mine:
        raise ServiceError("not_supported", "You do not support this proposal.")
    if on:
        uow.session.add(Support(proposal_id=proposal_id, registration_id=registration_id))
    else:
        uow.session.delete(mine)
    uow.session.flush()
    count = support_count(uow.session, proposal_id)
    record(uow, events.SupportChanged(meetup_id, proposal_id, count))
    return count


# --- speaking queue and hand signals ---


def _queue(session: Session, meetup_id: int) -> list[SpeakerRequest]:
    waiting = list(
        session.exec(
            select(SpeakerRequest).where(
                SpeakerRequest.meetup_id == meetup_id,
                SpeakerRequest.called_at.is_(None),
                SpeakerRequest.withdrawn_at.is_(None),
            )
        )
    )
    spoken = dict(
        session.exec(
            select(SpeakerRequest.registration_id, func.count())
            .where(SpeakerRequest.meetup_id == meetup_id, SpeakerRequest.called_at.is_not(None))
            .group_by(SpeakerRequest.registration_id)
        ).all()
    )
    # People who have not spoken yet move up; otherwise first come, first served.
    return sorted(waiting, key=lambda r: (spoken.get(r.registration_id, 0), r.raised_at, r.id))


def speaking_queue(session: Session, meetup_id: int) -> list[SpeakerRequest]:
    """Hands raised, in the order they will be called."""
    return _queue(session, meetup_id)


def current_speaker(session: Session, meetup_id: int) -> int | None:
    """The registration id of the person called to speak last, if any."""
    latest = session.exec(
        select(SpeakerRequest)
        .where(SpeakerRequest.meetup_id == meetup_id, SpeakerRequest.called_at.is_not(None))
        .order_by(SpeakerRequest.called_at.desc())
    ).first()
    return latest.registration_id if latest else None


def _queue_changed(uow: UnitOfWork, meetup_id: int) -> None:
    uow.session.flush()
    record(
        uow,
        events.SpeakingQueueChanged(
            meetup_id, len(_queue(uow.session, meetup_id)), current_speaker(uow.session, meetup_id)
        ),
    )


def raise_hand(
    uow: UnitOfWork, meetup_id: int, registration_id: int | None, up: bool, now: datetime
) -> None:
    """Join (or leave) the speaking queue."""
    open_meetup(uow.session, meetup_id)
    registration_id = require_present(uow.session, meetup_id, registration_id)
    mine = next(
        (r for r in _queue(uow.session, meetup_id) if r.registration_id == registration_id), None
    )
    if up and mine is None:
        uow.session.add(
            SpeakerRequest(meetup_id=meetup_id, registration_id=registration_id, raised_at=now)
        )
    elif not up and mine is not None:
        mine.withdrawn_at = now
        uow.session.add(mine)
    else:
        return
    _queue_changed(uow, meetup_id)


def call_next_speaker(uow: UnitOfWork, meetup_id: int, now: datetime) -> int | None:
    """Call the first person in the queue; returns their registration id (or None)."""
    open_meetup(uow.session, meetup_id)
    queue = _queue(uow.session, meetup_id)
    if not queue:
        return None
    queue[0].called_at = now
    uow.session.add(queue[0])
    _queue_changed(uow, meetup_id)
    return queue[0].registration_id


def clear_queue(uow: UnitOfWork, meetup_id: int, now: datetime) -> None:
    """Empty the speaking queue."""
    open_meetup(uow.session, meetup_id)
    for request in _queue(uow.session, meetup_id):
        request.withdrawn_at = now
        uow.session.add(request)
    _queue_changed(uow, meetup_id)


def signal_counts(session: Session, meetup_id: int) -> dict[str, int]:
    """How many of each hand signal are up."""
    rows = dict(
        session.exec(
            select(HandSignal.kind, func.count())
            .where(HandSignal.meetup_id == meetup_id)
            .group_by(HandSignal.kind)
        ).all()
    )
    return {kind: rows.get(kind, 0) for kind in SIGNAL_KINDS}


def set_signal(
    uow: UnitOfWork, meetup_id: int, registration_id: int | None, kind: str, up: bool
) -> dict[str, int]:
    """Hold up or put down a hand signal; returns the counts."""
    if kind not in SIGNAL_KINDS:
        raise ServiceError("bad_request", f"Signals are: {', '.join(SIGNAL_KINDS)}.")
    open_meetup(uow.session, meetup_id)
    registration_id = require_present(uow.session, meetup_id, registration_id)
    mine = uow.session.exec(
        select(HandSignal).where(
            HandSignal.meetup_id == meetup_id,
            HandSignal.registration_id == registration_id,
            HandSignal.kind == kind,
        )
    ).first()
    if up == (mine is not None):
        return signal_counts(uow.session, meetup_id)
    if up:
        uow.session.add(HandSignal(meetup_id=meetup_id, registration_id=registration_id, kind=kind))
    else:
        uow.session.delete(mine)
    uow.session.flush()
    counts = signal_counts(uow.session, meetup_id)
    record(uow, events.SignalsChanged(meetup_id, **counts))
    return counts


def clear_signals(uow: UnitOfWork, meetup_id: int) -> None:
    """Put every hand signal down."""
    open_meetup(uow.session, meetup_id)
    for signal in uow.session.exec(select(HandSignal).where(HandSignal.meetup_id == meetup_id)):
        uow.session.delete(signal)
    uow.session.flush()
    record(uow, events.SignalsChanged(meetup_id, **signal_counts(uow.session, meetup_id)))
