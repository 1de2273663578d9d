"""Use cases of votes: open, cast (secret by default, with a receipt), close by hand or by the
scheduler, and record counts from a show of hands. Results are computed from stored ballots
at close, never from running counters."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func
from sqlmodel import Session, select

from app.db import UnitOfWork
from app.errors import ServiceError
from app.events import record, stream_head_hash
from assemblies import attendance
from voting import events
from voting.models import VOTE_CLOSED, VOTE_OPEN, Ballot, Proposal, Vote
from voting.services import open_meetup, require_present
from voting.tally import (
    DEFAULT_RULES,
    METHODS,
    BallotError,
    RuleError,
    tally,
    validate_ballot,
    validate_rule,
)

MAX_OPTIONS = 30
MAX_DURATION = timedelta(hours=3)
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
FIXED_OPTIONS = {
    "yes_no": ["yes", "no", "abstain"],
    "consent": ["endorse", "agree", "reservations", "stand aside", "block"],
    "temperature": ["warm", "unsure", "cold"],
}
MANUAL_METHODS = ("yes_no", "consent", "temperature", "single")


def voter_key(registration_id: int, vote_id: int) -> str:
    """HMAC(server secret, attendee, vote): one key per voter per vote, unlinkable without the
    secret."""
    message = f"{registration_id}:{vote_id}".encode()
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def new_receipt(session: Session) -> str:
    """A random 10-character receipt code, unique across all ballots."""
    while True:
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))
        if not session.exec(select(Ballot.id).where(Ballot.receipt == code)).first():
            return code


def _options(method: str, options: list[str]) -> list[str]:
    if method in FIXED_OPTIONS:
        return FIXED_OPTIONS[method]
    cleaned = [" ".join(str(o).split())[:120] for o in options if str(o).strip()]
    if len(cleaned) < 2 or len(cleaned) > MAX_OPTIONS:
        raise ServiceError("bad_options", f"Give 2 to {MAX_OPTIONS} options.", field="options")
    if len(set(cleaned)) != len(cleaned):
        raise ServiceError("bad_options", "Each option must be different.", field="options")
    return cleaned


def _checked_rule(method: str, rule: dict | None) -> dict:
    try:
        return validate_rule(method, {**DEFAULT_RULES[method], **(rule or {})})
    except RuleError as error:
        raise ServiceError("bad_rule", str(error), field="rule") from None


def _check_client_id(client_id: str) -> None:
    if not isinstance(client_id, str) or not 8 <= len(client_id) <= 64:
        raise ServiceError("bad_request", "A client id of 8 to 64 characters is needed.")


def open_vote(
    uow: UnitOfWork,
    meetup_id: int,
    client_id: str,
    question: str,
    method: str,
    options: list[str],
    rule: dict | None,
    now: datetime,
    *,
    secret: bool = True,
    live_results: bool = False,
    changeable: bool = True,
    duration_seconds: int | None = None,
    proposal_id: int | None = None,
) -> Vote:
    """Open a vote now; with a duration the scheduler closes it (even across a restart)."""
    _check_client_id(client_id)
    meetup = open_meetup(uow.session, meetup_id)
    existing = uow.session.exec(
        select(Vote).where(Vote.meetup_id == meetup_id, Vote.client_id == client_id)
    ).first()
    if existing:
        return existing
    if method not in METHODS:
        raise ServiceError("bad_method", f"Method must be one of: {', '.join(METHODS)}.")
    question = " ".join((question or "").split())
    if not 1 <= len(question) <= 300:
        raise ServiceError(
            "bad_question", "Write a question of 1 to 300 characters.", field="question"
        )
    if proposal_id is not None:
        proposal = uow.session.get(Proposal, proposal_id)
        if proposal is None or proposal.meetup_id != meetup_id:
            raise ServiceError("no_such_proposal", "There is no such proposal.", 404)
    closes_at = None
    if duration_seconds is not None:
        if not 10 <= duration_seconds <= MAX_DURATION.total_seconds():
            raise ServiceError("bad_duration", "A vote's timer runs 10 seconds to 3 hours.")
        closes_at = now + timedelta(seconds=duration_seconds)
    vote = Vote(
        meetup_id=meetup.id,
        client_id=client_id,
        proposal_id=proposal_id,
        question=question,
        method=method,
        options=_options(method, options or []),
        rule=_checked_rule(method, rule),
        secret=secret,
        live_results=live_results,
        changeable=changeable,
        opened_at=now,
        closes_at=closes_at,
    )
    uow.session.add(vote)
    uow.session.flush()
    record(
        uow,
        events.VoteOpened(
            vote.id,
            meetup_id,
            question,
            method,
            vote.options,
            vote.rule,
            secret,
            live_results,
            changeable,
            closes_at.isoformat() if closes_at else None,
            proposal_id,
        ),
    )
    return vote


def _open_vote_for_update(session: Session, vote_id: int, now: datetime) -> Vote:
    vote = session.exec(select(Vote).where(Vote.id == vote_id).with_for_update()).first()
    if vote is None:
        raise ServiceError("no_such_vote", "There is no such vote.", 404)
    if vote.status != VOTE_OPEN or (vote.closes_at and now >= vote.closes_at):
        raise ServiceError("vote_closed", "This vote has closed.")
    return vote


def cast_ballot(
    uow: UnitOfWork,
    vote_id: int,
    registration_id: int | None,
    ballot,
    now: datetime,
    client_id: str = "",
) -> tuple[str, bool]:
    """Store a checked-in attendee's ballot; returns (receipt, changed_an_earlier_ballot).

    Casting again with the same client-made id (a retry after a dropped connection) changes
    nothing and returns the same receipt.
    """
    vote = _open_vote_for_update(uow.session, vote_id, now)
    open_meetup(uow.session, vote.meetup_id)  # no voting once the meetup is over
    registration_id = require_present(uow.session, vote.meetup_id, registration_id)
    if client_id:
        _check_client_id(client_id)
    try:
        canonical = validate_ballot(vote.method, vote.options, vote.rule, ballot)
    except BallotError as error:
        raise ServiceError("bad_ballot", str(error)) from None
    key = voter_key(registration_id, vote.id)
    mine = uow.session.exec(
        select(Ballot).where(Ballot.vote_id == vote.id, Ballot.voter_key == key)
    ).first()
    if mine and client_id and mine.client_id == client_id:
        return mine.receipt, mine.changes > 0
    if mine and not vote.changeable:
        raise ServiceError("ballot_final", "Ballots in this vote are final: yours is already in.")
    replaces = mine.receipt if mine else None
    receipt = new_receipt(uow.session)
    if mine is None:
        mine = Ballot(vote_id=vote.id, voter_key=key)
    else:
        mine.changes += 1
    mine.registration_id = None if vote.secret else registration_id
    mine.choice, mine.receipt, mine.cast_at = {"ballot": canonical}, receipt, now
    mine.client_id = client_id
    uow.session.add(mine)
    uow.session.flush()
    record(uow, events.BallotCast(vote.id, receipt, {"ballot": canonical}, replaces))
    return receipt, replaces is not None


def ballots_cast(session: Session, vote_id: int) -> int:
    """How many voters have a ballot in."""
    query = select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id)
    return session.exec(query).one()


def close_vote(uow: UnitOfWork, vote_id: int, now: datetime) -> Vote:
    """Close a vote and count its stored ballots; closing twice changes nothing."""
    vote = uow.session.exec(select(Vote).where(Vote.id == vote_id).with_for_update()).first()
    if vote is None:
        raise ServiceError("no_such_vote", "There is no such vote.", 404)
    if vote.status == VOTE_CLOSED:
        return vote
    ballots = [
        b.choice["ballot"]
        for b in uow.session.exec(
            select(Ballot).where(Ballot.vote_id == vote.id).order_by(Ballot.id)
        )
    ]
    return _finish(uow, vote, ballots, now, manual=False)


def record_manual_counts(
    uow: UnitOfWork, vote_id: int, counts: dict[str, int], now: datetime
) -> Vote:
    """Close a vote with counts from a show of hands or paper ballots, marked as such."""
    vote = _open_vote_for_update(uow.session, vote_id, now)
    if vote.method not in MANUAL_METHODS:
        raise ServiceError(
            "manual_not_supported",
            "Counts by hand can be recorded for yes/no, consent, temperature and "
            "single-choice votes.",
        )
    if set(counts) - set(vote.options) or any(
        not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 100_000
        for n in counts.values()
    ):
        raise ServiceError("bad_counts", "Give a whole number from 0 for each option.")
    if uow.session.exec(select(Ballot.id).where(Ballot.vote_id == vote.id)).first():
        raise ServiceError("has_ballots", "Phones have already voted in this vote.")
    ballots = [option for option in vote.options for _ in range(counts.get(option, 0))]
    return _finish(uow, vote, ballots, now, manual=True)


def _finish(uow: UnitOfWork, vote: Vote, ballots: list, now: datetime, manual: bool) -> Vote:
    present = attendance.present_count(uow.session, vote.meetup_id)
    vote.status, vote.closed_at, vote.manual, vote.present_at_close = (
        VOTE_CLOSED,
        now,
        manual,
        present,
    )
    record(uow, events.VoteClosed(vote.id, vote.meetup_id, len(ballots), manual))
    vote.chain_head = stream_head_hash(uow.session, f"vote:{vote.id}")
    vote.seed = vote.chain_head  # published: anyone can redo the tie-break
    result = tally(vote.method, vote.options, ballots, vote.rule, vote.seed, present).as_dict()
    vote.result = {**result, "manual": manual}
    uow.session.add(vote)
    record(
        uow,
        events.OutcomeRecorded(
            vote.id,
            vote.meetup_id,
            _assembly_of(uow.session, vote.meetup_id),
            vote.proposal_id,
            vote.question,
            vote.method,
            manual,
            len(ballots),
            present,
            vote.chain_head,
            vote.seed,
            vote.result,
            vote.motion_id,
        ),
    )
    return vote


def _assembly_of(session: Session, meetup_id: int) -> int:
    return attendance.meetup_facts(session, meetup_id).assembly_id


def votes_of(session: Session, meetup_id: int) -> list[Vote]:
    """A meetup's votes, newest first."""
    query = select(Vote).where(Vote.meetup_id == meetup_id).order_by(Vote.id.desc())
    return list(session.exec(query))


def my_ballot(session: Session, vote: Vote, registration_id: int | None) -> Ballot | None:
    """The attendee's current ballot in a vote, if any."""
    if registration_id is None:
        return None
    key = voter_key(registration_id, vote.id)
    query = select(Ballot).where(Ballot.vote_id == vote.id, Ballot.voter_key == key)
    return session.exec(query).first()


def ballot_box(session: Session, vote: Vote) -> list[Ballot]:
    """The final ballots of a closed vote, by receipt (published after close)."""
    query = select(Ballot).where(Ballot.vote_id == vote.id).order_by(Ballot.receipt)
    return list(session.exec(query))


def overdue_votes(session: Session, now: datetime, meetup_id: int | None = None) -> list[int]:
    """Open votes whose timer has run out (or, with `meetup_id`, every open vote there)."""
    query = select(Vote.id).where(Vote.status == VOTE_OPEN)
    if meetup_id is None:
        query = query.where(Vote.closes_at.is_not(None), Vote.closes_at <= now)
    else:
        query = query.where(Vote.meetup_id == meetup_id)
    return list(session.exec(query))
