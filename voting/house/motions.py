"""National motions: publish (with frozen, hashed wording), revise as a new version, find the
motions an assembly may run, run one as a vote at a meetup, and the three national views of
the results, computed from the outcome projection (never from ballots).

Rules (documented in docs/architecture.md):
- an assembly that votes twice on a motion: its latest outcome counts, the earlier one is
  shown in the feed but not counted again;
- results recorded after the window closed are kept, marked late, and left out of the views;
- a motion nobody voted on shows "no results yet";
- a published motion is never edited: a change is a new version that supersedes it, and the
  old version stops accepting new runs;
- a local amendment is a separate motion for the assembly that proposed it, linked to the
  national one; its results are shown beside the national motion's, never counted in them.
"""

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from sqlmodel import Session, select

from app.db import UnitOfWork
from app.errors import ServiceError
from app.events import canonical_json, record
from assemblies.models import REGIONS
from voting import votes
from voting.house.events import LocalAmendmentProposed, NationalMotionPublished
from voting.house.models import (
    MOTION_METHODS,
    MOTION_PUBLISHED,
    MOTION_SUPERSEDED,
    HouseOutcome,
    NationalMotion,
)
from voting.models import Vote
from voting.tally import DEFAULT_RULES, RuleError, validate_rule


def wording_hash(title: str, wording: str) -> str:
    """The SHA-256 of the motion's title and wording, shown so anyone can check them."""
    return hashlib.sha256(canonical_json({"title": title, "wording": wording}).encode()).hexdigest()


def _checked(
    title: str,
    wording: str,
    opens_at: datetime,
    closes_at: datetime,
    regions: list[str],
    rule: dict | None,
    method: str = "yes_no",
) -> dict:
    if method not in MOTION_METHODS:
        raise ServiceError("bad_method", "A motion is decided yes/no/abstain or by consent.")
    if not 1 <= len(title.strip()) <= 200:
        raise ServiceError(
            "bad_title", "Give the motion a title of 1 to 200 characters.", field="title"
        )
    if not 1 <= len(wording.strip()) <= 4000:
        raise ServiceError(
            "bad_wording", "Write the motion's wording (up to 4,000 characters).", field="wording"
        )
    if closes_at <= opens_at:
        raise ServiceError(
            "bad_window", "The voting window must close after it opens.", field="closes_at"
        )
    if set(regions) - set(REGIONS):
        raise ServiceError("bad_region", "Choose regions from the list.", field="regions")
    try:
        return validate_rule(method, {**DEFAULT_RULES[method], **(rule or {})})
    except RuleError as error:
        raise ServiceError("bad_rule", str(error), field="rule") from None


def publish_motion(
    uow: UnitOfWork,
    title: str,
    wording: str,
    opens_at: datetime,
    closes_at: datetime,
    regions: list[str],
    assembly_ids: list[int],
    rule: dict | None = None,
    by: int | None = None,
    supersedes: NationalMotion | None = None,
    method: str = "yes_no",
) -> NationalMotion:
    """Publish a motion to the chosen regions or assemblies (none chosen: everywhere),
    decided yes/no/abstain (the default) or by consent, under `rule`."""
    full_rule = _checked(title, wording, opens_at, closes_at, regions, rule, method)
    motion = NationalMotion(
        title=title.strip(),
        wording=wording.strip(),
        wording_hash=wording_hash(title.strip(), wording.strip()),
        method=method,
        version=supersedes.version + 1 if supersedes else 1,
        supersedes_id=supersedes.id if supersedes else None,
        rule=full_rule,
        opens_at=opens_at,
        closes_at=closes_at,
        regions=sorted(set(regions)),
        assembly_ids=sorted(set(assembly_ids)),
        published_by=by,
    )
    uow.session.add(motion)
    uow.session.flush()
    record(
        uow,
        NationalMotionPublished(
            motion.id,
            motion.title,
            motion.wording_hash,
            motion.version,
            motion.supersedes_id,
            opens_at.isoformat(),
            closes_at.isoformat(),
            motion.regions,
            motion.assembly_ids,
            motion.method,
        ),
    )
    return motion


def revise_motion(
    uow: UnitOfWork, motion_id: int, title: str, wording: str, by: int | None = None
) -> NationalMotion:
    """A published motion is never edited: publish a new version that supersedes it."""
    old = uow.session.get(NationalMotion, motion_id)
    if old is None:
        raise ServiceError("no_such_motion", "There is no such motion.", 404)
    if old.amends_id is not None:
        raise ServiceError("bad_amendment", "A local amendment belongs to its assembly.")
    if old.status == MOTION_SUPERSEDED:
        raise ServiceError("superseded", "Revise the newest version of this motion.")
    old.status = MOTION_SUPERSEDED
    uow.session.add(old)
    return publish_motion(
        uow,
        title,
        wording,
        old.opens_at,
        old.closes_at,
        old.regions,
        old.assembly_ids,
        old.rule,
        by,
        supersedes=old,
        method=old.method,
    )


