"""The House of the People's feed: the `house_outcome` projection made from `OutcomeRecorded`
(live and by replay), the /house page with its filters and pages, and the Atom, JSON Feed,
CSV and JSON documents, with hostile questions escaped everywhere."""

import csv
import io
import itertools
import json
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from sqlalchemy import create_engine, text
from sqlmodel import delete, select

from app.db import read_session, unit_of_work
from app.events import EventRecord, SubscriberPosition, utcnow
from app.i18n import LONDON
from assemblies import meetups
from assemblies.services import create_assembly
from tests.meetup_data import checkin_open_details
from voting import votes
from voting.house import projection
from voting.house.feed import EXPORT_FIELDS
from voting.house.models import HouseOutcome, NationalMotion
from voting.models import Vote

SCRIPT = '<script>alert("owned")</script> & <b>bold</b>?'
BASE = "http://localhost"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
_ids = itertools.count(1)


def schedule(app, assembly_id: int, title: str) -> int:
    details = checkin_open_details(title, hours=2, capacity=50)
    with app.app_context(), unit_of_work() as uow:
        return meetups.schedule_meetup(uow, assembly_id, details, None, utcnow())[0].id


@pytest.fixture
def country(app):
    """Two assemblies in two regions, each with a meetup."""
    return make_country(app)


def make_country(app) -> dict:
    with app.app_context(), unit_of_work() as uow:
        hackney = create_assembly(uow, "hackney", "Hackney Assembly", "Hackney", "London").id
        cardiff = create_assembly(uow, "cardiff", "Cardiff Assembly", "Cardiff", "Wales").id
    return {
        "hackney": hackney,
        "cardiff": cardiff,
        "m_hackney": schedule(app, hackney, "Hackney in May"),
        "m_cardiff": schedule(app, cardiff, "Cardiff in May"),
    }


def decide(app, meetup_id, question, counts=None, motion_id=None) -> int:
    """Open a yes/no vote and close it with counts from a show of hands."""
    with app.app_context(), unit_of_work() as uow:
        vote = votes.open_vote(
            uow, meetup_id, f"house-vote-{next(_ids)}", question, "yes_no", [], None, utcnow()
        )
        if motion_id:
            vote.motion_id = motion_id
            uow.session.add(vote)
    counts = {"yes": 5, "no": 2, "abstain": 1} if counts is None else counts
    with app.app_context(), unit_of_work() as uow:
        votes.record_manual_counts(uow, vote.id, counts, utcnow())
    return vote.id


def rows(app) -> list[dict]:
    with app.app_context(), read_session() as session:
        found = session.exec(select(HouseOutcome).order_by(HouseOutcome.vote_id)).all()
        return [row.model_dump(exclude={"id"}) for row in found]


def test_the_projection_fills_when_a_vote_closes(app, client, country):
    vote_id = decide(app, country["m_hackney"], "Open a community fridge?")
    with app.app_context(), unit_of_work() as uow:
        silent = votes.open_vote(
            uow,
            country["m_cardiff"],
            "house-silent-1",
            "Paint it red?",
            "yes_no",
            [],
            None,
            utcnow(),
        )
    with app.app_context(), unit_of_work() as uow:
        votes.close_vote(uow, silent.id, utcnow())
    with app.app_context(), read_session() as session:
        outcome = session.exec(select(HouseOutcome).where(HouseOutcome.vote_id == vote_id)).one()
        vote = session.get(Vote, vote_id)
        event = session.exec(
            select(EventRecord).where(
                EventRecord.stream == f"vote:{vote_id}", EventRecord.type == "OutcomeRecorded"
            )
        ).one()
        quiet = session.exec(select(HouseOutcome).where(HouseOutcome.vote_id == silent.id)).one()
    assert (outcome.assembly_name, outcome.assembly_slug, outcome.region) == (
        "Hackney Assembly",
        "hackney",
        "London",
    )
    assert outcome.meetup_id == country["m_hackney"] and outcome.meetup_title == "Hackney in May"
    assert (outcome.yes, outcome.no, outcome.abstain) == (5, 2, 1)
    assert outcome.passed is True and outcome.manual is True and outcome.late is False
    assert outcome.summary == vote.result["summary"] and outcome.summary.startswith("Passed")
    assert outcome.ballots_cast == 8 and outcome.present == 0
    assert outcome.chain_head == vote.chain_head and outcome.seq == event.seq
    assert outcome.recorded_at == vote.closed_at and outcome.motion_id is None  # when it closed
    assert (quiet.passed, quiet.manual, quiet.ballots_cast, quiet.yes) == (False, False, 0, 0)
    assert quiet.region == "Wales"


