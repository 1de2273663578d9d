"""Demo data for the live meeting: agendas and proposals for past meetups (so their minutes
read like real ones) and for the meetup that is about to start."""

from sqlmodel import select

from app.db import unit_of_work
from app.demo import DemoContext
from app.events import utcnow
from assemblies import attendance
from assemblies.models import Meetup, Registration
from voting import services
from voting.models import AgendaItem

USUAL_AGENDA = [
    ("Welcome and input", 15),
    ("Small-group breakouts", 30),
    ("Feedback", 20),
    ("Proposals", 20),
    ("Votes", 15),
    ("Close", 5),
]
PAST_PROPOSALS = [
    (
        "Free school meals for every primary pupil",
        "The council should fund free lunches for all primary school children in the borough.",
    ),
    (
        "Rent controls on new leases",
        "Rents on new private leases should rise no faster than inflation.",
    ),
    ("Safe cycle routes to every school", "A protected cycle lane within 500 m of every school."),
]
TONIGHT_PROPOSALS = [
    ("Open the library on Sundays", "Open 10:00–16:00 on Sundays, funded from the events budget."),
    ("A community fridge in the market", "Shops give surplus food; anyone can take some."),
    ("Night buses on the 38 route", "Ask TfL to restore the night service on the 38."),
]


def add_usual_agenda(uow, meetup_id: int) -> list[AgendaItem]:
    """The agenda most assemblies use."""
    return [services.add_agenda_item(uow, meetup_id, t, m) for t, m in USUAL_AGENDA]


def past_meeting_content(uow, meetup: Meetup) -> None:
    """What happened at a past demo meetup (recorded from paper, by the facilitator)."""
    add_usual_agenda(uow, meetup.id)
    for n, (title, body) in enumerate(PAST_PROPOSALS):
        proposal, _ = services.submit_proposal(
            uow, meetup.id, f"demo-past-{meetup.id}-{n}", title, body, None, by_facilitator=True
        )
        services.accept_proposal(uow, meetup.id, proposal.id)


def demo_tonight(_context: DemoContext) -> None:
    """An agenda under way, proposals (moderated and waiting), supports and an amendment."""
    with unit_of_work() as uow:
        tonight = uow.session.exec(
            select(Meetup).where(Meetup.title == "Tonight's assembly")
        ).first()
        if tonight is None or services.agenda(uow.session, tonight.id):
            return
        items = add_usual_agenda(uow, tonight.id)
        services.start_agenda_item(uow, tonight.id, items[0].id, utcnow())
        present = [
            r.id
            for r in uow.session.exec(
                select(Registration).where(Registration.meetup_id == tonight.id)
            )
            if attendance.is_present(uow.session, tonight.id, r.id)
        ]
        proposals = []
        for n, (title, body) in enumerate(TONIGHT_PROPOSALS):
            proposal, _ = services.submit_proposal(
                uow, tonight.id, f"demo-tonight-{n}", title, body, present[n]
            )
            proposals.append(proposal)
        for proposal in proposals[:2]:
            services.accept_proposal(uow, tonight.id, proposal.id)
        for person in present[:5]:
            services.set_support(uow, tonight.id, proposals[0].id, person, True)
        for person in present[3:6]:
            services.set_support(uow, tonight.id, proposals[1].id, person, True)
        amendment, _ = services.submit_proposal(
            uow,
            tonight.id,
            "demo-tonight-amend",
            "Open 12:00–17:00 instead",
            "Later hours suit families better on Sundays.",
            present[4],
            proposals[0].id,
        )
        services.accept_proposal(uow, tonight.id, amendment.id)
        services.discuss(uow, tonight.id, proposals[0].id)
