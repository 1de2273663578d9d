"""Site-wide pages: home, health check, and the error pages."""

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import text

from app.db import read_session
from app.events import last_seq

bp = Blueprint("main", __name__)


@dataclass(frozen=True)
class HomePanel:
    """A section of the home page contributed by a domain: a template and its data."""

    template: str
    context: dict[str, Any]


@bp.get("/")
def home():
    """What this is, upcoming meetups and the latest outcomes."""
    panels = [make_panel() for make_panel in current_app.extensions["home_panels"]]
    return render_template("home.html", panels=[panel for panel in panels if panel])


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says; send them the SVG icon."""
    return redirect(url_for("static", filename="img/favicon.svg"), code=301)


@bp.get("/privacy")
def privacy():
    """What is kept about people, why and for how long, in plain words."""
    return render_template(
        "privacy.html", retention_days=current_app.config.get("CONTACT_RETENTION_DAYS", 30)
    )


@bp.get("/healthz")
def healthz():
    """Machine-readable health: database reachable, last event seq, scheduler state."""
    try:
        with read_session() as session:
            session.exec(text("SELECT 1"))
            seq = last_seq(session)
        database_ok = True
    except Exception:
        database_ok, seq = False, None
    body = {
        "database": "ok" if database_ok else "unreachable",
        "last_seq": seq,
        "scheduler": current_app.extensions["scheduler"].state,
    }
    return jsonify(body), 200 if database_ok else 503


def _error_page(status: int, title: str, message: str):
    return render_template("error.html", status=status, title=title, message=message), status


def not_found(_error):
    """404 page."""
    return _error_page(404, _("Page not found"), _("There is nothing at this address."))


def forbidden(_error):
    """403 page."""
    return _error_page(403, _("Not allowed"), _("Your account may not do that."))


def too_many_requests(_error):
    """429 page."""
    message = _("Too many attempts. Please wait a minute and try again.")
    return _error_page(429, _("Slow down"), message)


def csrf_failed(_error):
    """400 page for a missing or stale CSRF token."""
    message = _("The form had expired. Please go back, reload the page and try again.")
    return _error_page(400, _("Form expired"), message)


def server_error(_error):
    """500 page."""
    message = _("Something went wrong on our side. Nothing you did caused it.")
    return _error_page(500, _("Server error"), message)


def bad_request(_error):
    """400 page."""
    return _error_page(400, _("Bad request"), _("The request could not be understood."))


def init_app(app: Flask) -> None:
    """Register the site-wide pages and error handlers."""
    app.extensions["home_panels"] = []
    app.register_blueprint(bp)
    app.register_error_handler(CSRFError, csrf_failed)
    app.register_error_handler(400, bad_request)
    app.register_error_handler(403, forbidden)
    app.register_error_handler(404, not_found)
    app.register_error_handler(429, too_many_requests)
    app.register_error_handler(500, server_error)