def test_catch_up_is_idempotent_and_rebuilds_the_projection(app, country):
    decide(app, country["m_hackney"], "First?")
    decide(app, country["m_cardiff"], "Second?", {"yes": 1, "no": 4})
    live = rows(app)
    assert len(live) == 2
    with app.app_context():
        assert projection.catch_up_outcomes() > 0  # first run: the whole log
        assert projection.catch_up_outcomes() == 0  # nothing new since
    assert rows(app) == live
    with app.app_context(), unit_of_work() as uow:  # start again from nothing
        uow.session.exec(delete(HouseOutcome))
        uow.session.exec(
            delete(SubscriberPosition).where(SubscriberPosition.name == "house-outcomes")
        )
    assert rows(app) == []
    with app.app_context():
        projection.catch_up_outcomes()
        projection.catch_up_outcomes()
    assert rows(app) == live
    # A replay of events the live subscriber already projected changes nothing either.
    with app.app_context(), read_session() as session:
        batch = list(session.exec(select(EventRecord).order_by(EventRecord.seq)))
    with app.app_context():
        projection.on_events(batch)
    assert rows(app) == live


def test_an_outcome_after_the_motion_closed_is_late(app, country):
    now = utcnow()
    with app.app_context(), unit_of_work() as uow:
        motions = [
            NationalMotion(
                title=title,
                wording="Should we?",
                wording_hash="0" * 64,
                rule={},
                opens_at=now - timedelta(days=7),
                closes_at=closes,
                regions=[],
                assembly_ids=[],
            )
            for title, closes in (
                ("Closed", now - timedelta(hours=1)),
                ("Open", now + timedelta(days=1)),
            )
        ]
        uow.session.add_all(motions)
        uow.session.flush()
        closed_id, open_id = (m.id for m in motions)
    late = decide(app, country["m_hackney"], "On the closed motion?", motion_id=closed_id)
    on_time = decide(app, country["m_cardiff"], "On the open motion?", motion_id=open_id)
    found = {row["vote_id"]: row for row in rows(app)}
    assert found[late]["late"] is True and found[late]["motion_id"] == closed_id
    assert found[on_time]["late"] is False and found[on_time]["motion_id"] == open_id


def add_outcome(app, vote_id, region, slug, recorded_at, **extra):
    """A projection row made directly, for filter and paging tests."""
    values = {
        "vote_id": vote_id,
        "seq": vote_id,
        "assembly_id": 1000 + len(slug),
        "assembly_name": slug.title(),
        "assembly_slug": slug,
        "region": region,
        "meetup_id": 1,
        "meetup_title": "A meetup",
        "question": f"Question {vote_id}?",
        "method": "yes_no",
        "passed": True,
        "summary": "Passed",
        "ballots_cast": 3,
        "present": 4,
        "chain_head": "a" * 64,
        "recorded_at": recorded_at,
        **extra,
    }
    with app.app_context(), unit_of_work() as uow:
        uow.session.add(HouseOutcome(**values))


def shown(client, query: str) -> list[int]:
    """The vote ids the /house page lists for a query string, in order."""
    html = client.get(f"/house?{query}").get_data(as_text=True)
    return [int(n) for n in re.findall(r'<h2 class="h3 outcome-question"><a href="/v/(\d+)"', html)]


@pytest.fixture
def dated(app):
    """Outcomes at London-day boundaries (BST: London is UTC+1 in May)."""
    add_outcome(app, 101, "London", "hackney", datetime(2026, 5, 1, 22, 59, tzinfo=UTC))  # 1 May
    add_outcome(app, 102, "London", "hackney", datetime(2026, 5, 1, 23, 0, tzinfo=UTC))  # 2 May
    add_outcome(app, 103, "Wales", "cardiff", datetime(2026, 5, 2, 22, 59, tzinfo=UTC))  # 2 May
    add_outcome(app, 104, "Wales", "cardiff", datetime(2026, 5, 3, 12, 0, tzinfo=UTC), motion_id=7)


