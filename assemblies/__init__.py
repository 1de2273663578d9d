"""Assemblies, meetups, registrations, tickets, check-in and attendance."""

import re

from flask import Flask
from flask_login import current_user
from sqlmodel import select

from app.db import read_session
from app.demo import register_step
from app.events import utcnow
from app.realtime import realtime_of
from app.scheduler import register_periodic
from app.web import HomePanel
from assemblies import demo, jobs, services, sockets
from assemblies.checkin_views import bp as checkin_bp
from assemblies.meetup_views import bp as meetups_bp
from assemblies.models import STATUS_CANCELLED, Meetup
from assemblies.privacy_views import bp as privacy_bp
from assemblies.views import bp

HOME_MEETUPS = 6


def assembly_names(ids: set[int]) -> dict[int, str]:
    """Names of assemblies by id (offered to the account page, which sits below this floor)."""
    with read_session() as session:
        return services.names_by_id(session, ids)


def home_panel() -> HomePanel:
    """The home page's upcoming meetups and list of assemblies."""
    with read_session() as session:
        assemblies = services.all_assemblies(session)
        upcoming = session.exec(
            select(Meetup)
            .where(Meetup.ends_at > utcnow(), Meetup.status != STATUS_CANCELLED)
            .order_by(Meetup.starts_at)
            .limit(HOME_MEETUPS)
        ).all()
    by_id = {a.id: a for a in assemblies}
    return HomePanel(
        "assemblies/_home_panel.html",
        {"assemblies": assemblies, "upcoming": [(m, by_id[m.assembly_id]) for m in upcoming]},
    )


def _meetup_assembly(meetup_id: int) -> int | None:
    with read_session() as session:
        meetup = session.get(Meetup, meetup_id)
        return meetup.assembly_id if meetup else None


def may_join_meetup_crew(match: re.Match) -> bool:
    """Door volunteers, facilitators and hosts of the meetup's assembly."""
    assembly_id = _meetup_assembly(int(match.group(1)))
    return assembly_id is not None and current_user.can_work_door(assembly_id)


def may_join_meetup_screen(match: re.Match) -> bool:
    """The projector is opened by a facilitator (or host) of the meetup's assembly."""
    assembly_id = _meetup_assembly(int(match.group(1)))
    return assembly_id is not None and current_user.can_facilitate(assembly_id)


def may_join_meetup(match: re.Match) -> bool:
    """The meetup's public room: anyone may follow an existing meetup's status."""
    return _meetup_assembly(int(match.group(1))) is not None


def init_app(app: Flask) -> None:
    """Register the assemblies pages, jobs, rooms and what the lower floor may ask of this one."""
    app.register_blueprint(bp)
    app.register_blueprint(meetups_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(privacy_bp)
    app.extensions["assembly_names"] = assembly_names
    app.extensions["home_panels"].append(home_panel)
    app.extensions["event_bus"].subscribe("meetup-jobs", jobs.schedule_meetup_jobs)
    register_periodic(app, "assemblies:sweep", jobs.sweep, jobs.SWEEP_SECONDS)
    rooms = realtime_of(app)
    sockets.register(rooms)
    rooms.add_room_rule(r"meetup:(\d+)", may_join_meetup, "anyone, for an existing meetup")
    rooms.add_room_rule(r"meetup:(\d+):crew", may_join_meetup_crew, "the assembly's crew, hosts")
    rooms.add_room_rule(r"meetup:(\d+):screen", may_join_meetup_screen, "facilitators, hosts")
    register_step(app, demo.demo_assemblies)
    register_step(app, demo.demo_staff)
    register_step(app, demo.demo_meetups)
