"""National motions: publishing with a frozen wording hash, new versions, which assemblies may
run them and when, and the three national views (computed from the outcome projection)."""

import json
from datetime import timedelta

import feedparser
import pytest
from sqlmodel import select

from app.auth import services as accounts
from app.db import read_session, unit_of_work
from app.errors import ServiceError
from app.events import utcnow
from assemblies import meetups, recurrence
from assemblies.services import create_assembly
from tests.meetup_data import checkin_open_details
from voting import votes
from voting.house import motions
from voting.house.models import HouseOutcome, NationalMotion

PASSWORD = "correct-horse-battery"


@pytest.fixture
def country(app):
    """Assemblies in London and Wales, each with a meetup whose check-in is open."""
    details = checkin_open_details("M", hours=1, capacity=10)
    with app.app_context(), unit_of_work() as uow:
        london = create_assembly(uow, "alpha", "Alpha", "Alpha", "London")
        wales = create_assembly(uow, "beta", "Beta", "Beta", "Wales")
        accounts.create_staff_account(uow, "host@example.org", "Host", PASSWORD, True)
        meetup_london = meetups.schedule_meetup(uow, london.id, details, None, utcnow())[0]
        meetup_wales = meetups.schedule_meetup(uow, wales.id, details, None, utcnow())[0]
    return {
        "london": london.id,
        "wales": wales.id,
        "m_london": meetup_london.id,
        "m_wales": meetup_wales.id,
    }


def publish(app, regions=("London",), opens=-1, closes=24):
    now = utcnow()
    with app.app_context(), unit_of_work() as uow:
        return motions.publish_motion(
            uow,
            "Free buses for under-25s",
            "Local buses should be free for everyone under 25.",
            now + timedelta(hours=opens),
            now + timedelta(hours=closes),
            list(regions),
            [],
        )


def test_publishing_freezes_the_wording_under_a_hash(app, country):
    motion = publish(app)
    assert motion.wording_hash == motions.wording_hash(motion.title, motion.wording)
    assert len(motion.wording_hash) == 64


def test_a_change_is_a_new_version_and_the_old_one_stops_taking_runs(app, country):
    motion = publish(app)
    with app.app_context(), unit_of_work() as uow:
        newer = motions.revise_motion(uow, motion.id, motion.title, "Free for under-26s.")
    assert (newer.version, newer.supersedes_id) == (2, motion.id)
    with app.app_context(), read_session() as session:
        assert session.get(NationalMotion, motion.id).status == "superseded"
    with pytest.raises(ServiceError, match="newer version"):
        with app.app_context(), unit_of_work() as uow:
            motions.run_motion(
                uow,
                country["m_london"],
                motion.id,
                "run-old-01",
                utcnow(),
                country["london"],
                "London",
            )
    with pytest.raises(ServiceError, match="newest version"):
        with app.app_context(), unit_of_work() as uow:
            motions.revise_motion(uow, motion.id, "x", "y")


def test_only_targeted_assemblies_run_a_motion_and_only_in_its_window(app, country):
    motion = publish(app, regions=("London",))
    with app.app_context(), read_session() as session:
        assert [
            m.id for m in motions.open_motions_for(session, country["london"], "London", utcnow())
        ] == [motion.id]
        assert motions.open_motions_for(session, country["wales"], "Wales", utcnow()) == []
    with pytest.raises(ServiceError, match="not for this assembly"):
        with app.app_context(), unit_of_work() as uow:
            motions.run_motion(
                uow,
                country["m_wales"],
                motion.id,
                "run-wales-1",
                utcnow(),
                country["wales"],
                "Wales",
            )
    later = publish(app, opens=5, closes=10)
    with pytest.raises(ServiceError, match="not open for voting"):
        with app.app_context(), unit_of_work() as uow:
            motions.run_motion(
                uow,
                country["m_london"],
                later.id,
                "run-early-1",
                utcnow(),
                country["london"],
                "London",
            )
    with app.app_context(), unit_of_work() as uow:
        vote = motions.run_motion(
            uow,
            country["m_london"],
            motion.id,
            "run-london-1",
            utcnow(),
            country["london"],
            "London",
        )
    assert vote.motion_id == motion.id and vote.method == "yes_no"


def _outcome(motion_id, assembly_id, region, yes, no, abstain, passed, seq, late=False):
    return HouseOutcome(
        vote_id=seq,
        seq=seq,
        motion_id=motion_id,
        assembly_id=assembly_id,
        assembly_name=f"A{assembly_id}",
        assembly_slug=f"a{assembly_id}",
        region=region,
        meetup_id=1,
        meetup_title="M",
        question="Q",
        method="yes_no",
        passed=passed,
        summary="s",
        ballots_cast=yes + no + abstain,
        present=yes + no + abstain,
        yes=yes,
        no=no,
        abstain=abstain,
        chain_head="0" * 64,
        recorded_at=utcnow(),
        late=late,
    )


