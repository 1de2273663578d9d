"""The event log: appending, chaining, verifying, replaying."""

from dataclasses import dataclass

from sqlmodel import select

from app.db import read_session, unit_of_work
from app.events import (
    GENESIS_HASH,
    DomainEvent,
    EventRecord,
    SubscriberPosition,
    catch_up,
    chain_hash,
    events_since,
    last_seq,
    record,
    verify_chains,
)


@dataclass(frozen=True)
class SomethingNoted(DomainEvent):
    """A test event."""

    thing_id: int
    text: str

    @property
    def stream(self) -> str:
        return f"thing:{self.thing_id}"


def _append(app, thing_id: int, text: str):
    with app.app_context(), unit_of_work() as uow:
        return record(uow, SomethingNoted(thing_id, text))


def test_streams_are_versioned_hash_chains(app):
    first = _append(app, 1, "a")
    second = _append(app, 1, "b")
    other = _append(app, 2, "c")
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert other.prev_hash == GENESIS_HASH
    assert first.seq < second.seq < other.seq
    assert second.hash == chain_hash(first.hash, "SomethingNoted", 1, second.payload, second.at)


def test_verify_passes_on_an_intact_log(app):
    for n in range(5):
        _append(app, n % 2, f"text {n} ünïcode")
    with app.app_context(), read_session() as session:
        checked, breaks = verify_chains(session)
    assert checked >= 5
    assert breaks == []


def test_verify_names_an_altered_event(app):
    _append(app, 7, "original")
    target = _append(app, 7, "second")
    _append(app, 7, "third")
    with app.app_context(), unit_of_work() as uow:
        row = uow.session.get(EventRecord, target.seq)
        row.payload = {"thing_id": 7, "text": "forged"}
        uow.session.add(row)
    with app.app_context(), read_session() as session:
        _checked, breaks = verify_chains(session)
    assert [(b.stream, b.version, b.seq) for b in breaks] == [("thing:7", 2, target.seq)]
    assert "altered" in breaks[0].reason


def test_verify_names_a_missing_link(app):
    _append(app, 8, "one")
    gone = _append(app, 8, "two")
    _append(app, 8, "three")
    with app.app_context(), unit_of_work() as uow:
        uow.session.delete(uow.session.get(EventRecord, gone.seq))
    with app.app_context(), read_session() as session:
        _checked, breaks = verify_chains(session)
    assert breaks[0].stream == "thing:8"
    assert breaks[0].version == 3
    assert "missing" in breaks[0].reason


def test_events_reach_subscribers_only_after_commit(app):
    seen = []
    app.extensions["event_bus"].subscribe("test", lambda batch: seen.extend(batch))
    try:
        with app.app_context(), unit_of_work() as uow:
            record(uow, SomethingNoted(3, "rolled back"))
            raise RuntimeError("abort the transaction")
    except RuntimeError:
        pass
    assert seen == []
    with app.app_context(), read_session() as session:
        assert session.exec(select(EventRecord).where(EventRecord.stream == "thing:3")).all() == []
    _append(app, 3, "kept")
    assert [row.payload["text"] for row in seen] == ["kept"]


def test_a_failing_subscriber_does_not_stop_the_others(app):
    seen = []

    def broken(_batch):
        raise ValueError("boom")

    app.extensions["event_bus"].subscribe("broken", broken)
    app.extensions["event_bus"].subscribe("ok", lambda batch: seen.extend(batch))
    _append(app, 4, "x")
    assert len(seen) == 1


def test_replay_from_a_stored_position(app):
    for n in range(7):
        _append(app, 5, str(n))
    handled = []
    with app.app_context(), unit_of_work() as uow:
        first = catch_up(uow.session, "projection", handled.extend, batch=3)
    with app.app_context(), unit_of_work() as uow:
        again = catch_up(uow.session, "projection", handled.extend, batch=3)
    assert first >= 7
    assert again == 0
    _append(app, 5, "new")
    with app.app_context(), unit_of_work() as uow:
        assert catch_up(uow.session, "projection", handled.extend) == 1
    seqs = [row.seq for row in handled]
    assert seqs == sorted(set(seqs))


def test_a_replay_of_some_types_skips_the_rest_and_moves_past_them(app):
    for n in range(4):
        _append(app, 6, str(n))
    handled = []
    with app.app_context(), unit_of_work() as uow:
        first = catch_up(uow.session, "picky", handled.extend, types=("NoSuchType",))
        position = uow.session.get(SubscriberPosition, "picky").seq
        assert position == last_seq(uow.session)
    assert first == 0 and handled == []


def test_events_since_pages_in_seq_order(app):
    rows = [_append(app, 6, str(n)) for n in range(4)]
    with app.app_context(), read_session() as session:
        page = events_since(session, rows[0].seq, limit=2)
    assert [row.seq for row in page] == [rows[1].seq, rows[2].seq]
