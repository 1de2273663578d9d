"""Script and formula payloads typed into every text field people fill, checked wherever the
text appears: pages, the projector, Atom and JSON feeds, CSV exports, JSON, and text that
the pages' scripts insert (in a real Chromium: shown as text, and no dialog opens)."""

import csv
import io
import xml.etree.ElementTree as ET  # noqa: S405 (parsing our own server's feed)
from datetime import timedelta

import feedparser
import pytest
import requests

from app.db import unit_of_work
from app.events import utcnow
from tests.security.conftest import client_id, open_vote, register, walk_in_session

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]


def payload(field: str) -> str:
    """A payload naming its field, so a leak says where it came from."""
    return f"{field} {SCRIPT}{IMAGE}"


@pytest.fixture(scope="module")
def planted(cast):
    """Payloads in every text field, made through the forms and commands people use."""
    console, phone = cast.socket("fac_a"), cast.socket("att_a")
    register(cast, cast.meetup_a, payload("registration"))
    register(cast, cast.meetup_a, FORMULAS[0])
    walk_in_session(cast.url, _join(cast), FORMULAS[1]).close()
    walker = walk_in_session(cast.url, _join(cast), payload("walk-in"))
    meetup = cast.meetup_a
    proposal = phone.call(
        "proposal.submit",
        {
            "meetup_id": meetup,
            "client_id": client_id(),
            "title": payload("title"),
            "body": FORMULAS[2],
        },
    )["proposal_id"]
    phone.call(
        "proposal.submit",
        {
            "meetup_id": meetup,
            "client_id": client_id(),
            "title": payload("amendment"),
            "body": payload("amendment body"),
            "parent_id": proposal,
        },
    )
    returned = phone.call(
        "proposal.submit",
        {"meetup_id": meetup, "client_id": client_id(), "title": FORMULAS[3]},
    )["proposal_id"]
    console.call(
        "proposal.return",
        {"meetup_id": meetup, "proposal_id": returned, "reason": payload("reason")},
    )
    console.call("proposal.accept", {"meetup_id": meetup, "proposal_id": proposal})
    console.call("agenda.add", {"meetup_id": meetup, "title": payload("agenda"), "minutes": 5})
    vote_id = open_vote(cast, payload("question"), proposal_id=proposal)
    assert phone.call("vote.cast", {"vote_id": vote_id, "ballot": "yes"})["ok"]
    console.call("vote.close", {"meetup_id": meetup, "vote_id": vote_id})
    with cast.clone("fac_a") as http:
        cast.form_post(http, f"/v/{vote_id}/refer")
    choice = open_vote(
        cast, payload("choice"), method="single", options=[payload("option"), FORMULAS[0]]
    )
    _motion(cast)
    return {"vote": vote_id, "choice": choice, "walker": walker}


def _join(cast) -> str:
    return (
        cast.http["fac_a"]
        .get(f"{cast.url}/m/{cast.meetup_a}/join-code", timeout=20)
        .headers["X-Join-Url"]
    )


def _motion(cast) -> None:
    from voting.house import motions

    now = utcnow()
    with cast.app.app_context(), unit_of_work() as uow:
        motions.publish_motion(
            uow, payload("motion")[:200], payload("wording"), now, now + timedelta(days=7), [], []
        )


def assert_escaped(text: str, where: str) -> None:
    """No payload survives as markup."""
    assert "<script>alert(1)" not in text, where
    assert "<img src=x onerror" not in text, where


def test_pages_and_the_projector_escape_every_payload(cast, planted):
    pages = {
        "anon": [
            "/m/{m}",
            "/m/{m}/minutes",
            "/v/{v}",
            "/house",
            "/house/answers",
            "/house/motions",
            "/a/hackney",
            "/m/{m}/phone",
        ],
        "fac_a": ["/m/{m}/console", "/m/{m}/screen", "/m/{m}/door", "/a/hackney/dashboard"],
        "host": ["/house/referrals", "/house/dashboard"],
        "att_a": ["/m/{m}/phone"],
    }
    for role, paths in pages.items():
        for path in paths:
            url = cast.url + path.format(m=cast.meetup_a, v=planted["vote"])
            with cast.clone(role) as http:
                response = http.get(url, timeout=20)
            assert response.ok, (url, response.status_code)
            assert_escaped(response.text, f"{path} as {role}")
    minutes = requests.get(f"{cast.url}/m/{cast.meetup_a}/minutes", timeout=20).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in minutes  # shown, as text


