"""Translations (Flask-Babel) and local time display. English only for now."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import Babel

LONDON = ZoneInfo("Europe/London")


def to_london(moment: datetime | None) -> datetime | None:
    """A stored (naive UTC) time as an aware Europe/London time."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON)


def london_time(moment: datetime | None, pattern: str = "%a %d %b %Y, %H:%M") -> str:
    """Jinja filter: format a stored UTC time in London time."""
    local = to_london(moment)
    return local.strftime(pattern) if local else ""


def init_app(app: Flask) -> None:
    """Set up Flask-Babel and the time filters."""
    Babel(app, locale_selector=lambda: "en", timezone_selector=lambda: "Europe/London")
    app.jinja_env.filters["london"] = london_time
