"""Fill a database with a national roll-up at scale: assemblies in every region, their
monthly meetups and attendees, national motions, votes with their ballots, and the event log
that the app would have written for them, hash chains included.

    python -m tests.load.national --database sqlite:///.bench/n.sqlite \
        --assemblies 1000 --motions 50 --ballots 5000000

The rows are the ones the app's services write (the same columns, the same event payloads,
made by the same event classes and tally), written in bulk: SQLAlchemy Core `insert` with
executemany on SQLite, PostgreSQL `COPY` through psycopg. The House's projection is then
built by the app's own catch-up (`voting.house.projection.catch_up_outcomes`), so the pages
read exactly what the live projection writes.

What is left out, to keep the log to what the national pages need: registration and door
events (the registrations are stored, checked in, but their `AttendeeRegistered` /
`AttendeeCheckedIn` events are not), agendas and proposals (local votes are on free
questions), and staff accounts.
"""

import argparse
import hashlib
import hmac
import json
import math
import os
import random
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, event, insert, text

from app.events import GENESIS_HASH, DomainEvent, chain_hash
from assemblies.events import AssemblyCreated, MeetupEnded, MeetupScheduled
from assemblies.models import REGIONS
from voting import events as vote_events
from voting.house.events import NationalMotionPublished
from voting.house.motions import wording_hash
from voting.tally import DEFAULT_RULES, tally, validate_rule
from voting.votes import coarse_time

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / ".bench"
BENCH_SECRET = "national-bench-secret-key-that-is-long-enough-0123456789"
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_SPACE = len(RECEIPT_ALPHABET) ** 10
RECEIPT_STEP = 490_366_598_117  # coprime with 31: a counter maps to a unique scattered code
BATCH = 20_000  # rows per executemany / COPY flush
YES_NO = ["yes", "no", "abstain"]
# Parents first, so foreign keys hold at every flush.
TABLE_ORDER = (
    "assembly",
    "national_motion",
    "meetup",
    "registration",
    "vote",
    "ballot",
    "event",
)
SEQUENCED = {
    "assembly": "id",
    "national_motion": "id",
    "meetup": "id",
    "registration": "id",
    "vote": "id",
    "ballot": "id",
    "event": "seq",
}
TOWNS = (
    "Aberdeen Bangor Barnsley Bath Belfast Birmingham Blackpool Bolton Bradford Brighton "
    "Bristol Cambridge Canterbury Cardiff Carlisle Chester Colchester Coventry Derby Derry "
    "Dundee Durham Edinburgh Exeter Glasgow Gloucester Hull Inverness Ipswich Lancaster Leeds "
    "Leicester Lincoln Liverpool London Luton Manchester Newcastle Newport Norwich Nottingham "
    "Oxford Perth Plymouth Portsmouth Preston Reading Salford Sheffield Southampton Stirling "
    "Sunderland Swansea Truro Wakefield Wolverhampton Worcester Wrexham York"
).split()
MOTION_TOPICS = (
    "Free local buses for everyone under 25",
    "A citizens' assembly on the national energy plan",
    "Rent controls in every city",
    "A four-day working week in the public sector",
    "Insulate every social home by 2030",
    "Votes at 16 in all elections",
    "Community ownership of water companies",
    "Free school meals for every primary pupil",
    "A right to repair for household goods",
    "Publicly owned broadband in rural areas",
)
LOCAL_TOPICS = (
    "Open the library on Sundays",
    "A safe cycle route to the high street",
    "Plant trees along the ring road",
    "A monthly repair café in the community hall",
    "Ask the council for a pedestrian crossing by the school",
)


@dataclass(frozen=True)
class Plan:
    """How much to generate. Everything else follows from these and the seed."""

    assemblies: int = 1000
    motions: int = 50
    ballots: int = 5_000_000
    seed: int = 2026
    secret: str = BENCH_SECRET
    local_votes: int = 1  # free-question votes per meetup, besides the motions
    change_share: float = 0.02  # voters who change their ballot once

    def cache_name(self) -> str:
        """A file name that says what is inside."""
        return f"national-a{self.assemblies}-m{self.motions}-b{self.ballots}-s{self.seed}.sqlite"


