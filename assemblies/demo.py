"""Demo data for assemblies: a few assemblies and one staff member of each kind."""

from sqlmodel import select

from app.auth import services as accounts
from app.db import unit_of_work
from app.demo import DemoContext
from assemblies import services
from assemblies.models import Assembly

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
                shown = "(unchanged; set one with --password)"
            if role:
                accounts.grant_role(uow, user.id, hackney.id, role)
            context.add_account(label, email, shown)
