"""Small helpers shared by the pages that show a meetup (assemblies and voting floors)."""

from flask import abort

from app.db import read_session
from assemblies.models import Assembly, Meetup


def meetup_or_404(meetup_id: int) -> tuple[Meetup, Assembly]:
    """The meetup and its assembly, or a 404 page."""
    with read_session() as session:
        meetup = session.get(Meetup, meetup_id)
        if meetup is None:
            abort(404)
        return meetup, session.get(Assembly, meetup.assembly_id)