@dataclass
class Report:
    """What was written and how long it took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    database_bytes: int | None = None

    def as_dict(self) -> dict:
        """JSON-ready."""
        return {"rows": self.rows, "seconds": self.seconds, "database_bytes": self.database_bytes}


# ---------------------------------------------------------------------------------------------
# Sinks: where rows go, in batches


class CoreSink:
    """Rows through SQLAlchemy Core `insert` (executemany), one transaction per batch."""

    def __init__(self, engine):
        from sqlmodel import SQLModel

        from app.migrate import import_all_models

        import_all_models()
        self.engine = engine
        self.tables = SQLModel.metadata.tables

    def write(self, table: str, rows: list[dict]) -> None:
        """Insert `rows` into `table`."""
        with self.engine.begin() as connection:
            connection.execute(insert(self.tables[table]), rows)

    def close(self) -> None:
        """Nothing to finish: every batch is committed."""


class CopySink:
    """Rows through PostgreSQL `COPY ... FROM STDIN` (psycopg 3), one transaction per batch."""

    def __init__(self, engine):
        self.engine = engine

    def write(self, table: str, rows: list[dict]) -> None:
        """Copy `rows` into `table`."""
        columns = list(rows[0])
        raw = self.engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                cursor.execute("SET TIME ZONE 'UTC'")
                names = ", ".join(f'"{name}"' for name in columns)
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([_copy_value(row[name]) for name in columns])
            raw.commit()
        finally:
            raw.close()

    def close(self) -> None:
        """Move each id sequence past the ids written, so the app can add rows later."""
        with self.engine.begin() as connection:
            for table, column in SEQUENCED.items():
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                        f"(SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}), false)"
                    )
                )


def _copy_value(value):
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


class Buffer:
    """Rows waiting to be written, flushed parents first when any table has a full batch."""

    def __init__(self, sink, report: Report):
        self.sink = sink
        self.report = report
        self.rows: dict[str, list[dict]] = {name: [] for name in TABLE_ORDER}

    def add(self, table: str, row: dict) -> None:
        """Queue one row."""
        self.rows[table].append(row)
        if len(self.rows[table]) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write every queued row, parents first."""
        for name in TABLE_ORDER:
            if self.rows[name]:
                self.sink.write(name, self.rows[name])
                self.report.rows[name] = self.report.rows.get(name, 0) + len(self.rows[name])
                self.rows[name] = []


# ---------------------------------------------------------------------------------------------
# The event log, chained as `app.events.record` chains it


class Log:
    """Appends events with consecutive `seq` and per-stream hash chains."""

    def __init__(self, buffer: Buffer):
        self.buffer = buffer
        self.seq = 0
        self.heads: dict[str, tuple[int, str]] = {}

    def append(self, domain_event: DomainEvent, at: datetime) -> str:
        """Store the event at time `at`; return its hash (the stream's new head)."""
        stream = domain_event.stream
        version, prev_hash = self.heads.pop(stream, (0, GENESIS_HASH))
        type_name = type(domain_event).__name__
        payload = domain_event.payload()
        digest = chain_hash(prev_hash, type_name, domain_event.payload_version, payload, at)
        self.seq += 1
        self.buffer.add(
            "event",
            {
                "seq": self.seq,
                "stream": stream,
                "version": version + 1,
                "type": type_name,
                "v": domain_event.payload_version,
                "payload": payload,
                "at": at,
                "prev_hash": prev_hash,
                "hash": digest,
            },
        )
        self.heads[stream] = (version + 1, digest)
        return digest

    def forget(self, stream: str) -> None:
        """Drop a finished stream's head (a closed vote's stream takes no more events)."""
        self.heads.pop(stream, None)


# ---------------------------------------------------------------------------------------------
# The country: assemblies, motions, meetups


