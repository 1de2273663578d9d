"""Assemblies: the local People's Assemblies of the network."""

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.events import utcnow

REGIONS = (
    "Scotland",
    "Wales",
    "Northern Ireland",
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)


class Assembly(SQLModel, table=True):
    """A local People's Assembly."""

    __tablename__ = "assembly"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=120)
    area: str = Field(max_length=120)
    region: str = Field(max_length=40, index=True)
    description: str = Field(default="", max_length=4000)
    contact: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


STATUS_SCHEDULED = "scheduled"
STATUS_CHECKIN_OPEN = "checkin_open"
STATUS_IN_PROGRESS = "in_progress"
STATUS_ENDED = "ended"
STATUS_CANCELLED = "cancelled"
MEETUP_STATUSES = (
    STATUS_SCHEDULED,
    STATUS_CHECKIN_OPEN,
    STATUS_IN_PROGRESS,
    STATUS_ENDED,
    STATUS_CANCELLED,
)


class MeetupSeries(SQLModel, table=True):
    """A recurring meetup: an RRULE from a first London-time start, and the shared details."""

    __tablename__ = "meetup_series"

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    rrule: str = Field(max_length=500)
    first_start_local: str = Field(max_length=16)  # "YYYY-MM-DDTHH:MM", Europe/London wall time
    duration_minutes: int
    cancelled_from: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Meetup(SQLModel, table=True):
    """One meeting of an assembly (a one-off, or one occurrence of a series)."""

    __tablename__ = "meetup"

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    series_id: int | None = Field(default=None, foreign_key="meetup_series.id", index=True)
    detached: bool = False  # edited on its own: later series edits leave it alone
    title: str = Field(max_length=120)
    agenda_summary: str = Field(default="", max_length=2000)
    starts_at: datetime = Field(index=True)
    ends_at: datetime
    venue_name: str = Field(default="", max_length=120)
    venue_address: str = Field(default="", max_length=300)
    accessibility_notes: str = Field(default="", max_length=1000)
    online_link: str = Field(default="", max_length=300)
    capacity: int
    registration_opens_at: datetime
    registration_closes_at: datetime
    checkin_opens_at: datetime
    status: str = Field(default=STATUS_SCHEDULED, max_length=20)
    revision: int = 0  # bumped on every edit; the SEQUENCE of its calendar entry
    cancel_reason: str = Field(default="", max_length=300)
    walk_ins_enabled: bool = True
    created_at: datetime = Field(default_factory=utcnow)


REG_CONFIRMED = "confirmed"
REG_WAITLISTED = "waitlisted"
REG_CANCELLED = "cancelled"


class Registration(SQLModel, table=True):
    """Someone's place at a meetup (or on its waitlist), reached by their ticket link."""

    __tablename__ = "registration"
    __table_args__ = (
        Index(
            "uq_registration_active_email",
            "meetup_id",
            "email",
            unique=True,
            sqlite_where=text("email IS NOT NULL AND status != 'cancelled'"),
            postgresql_where=text("email IS NOT NULL AND status != 'cancelled'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    meetup_id: int = Field(foreign_key="meetup.id", index=True)
    ticket_token: str = Field(max_length=40, unique=True)
    short_code: str = Field(max_length=12, unique=True)
    display_name: str = Field(max_length=80)
    email: str | None = Field(default=None, max_length=254)
    status: str = Field(default=REG_CONFIRMED, max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
    promoted_at: datetime | None = None
    cancelled_at: datetime | None = None
    walk_in: bool = False
    qr_nonce: str = Field(default="", max_length=24)  # in every QR; a new one revokes old QRs
    checked_in_at: datetime | None = None
    checked_in_device: str = Field(default="", max_length=60)  # which door device admitted
    checked_out_at: datetime | None = None
    device_hash: str | None = Field(default=None, max_length=64, index=True)  # voting phone


class OutboxMessage(SQLModel, table=True):
    """An email to send (reminders, waitlist promotions). Kept, sent or not, for the crew."""

    __tablename__ = "outbox_message"
    __table_args__ = (UniqueConstraint("dedupe_key", name="uq_outbox_dedupe"),)

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    meetup_id: int = Field(foreign_key="meetup.id", index=True)
    registration_id: int | None = Field(default=None, foreign_key="registration.id")
    dedupe_key: str = Field(max_length=120)
    kind: str = Field(max_length=30)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    last_error: str = Field(default="", max_length=300)


class DoorScan(SQLModel, table=True):
    """One door action, by its client-made id: a replayed scan gets the same answer."""

    __tablename__ = "door_scan"

    scan_id: str = Field(primary_key=True, max_length=80)  # "<meetup id>:<client scan id>"
    meetup_id: int = Field(foreign_key="meetup.id", index=True)
    registration_id: int | None = Field(default=None, foreign_key="registration.id")
    outcome: str = Field(max_length=30)
    device: str = Field(default="", max_length=60)
    at: datetime = Field(default_factory=utcnow)
