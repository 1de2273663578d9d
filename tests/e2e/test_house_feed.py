"""The House of the People's feed (/house) in a real Chromium, on a phone and a laptop, with
the demo's outcomes: reached from the site navigation, filtered through its form, bad filter
values noted, and a new outcome announced live without a reload.

Every page is checked by axe-core, screenshotted, and must log no console error and no
Content-Security-Policy violation (see tests/e2e/conftest.py).
"""

import re
import time
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from app.i18n import LONDON
from tests.clients import LiveClient, signed_in_session
from tests.meetup_data import add_meetup
from tests.servers import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

FACILITATOR_EMAIL = "facilitator@assembly.example.org"
HACKNEY = "Hackney People's Assembly"
LIVE = 10_000  # ms for a live update


def outcomes(page: Page):
    """The outcome cards of the feed."""
    return page.locator("ol.outcomes > li")


def test_the_feed_and_its_filters(module_server, device_page, visit, check):
    base, page = module_server.url, device_page
    visit(page, base + "/assemblies", "directory")
    page.get_by_role("link", name="House of the People").click()
    expect(page).to_have_url(base + "/house")
    check(page, "house")
    expect(page.get_by_role("heading", level=1)).to_have_text("House of the People")
    cards = outcomes(page)
    expect(cards.first).to_be_visible()
    filters = page.get_by_text("Filter by region, assembly, date or motion")
    filters.click()  # open the filter form (folded away until filters are used)
    assert cards.count() >= 30  # every demo assembly's past votes, and tonight's
    first = cards.first
    expect(first.get_by_role("link", name=re.compile("^Ballot box"))).to_have_attribute(
        "href", re.compile(r"^/v/\d+$")
    )
    expect(first).to_contain_text("Chain head:")
    expect(first).to_contain_text(re.compile(r"Turnout: \d+ ballots?( of \d+ present)?"))
    expect(page.get_by_text("counted by hand").first).to_be_visible()

    page.get_by_label("Region").select_option("Wales")
    page.get_by_role("button", name="Show outcomes").click()
    expect(page).to_have_url(re.compile(r"/house\?region=Wales"))
    check(page, "house-wales")
    expect(cards.first).to_be_visible()
    for text in cards.all_inner_texts():
        assert "Wales" in text and "Cardiff" in text

    today = datetime.now(LONDON).date()
    page.get_by_label("Region").select_option("")
    page.get_by_label("Assembly").select_option(label=HACKNEY)
    page.get_by_label("From", exact=True).fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("To", exact=True).fill((today + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Show outcomes").click()
    expect(page).to_have_url(re.compile(r"assembly=hackney&from=\d{4}-\d\d-\d\d&to="))
    check(page, "house-hackney-dates")
    expect(cards.first).to_be_visible()
    for text in cards.all_inner_texts():
        assert HACKNEY in text
    expect(page.get_by_label("Assembly")).to_have_value("hackney")

    long_ago = (today - timedelta(days=400)).isoformat()
    page.get_by_label("To", exact=True).fill(long_ago)
    page.get_by_label("From", exact=True).fill((today - timedelta(days=401)).isoformat())
    page.get_by_role("button", name="Show outcomes").click()
    expect(page).to_have_url(re.compile(f"to={long_ago}&"))
    check(page, "house-nothing")
    expect(page.get_by_text("No outcomes match these filters.")).to_be_visible()
    page.get_by_role("link", name="Clear filters").click()
    expect(page).to_have_url(base + "/house")
    check(page, "house-cleared")

    visit(page, base + "/house?region=Atlantis&from=2026-02-30&motion=abc", "house-bad-filters")
    notes = page.get_by_role("status")
    expect(notes).to_contain_text("“Atlantis” is not a region")
    expect(notes).to_contain_text("is not a date like 2026-05-02")
    expect(notes).to_contain_text("“abc” is not a motion number")
    expect(cards.first).to_be_visible()


def test_a_new_outcome_is_announced_live(module_server, server_app, laptop, visit, check):
    base = module_server.url
    meetup_id = add_meetup(
        server_app(module_server),
        start_in=300,
        length=7200,
        checkin_before_minutes=30,
        title="House live",
    ).id
    visit(laptop, base + "/house", "house-before")
    laptop.evaluate("window.__sameDocument = true")
    question = f"Live: a bench by the canal? {time.monotonic_ns()}"
    http = signed_in_session(base, FACILITATOR_EMAIL, DEMO_PASSWORD)
    facilitator = LiveClient(base, cookies=http.cookies.get_dict()).connect()
    try:
        opened = facilitator.call(
            "vote.open",
            {
                "meetup_id": meetup_id,
                "client_id": f"house-live-{time.monotonic_ns()}",
                "question": question,
                "method": "yes_no",
            },
        )
        assert opened["ok"], opened
        counted = facilitator.call(
            "vote.manual",
            {"meetup_id": meetup_id, "vote_id": opened["vote_id"], "counts": {"yes": 9, "no": 1}},
        )
        assert counted["ok"], counted
    finally:
        facilitator.close()

    notice = laptop.locator("[data-house-notice]")
    expect(notice).to_have_attribute("aria-live", "polite")
    expect(notice).to_have_text("A new outcome has been recorded. Reload the page", timeout=LIVE)
    assert laptop.evaluate("window.__sameDocument") is True  # no reload happened
    check(laptop, "house-live-notice")

    with laptop.expect_navigation():
        laptop.get_by_role("link", name="Reload the page").click()
    check(laptop, "house-after-reload")
    newest = outcomes(laptop).first
    expect(newest.get_by_role("heading")).to_have_text(question)
    expect(newest).to_contain_text("House live")
    expect(newest).to_contain_text("Passed")
    expect(newest).to_contain_text("counted by hand")
