"""Meetup pages: schedule and edit, the public page, registration, tickets, the dashboard,
CSV exports and calendars."""

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlmodel import select

from app.auth.identity import require_facilitator
from app.csvexport import csv_response
from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.events import last_seq, utcnow
from app.i18n import london_time
from app.security import limiter
from assemblies import calendars, meetups, outbox, recurrence, registrations, services
from assemblies.checkin_views import ticket_can_bind, ticket_qr
from assemblies.forms import CancelMeetupForm, ConfirmForm, MeetupForm, RegisterForm
from assemblies.models import REG_CANCELLED, REG_CONFIRMED, REG_WAITLISTED, Assembly, Meetup
from assemblies.pages import meetup_or_404

bp = Blueprint("meetups", __name__)

CALENDAR_PAST_DAYS = 60
# Per address. A whole hall may share one venue wifi address, so the limits are generous;
# they stop scripted floods, not people.
REGISTRATION_LIMIT = "120 per minute"
TICKET_LIMIT = "300 per minute"


def _assembly_or_404(slug: str) -> Assembly:
    with read_session() as session:
        assembly = services.find_by_slug(session, slug)
    if assembly is None:
        abort(404)
    return assembly


def _details_from(form: MeetupForm) -> meetups.MeetupDetails:
    return meetups.MeetupDetails(
        title=form.title.data or "",
        starts_local=form.starts.data,
        ends_local=form.ends.data,
        capacity=form.capacity.data,
        agenda_summary=form.agenda_summary.data or "",
        venue_name=form.venue_name.data or "",
        venue_address=form.venue_address.data or "",
        accessibility_notes=form.accessibility_notes.data or "",
        online_link=form.online_link.data or "",
        registration_opens_days=form.registration_opens_days.data,
        registration_closes_minutes=form.registration_closes_minutes.data,
        checkin_opens_minutes=form.checkin_opens_minutes.data,
    )


def _rule_from(form: MeetupForm) -> str | None:
    count = form.repeat_count.data or 8
    if form.repeat.data == "weekly":
        return recurrence.weekly_rule(count)
    if form.repeat.data == "monthly":
        return recurrence.monthly_nth_weekday_rule(form.starts.data, count)
    if form.repeat.data == "custom":
        if not (form.rrule.data or "").strip():
            raise ServiceError(
                "invalid_rrule", _("Write a repeat rule, or pick another option."), field="rrule"
            )
        return form.rrule.data
    return None


def _show_error(form, error: ServiceError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


@bp.route("/a/<slug>/meetups/new", methods=["GET", "POST"])
def schedule(slug: str):
    """Facilitators schedule a one-off or recurring meetup."""
    assembly = _assembly_or_404(slug)
    require_facilitator(assembly.id)
    form = MeetupForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as uow:
                created = meetups.schedule_meetup(
                    uow, assembly.id, _details_from(form), _rule_from(form), utcnow()
                )
        except ServiceError as error:
            _show_error(form, error)
        else:
            flash(ngettext_meetups(len(created)), "success")
            return redirect(url_for("meetups.dashboard", slug=slug))
    status = 400 if form.is_submitted() else 200
    return render_template("meetups/edit.html", form=form, assembly=assembly, meetup=None), status


def ngettext_meetups(count: int) -> str:
    """'Meetup scheduled.' or 'N meetups scheduled.'"""
    return ngettext("Meetup scheduled.", "%(num)d meetups scheduled.", count)


@bp.route("/m/<int:meetup_id>/edit", methods=["GET", "POST"])
def edit(meetup_id: int):
    """Facilitators edit a meetup, or it and the rest of its series."""
    meetup, assembly = meetup_or_404(meetup_id)
    require_facilitator(assembly.id)
    form = MeetupForm()
    if request.method == "GET":
        details = meetups.details_of(meetup)
        form.process(
            data={
                **vars(details),
                "starts": details.starts_local,
                "ends": details.ends_local,
                "scope": "one",
            }
        )
    elif form.validate_on_submit():
        try:
            with unit_of_work() as uow:
                meetups.edit_meetup(uow, meetup_id, _details_from(form), form.scope.data, utcnow())
        except ServiceError as error:
            _show_error(form, error)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("meetups.meetup_page", meetup_id=meetup_id))
    status = 400 if form.is_submitted() else 200
    return render_template("meetups/edit.html", form=form, assembly=assembly, meetup=meetup), status


@bp.route("/m/<int:meetup_id>/cancel", methods=["GET", "POST"])
def cancel(meetup_id: int):
    """Facilitators cancel a meetup, or the rest of its series."""
    meetup, assembly = meetup_or_404(meetup_id)
    require_facilitator(assembly.id)
    form = CancelMeetupForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as uow:
                cancelled = meetups.cancel_meetup(
                    uow, meetup_id, form.reason.data or "", form.scope.data
                )
                for target in cancelled:
                    for person in registrations.registrations_of(uow.session, target.id):
                        if person.status != REG_CANCELLED:
                            outbox.queue_cancellation(uow, target, person)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(
                ngettext("Meetup cancelled.", "%(num)d meetups cancelled.", len(cancelled)),
                "success",
            )
            return redirect(url_for("meetups.dashboard", slug=assembly.slug))
    return render_template("meetups/cancel.html", form=form, meetup=meetup, assembly=assembly)


@bp.get("/m/<int:meetup_id>")
def meetup_page(meetup_id: int):
    """Everything needed to turn up, and the registration form."""
    meetup, assembly = meetup_or_404(meetup_id)
    return _render_meetup(meetup, assembly, RegisterForm())


