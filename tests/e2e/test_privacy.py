"""Privacy in a real Chromium: the /privacy page reached from the footer, and an attendee who
registers for a meetup, opens their data from the ticket page, and erases it.

Every page is checked by axe-core, screenshotted on the device it was opened on, and must log no
console error and no Content-Security-Policy violation (see tests/e2e/conftest.py).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_meetups import register

pytestmark = pytest.mark.e2e

ERASE_CONFIRM = re.compile("^I understand")


def register_for_weekly_assembly(page: Page, base: str, check, name: str, email: str) -> str:
    """From the Hackney page to a ticket for the next weekly assembly; returns the ticket URL."""
    page.goto(base + "/a/hackney")
    check(page, "assembly")
    page.get_by_role("link", name="Weekly assembly").first.click()
    check(page, "meetup")
    register(page, name, email)
    expect(page.get_by_role("status")).to_have_text(f"You have a place, {name}.")
    check(page, "ticket")
    return page.url


@pytest.mark.parametrize("device", ["phone", "laptop"])
def test_privacy_page_from_the_footer(module_server, open_page, check, visit, device):
    """The footer links every page to what is kept, why and for how long."""
    page = open_page(device)
    visit(page, module_server.url + "/", "home")
    page.get_by_role("contentinfo").get_by_role(
        "link", name="Privacy: what we keep and why"
    ).click()
    expect(page).to_have_url(module_server.url + "/privacy")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Privacy: what we keep, why, and for how long"
    )
    for heading in ("When you register for a meetup", "Your votes", "Seeing and erasing your data"):
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"It is erased \d+ days after the meetup ends"))
    ).to_be_visible()
    check(page, "privacy")


@pytest.mark.parametrize("device", ["phone", "laptop"])
def test_attendee_sees_and_erases_their_data(module_server, open_page, check, device):
    """Register, follow the ticket's link to the data, refuse without the tick, then erase."""
    base = module_server.url
    name, email = f"Noor {device}", f"noor-{device}@example.org"
    page = open_page(device)
    ticket_url = register_for_weekly_assembly(page, base, check, name, email)

    page.get_by_role("link", name="Your personal data: see it or erase it").click()
    expect(page).to_have_url(ticket_url + "/data")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your personal data")
    expect(page.get_by_role("heading", name="Weekly assembly", level=2)).to_be_visible()
    held = page.get_by_role("definition")
    expect(held.filter(has_text=name)).to_have_count(1)
    expect(held.filter(has_text=email)).to_have_count(1)
    check(page, "my-data")

    # Without the tick nothing is erased: the form comes back with the reason next to the box.
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Erase my personal data").click()
    assert posted.value.status == 400
    box = page.get_by_role("checkbox", name=ERASE_CONFIRM)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_accessible_description("Tick the box to confirm.")
    expect(page.get_by_role("definition").filter(has_text=email)).to_have_count(1)
    check(page, "my-data-unticked", status=400)

    box.check()
    page.get_by_role("button", name="Erase my personal data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Personal data erased")
    expect(page.get_by_role("status")).to_have_text(
        "Your personal data is erased from 1 registration(s)."
    )
    expect(page.get_by_text(name)).to_have_count(0)
    check(page, "erased")

    # The old ticket link and its data page no longer exist, so nothing shows the name.
    response = page.goto(ticket_url)
    assert response is not None and response.status == 404
    expect(page.get_by_text(name)).to_have_count(0)
    check(page, "old-ticket", status=404)
    response = page.goto(ticket_url + "/data")
    assert response is not None and response.status == 404
    check(page, "old-data", status=404)

    page.goto(base + "/privacy")
    check(page, "privacy-after")
