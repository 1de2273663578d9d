"""Use cases of votes: open, cast (secret by default, with a receipt), close by hand or by the
scheduler, and record counts from a show of hands. Results are computed from stored ballots
at close, never from running counters."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, insert, update
from sqlmodel import Session, select

from app.db import UnitOfWork
from app.errors import ServiceError
from app.events import record, record_all, stream_head_hash
from assemblies import attendance
from voting import events
from voting.models import VOTE_CLOSED, VOTE_OPEN, Ballot, Proposal, Vote
from voting.services import open_meetup, require_present_in
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


def coarse_time(moment: datetime) -> datetime:
    """A ballot's time to the minute only: exact times could be matched with check-in times or
    with what was seen in the room to say whose ballot it is."""
    return moment.replace(second=0, microsecond=0)


def new_receipts(session: Session, count: int) -> list[str]:
    """`count` random 10-character receipt codes, unique across all ballots."""
    codes: set[str] = set()
    while len(codes) < count:
        fresh = {_receipt_code() for _ in range(count - len(codes))} - codes
        taken = session.exec(select(Ballot.receipt).where(Ballot.receipt.in_(fresh))).all()
        codes |= fresh - set(taken)
    return list(codes)


def _receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))


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
    text: str | None = None,
) -> Vote:
    """Open a vote now; with a duration the scheduler closes it (even across a restart).
    `text` is the full text voted on when the question is only its title (a motion's wording);
    phones show it from the `VoteOpened` event."""
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
            text,
        ),
    )
    return vote


def _open_vote_for_update(session: Session, vote_id: int, now: datetime) -> Vote:
    vote = session.exec(select(Vote).where(Vote.id == vote_id).with_for_update()).first()
    if vote is None:
        raise ServiceError("no_such_vote", "There is no such vote.", 404)
    _refuse_after_close(vote, now)
    return vote


def _refuse_after_close(vote: Vote, at: datetime) -> None:
    if vote.status != VOTE_OPEN or (vote.closes_at and at >= vote.closes_at):
        raise ServiceError("vote_closed", "This vote has closed.")


@dataclass(frozen=True)
class Cast:
    """One attendee's ballot, as received at `at` (server time), with the client-made id
    that makes a retry harmless."""

    registration_id: int | None
    ballot: Any
    at: datetime
    client_id: str = ""


CastOutcome = tuple[str, bool] | ServiceError  # (receipt, changed an earlier ballot) or why not


def cast_ballot(
    uow: UnitOfWork,
    vote_id: int,
    registration_id: int | None,
    ballot,
    now: datetime,
    client_id: str = "",
) -> tuple[str, bool]:
    """Store one checked-in attendee's ballot; returns (receipt, changed_an_earlier_ballot)."""
    outcome = cast_ballots(uow, vote_id, [Cast(registration_id, ballot, now, client_id)])[0]
    if isinstance(outcome, ServiceError):
        raise outcome
    return outcome


def cast_ballots(uow: UnitOfWork, vote_id: int, casts: list[Cast]) -> list[CastOutcome]:
    """Store many ballots of one vote in this transaction; one outcome per cast, in order.

    A cast that is refused (not checked in, a bad ballot, after the deadline) gets its error
    and does not stop the others. Casting again with the same client-made id (a retry after a
    dropped connection) changes nothing and returns the same receipt.
    """
    session = uow.session
    try:
        vote = _open_vote_for_update(session, vote_id, min(cast.at for cast in casts))
        open_meetup(session, vote.meetup_id)  # no voting once the meetup is over
    except ServiceError as refusal:
        return [refusal] * len(casts)
    batch = _CastBatch(vote, session, casts)
    outcomes = [batch.apply(cast) for cast in casts]
    batch.store(session)
    record_all(uow, batch.events)
    return outcomes


@dataclass
class _VoterBallot:
    """A voter's current ballot while a batch is applied (a plain record: building model
    objects costs more than everything else in a cast)."""

    voter_key: str
    id: int | None = None
    receipt: str = ""
    client_id: str = ""
    changes: int = 0
    choice: dict | None = None
    cast_at: datetime | None = None
    registration_id: int | None = None
    touched: bool = False

    def columns(self) -> dict:
        """The columns to write."""
        names = ("receipt", "client_id", "changes", "choice", "cast_at", "registration_id")
        return {name: getattr(self, name) for name in names}


class _CastBatch:
    """The ballots of one vote being written together: the current ballots of the voters in
    the batch are read once, and each cast updates them in memory, in order."""

    def __init__(self, vote: Vote, session: Session, casts: list[Cast]) -> None:
        self.vote = vote
        asked = {cast.registration_id for cast in casts if cast.registration_id is not None}
        self.present = attendance.present_among(session, vote.meetup_id, asked)
        self.keys = {registration: voter_key(registration, vote.id) for registration in asked}
        query = select(
            Ballot.voter_key, Ballot.id, Ballot.receipt, Ballot.client_id, Ballot.changes
        ).where(Ballot.vote_id == vote.id, Ballot.voter_key.in_(list(self.keys.values())))
        self.current = {row[0]: _VoterBallot(*row) for row in session.exec(query)}
        self.receipts = new_receipts(session, len(casts))
        self.events: list[events.BallotCast] = []

    def apply(self, cast: Cast) -> CastOutcome:
        """Apply one cast; return its receipt or the reason it was refused."""
        try:
            return self._apply(cast)
        except ServiceError as refusal:
            return refusal

    def _apply(self, cast: Cast) -> tuple[str, bool]:
        vote = self.vote
        _refuse_after_close(vote, cast.at)
        registration_id = require_present_in(self.present, cast.registration_id)
        if cast.client_id:
            _check_client_id(cast.client_id)
        try:
            canonical = validate_ballot(vote.method, vote.options, vote.rule, cast.ballot)
        except BallotError as error:
            raise ServiceError("bad_ballot", str(error)) from None
        key = self.keys[registration_id]
        mine = self.current.get(key)
        if mine and cast.client_id and mine.client_id == cast.client_id:
            return mine.receipt, mine.changes > 0
        if mine and not vote.changeable:
            raise ServiceError(
                "ballot_final", "Ballots in this vote are final: yours is already in."
            )
        replaces = mine.receipt if mine else None
        if mine is None:
            mine = self.current[key] = _VoterBallot(key)
        else:
            mine.changes += 1
        mine.registration_id = None if vote.secret else registration_id
        mine.choice, mine.receipt = {"ballot": canonical}, self.receipts.pop()
        mine.cast_at, mine.client_id, mine.touched = coarse_time(cast.at), cast.client_id, True
        self.events.append(events.BallotCast(vote.id, mine.receipt, mine.choice, replaces))
        return mine.receipt, replaces is not None

    def store(self, session: Session) -> None:
        """Write the new and changed ballots: one INSERT and one UPDATE for the batch."""
        touched = [ballot for ballot in self.current.values() if ballot.touched]
        new = [
            {"vote_id": self.vote.id, "voter_key": b.voter_key, **b.columns()}
            for b in touched
            if b.id is None
        ]
        changed = [{"id": b.id, **b.columns()} for b in touched if b.id is not None]
        if new:
            session.execute(insert(Ballot), new)
        if changed:
            session.execute(update(Ballot), changed)


def meetup_of_vote(session: Session, vote_id: int) -> int | None:
    """The meetup a vote belongs to, if the vote exists."""
    return session.exec(select(Vote.meetup_id).where(Vote.id == vote_id)).first()


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
