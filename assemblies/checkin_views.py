"""Pages of check-in: the door, the projector's join screen, walk-in join, the attendee's
phone page, voting-phone binding, and the attendance export."""

import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.identity import require_facilitator
from app.csvexport import csv_response
from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.events import last_seq, utcnow
from app.i18n import london_time
from app.qr import qr_svg
from app.security import limiter
from assemblies import attendance, checkin, registrations, tickets
from assemblies.forms import ConfirmForm, WalkInForm
from assemblies.models import Assembly, Registration
from assemblies.pages import meetup_or_404

bp = Blueprint("checkin", __name__)

# Per address, and a whole hall shares the venue's one address: this stops floods, not people.
# The join token itself is signed and short-lived, so guessing is not what it guards against.
JOIN_LIMIT = "1000 per minute"


def attendee_device() -> str:
    """This browser's random device id (kept in the signed session cookie)."""
    if "device" not in session:
        session["device"] = secrets.token_urlsafe(16)
        session.permanent = True
    return session["device"]


def _require_door(assembly_id: int) -> None:
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    if not current_user.can_work_door(assembly_id):
        abort(403)


@bp.get("/m/<int:meetup_id>/door")
def door(meetup_id: int):
    """The door: scan tickets, type codes, search names, see who is in."""
    meetup, assembly = meetup_or_404(meetup_id)
    _require_door(assembly.id)
    with read_session() as db:
        figures = attendance.counts(db, meetup_id)
        seq = last_seq(db)
    return render_template(
        "checkin/door.html",
        meetup=meetup,
        assembly=assembly,
        counts=figures,
        seq=seq,
        can_facilitate=current_user.can_facilitate(assembly.id),
    )


@bp.get("/m/<int:meetup_id>/screen")
def screen(meetup_id: int):
    """The projector: the rotating join QR and how many are present."""
    meetup, assembly = meetup_or_404(meetup_id)
    require_facilitator(assembly.id)
    with read_session() as db:
        present = attendance.present_count(db, meetup_id)
        seq = last_seq(db)
    return render_template(
        "checkin/screen.html",
        meetup=meetup,
        assembly=assembly,
        present=present,
        seq=seq,
        join_svg=qr_svg(_join_url(meetup_id), _("Scan to join this meetup")),
        join_url=_join_url(meetup_id),
        window_seconds=tickets.JOIN_WINDOW_SECONDS,
    )


def _join_url(meetup_id: int) -> str:
    return url_for("checkin.join", token=tickets.join_token(meetup_id), _external=True)


@bp.get("/m/<int:meetup_id>/join-code")
def join_code(meetup_id: int):
    """The current join QR as SVG (the projector reloads it every 30 seconds)."""
    meetup, assembly = meetup_or_404(meetup_id)
    require_facilitator(assembly.id)
    url = _join_url(meetup_id)
    svg = str(qr_svg(url, _("Scan to join this meetup")))
    svg = svg.replace("<svg ", '<svg xmlns:xlink="http://www.w3.org/1999/xlink" ', 1)
    return Response(
        svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store", "X-Join-Url": url}
    )


@bp.route("/j/<token>", methods=["GET", "POST"])
@limiter.limit(JOIN_LIMIT, methods=["POST"])
def join(token: str):
    """Walk-in: someone scanned the projector's QR with their phone's camera."""
    with read_session() as db:
        try:
            meetup = checkin.walk_in_meetup(db, token, utcnow())
        except ServiceError as error:
            return render_template("checkin/join_refused.html", message=error.message), 400
        assembly = db.get(Assembly, meetup.assembly_id)
    form = WalkInForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as uow:
                checkin.join_walk_in(
                    uow, token, form.display_name.data, attendee_device(), utcnow()
                )
        except ServiceError as error:
            form.display_name.errors = [*form.display_name.errors, error.message]
        else:
            return redirect(url_for("meeting.phone", meetup_id=meetup.id))
    status = 400 if form.is_submitted() else 200
    return render_template("checkin/join.html", form=form, meetup=meetup, assembly=assembly), status


@bp.post("/t/<token>/bind")
@limiter.limit("60 per minute")
def bind(token: str):
    """A checked-in attendee makes this phone their voting device (when none is bound)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with unit_of_work() as uow:
        registration = registrations.find_by_token(uow.session, token)
        if registration is None:
            abort(404)
        bound = checkin.bind_from_ticket_page(uow, token, attendee_device())
    if bound:
        return redirect(url_for("meeting.phone", meetup_id=registration.meetup_id))
    flash(
        _(
            "Another phone already votes for this ticket. Show this ticket at the door to "
            "move your vote to this phone."
        ),
        "error",
    )
    return redirect(url_for("meetups.ticket", token=token))


@bp.get("/m/<int:meetup_id>/attendance.csv")
def attendance_csv(meetup_id: int):
    """Facilitators download who attended."""
    meetup, assembly = meetup_or_404(meetup_id)
    require_facilitator(assembly.id)
    with read_session() as db:
        people = attendance.attendance_list(db, meetup_id)
    rows = (
        [
            p.display_name,
            "walk-in" if p.walk_in else p.status,
            london_time(p.checked_in_at, "%Y-%m-%d %H:%M") if p.checked_in_at else "",
            london_time(p.checked_out_at, "%Y-%m-%d %H:%M") if p.checked_out_at else "",
            p.checked_in_device,
        ]
        for p in people
    )
    header = ["name", "registration", "checked in (London)", "checked out (London)", "by"]
    return csv_response(header, rows, f"meetup-{meetup_id}-attendance.csv")


def ticket_qr(registration: Registration) -> str:
    """The inline QR of a ticket, made for the phone showing it."""
    text = tickets.ticket_qr_text(
        registration.meetup_id, registration.id, registration.qr_nonce, attendee_device()
    )
    return qr_svg(text, _("Your ticket's QR code"))


def ticket_can_bind(registration: Registration) -> bool:
    """True if this ticket's holder is in the room with no voting phone yet."""
    return bool(
        registration.checked_in_at
        and not registration.checked_out_at
        and registration.device_hash is None
    )
