"""Pages of national motions: the list, one motion with its three national views, and the
hosts' forms to publish a motion and to publish a new version of one."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlmodel import select
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.auth.identity import host_required
from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.events import last_seq
from assemblies.forms import choices
from assemblies.models import REGIONS
from assemblies.recurrence import london_to_utc, utc_to_london_naive
from assemblies.services import all_assemblies, assembly_facts, names_by_id
from voting.house import motions
from voting.house.models import NationalMotion

bp = Blueprint("motions", __name__)

THRESHOLDS = [
    ("1/2|strict", _l("Simple majority of votes cast")),
    ("2/3|", _l("Two thirds of votes cast")),
    ("3/4|", _l("Three quarters of votes cast")),
]


METHODS = [
    ("yes_no", _l("Yes / no / abstain")),
    ("consent", _l("Consent: from endorse to block")),
]


class MotionForm(FlaskForm):
    """Publish a national motion."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    wording = TextAreaField(
        _l("Wording"),
        validators=[DataRequired(), Length(max=4000)],
        description=_l("Frozen once published: a change is published as a new version."),
    )
    opens_at = DateTimeLocalField(
        _l("Voting opens (London time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    closes_at = DateTimeLocalField(
        _l("Voting closes (London time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    method = SelectField(_l("Method"), choices=choices(METHODS), default="yes_no")
    threshold = SelectField(_l("Decision rule (yes / no / abstain)"), choices=choices(THRESHOLDS))
    abstentions_count = BooleanField(_l("Abstentions count as votes cast (yes / no / abstain)"))
    max_blocks = IntegerField(
        _l("Blocks allowed (consent)"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=1000)],
        description=_l("A consent motion passes in an assembly when its blocks stay within this."),
    )
    regions = SelectMultipleField(
        _l("Regions (none ticked: every assembly)"),
        choices=choices((r, r) for r in REGIONS),
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    assemblies = SelectMultipleField(
        _l("Or only these assemblies"),
        coerce=int,
        description=_l("Choosing assemblies sends the motion to them alone, whatever the regions."),
    )


class ReviseForm(FlaskForm):
    """Publish a new version of a motion's wording."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    wording = TextAreaField(_l("Wording"), validators=[DataRequired(), Length(max=4000)])


def _rule_from(form: MotionForm) -> dict:
    """The decision rule the form sets for its method."""
    if form.method.data == "consent":
        return {"max_blocks": form.max_blocks.data or 0}
    threshold, strict = form.threshold.data.split("|")
    return {
        "threshold": threshold,
        "strict": strict == "strict",
        "abstentions_count": form.abstentions_count.data,
    }


def _motion_or_404(motion_id: int) -> NationalMotion:
    with read_session() as session:
        motion = session.get(NationalMotion, motion_id)
    if motion is None:
        abort(404)
    return motion


@bp.get("/house/motions")
def motion_list():
    """Every national motion."""
    with read_session() as session:
        found = motions.motions(session)
    return render_template("house/motions.html", motions=found)


@bp.route("/house/motions/new", methods=["GET", "POST"])
@host_required
def publish():
    """National hosts publish a motion."""
    form = MotionForm()
    with read_session() as session:
        form.assemblies.choices = [(a.id, a.name) for a in all_assemblies(session)]
    if form.validate_on_submit():
        rule = _rule_from(form)
        try:
            with unit_of_work() as uow:
                motion = motions.publish_motion(
                    uow,
                    form.title.data,
                    form.wording.data,
                    london_to_utc(form.opens_at.data),
                    london_to_utc(form.closes_at.data),
                    form.regions.data or [],
                    form.assemblies.data or [],
                    rule,
                    current_user.id,
                    method=form.method.data,
                )
        except ServiceError as error:
            field = getattr(form, error.field or "", None)
            if field is not None:
                field.errors = [*field.errors, error.message]
            else:
                flash(error.message, "error")
        else:
            flash(_("Motion published."), "success")
            return redirect(url_for("motions.motion_page", motion_id=motion.id))
    status = 400 if form.is_submitted() else 200
    return render_template("house/motion_form.html", form=form, motion=None), status


@bp.route("/house/motions/<int:motion_id>/revise", methods=["GET", "POST"])
@host_required
def revise(motion_id: int):
    """National hosts publish a new version of a motion (the old one is superseded)."""
    motion = _motion_or_404(motion_id)
    form = ReviseForm(obj=motion)
    if form.validate_on_submit():
        try:
            with unit_of_work() as uow:
                new = motions.revise_motion(
                    uow, motion_id, form.title.data, form.wording.data, current_user.id
                )
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(_("New version published."), "success")
            return redirect(url_for("motions.motion_page", motion_id=new.id))
    return render_template("house/motion_form.html", form=form, motion=motion)


@bp.get("/house/motions/<int:motion_id>")
def motion_page(motion_id: int):
    """One motion: its wording and hash, and the three national views of its results."""
    motion = _motion_or_404(motion_id)
    with read_session() as session:
        views = motions.motion_views(session, motion).as_dict()
        seq = last_seq(session)
        newer = session.exec(
            select(NationalMotion).where(NationalMotion.supersedes_id == motion.id)
        ).first()
        amendments = [
            (found, _assembly_name(session, found), motions.motion_views(session, found))
            for found in motions.amendments_of(session, motion.id)
        ]
        amends = session.get(NationalMotion, motion.amends_id) if motion.amends_id else None
        proposed_by = _assembly_name(session, motion)
        chosen = sorted(names_by_id(session, set(motion.assembly_ids or [])).values())
    return render_template(
        "house/motion.html",
        motion=motion,
        views=views,
        seq=seq,
        newer=newer,
        amendments=amendments,
        amends=amends,
        proposed_by=proposed_by,
        chosen_assemblies=chosen,
        opens=utc_to_london_naive(motion.opens_at),
        closes=utc_to_london_naive(motion.closes_at),
    )


def _assembly_name(session, motion: NationalMotion) -> str:
    if motion.proposed_by_assembly_id is None:
        return ""
    facts = assembly_facts(session, motion.proposed_by_assembly_id)
    return facts.name if facts else ""


@bp.get("/house/motions/<int:motion_id>.json")
def motion_json(motion_id: int):
    """The motion and its views as JSON."""
    motion = _motion_or_404(motion_id)
    with read_session() as session:
        views = motions.motion_views(session, motion).as_dict()
        amendments = [a.id for a in motions.amendments_of(session, motion.id)]
    return jsonify(
        {
            "id": motion.id,
            "title": motion.title,
            "wording": motion.wording,
            "wording_hash": motion.wording_hash,
            "version": motion.version,
            "supersedes_id": motion.supersedes_id,
            "status": motion.status,
            "method": motion.method,
            "rule": motion.rule,
            "opens_at": motion.opens_at.isoformat(),
            "closes_at": motion.closes_at.isoformat(),
            "regions": motion.regions,
            "amends_id": motion.amends_id,
            "proposed_by_assembly_id": motion.proposed_by_assembly_id,
            "amendments": amendments,
            "views": views,
        }
    )
