"""The live meeting (agenda, proposals, supports, speaking queue) and votes."""

from flask import Flask

from app.demo import register_step
from app.realtime import realtime_of
from app.scheduler import register_periodic
from voting import ballot_writer, demo, jobs, sockets
from voting.views import bp


def init_app(app: Flask) -> None:
    """Register the meeting pages, socket commands and demo data."""
    app.register_blueprint(bp)
    sockets.register(realtime_of(app))
    ballot_writer.init_app(app)
    app.extensions["event_bus"].subscribe("votes", jobs.on_vote_events)
    register_periodic(app, "voting:sweep", jobs.sweep_votes, 60)
    # The assemblies demo records past meetups; this fills in what happened at them.
    app.extensions.setdefault("past_meeting_content", []).append(demo.past_meeting_content)
    register_step(app, demo.demo_tonight)
