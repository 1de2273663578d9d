"""Pages for the House's hosts and for referring: referring a proposal that passed, the
review queue, public answers, the dashboard, and the weekly briefing packs."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from app.auth.identity import host_required, require_facilitator
from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.events import last_seq, utcnow
from assemblies import attendance
from assemblies.forms import ConfirmForm
from assemblies.services import names_by_id
from voting.house import dashboard, motions, referrals
from voting.house.models import REFERRAL_ADOPTED, BriefingPack, Referral
from voting.models import Vote

bp = Blueprint("hosts", __name__)
ADOPTED_WINDOW = timedelta(days=14)


@bp.post("/v/<int:vote_id>/refer")
def refer(vote_id: int):
    """A facilitator refers the proposal behind a vote that passed to the House."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with read_session() as session:
        vote = session.get(Vote, vote_id)
        facts = attendance.meetup_facts(session, vote.meetup_id) if vote else None
    if facts is None:
        abort(404)
    require_facilitator(facts.assembly_id)
    try:
        with unit_of_work() as uow:
            referrals.refer(uow, vote_id, facts.assembly_id, current_user.id)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(_("Referred to the House of the People."), "success")
    return redirect(url_for("meeting.vote_page", vote_id=vote_id))


@bp.get("/house/referrals")
@host_required
def review():
    """The hosts' review queue: similar referrals from different assemblies, grouped."""
    with read_session() as session:
        groups = referrals.waiting_groups(session)
        names = _assembly_names(session, [r for g in groups for r in g])
    return render_template("house/referrals.html", groups=groups, names=names, form=ConfirmForm())


def _assembly_names(session, rows) -> dict[int, str]:
    return names_by_id(session, {row.assembly_id for row in rows})


@bp.post("/house/referrals/<int:referral_id>/<action>")
@host_required
def decide(referral_id: int, action: str):
    """Adopt a referral as a national motion, answer it, or decline it with a reason."""
    if not ConfirmForm().validate_on_submit() or action not in ("adopt", "answer", "decline"):
        abort(400)
    now = utcnow()
    try:
        with unit_of_work() as uow:
            referral = uow.session.get(Referral, referral_id)
            if referral is None:
                abort(404)
            if action == "adopt":
                motion = motions.publish_motion(
                    uow,
                    referral.title[:200],
                    referral.text or referral.title,
                    now,
                    now + ADOPTED_WINDOW,
                    [],
                    [],
                    None,
                    current_user.id,
                )
                referrals.decide(
                    uow,
                    referral_id,
                    REFERRAL_ADOPTED,
                    _("Adopted as a national motion."),
                    now,
                    motion.id,
                )
            else:
                status = "answered" if action == "answer" else "declined"
                referrals.decide(uow, referral_id, status, request.form.get("answer", ""), now)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(_("Done."), "success")
    return redirect(url_for("hosts.review"))


@bp.get("/house/answers")
def answers():
    """The House's public answers to referred proposals."""
    with read_session() as session:
        rows = referrals.decided(session)
        names = _assembly_names(session, rows)
    return render_template("house/answers.html", referrals=rows, names=names)


@bp.get("/house/dashboard")
@host_required
def host_dashboard():
    """This week at a glance, updating live."""
    with read_session() as session:
        figures = dashboard.this_week(session, utcnow())
        seq = last_seq(session)
    return render_template("house/dashboard.html", figures=figures, seq=seq)


@bp.get("/house/briefings")
@host_required
def briefings():
    """The archive of weekly briefing packs."""
    with read_session() as session:
        packs = session.exec(select(BriefingPack).order_by(BriefingPack.week_starting.desc()))
        packs = list(packs)
    return render_template("house/briefings.html", packs=packs, form=ConfirmForm())


@bp.post("/house/briefings/prepare")
@host_required
def prepare_now():
    """Prepare last week's pack now (the scheduler does it every week before the call)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    dashboard.prepare_briefing()
    flash(_("Briefing pack prepared."), "success")
    return redirect(url_for("hosts.briefings"))


@bp.get("/house/briefings/<int:pack_id>")
@host_required
def briefing(pack_id: int):
    """One weekly briefing pack, printable."""
    with read_session() as session:
        pack = session.get(BriefingPack, pack_id)
    if pack is None:
        abort(404)
    return render_template("house/briefing.html", pack=pack, figures=pack.content)
