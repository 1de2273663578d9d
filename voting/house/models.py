"""The House of the People: national motions, and the projection of every recorded outcome
that the national feed, the motion pages and the hosts' dashboard read (never the ballots)."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.events import utcnow

MOTION_METHODS = ("yes_no", "consent")  # methods whose results give a share of support
MOTION_PUBLISHED = "published"
MOTION_SUPERSEDED = "superseded"


class NationalMotion(SQLModel, table=True):
    """A motion the hosts put to assemblies. Its wording is frozen: a change is a new version."""

    __tablename__ = "national_motion"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    wording: str = Field(max_length=4000)
    wording_hash: str = Field(max_length=64)
    method: str = Field(default="yes_no", max_length=20)  # one of MOTION_METHODS
    version: int = 1
    supersedes_id: int | None = Field(default=None, foreign_key="national_motion.id")
    rule: dict = Field(sa_column=Column(JSON, nullable=False))
    opens_at: datetime
    closes_at: datetime
    regions: list = Field(sa_column=Column(JSON, nullable=False))  # empty: every region
    assembly_ids: list = Field(sa_column=Column(JSON, nullable=False))  # empty: all in regions
    status: str = Field(default=MOTION_PUBLISHED, max_length=12)
    # A local amendment: a separate motion, for one assembly, linked to the national one.
    amends_id: int | None = Field(default=None, foreign_key="national_motion.id", index=True)
    proposed_by_assembly_id: int | None = Field(default=None, foreign_key="assembly.id")
    published_by: int | None = Field(default=None, foreign_key="user_account.id")
    published_at: datetime = Field(default_factory=utcnow)


class HouseOutcome(SQLModel, table=True):
    """One recorded outcome, as the national feed shows it (kept up to date from events)."""

    __tablename__ = "house_outcome"
    __table_args__ = (  # migration 0010: each filter with the feed's order (seq)
        Index("ix_house_outcome_region_seq", "region", "seq"),
        Index("ix_house_outcome_motion_seq", "motion_id", "seq"),
        Index("ix_house_outcome_slug_seq", "assembly_slug", "seq"),
        Index("ix_house_outcome_slug_name", "assembly_slug", "assembly_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(unique=True)
    seq: int = Field(index=True)  # the OutcomeRecorded event's seq: stable feed order
    motion_id: int | None = None
    assembly_id: int = Field(index=True)
    assembly_name: str = Field(max_length=120)
    assembly_slug: str = Field(max_length=60)
    region: str = Field(max_length=40)
    meetup_id: int
    meetup_title: str = Field(max_length=120)
    proposal_id: int | None = None
    question: str = Field(max_length=300)
    method: str = Field(max_length=20)
    passed: bool | None = None
    summary: str = Field(max_length=500)
    ballots_cast: int
    present: int
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    counts: dict | None = Field(default=None, sa_column=Column(JSON))  # per option, any method
    manual: bool = False
    late: bool = False  # a motion's result that arrived after its window closed
    chain_head: str = Field(max_length=64)
    recorded_at: datetime = Field(index=True)


REFERRAL_WAITING = "waiting"
REFERRAL_ADOPTED = "adopted"
REFERRAL_ANSWERED = "answered"
REFERRAL_DECLINED = "declined"


class Referral(SQLModel, table=True):
    """A proposal that passed locally, referred by its assembly to the House of the People."""

    __tablename__ = "referral"

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id", unique=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    title: str = Field(max_length=300)
    text: str = Field(default="", max_length=4000)
    summary: str = Field(max_length=500)
    referred_by: int | None = Field(default=None, foreign_key="user_account.id")
    referred_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default=REFERRAL_WAITING, max_length=10, index=True)
    answer: str = Field(default="", max_length=2000)
    motion_id: int | None = Field(default=None, foreign_key="national_motion.id")
    decided_at: datetime | None = None


class BriefingPack(SQLModel, table=True):
    """The weekly briefing for the hosts' call, prepared by the scheduler and archived."""

    __tablename__ = "briefing_pack"

    id: int | None = Field(default=None, primary_key=True)
    week_starting: str = Field(max_length=10, unique=True)  # London date of the Monday
    prepared_at: datetime = Field(default_factory=utcnow)
    content: dict = Field(sa_column=Column(JSON, nullable=False))
