"""The briefing-call hosts' dashboard (this week at a glance) and the weekly briefing pack
that the scheduler prepares before the call. Everything is read from projections."""

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from app.db import read_session, unit_of_work
from app.events import utcnow
from app.i18n import LONDON
from assemblies import attendance
from voting.house import motions, referrals
from voting.house.models import BriefingPack, HouseOutcome, NationalMotion

WEEKS_OF_HISTORY = 8


def week_start(now: datetime) -> datetime:
    """Monday 00:00 London time of the week containing `now`, as aware UTC."""
    local = now.astimezone(LONDON)
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday.astimezone(now.tzinfo)


def _outcomes_between(session: Session, since: datetime, until: datetime) -> tuple[int, int]:
    query = select(func.count(), func.coalesce(func.sum(HouseOutcome.ballots_cast), 0)).where(
        HouseOutcome.recorded_at >= since, HouseOutcome.recorded_at < until
    )
    count, ballots = session.exec(query).one()
    return count, int(ballots)


def glance(session: Session, since: datetime, until: datetime) -> dict:
    """A week's figures: meetups held, attendance, votes, motions' progress, referrals."""
    held, people = attendance.held_between(session, since, until)
    outcomes, ballots = _outcomes_between(session, since, until)
    history = []
    for weeks_back in range(WEEKS_OF_HISTORY - 1, -1, -1):
        start = since - timedelta(weeks=weeks_back)
        count, cast = _outcomes_between(session, start, start + timedelta(weeks=1))
        history.append(
            {"week": start.astimezone(LONDON).strftime("%d %b"), "votes": count, "ballots": cast}
        )
    open_motions = session.exec(
        select(NationalMotion).where(
            NationalMotion.status == "published",
            NationalMotion.amends_id.is_(None),
            NationalMotion.opens_at < until,
            NationalMotion.closes_at > since,
        )
    )
    return {
        "week_starting": since.astimezone(LONDON).strftime("%Y-%m-%d"),
        "meetups_held": held,
        "attendance": people,
        "votes": outcomes,
        "ballots": ballots,
        "motions": [
            {"id": m.id, "title": m.title, **motions.motion_views(session, m).as_dict()}
            for m in open_motions
        ],
        "referrals_waiting": sum(len(g) for g in referrals.waiting_groups(session)),
        "history": history,
    }


def this_week(session: Session, now: datetime) -> dict:
    """The dashboard's figures for the week so far."""
    start = week_start(now)
    return glance(session, start, start + timedelta(weeks=1))


def prepare_briefing() -> None:
    """Job: prepare (or refresh) the pack for the week just finished, before the call."""
    now = utcnow()
    since = week_start(now) - timedelta(weeks=1)
    with read_session() as session:
        content = glance(session, since, since + timedelta(weeks=1))
        content["outcomes"] = [
            {
                "question": o.question,
                "assembly": o.assembly_name,
                "region": o.region,
                "summary": o.summary,
                "vote_id": o.vote_id,
            }
            for o in session.exec(
                select(HouseOutcome)
                .where(
                    HouseOutcome.recorded_at >= since,
                    HouseOutcome.recorded_at < since + timedelta(weeks=1),
                )
                .order_by(HouseOutcome.seq)
            )
        ]
        content["waiting"] = [
            [{"title": r.title, "summary": r.summary} for r in group]
            for group in referrals.waiting_groups(session)
        ]
    with unit_of_work() as uow:
        pack = uow.session.exec(
            select(BriefingPack).where(BriefingPack.week_starting == content["week_starting"])
        ).first() or BriefingPack(week_starting=content["week_starting"], content={})
        pack.content, pack.prepared_at = content, now
        uow.session.add(pack)
