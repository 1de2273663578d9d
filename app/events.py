"""The append-only, hash-chained event log and the in-process event bus.

Domain events are small frozen dataclasses named in the past tense. A service records them on
its unit of work; `record` writes them to the `event` table in the same transaction, chaining
each stream: hash = sha256(prev_hash || canonical_json(type, v, payload, at)). After commit the
bus hands the stored rows to its subscribers (the realtime broadcaster, projections, the
scheduler). `verify_chains` re-walks every chain for `assembly audit verify`.
"""

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Column, UniqueConstraint, func, insert, text
from sqlmodel import Field, Session, SQLModel, select

from app.db import UnitOfWork

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
# One advisory lock key for all event appends on PostgreSQL, so `seq` order is commit order
# and a client resyncing from a seq can never miss an event committed later with a lower seq.
PG_EVENT_LOCK_KEY = 7_310_001


class EventRecord(SQLModel, table=True):
    """One stored event: a link in its stream's hash chain."""

    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("stream", "version", name="uq_event_stream_version"),)

    seq: int | None = Field(default=None, primary_key=True)
    stream: str = Field(max_length=120)
    version: int
    type: str = Field(max_length=80)
    v: int = 1
    payload: dict = Field(sa_column=Column(JSON, nullable=False))
    at: datetime
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)

    def as_message(self) -> dict:
        """The event as sent to real-time clients."""
        return {
            "seq": self.seq,
            "stream": self.stream,
            "type": self.type,
            "v": self.v,
            "payload": self.payload,
            "at": format_time(self.at),
        }


@dataclass(frozen=True)
class CommittedEvent:
    """An event just written in this transaction, as the bus hands it to subscribers: the
    stored row's fields (read back from the log, the same event is an `EventRecord`)."""

    seq: int
    stream: str
    version: int
    type: str
    v: int
    payload: dict
    at: datetime
    prev_hash: str
    hash: str

    as_message = EventRecord.as_message


class SubscriberPosition(SQLModel, table=True):
    """How far a replayable subscriber (a projection) has read the log."""

    __tablename__ = "subscriber_position"

    name: str = Field(primary_key=True, max_length=80)
    seq: int = 0


@dataclass(frozen=True)
class DomainEvent:
    """Base class of domain events. Subclasses are registered by their class name."""

    registry: ClassVar[dict[str, type["DomainEvent"]]] = {}
    payload_version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        DomainEvent.registry[cls.__name__] = cls

    @property
    def stream(self) -> str:
        """The stream this event belongs to, such as `meetup:42`."""
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        """The event's fields as JSON-ready data."""
        return asdict(self)

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """Real-time rooms that may see this event; none by default (private events)."""
        return []


