"""Demo data for the House of the People: a national motion that every demo assembly voted
on at its past meetups (so the motion page, the feed and the dashboard have figures), and one
local amendment to it."""

from datetime import timedelta

from sqlmodel import select

from app.events import utcnow
from assemblies import attendance
from voting import votes
from voting.house import motions
from voting.house.models import NationalMotion

DEMO_MOTION = (
    "Free local buses for everyone under 25",
    "Local bus travel should be free for everyone under 25, paid for nationally.",
)


def _demo_motion(uow):
    """The demo's national motion, published once, open from 60 days ago for 14 more days."""
    found = uow.session.exec(
        select(NationalMotion).where(NationalMotion.title == DEMO_MOTION[0])
    ).first()
    if found:
        return found
    now = utcnow()
    return motions.publish_motion(
        uow, *DEMO_MOTION, now - timedelta(days=60), now + timedelta(days=14), [], []
    )


def national_motion_vote(uow, meetup) -> None:
    """Each past demo meetup also voted on the national motion, by show of hands."""
    at = meetup.starts_at + timedelta(hours=1, minutes=50)
    motion = _demo_motion(uow)
    facts = attendance.meetup_facts(uow.session, meetup.id)
    vote = motions.run_motion(
        uow, meetup.id, motion.id, f"demo-motion-{meetup.id}", at, facts.assembly_id, facts.region
    )
    spread = (meetup.id * 7) % 23
    votes.record_manual_counts(
        uow,
        vote.id,
        {"yes": 30 + spread, "no": 12 + (spread % 9), "abstain": 3},
        at + timedelta(minutes=3),
    )
    if not motions.amendments_of(uow.session, motion.id):
        _local_amendment(uow, meetup.id, motion, facts, at + timedelta(minutes=5))


DEMO_AMENDMENT = (
    "Local bus travel should be free for everyone under 25 and for carers, paid for nationally."
)


def _local_amendment(uow, meetup_id: int, motion: NationalMotion, facts, at) -> None:
    """The first assembly to vote also amended the motion locally, and voted on that too."""
    amendment = motions.propose_local_amendment(
        uow, motion.id, DEMO_AMENDMENT, facts.assembly_id, facts.region, at
    )
    vote = motions.run_motion(
        uow, meetup_id, amendment.id, f"demo-amend-{meetup_id}", at, facts.assembly_id, facts.region
    )
    votes.record_manual_counts(uow, vote.id, {"yes": 28, "no": 9, "abstain": 4}, at)