@dataclass
class Motion:
    """A generated national motion and what the generator needs to know about it."""

    id: int
    title: str
    opens_at: datetime
    closes_at: datetime
    regions: list[str]
    rule: dict
    support: float  # the national mood: the chance of a yes, before local leanings


@dataclass
class MeetupPlan:
    """One meetup: when, who came, and which votes it ran."""

    id: int
    assembly_id: int
    starts_at: datetime
    motions: list[Motion]
    vote_ballots: list[int] = field(default_factory=list)  # ballots per vote, motions first
    present: int = 0


def _receipt(number: int) -> str:
    value = (number * RECEIPT_STEP) % RECEIPT_SPACE
    digits = []
    for _ in range(10):
        value, digit = divmod(value, len(RECEIPT_ALPHABET))
        digits.append(RECEIPT_ALPHABET[digit])
    return "".join(digits)


def _voter_key(secret: bytes, registration_id: int, vote_id: int) -> str:
    return hmac.new(secret, f"{registration_id}:{vote_id}".encode(), hashlib.sha256).hexdigest()


def _start(plan: Plan) -> datetime:
    """The first motion opens here; the last one closes two days before today."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=7 * (plan.motions - 1) + 28 + 2)


def make_motions(plan: Plan, rng: random.Random, start: datetime) -> list[Motion]:
    """One motion opening each week, each open four weeks; most go to every region."""
    found = []
    for index in range(plan.motions):
        topic = MOTION_TOPICS[index % len(MOTION_TOPICS)]
        title = topic if index < len(MOTION_TOPICS) else f"{topic} (round {index // 10 + 1})"
        regions = [] if rng.random() < 0.7 else sorted(rng.sample(REGIONS, 4))
        overlay = {"threshold": "2/3", "strict": False} if rng.random() < 0.2 else {}
        rule = validate_rule("yes_no", {**DEFAULT_RULES["yes_no"], **overlay})
        opens_at = start + timedelta(days=7 * index)
        found.append(
            Motion(
                index + 1,
                title,
                opens_at,
                opens_at + timedelta(days=28),
                regions,
                rule,
                rng.uniform(0.35, 0.75),
            )
        )
    return found


def write_assemblies(plan: Plan, rng: random.Random, buffer: Buffer, log: Log, start) -> list:
    """Assemblies spread over the regions; return (id, region, size, leaning) for each."""
    facts = []
    created = start - timedelta(days=60)
    for number in range(1, plan.assemblies + 1):
        town = TOWNS[(number - 1) % len(TOWNS)]
        region = REGIONS[(number - 1) % len(REGIONS)]
        slug = f"{town.lower()}-{number}"
        name = f"{town} People's Assembly {number}"
        buffer.add(
            "assembly",
            {
                "id": number,
                "slug": slug,
                "name": name,
                "area": town,
                "region": region,
                "description": f"Open meetups for everyone in {town}.",
                "contact": "",
                "created_at": created,
            },
        )
        log.append(AssemblyCreated(number, slug, name, region, None), created)
        facts.append((number, region, rng.lognormvariate(0, 0.5), rng.gauss(0, 0.08)))
    return facts


def write_motions(motions: list[Motion], buffer: Buffer) -> None:
    """The motions' rows (their events go into the log when they are published)."""
    for motion in motions:
        buffer.add(
            "national_motion",
            {
                "id": motion.id,
                "title": motion.title,
                "wording": f"The House of the People calls for this: {motion.title.lower()}.",
                "wording_hash": _motion_hash(motion),
                "version": 1,
                "supersedes_id": None,
                "rule": motion.rule,
                "opens_at": motion.opens_at,
                "closes_at": motion.closes_at,
                "regions": motion.regions,
                "assembly_ids": [],
                "status": "published",
                "published_by": None,
                "published_at": motion.opens_at - timedelta(days=1),
            },
        )


def _motion_hash(motion: Motion) -> str:
    wording = f"The House of the People calls for this: {motion.title.lower()}."
    return wording_hash(motion.title, wording)


