"""An attendee's own data, from their ticket link: see it, and erase it."""

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _

from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.events import utcnow
from app.security import limiter
from assemblies import personal_data
from assemblies.forms import EraseForm

bp = Blueprint("privacy", __name__)

# Per address, as for the ticket page: a hall may share one venue wifi address.
DATA_LIMIT = "120 per minute"


def _held_or_404(session, token: str) -> list[personal_data.HeldRegistration]:
    try:
        return personal_data.held_about(session, token)
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        raise


def _data_page(token: str, form: EraseForm, status: int = 200):
    with read_session() as session:
        held = _held_or_404(session, token)
    page = render_template("meetups/my_data.html", token=token, held=held, form=form)
    return page, status


@bp.get("/t/<token>/data")
@limiter.limit(DATA_LIMIT)
def my_data(token: str):
    """Everything kept about the ticket's holder, and the form that erases it."""
    return _data_page(token, EraseForm())


@bp.post("/t/<token>/data")
@limiter.limit(DATA_LIMIT)
def erase_my_data(token: str):
    """Erase the holder's personal data once they have ticked the box."""
    form = EraseForm()
    if not form.validate_on_submit():
        return _data_page(token, form, 400)
    try:
        with unit_of_work() as uow:
            erased = personal_data.erase(uow, token, utcnow())
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        raise
    message = _("Your personal data is erased from %(count)d registration(s).", count=erased)
    return render_template(
        "meetups/data_erased.html", message=message, privacy=url_for("main.privacy")
    )