def test_markdown_minutes_escape_markup(cast, planted):
    response = requests.get(f"{cast.url}/m/{cast.meetup_a}/minutes.md", timeout=20)
    assert not response.headers["Content-Type"].startswith("text/html")
    text = response.text
    assert "agenda" in text and all(text[i - 1] == "\\" for i, c in enumerate(text) if c == "<")


def test_feeds_parse_and_carry_the_payload_as_text(cast, planted):
    atom = requests.get(f"{cast.url}/house/feed.atom", timeout=20)
    ET.fromstring(atom.content)  # noqa: S314 (well-formed XML)
    parsed = feedparser.parse(atom.content)
    assert not parsed.bozo, parsed.bozo_exception
    titles = " ".join(entry.title for entry in parsed.entries)
    assert payload("question") in titles  # the text itself, unescaped once parsed
    feed = requests.get(f"{cast.url}/house/feed.json", timeout=20).json()
    assert any(payload("question") in item["title"] for item in feed["items"])
    for path in (
        "/house/outcomes.json",
        f"/v/{planted['vote']}.json",
        f"/m/{cast.meetup_a}/minutes.json",
    ):
        response = requests.get(cast.url + path, timeout=20)
        assert response.headers["Content-Type"].startswith("application/json"), path
        assert contains(response.json(), payload("question")), path


def contains(document, text: str) -> bool:
    """True if some string in a parsed JSON document holds the text."""
    if isinstance(document, str):
        return text in document
    values = document.values() if isinstance(document, dict) else document
    return isinstance(document, dict | list) and any(contains(v, text) for v in values)


def test_csv_exports_neutralise_formulas(cast, planted):
    exports = [
        ("anon", "/house/outcomes.csv"),
        ("anon", f"/m/{cast.meetup_a}/minutes.csv"),
        ("fac_a", f"/m/{cast.meetup_a}/registrations.csv"),
        ("fac_a", f"/m/{cast.meetup_a}/attendance.csv"),
    ]
    seen_formula = False
    for role, path in exports:
        with cast.clone(role) as http:
            response = http.get(cast.url + path, timeout=20)
        assert response.ok, path
        for row in csv.reader(io.StringIO(response.text)):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path, cell)
                seen_formula = seen_formula or any(cell == "'" + f for f in FORMULAS)
    assert seen_formula, "the formulas typed in should come out neutralised"


def test_scripts_show_payloads_as_text_and_open_no_dialog(cast, planted, browser):
    """In Chromium (pytest-playwright's browser, launched as the browser tests launch it)."""
    pages = [
        ("att_a", f"/m/{cast.meetup_a}/phone"),
        ("fac_a", f"/m/{cast.meetup_a}/console"),
        ("fac_a", f"/m/{cast.meetup_a}/screen"),
        ("anon", "/house"),
    ]
    for role, path in pages:
        _check_page(browser, cast, role, path)


def _check_page(browser, cast, role: str, path: str) -> None:
    context = browser.new_context()
    cookies = cast.http[role].cookies.get_dict()
    context.add_cookies([{"name": k, "value": v, "url": cast.url} for k, v in cookies.items()])
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(cast.url + path)
    # The payload drawn as text (by the template or by the live scripts), then nothing ran.
    page.get_by_text(SCRIPT).first.wait_for(timeout=30_000)
    page.wait_for_load_state("networkidle", timeout=30_000)
    assert dialogs == [], (path, dialogs)
    assert page.locator("img[src='x']").count() == 0, path
    context.close()
