"""Pages of the live meeting: the facilitator's console, the attendee's phone page, and the
minutes (page, Markdown, CSV, JSON)."""

from flask import Blueprint, Response, abort, jsonify, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.identity import require_facilitator
from app.csvexport import csv_response
from app.db import read_session
from app.events import last_seq
from app.i18n import london_time
from assemblies import attendance
from assemblies.forms import ConfirmForm
from assemblies.models import Assembly, Meetup
from assemblies.pages import meetup_or_404
from voting import votes
from voting.minutes import as_markdown, minutes_for
from voting.models import VOTE_CLOSED, Vote

bp = Blueprint("meeting", __name__)


@bp.get("/m/<int:meetup_id>/console")
def console(meetup_id: int):
    """The facilitator's console: agenda and timers, moderation, speaking queue, signals."""
    meetup, assembly = meetup_or_404(meetup_id)
    require_facilitator(assembly.id)
    with read_session() as db:
        seq = last_seq(db)
    return render_template("meeting/console.html", meetup=meetup, assembly=assembly, seq=seq)


@bp.get("/m/<int:meetup_id>/phone")
def phone(meetup_id: int):
    """The attendee's live page: agenda, proposals, supports, speaking queue, signals."""
    meetup, assembly = meetup_or_404(meetup_id)
    with read_session() as db:
        registration_id = attendance.attendee_for_device(db, meetup_id, session.get("device"))
        names = attendance.display_names(db, {registration_id} if registration_id else set())
        seq = last_seq(db)
    me = (
        {"id": registration_id, "display_name": names[registration_id]} if registration_id else None
    )
    return render_template("meeting/phone.html", meetup=meetup, assembly=assembly, me=me, seq=seq)


@bp.get("/m/<int:meetup_id>/minutes")
def minutes_page(meetup_id: int):
    """The meetup's record, made from its event log."""
    meetup, assembly = meetup_or_404(meetup_id)
    with read_session() as db:
        minutes = minutes_for(db, meetup_id)
    return render_template(
        "meeting/minutes.html", meetup=meetup, assembly=assembly, minutes=minutes.as_dict()
    )


@bp.get("/m/<int:meetup_id>/minutes.json")
def minutes_json(meetup_id: int):
    """The minutes as JSON."""
    meetup_or_404(meetup_id)
    with read_session() as db:
        return jsonify(minutes_for(db, meetup_id).as_dict())


@bp.get("/m/<int:meetup_id>/minutes.md")
def minutes_markdown(meetup_id: int):
    """The minutes as Markdown."""
    meetup, _assembly = meetup_or_404(meetup_id)
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
    """The proposals of the minutes, with the outcome of their votes, as CSV."""
    meetup_or_404(meetup_id)
    with read_session() as db:
        minutes = minutes_for(db, meetup_id).as_dict()
    decided = {o["proposal_id"]: o["summary"] for o in minutes["outcomes"] if o["proposal_id"]}
    rows = (
        [
            p["id"],
            p["title"],
            p["body"],
            p["amends"] or "",
            p["supports"],
            p["merged_into"] or "",
            decided.get(p["id"], ""),
        ]
        for p in minutes["proposals"]
    )
    header = ["id", "title", "text", "amends", "supports", "merged into", "outcome"]
    return csv_response(header, rows, f"minutes-{meetup_id}.csv")


def _closed_vote(vote_id: int) -> tuple[Vote, Meetup, Assembly, list]:
    with read_session() as db:
        vote = db.get(Vote, vote_id)
        if vote is None:
            abort(404)
        meetup = db.get(Meetup, vote.meetup_id)
        assembly = db.get(Assembly, meetup.assembly_id)
        box = votes.ballot_box(db, vote) if vote.status == VOTE_CLOSED else []
        names = attendance.display_names(db, {b.registration_id for b in box if b.registration_id})
    rows = [
        {
            "receipt": b.receipt,
            "ballot": b.choice["ballot"],
            "name": names.get(b.registration_id) if not vote.secret else None,
        }
        for b in box
    ]
    return vote, meetup, assembly, rows


def vote_document(vote: Vote, meetup: Meetup, rows: list) -> dict:
    """Everything needed to recount a closed vote independently."""
    return {
        "vote_id": vote.id,
        "meetup_id": meetup.id,
        "question": vote.question,
        "method": vote.method,
        "options": vote.options,
        "rule": vote.rule,
        "secret": vote.secret,
        "manual": vote.manual,
        "status": vote.status,
        "opened_at": vote.opened_at.isoformat(),
        "closed_at": vote.closed_at.isoformat() if vote.closed_at else None,
        "present": vote.present_at_close,
        "result": vote.result,
        "rounds": (vote.result or {}).get("rounds", []),
        "tie_break_seed": vote.seed,
        "chain_head": vote.chain_head,
        "ballot_box": rows,
    }


METHOD_NAMES = {
    "yes_no": _l("Yes / no / abstain"),
    "consent": _l("Consent"),
    "temperature": _l("Temperature check (advisory)"),
    "single": _l("Single choice"),
    "approval": _l("Approval"),
    "dots": _l("Multi-vote (dots)"),
    "score": _l("Score"),
    "irv": _l("Instant runoff"),
    "stv": _l("Single transferable vote"),
    "schulze": _l("Condorcet (Schulze)"),
}


@bp.get("/v/<int:vote_id>")
def vote_page(vote_id: int):
    """A vote's published result, ballot box (receipts and choices) and chain head."""
    vote, meetup, assembly, rows = _closed_vote(vote_id)
    receipt = (request.args.get("receipt") or "").strip().upper()[:16]
    found = next((row for row in rows if row["receipt"] == receipt), None) if receipt else None
    return render_template(
        "meeting/vote.html",
        vote=vote,
        meetup=meetup,
        assembly=assembly,
        rows=rows,
        receipt=receipt,
        found=found,
        method_name=METHOD_NAMES.get(vote.method, vote.method),
        can_refer=_can_refer(vote, assembly),
        form=ConfirmForm(),
    )


def _can_refer(vote: Vote, assembly: Assembly) -> bool:
    """Facilitators may refer a local proposal that passed (referring twice changes nothing);
    a vote on a national motion is already the House's own."""
    passed = bool((vote.result or {}).get("passed"))
    return current_user.can_facilitate(assembly.id) and passed and vote.motion_id is None


@bp.get("/v/<int:vote_id>.json")
def vote_json(vote_id: int):
    """The same as JSON, so anyone can recount it with their own code."""
    vote, meetup, _assembly, rows = _closed_vote(vote_id)
    return jsonify(vote_document(vote, meetup, rows))