def _render_meetup(meetup: Meetup, assembly: Assembly, form: RegisterForm, status: int = 200):
    with read_session() as session:
        counts = registrations.count_by_status(session, meetup.id)
        seq = last_seq(session)
    page = render_template(
        "meetups/meetup.html",
        meetup=meetup,
        assembly=assembly,
        counts=counts,
        places_left=max(0, meetup.capacity - counts[REG_CONFIRMED]),
        registration_problem=_registration_problem(meetup),
        form=form,
        can_facilitate=current_user.can_facilitate(assembly.id),
        seq=seq,
    )
    return page, status


def _registration_problem(meetup: Meetup) -> str | None:
    try:
        registrations.check_registration_open(meetup, utcnow())
    except ServiceError as error:
        return error.message
    return None


@bp.post("/m/<int:meetup_id>/register")
@limiter.limit(REGISTRATION_LIMIT)
def register(meetup_id: int):
    """Register for a meetup: a place, or a place on the waitlist."""
    meetup, assembly = meetup_or_404(meetup_id)
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as uow:
                registration, already = registrations.register(
                    uow, meetup_id, form.display_name.data, form.email.data, utcnow()
                )
        except ServiceError as error:
            _show_error(form, error)
        else:
            if already:
                flash(
                    _("You were already registered with that email address: here is your ticket."),
                    "info",
                )
            return redirect(url_for("meetups.ticket", token=registration.ticket_token))
    return _render_meetup(meetup, assembly, form, 400)


@bp.route("/t/<token>", methods=["GET"])
@limiter.limit(TICKET_LIMIT)
def ticket(token: str):
    """An attendee's ticket: their place or waitlist position, and a way to cancel."""
    with read_session() as session:
        registration = registrations.find_by_token(session, token)
        if registration is None:
            abort(404)
        meetup = session.get(Meetup, registration.meetup_id)
        assembly = session.get(Assembly, meetup.assembly_id)
        position = registrations.waitlist_position(session, registration)
    return render_template(
        "meetups/ticket.html",
        registration=registration,
        meetup=meetup,
        assembly=assembly,
        position=position,
        qr=ticket_qr(registration) if registration.status != REG_CANCELLED else None,
        can_bind=ticket_can_bind(registration),
        form=ConfirmForm(),
        statuses={"confirmed": REG_CONFIRMED, "waitlisted": REG_WAITLISTED},
    )


@bp.post("/t/<token>/cancel")
@limiter.limit(REGISTRATION_LIMIT)
def cancel_ticket(token: str):
    """Give up a place (or leave the waitlist)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with unit_of_work() as uow:
            registrations.cancel_registration(uow, token, utcnow())
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
    else:
        flash(_("Your registration is cancelled. Thank you for letting us know."), "success")
    return redirect(url_for("meetups.ticket", token=token))


@bp.get("/a/<slug>/dashboard")
def dashboard(slug: str):
    """The facilitators' view of their assembly: meetups, places, waitlists, outbox."""
    assembly = _assembly_or_404(slug)
    require_facilitator(assembly.id)
    now = utcnow()
    with read_session() as session:
        upcoming, past = meetups.meetups_of(session, assembly.id, now)
        counts = {m.id: registrations.count_by_status(session, m.id) for m in upcoming + past[:5]}
        messages = outbox.recent(session, assembly.id)
        seq = last_seq(session)
    return render_template(
        "meetups/dashboard.html",
        assembly=assembly,
        upcoming=upcoming,
        past=past[:5],
        counts=counts,
        messages=messages,
        smtp_configured=bool(current_app.config.get("SMTP_URL")),
        seq=seq,
    )


@bp.get("/m/<int:meetup_id>/registrations.csv")
def registrations_csv(meetup_id: int):
    """Facilitators download a meetup's registrations."""
    meetup, assembly = meetup_or_404(meetup_id)
    require_facilitator(assembly.id)
    with read_session() as session:
        people = registrations.registrations_of(session, meetup_id)
    rows = (
        [
            p.display_name,
            p.email or "",
            p.status,
            london_time(p.created_at, "%Y-%m-%d %H:%M"),
            p.short_code,
        ]
        for p in people
    )
    header = ["name", "email", "status", "registered (London time)", "ticket code"]
    return csv_response(header, rows, f"meetup-{meetup_id}-registrations.csv")


def _ics(name: str, found: list[Meetup], filename: str) -> Response:
    with read_session() as session:
        ids = {m.assembly_id for m in found}
        assemblies = {a.id: a for a in session.exec(select(Assembly).where(Assembly.id.in_(ids)))}
    body = calendars.calendar_for(name, found, assemblies, request.host_url.rstrip("/"), utcnow())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@bp.get("/m/<int:meetup_id>.ics")
def meetup_ics(meetup_id: int):
    """One meetup's calendar entry."""
    meetup, assembly = meetup_or_404(meetup_id)
    return _ics(meetup.title, [meetup], f"meetup-{meetup_id}.ics")


@bp.get("/a/<slug>/calendar.ics")
def assembly_ics(slug: str):
    """A subscribable calendar of one assembly's meetups."""
    assembly = _assembly_or_404(slug)
    with read_session() as session:
        found = _calendar_meetups(session, assembly.id)
    return _ics(assembly.name, found, f"{slug}.ics")


@bp.get("/calendar.ics")
def all_ics():
    """A subscribable calendar of every assembly's meetups."""
    with read_session() as session:
        found = _calendar_meetups(session, None)
    return _ics(_("People's Assemblies"), found, "assemblies.ics")


def _calendar_meetups(session, assembly_id: int | None) -> list[Meetup]:
    since = utcnow() - timedelta(days=CALENDAR_PAST_DAYS)
    query = select(Meetup).where(Meetup.starts_at >= since).order_by(Meetup.starts_at)
    if assembly_id is not None:
        query = query.where(Meetup.assembly_id == assembly_id)
    return list(session.exec(query.limit(2000)))
