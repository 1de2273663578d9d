"""The live meeting (agenda, proposals, supports, speaking queue) and, later, votes."""

from flask import Flask

from app.realtime import realtime_of
from voting import sockets
from voting.views import bp


def init_app(app: Flask) -> None:
    """Register the meeting pages and socket commands."""
    app.register_blueprint(bp)
    sockets.register(realtime_of(app))
