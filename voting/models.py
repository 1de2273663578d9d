"""The live meeting: agenda items, proposals and amendments, supports, the speaking queue
and hand signals."""

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.events import utcnow

ITEM_PENDING = "pending"
ITEM_RUNNING = "running"
ITEM_DONE = "done"

PROPOSAL_SUBMITTED = "submitted"
PROPOSAL_ACCEPTED = "accepted"
PROPOSAL_RETURNED = "returned"
PROPOSAL_HIDDEN = "hidden"
PROPOSAL_MERGED = "merged"

SIGNAL_KINDS = ("agree", "clarify", "process")

TITLE_MAX = 120
BODY_MAX = 2000


class AgendaItem(SQLModel, table=True):
    """One item of a meetup's agenda, with its planned length."""

    __tablename__ = "agenda_item"

    id: int | None = Field(default=None, primary_key=True)
    meetup_id: int = Field(foreign_key="meetup.id", index=True)
    position: int
    title: str = Field(max_length=TITLE_MAX)
    duration_minutes: int = 10
    state: str = Field(default=ITEM_PENDING, max_length=10)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class Proposal(SQLModel, table=True):
    """A proposal (or an amendment to one) submitted from a phone or by the facilitator."""

    __tablename__ = "proposal"
    __table_args__ = (UniqueConstraint("meetup_id", "client_id", name="uq_proposal_client_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meetup_id: int = Field(foreign_key="meetup.id", index=True)
    client_id: str = Field(max_length=64)
    author_registration_id: int | None = Field(default=None, foreign_key="registration.id")
    by_facilitator: bool = False
    parent_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)
    title: str = Field(max_length=TITLE_MAX)
    body: str = Field(default="", max_length=BODY_MAX)
    status: str = Field(default=PROPOSAL_SUBMITTED, max_length=12)
    return_reason: str = Field(default="", max_length=300)
    merged_into_id: int | None = Field(default=None, foreign_key="proposal.id")
    agenda_order: int | None = None  # order of decision among accepted proposals
    created_at: datetime = Field(default_factory=utcnow)


class Support(SQLModel, table=True):
    """One attendee's support for a proposal (one each, withdrawable)."""

    __tablename__ = "support"
    __table_args__ = (UniqueConstraint("proposal_id", "registration_id", name="uq_support"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    registration_id: int = Field(foreign_key="registration.id")
    created_at: datetime = Field(default_factory=utcnow)


class SpeakerRequest(SQLModel, table=True):
    """A raised hand in the speaking queue."""

    __tablename__ = "speaker_request"

    id: int | None = Field(default=None, primary_key=True)
    meetup_id: int = Field(foreign_key="meetup.id", index=True)
    registration_id: int = Field(foreign_key="registration.id")
    raised_at: datetime = Field(default_factory=utcnow)
    called_at: datetime | None = None
    withdrawn_at: datetime | None = None


class HandSignal(SQLModel, table=True):
    """A hand signal held up from a phone: agree, clarify, or point of process."""

    __tablename__ = "hand_signal"
    __table_args__ = (
        UniqueConstraint("meetup_id", "registration_id", "kind", name="uq_hand_signal"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meetup_id: int = Field(foreign_key="meetup.id", index=True)
    registration_id: int = Field(foreign_key="registration.id")
    kind: str = Field(max_length=10)
    raised_at: datetime = Field(default_factory=utcnow)


class MeetingState(SQLModel, table=True):
    """What the room is looking at: the running agenda item and the proposal discussed."""

    __tablename__ = "meeting_state"

    meetup_id: int = Field(foreign_key="meetup.id", primary_key=True)
    discussing_proposal_id: int | None = Field(default=None, foreign_key="proposal.id")


VOTE_OPEN = "open"
VOTE_CLOSED = "closed"


class Vote(SQLModel, table=True):
    """A vote in a meetup: its question, method, rule, settings and, once closed, its result."""

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("meetup_id", "client_id", name="uq_vote_client_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meetup_id: int = Field(foreign_key="meetup.id", index=True)
    client_id: str = Field(max_length=64)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    motion_id: int | None = Field(default=None, foreign_key="national_motion.id")
    question: str = Field(max_length=300)
    method: str = Field(max_length=20)
    options: list = Field(sa_column=Column(JSON, nullable=False))
    rule: dict = Field(sa_column=Column(JSON, nullable=False))
    secret: bool = True
    live_results: bool = False
    changeable: bool = True
    manual: bool = False
    status: str = Field(default=VOTE_OPEN, max_length=10)
    opened_at: datetime = Field(default_factory=utcnow)
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    present_at_close: int | None = None
    seed: str = Field(default="", max_length=64)
    chain_head: str = Field(default="", max_length=64)
    result: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Ballot(SQLModel, table=True):
    """The current ballot of one voter in one vote (the last one cast counts).

    Secret votes store only `voter_key` = HMAC(server secret, registration id, vote id), never
    the registration; named votes also store the registration so the ballot box can name it.
    """

    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("vote_id", "voter_key", name="uq_ballot_voter"),)

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    voter_key: str = Field(max_length=64)
    registration_id: int | None = Field(default=None, foreign_key="registration.id")
    choice: dict = Field(sa_column=Column(JSON, nullable=False))  # {"ballot": <canonical>}
    receipt: str = Field(max_length=16, unique=True)
    client_id: str = Field(default="", max_length=64)  # of the last cast: a retry is a no-op
    cast_at: datetime = Field(default_factory=utcnow)  # to the minute only (see coarse_time)
    changes: int = 0
