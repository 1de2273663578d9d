"""Scheduled jobs and event subscribers of votes: timed closing, and coalesced turnout."""

from sqlmodel import select

from app.db import read_session, unit_of_work
from app.events import EventRecord, utcnow
from app.realtime import realtime, socketio
from app.scheduler import scheduler
from assemblies import attendance
from voting import votes
from voting.events import public_rooms
from voting.models import Ballot, Vote
from voting.tally import tally


def close_vote_job(vote_id: int) -> None:
    """Job: close a vote whose timer ran out (runs once, even after a restart)."""
    with unit_of_work() as uow:
        votes.close_vote(uow, vote_id, utcnow())


def sweep_votes() -> None:
    """Periodic job: close votes whose timer ran out but whose close job was lost."""
    with read_session() as session:
        overdue = votes.overdue_votes(session, utcnow())
    for vote_id in overdue:
        close_vote_job(vote_id)


def close_votes_of_ended_meetup(meetup_id: int) -> None:
    """When a meetup ends, its open votes close and are counted."""
    with read_session() as session:
        still_open = votes.overdue_votes(session, utcnow(), meetup_id=meetup_id)
    for vote_id in still_open:
        close_vote_job(vote_id)


def on_vote_events(batch: list[EventRecord]) -> None:
    """Subscriber: schedule timed closes; mark turnout as changed after ballots; close the
    votes of a meetup that ended."""
    voted_in = {row.payload["vote_id"] for row in batch if row.type == "BallotCast"}
    for vote_id in voted_in:
        mark_turnout(vote_id)
    for row in batch:
        if row.type == "MeetupEnded":
            close_votes_of_ended_meetup(row.payload["meetup_id"])
        elif row.type == "VoteOpened" and row.payload["closes_at"]:
            vote_id = row.payload["vote_id"]
            with read_session() as session:
                closes_at = session.get(Vote, vote_id).closes_at
            scheduler().run_at(f"vote:{vote_id}:close", closes_at, close_vote_job, vote_id)


def mark_turnout(vote_id: int) -> None:
    """Turnout changed: the crew and the projector hear it within 0.3 s, phones every 2 s
    (a message to every phone in a full hall costs far more than one to the screen)."""
    coalescer = realtime().coalescer
    coalescer.mark(f"turnout:{vote_id}:crew", lambda: send_turnout(vote_id, to_phones=False))
    coalescer.mark(f"turnout:{vote_id}:phones", lambda: send_turnout(vote_id, to_phones=True), 2.0)


def send_turnout(vote_id: int, *, to_phones: bool) -> None:
    """Send a vote's turnout (and running result, if the vote shows results live) to the
    phones' room, or to the crew's and the projector's."""
    with read_session() as session:
        vote = session.get(Vote, vote_id)
        if vote is None or vote.status != "open":
            return
        message = {
            "vote_id": vote_id,
            "cast": votes.ballots_cast(session, vote_id),
            "present": attendance.present_count(session, vote.meetup_id),
        }
        if vote.live_results:
            rows = session.exec(select(Ballot.choice).where(Ballot.vote_id == vote_id))
            ballots = [choice["ballot"] for choice in rows]
            message["live"] = tally(
                vote.method, vote.options, ballots, vote.rule, "live", message["present"]
            ).as_dict()
    phones_room, *crew_and_screen = public_rooms(vote.meetup_id)
    socketio.emit("turnout", message, to=phones_room if to_phones else crew_and_screen)
