"""Referrals from assemblies to the House, the hosts' review queue, the dashboard and the
weekly briefing pack."""

import pytest
from sqlmodel import select

from app.auth import services as accounts
from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.events import utcnow
from assemblies import meetups
from assemblies.services import create_assembly
from tests.meetup_data import checkin_open_details
from voting import services, votes
from voting.house import dashboard, referrals
from voting.house.models import BriefingPack, Referral

PASSWORD = "correct-horse-battery"


@pytest.fixture
def passed_votes(app):
    """Three assemblies; two pass a similar proposal, one fails another; a host and a
    facilitator of the first assembly."""
    details = checkin_open_details("M", hours=1, capacity=10)
    titles = [
        ("Free buses for young people", {"yes": 20, "no": 5}),
        ("Free buses for all young people", {"yes": 15, "no": 2}),
        ("Close the library", {"yes": 2, "no": 20}),
    ]
    ids = []
    with app.app_context(), unit_of_work() as uow:
        accounts.create_staff_account(uow, "host@example.org", "Host", PASSWORD, True)
        fac = accounts.create_staff_account(uow, "fac@example.org", "Fac", PASSWORD)
        for n, (title, counts) in enumerate(titles):
            assembly = create_assembly(uow, f"a{n}", f"Assembly {n}", "X", "London")
            if n == 0:
                accounts.grant_role(uow, fac.id, assembly.id, "facilitator")
            meetup = meetups.schedule_meetup(uow, assembly.id, details, None, utcnow())[0]
            proposal, _ = services.submit_proposal(
                uow, meetup.id, f"p-client-{n}", title, "Text", None, by_facilitator=True
            )
            services.accept_proposal(uow, meetup.id, proposal.id)
            vote = votes.open_vote(
                uow,
                meetup.id,
                f"v-client-{n}",
                title,
                "yes_no",
                [],
                None,
                utcnow(),
                proposal_id=proposal.id,
            )
            votes.record_manual_counts(uow, vote.id, counts, utcnow())
            ids.append((vote.id, assembly.id))
    return ids


def refer(app, vote_id, assembly_id):
    with app.app_context(), unit_of_work() as uow:
        return referrals.refer(uow, vote_id, assembly_id, None)


def test_similar_referrals_are_grouped_and_failed_votes_cannot_be_referred(app, passed_votes):
    (v0, a0), (v1, a1), (v2, a2) = passed_votes
    first = refer(app, v0, a0)
    assert refer(app, v0, a0).id == first.id  # referring twice changes nothing
    refer(app, v1, a1)
    with pytest.raises(ServiceError, match="passed"):
        refer(app, v2, a2)
    with app.app_context(), read_session() as session:
        groups = referrals.waiting_groups(session)
    assert [len(group) for group in groups] == [2]


def test_hosts_adopt_answer_and_decline(app, passed_votes, client):
    (v0, a0), (v1, a1), _ = passed_votes
    r0, r1 = refer(app, v0, a0), refer(app, v1, a1)
    client.post("/sign-in", data={"email": "host@example.org", "password": PASSWORD})
    assert b"Free buses" in client.get("/house/referrals").data
    assert client.post(f"/house/referrals/{r0.id}/adopt").status_code == 302
    refused = client.post(
        f"/house/referrals/{r1.id}/decline", data={"answer": ""}, follow_redirects=True
    )
    assert b"Write the answer" in refused.data
    client.post(f"/house/referrals/{r1.id}/decline", data={"answer": "Covered by the motion."})
    with app.app_context(), read_session() as session:
        adopted, declined = session.get(Referral, r0.id), session.get(Referral, r1.id)
    assert adopted.status == "adopted" and adopted.motion_id is not None
    assert declined.status == "declined"
    public = client.get("/house/answers").data
    assert b"Covered by the motion." in public and b"Adopted" in public


def test_facilitators_refer_from_the_vote_page(app, passed_votes, client):
    (v0, _), (v1, _), _ = passed_votes
    client.post("/sign-in", data={"email": "fac@example.org", "password": PASSWORD})
    assert b"Refer this proposal" in client.get(f"/v/{v0}").data
    assert client.post(f"/v/{v0}/refer").status_code == 302
    assert client.post(f"/v/{v1}/refer").status_code == 403  # another assembly's vote
    assert client.get("/house/referrals").status_code == 403  # hosts only


def test_dashboard_and_weekly_briefing_pack(app, passed_votes, client):
    (v0, a0), _, _ = passed_votes
    refer(app, v0, a0)
    with app.app_context(), read_session() as session:
        figures = dashboard.this_week(session, utcnow())
    assert figures["votes"] == 3 and figures["referrals_waiting"] == 1
    assert len(figures["history"]) == dashboard.WEEKS_OF_HISTORY
    client.post("/sign-in", data={"email": "host@example.org", "password": PASSWORD})
    page = client.get("/house/dashboard").data
    assert b"This week at a glance" in page
    with app.app_context():
        dashboard.prepare_briefing()
        dashboard.prepare_briefing()  # the same week again: refreshed, not duplicated
    with app.app_context(), read_session() as session:
        packs = session.exec(select(BriefingPack)).all()
    assert len(packs) == 1
    assert client.get(f"/house/briefings/{packs[0].id}").status_code == 200
    assert b"Week starting" in client.get("/house/briefings").data


def test_the_weekly_job_keeps_its_stored_time_until_the_setting_changes(app):
    from app.scheduler import install_periodic_jobs

    scheduler = app.extensions["scheduler"]
    scheduler.start()
    install_periodic_jobs(app)
    first = scheduler.aps.get_job("house:briefing")
    install_periodic_jobs(app)  # a restart: the stored job (and a missed run) is kept
    assert scheduler.aps.get_job("house:briefing").next_run_time == first.next_run_time
    app.extensions["weekly_jobs"] = [
        (job_id, func, {"day_of_week": "fri", "hour": 17, "minute": 30})
        for job_id, func, _when in app.extensions["weekly_jobs"]
    ]
    install_periodic_jobs(app)
    assert "fri" in str(scheduler.aps.get_job("house:briefing").trigger)
