"""Bottom-up: a proposal that passed locally is referred to the House of the People; hosts
see similar referrals from different assemblies grouped, and adopt, answer or decline them."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.db import UnitOfWork
from app.errors import ServiceError
from app.events import DomainEvent, EventRecord, record
from voting.house.models import (
    REFERRAL_ADOPTED,
    REFERRAL_ANSWERED,
    REFERRAL_DECLINED,
    REFERRAL_WAITING,
    Referral,
)
from voting.models import VOTE_CLOSED, Proposal, Vote

SIMILARITY = 0.5  # share of shared significant words that makes two referrals "similar"
STOP_WORDS = {
    "the",
    "a",
    "an",
    "and",
    "or",
    "of",
    "for",
    "to",
    "in",
    "on",
    "at",
    "by",
    "be",
    "should",
    "we",
    "our",
    "all",
    "every",
    "with",
    "is",
    "are",
    "from",
}


@dataclass(frozen=True)
class ProposalReferred(DomainEvent):
    """An assembly referred a proposal that passed locally to the House of the People."""

    referral_id: int
    vote_id: int
    assembly_id: int

    @property
    def stream(self) -> str:
        return f"referral:{self.referral_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """The hosts' dashboard."""
        return ["house:hosts"]


@dataclass(frozen=True)
class ReferralDecided(DomainEvent):
    """Hosts adopted, answered or declined a referral; the answer is public."""

    referral_id: int
    status: str
    answer: str
    motion_id: int | None

    @property
    def stream(self) -> str:
        return f"referral:{self.referral_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """The national room and the hosts."""
        return ["house", "house:hosts"]


def refer(uow: UnitOfWork, vote_id: int, assembly_id: int, by: int | None) -> Referral:
    """Refer the proposal behind a closed vote that passed; once per vote."""
    vote = uow.session.get(Vote, vote_id)
    if vote is None:
        raise ServiceError("no_such_vote", "There is no such vote.", 404)
    if vote.status != VOTE_CLOSED or not (vote.result or {}).get("passed"):
        raise ServiceError("not_passed", "Only a proposal that passed can be referred.")
    if vote.motion_id is not None:
        raise ServiceError("national_motion", "This vote was on a national motion already.")
    existing = uow.session.exec(select(Referral).where(Referral.vote_id == vote_id)).first()
    if existing:
        return existing
    proposal = uow.session.get(Proposal, vote.proposal_id) if vote.proposal_id else None
    referral = Referral(
        vote_id=vote.id,
        proposal_id=vote.proposal_id,
        assembly_id=assembly_id,
        title=proposal.title if proposal else vote.question,
        text=proposal.body if proposal else "",
        summary=vote.result["summary"][:500],
        referred_by=by,
    )
    uow.session.add(referral)
    uow.session.flush()
    record(uow, ProposalReferred(referral.id, vote.id, assembly_id))
    return referral


def decide(
    uow: UnitOfWork,
    referral_id: int,
    status: str,
    answer: str,
    now: datetime,
    motion_id: int | None = None,
) -> Referral:
    """Adopt (as a motion), answer, or decline (a reason is required) a waiting referral."""
    referral = uow.session.get(Referral, referral_id)
    if referral is None:
        raise ServiceError("no_such_referral", "There is no such referral.", 404)
    if referral.status != REFERRAL_WAITING:
        raise ServiceError("already_decided", "This referral has already been decided.")
    if status not in (REFERRAL_ADOPTED, REFERRAL_ANSWERED, REFERRAL_DECLINED):
        raise ServiceError("bad_request", "Adopt, answer or decline.")
    answer = answer.strip()[:2000]
    if status != REFERRAL_ADOPTED and not answer:
        raise ServiceError(
            "no_answer", "Write the answer (or the reason for declining).", field="answer"
        )
    referral.status, referral.answer, referral.motion_id = status, answer, motion_id
    referral.decided_at = now
    uow.session.add(referral)
    record(uow, ReferralDecided(referral.id, status, answer, motion_id))
    return referral


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP_WORDS}


def similar(a: Referral, b: Referral) -> bool:
    """True if two referrals share at least half of their significant title words."""
    left, right = _words(a.title), _words(b.title)
    return bool(left and right) and len(left & right) / min(len(left), len(right)) >= SIMILARITY


def waiting_groups(session: Session) -> list[list[Referral]]:
    """Waiting referrals, similar ones grouped together (largest groups first)."""
    waiting = list(
        session.exec(
            select(Referral).where(Referral.status == REFERRAL_WAITING).order_by(Referral.id)
        )
    )
    groups: list[list[Referral]] = []
    for referral in waiting:
        home = next((g for g in groups if any(similar(referral, other) for other in g)), None)
        if home is None:
            groups.append([referral])
        else:
            home.append(referral)
    return sorted(groups, key=len, reverse=True)


def decided(session: Session, limit: int = 50) -> list[Referral]:
    """The latest answered, adopted or declined referrals (public)."""
    query = select(Referral).where(Referral.status != REFERRAL_WAITING)
    return list(session.exec(query.order_by(Referral.decided_at.desc()).limit(limit)))
