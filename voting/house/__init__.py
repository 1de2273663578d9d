"""The House of the People: the national feed made from every recorded outcome (and, in
their own modules, national motions)."""

from flask import Flask

from app.realtime import realtime_of
from app.scheduler import register_periodic, register_weekly
from voting.house import console, dashboard, demo, projection
from voting.house.host_views import bp as hosts_bp
from voting.house.motion_views import bp as motions_bp
from voting.house.views import bp

CATCH_UP_SECONDS = 300


def init_app(app: Flask) -> None:
    """Register the feed pages, the live `house-outcomes` projection subscriber, and its
    periodic catch-up (`house:catch-up`, run by the job-running process)."""
    app.register_blueprint(bp)
    app.extensions["event_bus"].subscribe(projection.SUBSCRIBER, projection.on_events)
    register_periodic(app, "house:catch-up", projection.catch_up_outcomes, CATCH_UP_SECONDS)
    # National motions, referrals, the hosts' dashboard and the weekly briefing pack.
    app.register_blueprint(motions_bp)
    app.register_blueprint(hosts_bp)
    console.register(realtime_of(app))
    app.extensions.setdefault("console_extras", []).append(console.motions_for_console)
    app.extensions.setdefault("vote_texts", []).append(console.motion_wording)
    register_weekly(app, "house:briefing", dashboard.prepare_briefing, app.config["BRIEFING_AT"])
    app.extensions.setdefault("past_meeting_content", []).append(demo.national_motion_vote)