def test_the_three_views(app, country):
    motion = publish(app, regions=())
    with app.app_context(), unit_of_work() as uow:
        uow.session.add_all(
            [
                _outcome(motion.id, 1, "London", 30, 10, 5, True, 101),
                _outcome(motion.id, 2, "Wales", 4, 6, 0, False, 102),
                _outcome(motion.id, 3, "Wales", 9, 1, 0, True, 103),
                _outcome(motion.id, 3, "Wales", 8, 2, 0, True, 104),  # the same assembly again
                _outcome(motion.id, 4, "London", 50, 0, 0, True, 105, late=True),
            ]
        )
    with app.app_context(), read_session() as session:
        views = motions.motion_views(session, session.get(NationalMotion, motion.id)).as_dict()
    assert (views["assemblies"], views["people"]) == (3, 65)
    assert (views["yes"], views["no"], views["abstain"]) == (42, 18, 5)  # latest per assembly
    assert views["pooled_share"] == "7/10" and views["pooled_passed"] is True
    assert views["assemblies_passing"] == 2
    assert views["lowest_percent"] == 40
    assert 0 < views["smoothed_product_percent"] < 100
    assert views["late"] == 1
    assert views["regions"]["Wales"] == {
        "assemblies": 2,
        "passing": 1,
        "yes": 12,
        "no": 8,
        "abstain": 0,
    }


def test_a_motion_nobody_voted_on_says_so(app, country, client):
    motion = publish(app)
    page = client.get(f"/house/motions/{motion.id}")
    assert b"No results yet" in page.data
    assert client.get(f"/house/motions/{motion.id}.json").get_json()["views"]["assemblies"] == 0


def test_hosts_publish_through_the_form(app, country, client):
    assert client.get("/house/motions/new").status_code == 302
    client.post("/sign-in", data={"email": "host@example.org", "password": PASSWORD})
    now = recurrence.utc_to_london_naive(utcnow())
    form = {
        "title": "Rent controls",
        "wording": "Cap rent rises at inflation.",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "threshold": "2/3|",
        "regions": ["London", "Wales"],
    }
    response = client.post("/house/motions/new", data=form)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).data
    assert b"Rent controls" in page and b"Wording hash" in page
    bad = client.post("/house/motions/new", data={**form, "closes_at": form["opens_at"]})
    assert bad.status_code == 400 and b"must close after it opens" in bad.data


def test_one_motion_run_by_several_assemblies_through_real_votes(app, client):
    """Three assemblies vote on the same motion (one of them twice); the views and both feeds
    agree with what was counted."""
    details = checkin_open_details("M", hours=1, capacity=10)
    now = utcnow()
    with app.app_context(), unit_of_work() as uow:
        places = []
        for n, region in enumerate(("London", "Wales", "Scotland")):
            assembly = create_assembly(uow, f"as{n}", f"Assembly {n}", "X", region)
            meetup = meetups.schedule_meetup(uow, assembly.id, details, None, now)[0]
            places.append((meetup.id, assembly.id, region))
        motion = motions.publish_motion(
            uow,
            "Free buses",
            "Buses should be free.",
            now - timedelta(hours=1),
            now + timedelta(hours=1),
            [],
            [],
        )
    hands = [{"yes": 20, "no": 5}, {"yes": 3, "no": 9}, {"yes": 7, "no": 3}]
    for n, ((meetup_id, assembly_id, region), counts) in enumerate(zip(places, hands, strict=True)):
        with app.app_context(), unit_of_work() as uow:
            vote = motions.run_motion(
                uow, meetup_id, motion.id, f"run-{n}-motion", now, assembly_id, region
            )
            votes.record_manual_counts(uow, vote.id, counts, now)
    # Wales votes again: its latest outcome replaces its first in the views.
    meetup_id, assembly_id, region = places[1]
    with app.app_context(), unit_of_work() as uow:
        vote = motions.run_motion(
            uow, meetup_id, motion.id, "run-again-motion", now, assembly_id, region
        )
        votes.record_manual_counts(uow, vote.id, {"yes": 6, "no": 4}, now)
    views = client.get(f"/house/motions/{motion.id}.json").get_json()["views"]
    assert (views["assemblies"], views["assemblies_passing"]) == (3, 3)
    assert (views["yes"], views["no"]) == (33, 12)
    assert views["pooled_share"] == "11/15" and views["pooled_passed"] is True
    assert views["lowest_percent"] == 60
    atom = feedparser.parse(client.get(f"/house/feed.atom?motion={motion.id}").data)
    assert not atom.bozo and len(atom.entries) == 4  # every outcome is in the feed
    document = json.loads(client.get(f"/house/feed.json?motion={motion.id}").data)
    assert document["version"].startswith("https://jsonfeed.org/version/1")
    assert len(document["items"]) == 4


