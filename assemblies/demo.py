"""Demo data for assemblies: a few assemblies and one staff member of each kind."""

from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlmodel import select

from app.auth import services as accounts
from app.db import unit_of_work
from app.demo import DemoContext
from app.events import utcnow
from assemblies import checkin, lifecycle, meetups, recurrence, registrations, services
from assemblies.meetups import MeetupDetails
from assemblies.models import Assembly, Meetup

DEMO_ASSEMBLIES = [
    {
        "slug": "hackney",
        "name": "Hackney People's Assembly",
        "area": "Hackney",
        "region": "London",
        "description": "Neighbours from Dalston to Homerton deciding together, every month.",
        "contact": "hackney@assembly.example.org",
    },
    {
        "slug": "leeds-central",
        "name": "Leeds Central People's Assembly",
        "area": "Leeds Central and Headingley",
        "region": "Yorkshire and the Humber",
        "description": "Open meetings in community centres across central Leeds.",
        "contact": "leeds@assembly.example.org",
    },
    {
        "slug": "cardiff",
        "name": "Cardiff People's Assembly",
        "area": "Cardiff",
        "region": "Wales",
        "description": "Cynulliad y Bobl Caerdydd: everyone welcome.",
        "contact": "cardiff@assembly.example.org",
    },
    {
        "slug": "glasgow-south",
        "name": "Glasgow South People's Assembly",
        "area": "Glasgow South",
        "region": "Scotland",
        "description": "Meeting in Govanhill and Pollokshields halls.",
        "contact": "glasgow@assembly.example.org",
    },
]

DEMO_STAFF = [
    ("national host", "host@assembly.example.org", "Nadia Host", True, None),
    ("facilitator", "facilitator@assembly.example.org", "Femi Facilitator", False, "facilitator"),
    ("door volunteer", "door@assembly.example.org", "Dee Door", False, "door"),
]


def demo_assemblies(_context: DemoContext) -> None:
    """Create the demo assemblies that do not exist yet."""
    with unit_of_work() as uow:
        for spec in DEMO_ASSEMBLIES:
            if services.find_by_slug(uow.session, spec["slug"]) is None:
                services.create_assembly(uow, **spec)


def demo_staff(context: DemoContext) -> None:
    """Create (or re-password) the demo host, facilitator and door volunteer."""
    with unit_of_work() as uow:
        hackney = uow.session.exec(select(Assembly).where(Assembly.slug == "hackney")).one()
        for label, email, name, is_host, role in DEMO_STAFF:
            user = accounts.find_user_by_email(uow.session, email)
            shown = context.password or context.password_for(email)
            if user is None:
                user = accounts.create_staff_account(uow, email, name, shown, is_host=is_host)
            elif context.password:
                accounts.set_password(uow, user.id, shown)
            else:
                shown = ""
            if role:
                accounts.grant_role(uow, user.id, hackney.id, role)
            context.add_account(
                label,
                email,
                shown or "(unchanged; set one with --password)",
                new_password=bool(shown),
            )


DEMO_NAMES = [
    "Amara",
    "Ben",
    "Chen",
    "Dylan",
    "Eilidh",
    "Farah",
    "Gwen",
    "Hamza",
    "Isla",
    "Jamal",
    "Kasia",
    "Liam",
    "Maya",
    "Niall",
    "Olu",
    "Priya",
    "Rhys",
    "Sana",
    "Tom",
    "Zara",
]


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _details(title: str, start: datetime, hours: float, capacity: int, **extra) -> MeetupDetails:
    return MeetupDetails(
        title=title,
        starts_local=start,
        ends_local=start + timedelta(hours=hours),
        capacity=capacity,
        **extra,
    )


HACKNEY_VENUE = {
    "venue_name": "St Mark's Community Hall",
    "venue_address": "12 Mare Street, London E8 1HR",
    "accessibility_notes": "Step-free entrance on Mare Street, hearing loop, accessible toilet. "
    "Buses 38 and 242 stop outside.",
    "agenda_summary": "Welcome and input, small-group breakouts, feedback, proposals, votes.",
}


def record_past_content(uow, meetup: Meetup) -> None:
    """What happened at a past demo meetup, filled in by the floors above (agenda, votes)."""
    for fill in current_app.extensions.get("past_meeting_content", []):
        fill(uow, meetup)


def demo_meetups(context: DemoContext) -> None:
    """Past and upcoming meetups with registrations (only for assemblies with no meetups)."""
    today = recurrence.utc_to_london_naive(utcnow()).date()
    with unit_of_work() as uow:
        for assembly in services.all_assemblies(uow.session):
            if uow.session.exec(select(Meetup.id).where(Meetup.assembly_id == assembly.id)).first():
                continue
            _demo_for(uow, assembly, today)


def _demo_for(uow, assembly: Assembly, today: date) -> None:
    venue = (
        HACKNEY_VENUE
        if assembly.slug == "hackney"
        else {
            "venue_name": f"{assembly.area} Community Centre",
            "venue_address": f"1 High Street, {assembly.area}",
            "agenda_summary": HACKNEY_VENUE["agenda_summary"],
        }
    )
    for weeks_ago in (6, 2):
        start = datetime.combine(today - timedelta(weeks=weeks_ago), time(19, 0))
        meetups.import_past_meetup(
            uow,
            assembly.id,
            _details("Assembly meetup", start, 2, 120, **venue),
            record_past_content,
        )
    tuesday = datetime.combine(_next_weekday(today, 1), time(19, 0))
    weekly = meetups.schedule_meetup(
        uow,
        assembly.id,
        _details("Weekly assembly", tuesday, 2, 80, **venue),
        recurrence.weekly_rule(8),
        utcnow(),
    )
    saturday = datetime.combine(_next_weekday(today, 5), time(11, 0))
    small = meetups.schedule_meetup(
        uow,
        assembly.id,
        _details("Housing working group", saturday, 1.5, 12, **venue),
        None,
        utcnow(),
    )[0]
    now = utcnow()
    for name in DEMO_NAMES[:15]:
        registrations.register(uow, small.id, name, None, now)
    for name in DEMO_NAMES[:9]:
        registrations.register(uow, weekly[0].id, name, None, now)
    if assembly.slug == "hackney":
        _tonight(uow, assembly, venue, now)


def _tonight(uow, assembly: Assembly, venue: dict, now: datetime) -> None:
    """A meetup starting in 20 minutes, check-in open, some people already in the room."""
    start = recurrence.utc_to_london_naive(now + timedelta(minutes=20)).replace(
        second=0, microsecond=0
    )
    tonight = meetups.schedule_meetup(
        uow, assembly.id, _details("Tonight's assembly", start, 2, 60, **venue), None, now
    )[0]
    lifecycle.advance(uow, tonight, now)
    people = [
        registrations.register(uow, tonight.id, name, None, now)[0] for name in DEMO_NAMES[5:17]
    ]
    for n, person in enumerate(people[:7]):
        checkin.admit_registration(
            uow, tonight.id, person.id, f"demo-admit-{n:04d}", "Dee Door, demo", now
        )
