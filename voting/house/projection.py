"""The `house_outcome` projection: one row per recorded outcome, made from `OutcomeRecorded`
events, so that the national feed reads neither ballots, nor votes, nor the assemblies' tables.

Two ways in, both idempotent (an upsert keyed by the vote id):
- `on_events(batch)`, the live bus subscriber, runs in the process that committed the outcome,
  right after the commit;
- `catch_up_outcomes()`, the periodic job `house:catch-up`, replays the log from the position
  stored under `house-outcomes`, so an outcome missed by the live subscriber (a crash between
  the commit and the projection, an outcome recorded before this code existed) is filled in.
  Deleting the rows and that position rebuilds the table from the log.

The assembly's name, short name and region and the meetup's title are looked up once, when the
row is made, through the assemblies floor's query surface (`assembly_facts`, `meetup_facts`).
"""

import logging
from datetime import UTC, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.db import unit_of_work
from app.events import EventRecord, catch_up
from assemblies import attendance
from assemblies.services import assembly_facts
from voting.house.models import HouseOutcome, NationalMotion
from voting.models import Vote

log = logging.getLogger(__name__)

SUBSCRIBER = "house-outcomes"
OUTCOME = "OutcomeRecorded"
YES_NO = ("yes", "no", "abstain")


def on_events(batch: list[EventRecord]) -> None:
    """Bus subscriber: project each committed `OutcomeRecorded` (in its own transaction)."""
    outcomes = [row for row in batch if row.type == OUTCOME]
    if outcomes:
        with unit_of_work() as uow:
            project(uow.session, outcomes)


def catch_up_outcomes() -> int:
    """Periodic job: replay the log's `OutcomeRecorded` events from the stored position;
    return how many were read."""
    with unit_of_work() as uow:
        read = catch_up(
            uow.session, SUBSCRIBER, lambda rows: project(uow.session, rows), types=(OUTCOME,)
        )
    if read:
        log.info("house outcomes caught up over %d events", read)
    return read


def project(session: Session, rows: list[EventRecord]) -> None:
    """Upsert the projection row of every `OutcomeRecorded` among `rows`."""
    for row in rows:
        if row.type == OUTCOME:
            upsert(session, outcome_values(session, row))


def outcome_values(session: Session, row: EventRecord) -> dict:
    """The `house_outcome` columns for one `OutcomeRecorded` event."""
    payload = row.payload
    result = payload.get("result") or {}
    assembly = assembly_facts(session, payload["assembly_id"])
    meetup = attendance.meetup_facts(session, payload["meetup_id"])
    counts = result.get("counts") or {}
    # When the vote closed (for votes imported from past meetups, not when the event was
    # recorded): weekly figures and lateness go by it.
    vote = session.get(Vote, payload["vote_id"])
    decided_at = vote.closed_at if vote is not None and vote.closed_at else row.at
    yes = no = abstain = None
    if payload["method"] == "yes_no":
        yes, no, abstain = (_whole(counts.get(option)) for option in YES_NO)
    return {
        "vote_id": payload["vote_id"],
        "seq": row.seq,
        "motion_id": payload.get("motion_id"),
        "assembly_id": payload["assembly_id"],
        "assembly_name": _cut(assembly.name if assembly else f"#{payload['assembly_id']}", 120),
        "assembly_slug": assembly.slug if assembly else "",
        "region": assembly.region if assembly else "",
        "meetup_id": payload["meetup_id"],
        "meetup_title": _cut(meetup.title if meetup else "", 120),
        "proposal_id": payload.get("proposal_id"),
        "question": _cut(payload["question"], 300),
        "method": payload["method"],
        "passed": result.get("passed"),
        "summary": _cut(result.get("summary") or "", 500),
        "ballots_cast": payload["ballots_cast"],
        "present": payload["present"],
        "yes": yes,
        "no": no,
        "abstain": abstain,
        "counts": {str(k): v for k, v in counts.items()} if isinstance(counts, dict) else None,
        "manual": bool(payload.get("manual")),
        "late": is_late(session, payload.get("motion_id"), decided_at),
        "chain_head": payload["chain_head"],
        "recorded_at": _aware(decided_at),
    }


def is_late(session: Session, motion_id: int | None, at: datetime) -> bool:
    """True when the outcome is on a national motion and was recorded after its window closed."""
    if motion_id is None:
        return False
    motion = session.get(NationalMotion, motion_id)
    return motion is not None and _aware(at) > _aware(motion.closes_at)


def upsert(session: Session, values: dict) -> None:
    """Insert the row, or overwrite the one with the same vote id (safe to repeat, and safe
    when the live subscriber and the catch-up job of another process race)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(HouseOutcome.__table__).values(**values)
    changed = {name: statement.excluded[name] for name in values if name != "vote_id"}
    session.exec(statement.on_conflict_do_update(index_elements=["vote_id"], set_=changed))


def _whole(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