def test_a_local_amendment_is_a_separate_motion_for_its_assembly(app, country, client):
    motion = publish(app, regions=("London", "Wales"))
    amended = "Local buses should be free for everyone under 25, and for carers."

    def amend(wording=amended, motion_id=motion.id):
        with app.app_context(), unit_of_work() as uow:
            return motions.propose_local_amendment(
                uow, motion_id, wording, country["london"], "London", utcnow()
            )

    amendment = amend()
    assert amend().id == amendment.id  # a retry proposes nothing new
    assert (amendment.amends_id, amendment.assembly_ids) == (motion.id, [country["london"]])
    assert amendment.wording_hash == motions.wording_hash(amendment.title, amended)
    with app.app_context(), read_session() as session:
        for_london = motions.open_motions_for(session, country["london"], "London", utcnow())
        for_wales = motions.open_motions_for(session, country["wales"], "Wales", utcnow())
        assert [m.id for m in motions.motions(session)] == [motion.id]
    assert {m.id for m in for_london} == {motion.id, amendment.id}
    assert [m.id for m in for_wales] == [motion.id]
    with pytest.raises(ServiceError, match="not an amendment"):
        amend(motion_id=amendment.id)
    with pytest.raises(ServiceError, match="belongs to its assembly"):
        with app.app_context(), unit_of_work() as uow:
            motions.revise_motion(uow, amendment.id, "x", "y")
    with app.app_context(), unit_of_work() as uow:
        vote = motions.run_motion(
            uow,
            country["m_london"],
            amendment.id,
            "run-amendment",
            utcnow(),
            country["london"],
            "London",
        )
        votes.record_manual_counts(uow, vote.id, {"yes": 12, "no": 3}, utcnow())
    national = client.get(f"/house/motions/{motion.id}.json").get_json()
    assert national["views"]["assemblies"] == 0 and national["amendments"] == [amendment.id]
    local = client.get(f"/house/motions/{amendment.id}.json").get_json()
    assert local["amends_id"] == motion.id and local["views"]["yes"] == 12
    page = client.get(f"/house/motions/{motion.id}").get_data(as_text=True)
    assert "Local amendments" in page and "Amendment by Alpha" in page and "12 yes" in page
    assert "never counted" in client.get(f"/house/motions/{amendment.id}").get_data(as_text=True)


def test_hosts_can_send_a_motion_to_chosen_assemblies_only(app, country, client):
    client.post("/sign-in", data={"email": "host@example.org", "password": PASSWORD})
    now = recurrence.utc_to_london_naive(utcnow())
    form = {
        "title": "A motion for Beta",
        "wording": "Only Beta votes on this.",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "threshold": "1/2|strict",
        "regions": ["London"],
        "assemblies": [str(country["wales"])],
    }
    assert client.post("/house/motions/new", data=form).status_code == 302
    with app.app_context(), read_session() as session:
        motion = session.exec(
            select(NationalMotion).where(NationalMotion.title == "A motion for Beta")
        ).one()
        assert motion.assembly_ids == [country["wales"]]
        assert motions.open_motions_for(session, country["london"], "London", utcnow()) == []
    unknown = client.post("/house/motions/new", data={**form, "assemblies": ["9999"]})
    assert unknown.status_code == 400


def test_a_consent_motion_counts_consents_blocks_and_stand_asides(app, country, client):
    now = utcnow()
    with app.app_context(), unit_of_work() as uow:
        motion = motions.publish_motion(
            uow,
            "Share the hall",
            "Open the hall to every group in the area.",
            now - timedelta(hours=1),
            now + timedelta(hours=1),
            [],
            [],
            {"max_blocks": 0},
            method="consent",
        )
    hands = {
        "london": {"endorse": 5, "agree": 3, "reservations": 2, "stand aside": 1},
        "wales": {"agree": 4, "block": 1},
    }
    for place in ("london", "wales"):
        region = "London" if place == "london" else "Wales"
        with app.app_context(), unit_of_work() as uow:
            vote = motions.run_motion(
                uow, country[f"m_{place}"], motion.id, f"run-{place}-1", now, country[place], region
            )
            assert vote.method == "consent"
            votes.record_manual_counts(uow, vote.id, hands[place], now)
    document = client.get(f"/house/motions/{motion.id}.json").get_json()
    views = document["views"]
    assert document["method"] == "consent"
    assert (views["yes"], views["no"], views["abstain"]) == (14, 1, 1)
    assert views["assemblies_passing"] == 1  # Wales had a block
    assert views["pooled_share"] == "14/15" and views["pooled_passed"] is False
    assert views["lowest_percent"] == 80
    page = client.get(f"/house/motions/{motion.id}").get_data(as_text=True)
    assert "14 consent" in page and "1 block" in page and "Decided by consent" in page
    with pytest.raises(ServiceError, match="consent"):
        with app.app_context(), unit_of_work() as uow:
            motions.publish_motion(
                uow, "T", "W", now, now + timedelta(hours=1), [], [], None, method="irv"
            )


def test_hosts_publish_a_consent_motion_through_the_form(app, country, client):
    client.post("/sign-in", data={"email": "host@example.org", "password": PASSWORD})
    now = recurrence.utc_to_london_naive(utcnow())
    form = {
        "title": "Quiet hours",
        "wording": "No amplified music after 10pm.",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "method": "consent",
        "threshold": "1/2|strict",
        "max_blocks": "2",
    }
    assert client.post("/house/motions/new", data=form).status_code == 302
    with app.app_context(), read_session() as session:
        motion = session.exec(
            select(NationalMotion).where(NationalMotion.title == "Quiet hours")
        ).one()
    assert motion.method == "consent" and motion.rule["max_blocks"] == 2