def plan_meetups(plan: Plan, rng: random.Random, assemblies: list, motions: list[Motion], start):
    """Monthly meetups for each assembly; each runs the motions open at the time (nine in
    ten assemblies take part in a motion aimed at them), and its local votes. Ballots are
    shared out by each assembly's size, exactly `plan.ballots` in all."""
    meetups: list[MeetupPlan] = []
    weights: list[float] = []
    last_close = max(motion.closes_at for motion in motions)
    next_id = 1
    for assembly_id, region, size, _leaning in assemblies:
        moment = start + timedelta(days=rng.randrange(28), hours=18, minutes=30)
        while moment < last_close:
            aimed = [
                motion
                for motion in motions
                if motion.opens_at <= moment < motion.closes_at
                and (not motion.regions or region in motion.regions)
                and rng.random() < 0.9
            ]
            meetup = MeetupPlan(next_id, assembly_id, moment, aimed)
            attendance = size * rng.uniform(0.7, 1.3)
            for _ in range(len(aimed) + plan.local_votes):
                weights.append(attendance * rng.uniform(0.85, 1.0))
            meetups.append(meetup)
            next_id += 1
            moment += timedelta(days=28)
    shares = _share_out(plan.ballots, weights)
    position = 0
    for meetup in meetups:
        count = len(meetup.motions) + plan.local_votes
        meetup.vote_ballots = shares[position : position + count]
        position += count
        meetup.present = max(meetup.vote_ballots, default=0) + rng.randrange(1, 6)
    return meetups


def _share_out(total: int, weights: list[float]) -> list[int]:
    """Whole numbers proportional to `weights` that add up to `total` exactly."""
    scale = total / sum(weights)
    shares = [math.floor(weight * scale) for weight in weights]
    remainders = sorted(range(len(weights)), key=lambda i: shares[i] - weights[i] * scale)
    for index in remainders[: total - sum(shares)]:
        shares[index] += 1
    return shares


# ---------------------------------------------------------------------------------------------
# One meetup at a time: its row, its attendees, its votes, ballots and events


@dataclass
class Counters:
    """Ids handed out so far."""

    registration: int = 0
    vote: int = 0
    ballot: int = 0
    receipt: int = 0


def write_meetup(ctx: "Context", meetup: MeetupPlan) -> None:
    """A meetup that took place: its row, attendees, votes and the events around them."""
    title = f"Monthly assembly, {meetup.starts_at:%d %B %Y}"
    ends_at = meetup.starts_at + timedelta(hours=2)
    ctx.buffer.add(
        "meetup",
        {
            "id": meetup.id,
            "assembly_id": meetup.assembly_id,
            "series_id": None,
            "detached": False,
            "title": title,
            "agenda_summary": "National motions, then local proposals.",
            "starts_at": meetup.starts_at,
            "ends_at": ends_at,
            "venue_name": "Community hall",
            "venue_address": "",
            "accessibility_notes": "Step-free access.",
            "online_link": "",
            "capacity": max(200, meetup.present),
            "registration_opens_at": meetup.starts_at - timedelta(days=21),
            "registration_closes_at": meetup.starts_at,
            "checkin_opens_at": meetup.starts_at - timedelta(minutes=30),
            "status": "ended",
            "revision": 0,
            "cancel_reason": "",
            "walk_ins_enabled": True,
            "created_at": meetup.starts_at - timedelta(days=21),
        },
    )
    ctx.log.append(
        MeetupScheduled(
            meetup.id,
            meetup.assembly_id,
            None,
            title,
            meetup.starts_at.isoformat(),
            ends_at.isoformat(),
        ),
        meetup.starts_at - timedelta(days=21),
    )
    attendees = write_attendees(ctx, meetup)
    opened = meetup.starts_at + timedelta(minutes=20)
    questions = [(m.title, m) for m in meetup.motions] + [
        (ctx.rng.choice(LOCAL_TOPICS), None) for _ in range(ctx.plan.local_votes)
    ]
    for (question, motion), ballots in zip(questions, meetup.vote_ballots, strict=True):
        write_vote(ctx, meetup, attendees, question, motion, ballots, opened)
        opened += timedelta(minutes=8)
    ctx.log.append(MeetupEnded(meetup.id, meetup.assembly_id), ends_at)
    ctx.log.forget(f"meetup:{meetup.id}")


