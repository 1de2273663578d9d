"""Assemblies, meetups, registrations, tickets, check-in and attendance."""

from flask import Flask

from app.db import read_session
from app.demo import register_step
from app.web import HomePanel
from assemblies import demo, services
from assemblies.views import bp


def assembly_names(ids: set[int]) -> dict[int, str]:
    """Names of assemblies by id (offered to the account page, which sits below this floor)."""
    with read_session() as session:
        return services.names_by_id(session, ids)


def home_panel() -> HomePanel:
    """The home page's list of assemblies."""
    with read_session() as session:
        assemblies = services.all_assemblies(session)
    return HomePanel("assemblies/_home_panel.html", {"assemblies": assemblies})


def init_app(app: Flask) -> None:
    """Register the assemblies pages and what the lower floor may ask of this one."""
    app.register_blueprint(bp)
    app.extensions["assembly_names"] = assembly_names
    app.extensions["home_panels"].append(home_panel)
    register_step(app, demo.demo_assemblies)
    register_step(app, demo.demo_staff)
