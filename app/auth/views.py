"""Sign in, sign out, and one's own account page."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.forms import ChangePasswordForm, SignInForm
from app.auth.identity import identity_for
from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.security import limiter, safe_next_url, sign_in_email_key

bp = Blueprint("auth", __name__)


def _failed(response) -> bool:
    """Only failed sign-ins count against the throttle."""
    return response.status_code != 302


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: _sign_in_limit(), methods=["POST"], deduct_when=_failed)
@limiter.limit("20 per hour", key_func=sign_in_email_key, methods=["POST"], deduct_when=_failed)
def sign_in():
    """Staff sign-in with email and password."""
    form = SignInForm()
    if form.validate_on_submit():
        with read_session() as db:
            user = services.authenticate(db, form.email.data, form.password.data)
            if user is not None:
                roles = {(g.assembly_id, g.role) for g in services.roles_of(db, user.id)}
        if user is not None:
            session.clear()  # a fresh session on sign-in: no fixation
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
            login_user(identity_for(user, roles))
            return redirect(safe_next_url(request.args.get("next")) or url_for("auth.account"))
        flash(_("That email and password do not match an account."), "error")
        return render_template("auth/sign_in.html", form=form), 401
    return render_template("auth/sign_in.html", form=form)


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_LIMIT"]


@bp.post("/sign-out")
def sign_out():
    """End the session."""
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """One's roles, and a form to change one's password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as uow:
                services.change_password(uow, current_user.id, form.current.data, form.new.data)
        except ServiceError as error:
            form.current.errors.append(error.message)
        else:
            logout_user()
            session.clear()
            flash(_("Your password is changed. Please sign in again."), "info")
            return redirect(url_for("auth.sign_in"))
    with read_session() as db:
        grants = services.roles_of(db, current_user.id)
    names = current_app.extensions["assembly_names"]({grant.assembly_id for grant in grants})
    roles = [(names.get(grant.assembly_id, "?"), grant.role) for grant in grants]
    return render_template("auth/account.html", form=form, roles=sorted(roles))