def write_attendees(ctx: "Context", meetup: MeetupPlan) -> list[int]:
    """Everyone present, checked in at the door or as walk-ins; return their ids."""
    ids = []
    for number in range(meetup.present):
        ctx.counters.registration += 1
        registration_id = ctx.counters.registration
        walk_in = number % 4 == 0
        token = hashlib.sha256(f"ticket:{registration_id}".encode()).hexdigest()
        ctx.buffer.add(
            "registration",
            {
                "id": registration_id,
                "meetup_id": meetup.id,
                "ticket_token": token[:32],
                "short_code": _receipt(registration_id),
                "display_name": f"Attendee {registration_id}",
                "email": None if walk_in else f"attendee{registration_id}@example.org",
                "status": "confirmed",
                "created_at": meetup.starts_at - timedelta(days=3),
                "promoted_at": None,
                "cancelled_at": None,
                "walk_in": walk_in,
                "qr_nonce": token[32:48],
                "checked_in_at": meetup.starts_at + timedelta(seconds=number % 900),
                "checked_in_device": "door-1",
                "checked_out_at": None,
                "device_hash": hashlib.sha256(f"device:{registration_id}".encode()).hexdigest(),
            },
        )
        ids.append(registration_id)
    return ids


def write_vote(ctx, meetup, attendees, question, motion, ballots, opened) -> None:
    """One secret, changeable yes/no vote: opened, its ballots cast (a few changed), closed
    and counted, exactly as `voting.votes` records it."""
    ctx.counters.vote += 1
    vote_id = ctx.counters.vote
    stream = f"vote:{vote_id}"
    rule = motion.rule if motion else validate_rule("yes_no", dict(DEFAULT_RULES["yes_no"]))
    ctx.log.append(
        vote_events.VoteOpened(
            vote_id, meetup.id, question, "yes_no", YES_NO, rule, True, False, True, None, None
        ),
        opened,
    )
    voters = ctx.rng.sample(attendees, ballots)
    yes_chance = _yes_chance(ctx, meetup.assembly_id, motion)
    choices = []
    for position, registration_id in enumerate(voters):
        choice = _choice(ctx.rng, yes_chance)
        cast_at = opened + timedelta(seconds=5 + position * 90 / max(ballots, 1))
        write_ballot(ctx, vote_id, registration_id, choice, cast_at)
        choices.append(choice)
    closed_at = opened + timedelta(minutes=3)
    ctx.log.append(vote_events.VoteClosed(vote_id, meetup.id, ballots, False), closed_at)
    head = ctx.log.heads[stream][1]
    result = tally("yes_no", YES_NO, choices, rule, head, meetup.present).as_dict()
    result = {**result, "manual": False}
    ctx.buffer.add(
        "vote",
        {
            "id": vote_id,
            "meetup_id": meetup.id,
            "client_id": f"national-{vote_id:010d}",
            "proposal_id": None,
            "motion_id": motion.id if motion else None,
            "question": question,
            "method": "yes_no",
            "options": YES_NO,
            "rule": rule,
            "secret": True,
            "live_results": False,
            "changeable": True,
            "manual": False,
            "status": "closed",
            "opened_at": opened,
            "closes_at": None,
            "closed_at": closed_at,
            "present_at_close": meetup.present,
            "seed": head,
            "chain_head": head,
            "result": result,
        },
    )
    ctx.log.append(
        vote_events.OutcomeRecorded(
            vote_id,
            meetup.id,
            meetup.assembly_id,
            None,
            question,
            "yes_no",
            False,
            ballots,
            meetup.present,
            head,
            head,
            result,
            motion.id if motion else None,
        ),
        closed_at + timedelta(microseconds=1),
    )
    ctx.log.forget(stream)