def propose_local_amendment(
    uow: UnitOfWork,
    motion_id: int,
    wording: str,
    assembly_id: int,
    region: str,
    now: datetime,
    by: int | None = None,
) -> NationalMotion:
    """An assembly amends a national motion locally: a separate motion, open to that assembly
    only, in the national motion's window and with its rule, linked to it. Its results never
    count in the national motion's views. Proposing the same wording again returns the
    amendment already made (a retry)."""
    national = _runnable(uow.session, motion_id, assembly_id, region, now)
    if national.amends_id is not None:
        raise ServiceError("bad_amendment", "Amend the national motion, not an amendment.")
    wording = wording.strip()
    title = f"{national.title} (local amendment)"[:200]
    _checked(
        title, wording, national.opens_at, national.closes_at, [], national.rule, national.method
    )
    same = uow.session.exec(
        select(NationalMotion).where(
            NationalMotion.amends_id == national.id,
            NationalMotion.proposed_by_assembly_id == assembly_id,
            NationalMotion.wording_hash == wording_hash(title, wording),
        )
    ).first()
    if same is not None:
        return same
    amendment = NationalMotion(
        title=title,
        wording=wording,
        wording_hash=wording_hash(title, wording),
        method=national.method,
        rule=national.rule,
        opens_at=national.opens_at,
        closes_at=national.closes_at,
        regions=[],
        assembly_ids=[assembly_id],
        amends_id=national.id,
        proposed_by_assembly_id=assembly_id,
        published_by=by,
    )
    uow.session.add(amendment)
    uow.session.flush()
    record(
        uow,
        LocalAmendmentProposed(
            amendment.id,
            national.id,
            assembly_id,
            title,
            amendment.wording_hash,
            national.closes_at.isoformat(),
        ),
    )
    return amendment


def amendments_of(session: Session, motion_id: int) -> list[NationalMotion]:
    """The local amendments proposed to a motion, oldest first."""
    query = select(NationalMotion).where(NationalMotion.amends_id == motion_id)
    return list(session.exec(query.order_by(NationalMotion.id)))


def _runnable(
    session: Session, motion_id: int, assembly_id: int, region: str, now: datetime
) -> NationalMotion:
    """The motion, if this assembly may vote on it now; else the reason why not."""
    motion = session.get(NationalMotion, motion_id)
    if motion is None or not targets(motion, assembly_id, region):
        raise ServiceError("no_such_motion", "This motion is not for this assembly.", 404)
    if motion.status != MOTION_PUBLISHED:
        raise ServiceError("superseded", "A newer version of this motion replaced it.")
    if not motion.opens_at <= now < motion.closes_at:
        raise ServiceError("motion_window", "This motion is not open for voting now.")
    return motion


def targets(motion: NationalMotion, assembly_id: int, region: str) -> bool:
    """True if the motion goes to this assembly."""
    if motion.assembly_ids:
        return assembly_id in motion.assembly_ids
    return not motion.regions or region in motion.regions


def open_motions_for(
    session: Session, assembly_id: int, region: str, now: datetime
) -> list[NationalMotion]:
    """Motions this assembly may run now (published, window open, aimed at it)."""
    rows = session.exec(
        select(NationalMotion).where(
            NationalMotion.status == MOTION_PUBLISHED,
            NationalMotion.opens_at <= now,
            NationalMotion.closes_at > now,
        )
    )
    return [m for m in rows if targets(m, assembly_id, region)]


def run_motion(
    uow: UnitOfWork,
    meetup_id: int,
    motion_id: int,
    client_id: str,
    now: datetime,
    assembly_id: int,
    region: str,
    duration_seconds: int | None = None,
) -> Vote:
    """Open a vote on a national motion at a meetup, with the motion's wording and rule."""
    repeated = uow.session.exec(
        select(Vote).where(Vote.meetup_id == meetup_id, Vote.client_id == client_id)
    ).first()
    if repeated is not None and repeated.motion_id == motion_id:
        return repeated  # a retry after a dropped connection
    motion = _runnable(uow.session, motion_id, assembly_id, region, now)
    vote = votes.open_vote(
        uow,
        meetup_id,
        client_id,
        motion.title,
        motion.method,
        [],
        motion.rule,
        now,
        duration_seconds=duration_seconds,
        text=motion.wording,
    )
    vote.motion_id = motion.id
    uow.session.add(vote)
    return vote


