"""Demo data for the live meeting: agendas and proposals for past meetups (so their minutes
read like real ones) and for the meetup that is about to start."""

from datetime import timedelta

from sqlmodel import select

from app.db import unit_of_work
from app.demo import DemoContext
from app.events import utcnow
from assemblies import attendance
from assemblies.models import Meetup, Registration
from voting import services, votes
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


PAST_HANDS = [
    {"yes": 58, "no": 9, "abstain": 4},
    {"yes": 41, "no": 30, "abstain": 6},
    {"yes": 66, "no": 2, "abstain": 1},
]


def past_meeting_content(uow, meetup: Meetup) -> None:
    """What happened at a past demo meetup: agenda, proposals, and votes by show of hands."""
    add_usual_agenda(uow, meetup.id)
    voted_at = meetup.starts_at + timedelta(hours=1, minutes=30)
    for n, (title, body) in enumerate(PAST_PROPOSALS):
        proposal, _ = services.submit_proposal(
            uow, meetup.id, f"demo-past-{meetup.id}-{n}", title, body, None, by_facilitator=True
        )
        services.accept_proposal(uow, meetup.id, proposal.id)
        rule = {"threshold": "2/3", "strict": False} if n == 1 else None
        vote = votes.open_vote(
            uow,
            meetup.id,
            f"demo-past-vote-{meetup.id}-{n}",
            title,
            "yes_no",
            [],
            rule,
            voted_at,
            proposal_id=proposal.id,
        )
        votes.record_manual_counts(uow, vote.id, PAST_HANDS[n], voted_at + timedelta(minutes=3))


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
        _demo_votes(uow, tonight.id, proposals, present)


def _demo_votes(uow, meetup_id: int, proposals, present: list[int]) -> None:
    """A closed secret vote with phones' ballots, and a ranked election still open."""
    now = utcnow()
    fridge = votes.open_vote(
        uow,
        meetup_id,
        "demo-tonight-vote-1",
        proposals[1].title,
        "yes_no",
        [],
        None,
        now,
        proposal_id=proposals[1].id,
    )
    for person, ballot in zip(
        present, ["yes", "yes", "yes", "no", "yes", "abstain", "yes"], strict=False
    ):
        votes.cast_ballot(uow, fridge.id, person, ballot, now)
    votes.close_vote(uow, fridge.id, now)
    delegates = votes.open_vote(
        uow,
        meetup_id,
        "demo-tonight-vote-2",
        "Delegates to the House of the People",
        "stv",
        ["Amara", "Ben", "Chen", "Dylan"],
        {"seats": 2},
        now,
    )
    rankings = [["Amara", "Chen"], ["Chen", "Amara"], ["Ben"], ["Amara", "Dylan", "Ben"]]
    for person, ranking in zip(present, rankings, strict=False):
        votes.cast_ballot(uow, delegates.id, person, ranking, now)
