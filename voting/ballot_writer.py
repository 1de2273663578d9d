"""Group commit of ballots: casts that arrive together share one transaction, and each one is
acknowledged only after that transaction has committed.

When 2,000 phones vote at once, one transaction per ballot would spend most of the server's
time opening, locking and committing. Instead each `vote.cast` command puts its ballot on a
queue and waits; one writer task per process takes everything queued (up to `MAX_GROUP`),
writes it in one transaction and then wakes each waiting command with its own outcome. An idle
writer takes a lone ballot at once, so a quiet vote pays no extra delay; under load, ballots
arriving while one group commits form the next group.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, current_app

from app.db import unit_of_work
from app.errors import ServiceError
from app.events import utcnow
from app.realtime import socketio
from assemblies import attendance
from voting import votes

log = logging.getLogger(__name__)

MAX_GROUP = 400
WAIT_SECONDS = 30


@dataclass
class PendingCast:
    """A cast waiting for its group to commit."""

    vote_id: int
    device: str | None
    ballot: Any
    client_id: str
    at: datetime = field(default_factory=utcnow)
    done: Any = None  # an event of the server's async mode (a gevent event in production)
    outcome: votes.CastOutcome | None = None

    def finish(self, outcome: votes.CastOutcome) -> None:
        """Hand the outcome to the waiting command."""
        self.outcome = outcome
        self.done.set()


class BallotWriter:
    """The process's one ballot writer (see the module's docstring)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.pending: Any = None  # a queue of the server's async mode
        self.empty: type[Exception] = Exception

    def cast(self, vote_id: int, device: str | None, ballot, client_id: str) -> tuple[str, bool]:
        """Queue a ballot and wait until it is durably stored (or refused)."""
        self._start_once()
        request = PendingCast(vote_id, device, ballot, client_id)
        request.done = socketio.server.eio.create_event()
        self.pending.put(request)
        if not request.done.wait(WAIT_SECONDS):
            # The ballot may still be written: a retry with the same client id is harmless.
            raise ServiceError("internal", "The server is busy. Send your ballot again.")
        if isinstance(request.outcome, ServiceError):
            raise request.outcome
        return request.outcome

    def _start_once(self) -> None:
        if self.pending is None:
            self.pending = socketio.server.eio.create_queue()
            self.empty = socketio.server.eio.get_queue_empty_exception()
            socketio.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            group = [self.pending.get()]
            while len(group) < MAX_GROUP:
                try:
                    group.append(self.pending.get_nowait())
                except self.empty:
                    break
            with self.app.app_context():
                self.write(group)

    def write(self, group: list[PendingCast]) -> None:
        """Write a group in one transaction; if that fails, write each cast on its own so
        that one bad cast cannot sink the others."""
        try:
            outcomes = _write_together(group)
        except Exception:
            log.exception("a group of %d ballots failed; writing them one by one", len(group))
            outcomes = [_write_alone(request) for request in group]
        for request, outcome in zip(group, outcomes, strict=True):
            request.finish(outcome)


def _write_together(group: list[PendingCast]) -> list[votes.CastOutcome]:
    by_vote: dict[int, list[int]] = defaultdict(list)
    for index, request in enumerate(group):
        by_vote[request.vote_id].append(index)
    outcomes: list[votes.CastOutcome | None] = [None] * len(group)
    with unit_of_work() as uow:
        for vote_id, indexes in by_vote.items():
            requests = [group[i] for i in indexes]
            for i, outcome in zip(indexes, _cast_for_vote(uow, vote_id, requests), strict=True):
                outcomes[i] = outcome
    return outcomes


def _cast_for_vote(uow, vote_id: int, requests: list[PendingCast]) -> list[votes.CastOutcome]:
    meetup_id = votes.meetup_of_vote(uow.session, vote_id)
    devices = {request.device for request in requests if request.device}
    voters = attendance.attendees_for_devices(uow.session, meetup_id, devices) if meetup_id else {}
    casts = [
        votes.Cast(voters.get(request.device), request.ballot, request.at, request.client_id)
        for request in requests
    ]
    return votes.cast_ballots(uow, vote_id, casts)


def _write_alone(request: PendingCast) -> votes.CastOutcome:
    try:
        with unit_of_work() as uow:
            return _cast_for_vote(uow, request.vote_id, [request])[0]
    except Exception:
        log.exception("writing a ballot of vote %s failed", request.vote_id)
        return ServiceError("internal", "Something went wrong on the server.")


def init_app(app: Flask) -> None:
    """Give the app its ballot writer."""
    app.extensions["ballot_writer"] = BallotWriter(app)


def ballot_writer() -> BallotWriter:
    """The current app's ballot writer."""
    return current_app.extensions["ballot_writer"]