def _yes_chance(ctx, assembly_id: int, motion: Motion | None) -> float:
    leaning = ctx.leanings[assembly_id]
    mood = motion.support if motion else 0.6
    return min(0.95, max(0.05, mood + leaning + ctx.rng.gauss(0, 0.05)))


def _choice(rng: random.Random, yes_chance: float) -> str:
    if rng.random() < 0.05:
        return "abstain"
    return "yes" if rng.random() < yes_chance else "no"


def write_ballot(ctx, vote_id: int, registration_id: int, choice: str, cast_at) -> None:
    """The voter's final ballot row, and a `BallotCast` for each cast (two when changed)."""
    replaces = None
    changes = 0
    if ctx.rng.random() < ctx.plan.change_share:
        first = "no" if choice == "yes" else "yes"
        ctx.counters.receipt += 1
        replaces = _receipt(ctx.counters.receipt)
        ctx.log.append(vote_events.BallotCast(vote_id, replaces, {"ballot": first}, None), cast_at)
        cast_at += timedelta(seconds=20)
        changes = 1
    ctx.counters.receipt += 1
    receipt = _receipt(ctx.counters.receipt)
    ctx.log.append(vote_events.BallotCast(vote_id, receipt, {"ballot": choice}, replaces), cast_at)
    ctx.counters.ballot += 1
    ctx.buffer.add(
        "ballot",
        {
            "id": ctx.counters.ballot,
            "vote_id": vote_id,
            "voter_key": _voter_key(ctx.secret, registration_id, vote_id),
            "registration_id": None,
            "choice": {"ballot": choice},
            "receipt": receipt,
            "client_id": "",
            "cast_at": coarse_time(cast_at),  # kept to the minute, as `cast_ballot` does
            "changes": changes,
        },
    )


@dataclass
class Context:
    """What every writer needs."""

    plan: Plan
    rng: random.Random
    buffer: Buffer
    log: Log
    leanings: dict[int, float]
    secret: bytes
    counters: Counters = field(default_factory=Counters)


def write_country(plan: Plan, sink, report: Report) -> None:
    """Generate every row and event, in the order the app would have recorded them."""
    rng = random.Random(plan.seed)
    buffer = Buffer(sink, report)
    log = Log(buffer)
    start = _start(plan)
    motions = make_motions(plan, rng, start)
    assemblies = write_assemblies(plan, rng, buffer, log, start)
    write_motions(motions, buffer)
    meetups = plan_meetups(plan, rng, assemblies, motions, start)
    meetups.sort(key=lambda meetup: (meetup.starts_at, meetup.id))
    ctx = Context(plan, rng, buffer, log, {a[0]: a[3] for a in assemblies}, plan.secret.encode())
    unpublished = list(motions)
    for meetup in meetups:
        while unpublished and unpublished[0].opens_at - timedelta(days=1) <= meetup.starts_at:
            publish(log, unpublished.pop(0))
        write_meetup(ctx, meetup)
    for motion in unpublished:
        publish(log, motion)
    buffer.flush()
    report.rows["events"] = log.seq


def publish(log: Log, motion: Motion) -> None:
    """The `NationalMotionPublished` event of a motion."""
    log.append(
        NationalMotionPublished(
            motion.id,
            motion.title,
            _motion_hash(motion),
            1,
            None,
            motion.opens_at.isoformat(),
            motion.closes_at.isoformat(),
            motion.regions,
            [],
        ),
        motion.opens_at - timedelta(days=1),
    )


# ---------------------------------------------------------------------------------------------
# Putting it together