@dataclass
class MotionViews:
    """The three national views of a motion, with participation and breakdowns."""

    assemblies: int = 0
    people: int = 0
    yes: int = 0
    no: int = 0
    abstain: int = 0
    pooled_share: Fraction | None = None
    pooled_passed: bool | None = None
    assemblies_passing: int = 0
    lowest_share: Fraction | None = None
    smoothed_product: float | None = None
    late: int = 0
    regions: dict[str, dict] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """JSON-ready (shares as "p/q" strings and whole percents)."""

        def percent(share):
            return None if share is None else round(float(share) * 100)

        return {
            "assemblies": self.assemblies,
            "people": self.people,
            "yes": self.yes,
            "no": self.no,
            "abstain": self.abstain,
            "pooled_share": str(self.pooled_share) if self.pooled_share is not None else None,
            "pooled_percent": percent(self.pooled_share),
            "pooled_passed": self.pooled_passed,
            "assemblies_passing": self.assemblies_passing,
            "lowest_percent": percent(self.lowest_share),
            "smoothed_product_percent": None
            if self.smoothed_product is None
            else round(self.smoothed_product * 100),
            "late": self.late,
            "regions": self.regions,
        }


# Only what the views count: a motion with 1,000 assemblies reads 1,000 small tuples, in
# order from the (motion_id, seq) index, never whole projection rows.
VIEW_COLUMNS = (
    HouseOutcome.assembly_id,
    HouseOutcome.region,
    HouseOutcome.late,
    HouseOutcome.passed,
    HouseOutcome.ballots_cast,
    HouseOutcome.yes,
    HouseOutcome.no,
    HouseOutcome.abstain,
    HouseOutcome.counts,
)


def latest_outcomes(session: Session, motion_id: int) -> tuple[list, int]:
    """Each assembly's latest in-window outcome on the motion (rows of VIEW_COLUMNS), and how
    many came late."""
    rows = session.exec(
        select(*VIEW_COLUMNS).where(HouseOutcome.motion_id == motion_id).order_by(HouseOutcome.seq)
    ).all()
    latest: dict[int, tuple] = {}
    for row in rows:
        if not row.late:
            latest[row.assembly_id] = row
    return list(latest.values()), sum(1 for row in rows if row.late)


CONSENT_SUPPORT = ("endorse", "agree", "reservations")


def tallies(row, method: str) -> tuple[int, int, int]:
    """An outcome's (for, against, neither): yes, no and abstain; or, for consent, those who
    consent (endorse, agree or with reservations), blocks, and those standing aside."""
    if method == "consent":
        counts = row.counts or {}
        consenting = sum(_whole(counts.get(level)) for level in CONSENT_SUPPORT)
        return consenting, _whole(counts.get("block")), _whole(counts.get("stand aside"))
    return row.yes or 0, row.no or 0, row.abstain or 0


def _whole(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _share(for_, against, neither, neither_counts: bool) -> Fraction | None:
    base = for_ + against + (neither if neither_counts else 0)
    return Fraction(for_, base) if base else None


def _pooled_passes(views: "MotionViews", motion: NationalMotion) -> bool | None:
    """The motion's rule applied to everyone's ballots as if one meeting had voted."""
    rule = motion.rule
    if views.pooled_share is None:
        return None
    if motion.method == "consent":
        return views.no <= rule.get("max_blocks", 0)
    threshold = Fraction(rule["threshold"])
    share = views.pooled_share
    return share > threshold if rule["strict"] else share >= threshold


def motion_views(session: Session, motion: NationalMotion) -> MotionViews:
    """Pooled ballots, assemblies passing, and cross-assembly consensus for a motion. For a
    consent motion, "yes", "no" and "abstain" hold consents, blocks and stand-asides."""
    outcomes, late = latest_outcomes(session, motion.id)
    views = MotionViews(late=late, assemblies=len(outcomes))
    counted = motion.method != "consent" and motion.rule.get("abstentions_count", False)
    shares, smoothed_logs = [], []
    for row in outcomes:
        for_, against, neither = tallies(row, motion.method)
        views.people += row.ballots_cast
        views.yes, views.no, views.abstain = (
            views.yes + for_,
            views.no + against,
            views.abstain + neither,
        )
        views.assemblies_passing += bool(row.passed)
        share = _share(for_, against, neither, counted)
        if share is not None:
            shares.append(share)
        # Smoothed: one "for" and one "against" added, so a tiny assembly cannot reach 0 or 1.
        smoothed_logs.append(math.log((for_ + 1) / (for_ + against + neither * counted + 2)))
        region = views.regions.setdefault(
            row.region, {"assemblies": 0, "passing": 0, "yes": 0, "no": 0, "abstain": 0}
        )
        region["assemblies"] += 1
        region["passing"] += bool(row.passed)
        for key, value in zip(("yes", "no", "abstain"), (for_, against, neither), strict=True):
            region[key] += value
    views.pooled_share = _share(views.yes, views.no, views.abstain, counted)
    views.pooled_passed = _pooled_passes(views, motion)
    if shares:
        views.lowest_share = min(shares)
        views.smoothed_product = math.exp(sum(smoothed_logs) / len(smoothed_logs))
    return views


def motions(session: Session) -> list[NationalMotion]:
    """Every national motion (not local amendments), newest first."""
    query = select(NationalMotion).where(NationalMotion.amends_id.is_(None))
    return list(session.exec(query.order_by(NationalMotion.id.desc())))