def test_filters_by_region_assembly_london_dates_and_motion(client, dated):
    assert shown(client, "") == [104, 103, 102, 101]
    assert shown(client, "region=Wales") == [104, 103]
    assert shown(client, "assembly=hackney") == [102, 101]
    assert shown(client, "from=2026-05-02&to=2026-05-02") == [103, 102]
    assert shown(client, "to=2026-05-01") == [101]
    assert shown(client, "from=2026-05-03") == [104]
    assert shown(client, "motion=7") == [104]
    assert shown(client, "region=London&from=2026-05-02") == [102]
    assert shown(client, "region=Scotland") == []
    assert shown(client, "from=0001-01-01&to=9999-12-31") == [104, 103, 102, 101]
    page = client.get("/house?region=Scotland").get_data(as_text=True)
    assert "No outcomes match these filters." in page


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("region=Atlantis", "is not a region"),
        ("assembly=Not%20a%20slug!", "is not an assembly"),
        ("assembly=nowhere", "No outcomes are recorded for an assembly called"),
        ("from=2026-13-45", "is not a date"),
        ("to=yesterday", "is not a date"),
        ("from=2026-02-30", "is not a date"),
        ("from=2026-05-03&to=2026-05-01", "after the"),
        ("motion=abc", "is not a motion number"),
        ("motion=99999999999", "is not a motion number"),
        ("page=abc&motion=-1", "is not a motion number"),
    ],
)
def test_bad_filter_values_are_ignored_with_a_note(client, dated, query, note):
    response = client.get(f"/house?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert note in html.replace("&#34;", '"')
    assert shown(client, query) == [104, 103, 102, 101]
    for path in (
        "/house/feed.atom",
        "/house/feed.json",
        "/house/outcomes.csv",
        "/house/outcomes.json",
    ):
        assert client.get(f"{path}?{query}").status_code == 200


def test_pages_of_fifty_newest_first(app, client):
    start = datetime(2026, 5, 1, 12, tzinfo=UTC)
    with app.app_context(), unit_of_work() as uow:
        for n in range(1, 121):
            uow.session.add(
                HouseOutcome(
                    vote_id=n,
                    seq=n,
                    assembly_id=1,
                    assembly_name="A",
                    assembly_slug="a",
                    region="London",
                    meetup_id=1,
                    meetup_title="M",
                    question=f"Q{n}?",
                    method="yes_no",
                    summary="s",
                    ballots_cast=1,
                    present=1,
                    chain_head="b" * 64,
                    recorded_at=start + timedelta(minutes=n),
                )
            )
    assert shown(client, "") == list(range(120, 70, -1))
    assert shown(client, "page=3") == list(range(20, 0, -1))
    assert shown(client, "page=999") == list(range(20, 0, -1))
    assert shown(client, "page=abc") == list(range(120, 70, -1))
    html = client.get("/house?page=2").get_data(as_text=True)
    assert "page 2 of 3" in html and 'rel="prev"' in html and 'rel="next"' in html
    document = client.get("/house/outcomes.json?region=London").get_json()
    assert document["total"] == 120 and len(document["outcomes"]) == 120
    assert document["next"] is None and document["outcomes"][0]["vote_id"] == 120
    assert len(client.get("/house/feed.json").get_json()["items"]) == 50


def test_the_page_is_public_and_links_everything(app, client, country):
    vote_id = decide(app, country["m_hackney"], "Open a community fridge?")
    response = client.get("/house")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'href="/v/{vote_id}"' in html and '/a/hackney"' in html
    assert f'href="/m/{country["m_hackney"]}"' in html
    assert "counted by hand" in html and "Passed" in html
    assert "Turnout: 8 ballots\n" in html
    with app.app_context(), read_session() as session:
        head = session.get(Vote, vote_id).chain_head
    assert head in html
    assert "data-live-rooms='[\"house\"]'" in html and "js/house.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert 'href="/house/feed.atom"' in html and 'type="application/atom+xml"' in html
    assert 'href="/house">House of the People</a>' in client.get("/").get_data(as_text=True)


def test_atom_feed_parses_and_honours_filters(app, client, country):
    first = decide(app, country["m_hackney"], "Open a community fridge?")
    second = decide(app, country["m_cardiff"], "Plant more trees?", {"yes": 1, "no": 3})
    response = client.get("/house/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    ET.fromstring(response.data)  # well-formed
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo and parsed.version == "atom10"
    assert parsed.feed.title == "House of the People"
    assert parsed.feed.id == f"{BASE}/house"
    assert [e.id for e in parsed.entries] == [f"{BASE}/v/{second}", f"{BASE}/v/{first}"]
    entry = parsed.entries[0]
    assert entry.link == f"{BASE}/v/{second}"
    assert entry.title == "Cardiff Assembly: Plant more trees?"
    assert entry.author == "Cardiff Assembly" and entry.tags[0].term == "Wales"
    assert "Not passed" in entry.content[0].value and "4 ballots" in entry.summary
    assert entry.published_parsed is not None
    wales = feedparser.parse(client.get("/house/feed.atom?region=Wales").data)
    assert [e.id for e in wales.entries] == [f"{BASE}/v/{second}"]
    assert wales.feed.title == "House of the People: Wales"
    assert any(link.href == f"{BASE}/house/feed.atom?region=Wales" for link in wales.feed.links)


def test_json_feed_has_the_required_fields(app, client, country):
    vote_id = decide(app, country["m_hackney"], "Open a community fridge?")
    response = client.get("/house/feed.json?assembly=hackney")
    assert response.mimetype == "application/feed+json"
    feed = json.loads(response.data)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "House of the People: Hackney Assembly"
    assert feed["home_page_url"] == f"{BASE}/house?assembly=hackney"
    assert feed["feed_url"] == f"{BASE}/house/feed.json?assembly=hackney"
    (item,) = feed["items"]
    assert item["id"] == item["url"] == f"{BASE}/v/{vote_id}"
    assert item["title"] == "Hackney Assembly: Open a community fridge?"
    assert item["content_text"].startswith("Passed: ")
    datetime.fromisoformat(item["date_published"])
    assert item["_house"]["yes"] == 5 and item["_house"]["region"] == "London"
    assert json.loads(client.get("/house/feed.json?region=Wales").data)["items"] == []


def test_csv_and_json_exports_honour_filters_and_neutralise_formulas(app, client, country):
    formula = decide(app, country["m_hackney"], '=HYPERLINK("http://evil","x")')
    decide(app, country["m_cardiff"], "Plant more trees?")
    response = client.get("/house/outcomes.csv?region=London")
    assert response.mimetype == "text/csv"
    assert 'filename="house-outcomes.csv"' in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == list(EXPORT_FIELDS)
    assert len(table) == 2
    record = dict(zip(table[0], table[1], strict=True))
    assert record["vote_id"] == str(formula) and record["question"].startswith("'=")
    assert record["url"] == f"{BASE}/v/{formula}" and record["yes"] == "5"
    document = client.get("/house/outcomes.json?assembly=cardiff").get_json()
    assert document["filters"] == {"assembly": "cardiff"} and document["total"] == 1
    assert document["outcomes"][0]["question"] == "Plant more trees?"
    assert set(document["outcomes"][0]) == set(EXPORT_FIELDS)


def test_a_script_in_a_question_is_escaped_everywhere(app, client, country):
    vote_id = decide(app, country["m_hackney"], SCRIPT + " \x01 end")
    question = SCRIPT + " \x01 end"
    html = client.get("/house").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<b>bold</b>" not in html

    atom = client.get("/house/feed.atom").data
    assert b"<script>" not in atom and b"&lt;script&gt;" in atom
    root = ET.fromstring(atom)  # still well-formed, even with a control character
    entry = root.find("{http://www.w3.org/2005/Atom}entry")
    title = entry.find("{http://www.w3.org/2005/Atom}title").text
    assert title == f"Hackney Assembly: {SCRIPT} \ufffd end"
    assert feedparser.parse(atom).entries[0].title == title

    for path in ("/house/feed.json", "/house/outcomes.json"):
        raw = client.get(path).get_data(as_text=True)
        assert "<" not in raw and ">" not in raw and "\\u003cscript\\u003e" in raw
    feed = json.loads(client.get("/house/feed.json").data)
    assert feed["items"][0]["title"] == f"Hackney Assembly: {question}"
    document = json.loads(client.get("/house/outcomes.json").data)
    assert document["outcomes"][0]["question"] == question
    assert document["outcomes"][0]["vote_id"] == vote_id


@pytest.fixture
def pg_app(postgres_url, tmp_path, monkeypatch):
    """An app on a fresh PostgreSQL database of the session's cluster."""
    from app import create_app, migrate

    name = f"house_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = f"{postgres_url.rsplit('/', 1)[0]}/{name}"
    monkeypatch.setenv("ASSEMBLY_INSTANCE", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("ASSEMBLY_ASYNC_MODE", "threading")
    monkeypatch.setenv("ASSEMBLY_SCHEDULER", "off")
    monkeypatch.delenv("MESSAGE_QUEUE", raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    migrate.upgrade(url)
    application = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False})
    yield application
    application.extensions["scheduler"].shutdown()
    application.extensions["database"].engine.dispose()


def test_the_projection_upserts_on_postgresql(pg_app):
    country = make_country(pg_app)
    first = decide(pg_app, country["m_hackney"], "On PostgreSQL?")
    second = decide(pg_app, country["m_cardiff"], "And again?", {"yes": 0, "no": 3})
    live = rows(pg_app)
    assert [row["vote_id"] for row in live][0] == first and len(live) == 2
    assert live[0]["recorded_at"].tzinfo is not None
    with pg_app.app_context():
        assert projection.catch_up_outcomes() > 0
        assert projection.catch_up_outcomes() == 0
    assert rows(pg_app) == live
    today = datetime.now(LONDON).date().isoformat()
    client = pg_app.test_client()
    assert shown(client, f"region=Wales&from={today}&to={today}") == [second]
    parsed = feedparser.parse(client.get("/house/feed.atom?assembly=hackney").data)
    assert [entry.id for entry in parsed.entries] == [f"{BASE}/v/{first}"]
