"""Database engine, SQLite tuning and the unit of work that every service uses.

A unit of work is one transaction. Services append domain events to it; the events are written
in the same transaction as the state change (the log is the outbox) and handed to the event bus
only after the commit succeeds.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 15_000


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout, foreign keys and immediate writes."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=10,
            max_overflow=20,
        )
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _tune_sqlite(engine: Engine) -> None:
    """Let SQLAlchemy issue BEGIN itself, so writes can BEGIN IMMEDIATE (see the pysqlite docs)."""

    @sa_event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa_event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass
class Database:
    """The engine plus an in-process lock that serialises SQLite writers.

    SQLite allows one writer at a time. Under gevent a second writer that hits the lock would
    sleep inside SQLite's busy handler and block the whole process, so writers in one process
    queue on a cooperative lock first; other processes are covered by the busy timeout.
    """

    engine: Engine
    write_lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def is_sqlite(self) -> bool:
        """True when the database is a SQLite file."""
        return self.engine.dialect.name == "sqlite"


@dataclass
class UnitOfWork:
    """One transaction: a session plus the domain events recorded in it (local to this call)."""

    session: Session
    new_events: list = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


def init_app(app: Flask) -> None:
    """Create the engine for the app's DATABASE_URL."""
    app.extensions["database"] = Database(make_engine(app.config["DATABASE_URL"]))


def database() -> Database:
    """The current app's database."""
    return current_app.extensions["database"]


@contextmanager
def read_session() -> Iterator[Session]:
    """A session for reads only; nothing is committed."""
    with Session(database().engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """Open a write transaction; commit on success, then publish its events to the bus."""
    db = database()
    lock = db.write_lock if db.is_sqlite else None
    if lock:
        lock.acquire()
    try:
        with Session(db.engine, expire_on_commit=False) as session:
            session.connection(execution_options={"sqlite_immediate": True})
            uow = UnitOfWork(session)
            yield uow
            session.commit()
    finally:
        if lock:
            lock.release()
    _publish(uow)


def _publish(uow: UnitOfWork) -> None:
    bus = current_app.extensions.get("event_bus")
    if bus is not None and uow.new_events:
        bus.publish(uow.new_events)
    for callback in uow.after_commit:
        callback()