def format_time(moment: datetime) -> str:
    """UTC time as a fixed-width ISO 8601 string with microseconds (used in the hash)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utcnow() -> datetime:
    """The current time, aware, in UTC (how times are stored)."""
    return datetime.now(UTC)


def canonical_json(data: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, type_: str, v: int, payload: dict, at: datetime) -> str:
    """The hash of one link, from the previous link's hash and this event's content."""
    body = canonical_json({"type": type_, "v": v, "payload": payload, "at": format_time(at)})
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def record(uow: UnitOfWork, event: DomainEvent) -> "CommittedEvent":
    """Append `event` to its stream inside the unit of work and return the stored row."""
    return record_all(uow, [event])[0]


def record_all(uow: UnitOfWork, events: list[DomainEvent]) -> list[CommittedEvent]:
    """Append several events, in order, inside the unit of work; one insert for all of them.

    Each stream's head is read once and the new links are chained in memory, which is what
    lets a group of ballots be written in one transaction cheaply.
    """
    if not events:
        return []
    session = uow.session
    if not uow.new_events and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_EVENT_LOCK_KEY})
    heads: dict[str, tuple[int, str]] = {}
    links = []
    for event in events:
        if event.stream not in heads:
            heads[event.stream] = _stream_head(session, event.stream)
        version, prev_hash = heads[event.stream]
        link = _link(event, version + 1, prev_hash)
        heads[event.stream] = (link["version"], link["hash"])
        links.append(link)
    # One bulk INSERT ... RETURNING, and plain records for the bus: building a model object
    # per event would cost more than the rest of a ballot's write.
    table = EventRecord.__table__
    insert_all = insert(table).returning(table.c.seq, sort_by_parameter_order=True)
    seqs = session.execute(insert_all, links).scalars().all()
    rows = [CommittedEvent(seq=seq, **link) for seq, link in zip(seqs, links, strict=True)]
    uow.new_events.extend(rows)
    return rows


def _link(event: DomainEvent, version: int, prev_hash: str) -> dict:
    type_name = type(event).__name__
    payload = event.payload()
    at = utcnow()
    return {
        "stream": event.stream,
        "version": version,
        "type": type_name,
        "v": event.payload_version,
        "payload": payload,
        "at": at,
        "prev_hash": prev_hash,
        "hash": chain_hash(prev_hash, type_name, event.payload_version, payload, at),
    }


def _stream_head(session: Session, stream: str) -> tuple[int, str]:
    head = session.exec(
        select(EventRecord.version, EventRecord.hash)
        .where(EventRecord.stream == stream)
        .order_by(EventRecord.version.desc())
        .limit(1)
    ).first()
    return (head[0], head[1]) if head else (0, GENESIS_HASH)


def last_seq(session: Session) -> int:
    """The highest sequence number in the log (0 when empty)."""
    return session.exec(select(func.max(EventRecord.seq))).one() or 0


def events_since(
    session: Session, seq: int, limit: int = 500, types: tuple[str, ...] = ()
) -> list[EventRecord]:
    """Events after `seq`, oldest first, at most `limit` of them (only of `types`, if given)."""
    query = select(EventRecord).where(EventRecord.seq > seq)
    if types:
        query = query.where(EventRecord.type.in_(types))
    return list(session.exec(query.order_by(EventRecord.seq).limit(limit)))


def stream_head_hash(session: Session, stream: str) -> str:
    """The hash of the newest link of a stream (the chain head published with results)."""
    return _stream_head(session, stream)[1]


@dataclass(frozen=True)
class ChainBreak:
    """The first broken link found in one stream."""

    stream: str
    version: int
    seq: int
    reason: str


def verify_chains(session: Session) -> tuple[int, list[ChainBreak]]:
    """Re-walk every stream; return how many events were checked and the first break of each."""
    checked = 0
    breaks: dict[str, ChainBreak] = {}
    expected: dict[str, tuple[int, str]] = {}
    query = select(EventRecord).order_by(EventRecord.stream, EventRecord.version)
    for row in session.exec(query.execution_options(yield_per=1000)):
        checked += 1
        if row.stream in breaks:
            continue
        version, prev_hash = expected.get(row.stream, (0, GENESIS_HASH))
        reason = _link_problem(row, version + 1, prev_hash)
        if reason:
            breaks[row.stream] = ChainBreak(row.stream, row.version, row.seq, reason)
        expected[row.stream] = (row.version, row.hash)
    return checked, list(breaks.values())


def _link_problem(row: EventRecord, version: int, prev_hash: str) -> str | None:
    if row.version != version:
        return f"version {row.version} found where {version} was expected (a link is missing)"
    if row.prev_hash != prev_hash:
        return "prev_hash does not match the previous link's hash"
    if row.hash != chain_hash(row.prev_hash, row.type, row.v, row.payload, row.at):
        return "hash does not match the event's content (the event was altered)"
    return None


Subscriber = Callable[[list[EventRecord]], None]


class EventBus:
    """Hands committed events to subscribers, in process. One bus per app."""

    def __init__(self) -> None:
        self._subscribers: list[tuple[str, Subscriber]] = []

    def subscribe(self, name: str, handler: Subscriber) -> None:
        """Add a subscriber; it receives each committed batch of events, in seq order."""
        self._subscribers.append((name, handler))

    def publish(self, rows: Iterable[EventRecord]) -> None:
        """Deliver committed events. A failing subscriber is logged; the others still run."""
        batch = list(rows)
        for name, handler in self._subscribers:
            try:
                handler(batch)
            except Exception:
                log.exception("event subscriber %s failed on seq %s", name, batch[0].seq)


def catch_up(
    session: Session,
    name: str,
    handler: Subscriber,
    batch: int = 500,
    types: tuple[str, ...] = (),
) -> int:
    """Replay the log to a subscriber from its stored position; return events handled.

    With `types`, only events of those types are read (the database skips the rest, such as
    the thousands of ballots of a vote), and the position moves to the newest event in the log.
    """
    position = session.get(SubscriberPosition, name) or SubscriberPosition(name=name, seq=0)
    newest = last_seq(session)
    handled = 0
    while rows := events_since(session, position.seq, batch, types):
        handler(rows)
        position.seq = rows[-1].seq
        handled += len(rows)
    if types:
        position.seq = max(position.seq, newest)
    session.add(position)
    return handled


def event_from_record(row: EventRecord) -> DomainEvent | None:
    """Rebuild the domain event from a stored row, when its type is known."""
    cls = DomainEvent.registry.get(row.type)
    if cls is None:
        return None
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in row.payload.items() if k in names})


def iter_streams(session: Session) -> Iterator[str]:
    """Every stream name in the log."""
    yield from session.exec(select(EventRecord.stream).distinct())


def init_app(app) -> None:
    """Give the app its event bus."""
    app.extensions["event_bus"] = EventBus()


def bus(app) -> EventBus:
    """The app's event bus."""
    return app.extensions["event_bus"]
