"""A phone page in a real Chromium through a server crash: it says that it is offline,
reconnects by itself, and takes a vote opened after the restart, all without a reload."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.clients import LiveClient, signed_in_session
from tests.e2e.test_votes import FACILITATOR_EMAIL, LIVE, ballot_card, receipt_on, walk_in
from tests.meetup_data import add_meetup
from tests.servers import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

RESTART = 60_000  # ms: the server starts again and the page's reconnect delay runs out
# What Chromium logs while the server is down: the failed reconnect attempts.
WHILE_DOWN = ("ERR_CONNECTION_REFUSED", "WebSocket connection to")


def test_a_phone_page_keeps_working_after_the_server_is_killed(
    live_server, server_app, phone, check, watched
):
    server = live_server
    meetup_id = add_meetup(
        server_app(server), start_in=600, length=7200, checkin_before_minutes=30
    ).id
    crew = signed_in_session(server.url, FACILITATOR_EMAIL, DEMO_PASSWORD)
    join_url = crew.get(f"{server.url}/m/{meetup_id}/join-code", timeout=10).headers["X-Join-Url"]
    walk_in(phone, check, join_url, "Dana", meetup_id, server.url)
    state = phone.locator("[data-live-state]")

    server.kill()
    expect(state).to_contain_text("Offline", timeout=LIVE)
    server.start()
    expect(state).to_have_text("Live", timeout=RESTART)
    console = LiveClient(server.url, cookies=crew.cookies.get_dict()).connect()
    try:
        opened = console.call(
            "vote.open",
            {
                "meetup_id": meetup_id,
                "client_id": f"after-crash-{uuid.uuid4()}",
                "question": "Still with us after the crash?",
                "method": "yes_no",
            },
        )
        assert opened["ok"], opened
        card = ballot_card(phone, "Still with us after the crash?")
        card.get_by_role("radio", name="Yes", exact=True).check()
        card.get_by_role("button", name="Cast my vote").click()
        receipt_on(card)
    finally:
        console.close()
    page_problems = watched[phone].problems
    page_problems[:] = [p for p in page_problems if not any(s in p for s in WHILE_DOWN)]
    check(phone, "after-restart")