def bulk_engine(url: str):
    """An engine for bulk writing: on SQLite, WAL without waiting for the disk."""
    engine = create_engine(url)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _fast(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-200000")
            cursor.close()

    return engine


def project_outcomes(url: str, secret: str) -> None:
    """Build the House's projection with the app's own catch-up job, as a fresh server would."""
    from app import create_app
    from app.db import database
    from voting.house.projection import catch_up_outcomes

    settings = {
        "DATABASE_URL": url,
        "SECRET_KEY": secret,
        "ASSEMBLY_SCHEDULER": "off",
        "ASSEMBLY_INSTANCE": str(BENCH),
    }
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        with create_app().app_context():
            catch_up_outcomes()
            database().engine.dispose()  # close its connections now, not at garbage collection
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def generate(url: str, plan: Plan) -> Report:
    """Migrate an empty database at `url`, fill it, and build the projection."""
    from app import migrate

    report = Report()
    began = time.perf_counter()
    migrate.upgrade(url)
    engine = bulk_engine(url)
    sink = CopySink(engine) if engine.dialect.name == "postgresql" else CoreSink(engine)
    write_country(plan, sink, report)
    sink.close()
    report.seconds["write"] = round(time.perf_counter() - began, 1)
    began = time.perf_counter()
    project_outcomes(url, plan.secret)
    report.seconds["project"] = round(time.perf_counter() - began, 1)
    with engine.connect() as connection:
        report.rows["house_outcome"] = connection.execute(
            text("SELECT count(*) FROM house_outcome")
        ).scalar_one()
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        report.database_bytes = sum(
            p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file()
        )
    engine.dispose()
    return report


def copy_to_postgres(sqlite_url: str, postgres_url: str) -> Report:
    """Fill an empty PostgreSQL database with the rows of a generated SQLite file (`COPY`,
    no hashing again), then build its projection with the app's catch-up."""
    from app import migrate

    report = Report()
    began = time.perf_counter()
    migrate.upgrade(postgres_url)
    engine = bulk_engine(postgres_url)
    source = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    sink = CopySink(engine)
    for table in TABLE_ORDER:
        columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
        cursor = source.execute(
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY {SEQUENCED[table]}"  # noqa: S608
        )
        while rows := cursor.fetchmany(BATCH):
            sink.write(table, [dict(zip(columns, row, strict=True)) for row in rows])
            report.rows[table] = report.rows.get(table, 0) + len(rows)
    sink.close()
    source.close()
    report.seconds["copy"] = round(time.perf_counter() - began, 1)
    began = time.perf_counter()
    project_outcomes(postgres_url, BENCH_SECRET)
    report.seconds["project"] = round(time.perf_counter() - began, 1)
    with engine.connect() as connection:
        report.rows["house_outcome"] = connection.execute(
            text("SELECT count(*) FROM house_outcome")
        ).scalar_one()
        report.database_bytes = connection.execute(
            text("SELECT pg_database_size(current_database())")
        ).scalar_one()
    engine.dispose()
    return report


def cached_sqlite(plan: Plan, folder: Path = BENCH) -> tuple[str, Report | None]:
    """The URL of a generated SQLite file under `.bench/`, made once and reused after.

    Returns the report when it had to be made now (None when the cached file was reused)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / plan.cache_name()
    done = path.with_suffix(".json")
    if path.exists() and done.exists():
        return f"sqlite:///{path}", None
    for stale in folder.glob(path.name + "*"):
        stale.unlink()
    report = generate(f"sqlite:///{path}", plan)
    done.write_text(json.dumps(report.as_dict(), indent=1))
    return f"sqlite:///{path}", report


def arguments(argv: list[str] | None = None) -> tuple[argparse.Namespace, Plan]:
    """Command-line arguments and the plan they describe."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="a database URL (default: a cached SQLite file)")
    parser.add_argument("--assemblies", type=int, default=Plan.assemblies)
    parser.add_argument("--motions", type=int, default=Plan.motions)
    parser.add_argument("--ballots", type=int, default=Plan.ballots)
    parser.add_argument("--seed", type=int, default=Plan.seed)
    args = parser.parse_args(argv)
    return args, Plan(args.assemblies, args.motions, args.ballots, args.seed)


def main(argv: list[str] | None = None) -> int:
    """Generate into the given database, or into the cached SQLite file."""
    args, plan = arguments(argv)
    if args.database:
        url, report = args.database, generate(args.database, plan)
    else:
        url, report = cached_sqlite(plan)
    if report is None:
        print(f"Reused {url}")
    else:
        print(json.dumps(report.as_dict(), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
