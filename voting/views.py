"""Pages of the live meeting: the facilitator's console, the attendee's phone page, and the
minutes (page, Markdown, CSV, JSON)."""

from flask import Blueprint, Response, abort, jsonify, render_template, session

from app.auth.identity import require_facilitator
from app.csvexport import csv_response
from app.db import read_session
from app.events import last_seq
from app.i18n import london_time
from assemblies import attendance
from assemblies.models import Assembly, Meetup, Registration
from voting.minutes import as_markdown, minutes_for

bp = Blueprint("meeting", __name__)


def _meetup(meetup_id: int) -> tuple[Meetup, Assembly]:
    with read_session() as db:
        meetup = db.get(Meetup, meetup_id)
        if meetup is None:
            abort(404)
        return meetup, db.get(Assembly, meetup.assembly_id)


@bp.get("/m/<int:meetup_id>/console")
def console(meetup_id: int):
    """The facilitator's console: agenda and timers, moderation, speaking queue, signals."""
    meetup, assembly = _meetup(meetup_id)
    require_facilitator(assembly.id)
    with read_session() as db:
        seq = last_seq(db)
    return render_template("meeting/console.html", meetup=meetup, assembly=assembly, seq=seq)


@bp.get("/m/<int:meetup_id>/phone")
def phone(meetup_id: int):
    """The attendee's live page: agenda, proposals, supports, speaking queue, signals."""
    meetup, assembly = _meetup(meetup_id)
    with read_session() as db:
        registration_id = attendance.attendee_for_device(db, meetup_id, session.get("device"))
        me = db.get(Registration, registration_id) if registration_id else None
        seq = last_seq(db)
    return render_template("meeting/phone.html", meetup=meetup, assembly=assembly, me=me, seq=seq)


@bp.get("/m/<int:meetup_id>/minutes")
def minutes_page(meetup_id: int):
    """The meetup's record, made from its event log."""
    meetup, assembly = _meetup(meetup_id)
    with read_session() as db:
        minutes = minutes_for(db, meetup_id)
    return render_template(
        "meeting/minutes.html", meetup=meetup, assembly=assembly, minutes=minutes.as_dict()
    )


@bp.get("/m/<int:meetup_id>/minutes.json")
def minutes_json(meetup_id: int):
    """The minutes as JSON."""
    _meetup(meetup_id)
    with read_session() as db:
        return jsonify(minutes_for(db, meetup_id).as_dict())


@bp.get("/m/<int:meetup_id>/minutes.md")
def minutes_markdown(meetup_id: int):
    """The minutes as Markdown."""
    meetup, _assembly = _meetup(meetup_id)
    with read_session() as db:
        minutes = minutes_for(db, meetup_id)
    text = as_markdown(minutes, meetup.title, london_time(meetup.starts_at))
    return Response(
        text,
        mimetype="text/markdown",
        headers={"Content-Disposition": f'inline; filename="minutes-{meetup_id}.md"'},
    )


@bp.get("/m/<int:meetup_id>/minutes.csv")
def minutes_csv(meetup_id: int):
    """The proposals of the minutes as CSV."""
    _meetup(meetup_id)
    with read_session() as db:
        minutes = minutes_for(db, meetup_id).as_dict()
    rows = (
        [p["id"], p["title"], p["body"], p["amends"] or "", p["supports"], p["merged_into"] or ""]
        for p in minutes["proposals"]
    )
    header = ["id", "title", "text", "amends", "supports", "merged into"]
    return csv_response(header, rows, f"minutes-{meetup_id}.csv")
