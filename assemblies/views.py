"""Pages of the assemblies domain: the directory and the hosts' staff management."""

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from app.auth import services as accounts
from app.auth.identity import host_required, require_facilitator
from app.auth.models import RoleGrant, User
from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.events import utcnow
from assemblies import meetups, services
from assemblies.forms import (
    ROLE_LABELS,
    AssemblyForm,
    GrantRoleForm,
    RevokeRoleForm,
    StaffAccountForm,
    choices,
)
from assemblies.models import REGIONS

bp = Blueprint("assemblies", __name__)


@bp.get("/assemblies")
def directory():
    """All assemblies, searchable by name and filtered by region."""
    query = request.args.get("q", "").strip()[:100]
    region = request.args.get("region", "")
    with read_session() as session:
        found = services.all_assemblies(session)
    if query:
        found = [a for a in found if query.lower() in f"{a.name} {a.area}".lower()]
    if region in REGIONS:
        found = [a for a in found if a.region == region]
    return render_template(
        "assemblies/directory.html", assemblies=found, regions=REGIONS, q=query, region=region
    )


@bp.get("/a/<slug>")
def assembly_page(slug: str):
    """One assembly with its upcoming and past meetups."""
    with read_session() as session:
        assembly = services.find_by_slug(session, slug)
        if assembly is None:
            abort(404)
        upcoming, past = meetups.meetups_of(session, assembly.id, utcnow())
    return render_template(
        "assemblies/assembly.html",
        assembly=assembly,
        upcoming=upcoming,
        past=past[:20],
        can_facilitate=current_user.can_facilitate(assembly.id),
    )


@bp.route("/assemblies/new", methods=["GET", "POST"])
@host_required
def create():
    """National hosts create an assembly."""
    form = AssemblyForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as uow:
                assembly = services.create_assembly(
                    uow,
                    slug=form.slug.data,
                    name=form.name.data,
                    area=form.area.data,
                    region=form.region.data,
                    description=form.description.data or "",
                    contact=form.contact.data or "",
                    created_by=current_user.id,
                )
        except ServiceError as error:
            _field_error(form, error)
        else:
            flash(_("Assembly created. Now appoint its facilitators."), "success")
            return redirect(url_for("assemblies.assembly_page", slug=assembly.slug))
    status = 400 if form.is_submitted() else 200
    return render_template("assemblies/edit.html", form=form, assembly=None), status


@bp.route("/a/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    """Facilitators edit their own assembly (hosts edit any)."""
    with read_session() as session:
        assembly = services.find_by_slug(session, slug)
    if assembly is None:
        abort(404)
    require_facilitator(assembly.id)
    form = AssemblyForm(obj=assembly)
    del form.slug
    if form.validate_on_submit():
        try:
            with unit_of_work() as uow:
                services.update_assembly(
                    uow,
                    assembly.id,
                    name=form.name.data,
                    area=form.area.data,
                    region=form.region.data,
                    description=form.description.data or "",
                    contact=form.contact.data or "",
                    by=current_user.id,
                )
        except ServiceError as error:
            _field_error(form, error)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("assemblies.assembly_page", slug=slug))
    status = 400 if form.is_submitted() else 200
    return render_template("assemblies/edit.html", form=form, assembly=assembly), status


def _field_error(form, error: ServiceError) -> None:
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def _assembly_choices() -> list:
    with read_session() as session:
        return choices((a.id, a.name) for a in services.all_assemblies(session))


@bp.route("/staff", methods=["GET", "POST"])
@host_required
def staff():
    """Hosts list staff accounts and create new ones."""
    form = StaffAccountForm()
    form.assembly_id.choices = [*choices([(0, _("None"))]), *_assembly_choices()]
    if form.validate_on_submit() and bool(form.role.data) != bool(form.assembly_id.data):
        form.role.errors = [
            *form.role.errors,
            _("Choose both a role and its assembly, or neither."),
        ]
    elif form.validate_on_submit():
        password = secrets.token_urlsafe(12)
        try:
            with unit_of_work() as uow:
                user = accounts.create_staff_account(
                    uow,
                    form.email.data,
                    form.display_name.data,
                    password,
                    is_host=form.is_host.data,
                    created_by=current_user.id,
                )
                if form.role.data and form.assembly_id.data:
                    accounts.grant_role(
                        uow, user.id, form.assembly_id.data, form.role.data, current_user.id
                    )
        except ServiceError as error:
            form.email.errors.append(error.message)
        else:
            return render_template("assemblies/staff_created.html", user=user, password=password)
    return render_template("assemblies/staff.html", form=form, people=_staff_listing())


def _staff_listing() -> list[dict]:
    with read_session() as session:
        users = session.exec(select(User).order_by(User.display_name)).all()
        grants = session.exec(select(RoleGrant)).all()
        names = services.names_by_id(session, {grant.assembly_id for grant in grants})
    roles: dict[int, list] = {}
    for grant in grants:
        roles.setdefault(grant.user_id, []).append(
            (names[grant.assembly_id], grant.assembly_id, grant.role)
        )
    return [{"user": user, "roles": sorted(roles.get(user.id, []))} for user in users]


@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
@host_required
def staff_member(user_id: int):
    """Hosts grant and revoke one person's roles."""
    with read_session() as session:
        user = session.get(User, user_id)
    if user is None:
        abort(404)
    form = GrantRoleForm()
    form.assembly_id.choices = _assembly_choices()
    if form.validate_on_submit():
        with unit_of_work() as uow:
            granted = accounts.grant_role(
                uow, user_id, form.assembly_id.data, form.role.data, current_user.id
            )
        flash(_("Role granted.") if granted else _("They already had that role."), "info")
        return redirect(url_for("assemblies.staff_member", user_id=user_id))
    listing = next(entry for entry in _staff_listing() if entry["user"].id == user_id)
    return render_template(
        "assemblies/staff_member.html",
        user=user,
        roles=listing["roles"],
        form=form,
        revoke_form=RevokeRoleForm(),
        role_labels=ROLE_LABELS,
    )


@bp.post("/staff/<int:user_id>/revoke")
@host_required
def revoke(user_id: int):
    """Hosts take a role away."""
    form = RevokeRoleForm()
    if not form.validate_on_submit() or not form.assembly_id.data.isdigit():
        abort(400)
    with unit_of_work() as uow:
        accounts.revoke_role(
            uow, user_id, int(form.assembly_id.data), form.role.data, current_user.id
        )
    flash(_("Role removed."), "info")
    return redirect(url_for("assemblies.staff_member", user_id=user_id))
