"""Meetups in a real Chromium: scheduling, registering, the waitlist, live counts, calendars.

Every page a test reaches is checked by axe-core, screenshotted, and must log no console error
and no Content-Security-Policy violation (see tests/e2e/conftest.py). The tests share one
server; each works on meetups of its own (titles made unique per test) or on demo meetups it
only adds registrations to.
"""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.servers import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

FACILITATOR_EMAIL = "facilitator@assembly.example.org"
LIVE_TIMEOUT = 10_000  # ms for a Socket.IO update to reach another browser
LONDON = ZoneInfo("Europe/London")


def london_today() -> date:
    """Today's date in London, where meetup times are wall-clock times."""
    return datetime.now(LONDON).date()


def at(day: date, hour: int) -> str:
    """The value a datetime-local input takes: 2026-12-05T19:00."""
    return f"{day.isoformat()}T{hour:02d}:00"


def sign_in_to_dashboard(page: Page, base: str, check) -> None:
    """Sign in as Hackney's facilitator and open the Hackney dashboard."""
    page.goto(base + "/sign-in")
    check(page, "sign-in")
    page.get_by_label("Email", exact=True).fill(FACILITATOR_EMAIL)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(base + "/account")
    check(page, "account")
    page.goto(base + "/a/hackney/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    check(page, "dashboard")


def fill_meetup_form(
    page: Page, title: str, starts: str, ends: str, capacity: int, repeat: str | None = None
) -> None:
    """Fill in the schedule form (the page must be on it)."""
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Agenda summary").fill("Welcome, small groups, proposals and a vote.")
    page.get_by_label("Starts (London time)").fill(starts)
    page.get_by_label("Ends (London time)").fill(ends)
    if repeat:
        page.get_by_label("Repeats").select_option(label=repeat)
        page.get_by_label("How many meetups in the series").fill("8")
    page.get_by_label("Venue name").fill("Round Chapel")
    page.get_by_label("Venue address").fill("1d Glenarm Road, London E5 0LY")
    page.get_by_label("Accessibility notes").fill("Step-free entrance, hearing loop.")
    page.get_by_label("Capacity").fill(str(capacity))


def meetup_rows(page: Page, title: str):
    """The dashboard's table rows of the meetups with this title, soonest first."""
    table = page.get_by_role("region", name="Upcoming meetups").get_by_role("table")
    return table.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))


def schedule_one_off(page: Page, base: str, check, title: str, capacity: int) -> int:
    """From the dashboard, schedule a one-off meetup a week ahead; returns its id."""
    day = london_today() + timedelta(days=7)
    page.get_by_role("link", name="Schedule a meetup").click()
    check(page, "schedule-form")
    fill_meetup_form(page, title, at(day, 19), at(day, 21), capacity)
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Meetup scheduled.")
    check(page, "scheduled")
    href = (
        meetup_rows(page, title).get_by_role("link", name=title, exact=True).get_attribute("href")
    )
    return int(href.rsplit("/", 1)[1])


def register(page: Page, name: str, email: str, button: str = "Register") -> None:
    """Fill in and send the registration form on a meetup page."""
    form = page.get_by_role("region", name="Register")
    form.get_by_label("Your name").fill(name)
    form.get_by_label("Email (optional)").fill(email)
    form.get_by_role("button", name=button, exact=True).click()
    expect(page).to_have_url(re.compile(r"/t/[\w-]+$"))


def test_facilitator_schedules_edits_and_cancels_a_series(module_server, laptop, check):
    """A weekly series of 8 through the form; one occurrence moved, the last one cancelled."""
    base, page = module_server.url, laptop
    title = "Estate regeneration series"
    first = london_today() + timedelta(days=10)
    sign_in_to_dashboard(page, base, check)
    rows = meetup_rows(page, title)
    expect(rows).to_have_count(0)

    # The end before the start: the form comes back with the error next to the field.
    page.get_by_role("link", name="Schedule a meetup").click()
    expect(page).to_have_url(base + "/a/hackney/meetups/new")
    check(page, "schedule-form")
    fill_meetup_form(page, title, at(first, 19), at(first, 18), 40, "Every week on the same day")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Schedule", exact=True).click()
    assert posted.value.status == 400
    check(page, "schedule-error", status=400)
    ends = page.get_by_label("Ends (London time)")
    expect(ends).to_have_attribute("aria-invalid", "true")
    expect(ends).to_have_accessible_description("The end must be after the start.")
    expect(page.get_by_label("Title", exact=True)).to_have_value(title)  # nothing is lost

    page.get_by_role("link", name="Hackney People's Assembly").click()  # back to the dashboard
    check(page, "dashboard-after-error")
    expect(rows).to_have_count(0)  # nothing was saved

    page.get_by_role("link", name="Schedule a meetup").click()
    check(page, "schedule-form-again")
    fill_meetup_form(page, title, at(first, 19), at(first, 21), 40, "Every week on the same day")
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page).to_have_url(base + "/a/hackney/dashboard")
    expect(page.get_by_role("status")).to_have_text("8 meetups scheduled.")
    check(page, "series-scheduled")
    expect(rows).to_have_count(8)
    expect(rows.first).to_contain_text(first.strftime("%a %d %b %Y, 19:00–21:00"))

    # Move the third occurrence to 18:00, and only that one.
    third = first + timedelta(weeks=2)
    rows.nth(2).get_by_role("link", name=re.compile("^Edit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit meetup")
    check(page, "edit-form")
    expect(page.get_by_label("Starts (London time)")).to_have_value(at(third, 19))
    page.get_by_label("Starts (London time)").fill(at(third, 18))
    page.get_by_label("Only this meetup").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(re.compile(r"/m/\d+$"))
    expect(page.get_by_role("status")).to_have_text("Changes saved.")
    check(page, "edited-meetup")
    expect(page.locator(".meetup-when")).to_contain_text(third.strftime("%a %d %b %Y, 18:00–21:00"))

    page.goto(base + "/a/hackney/dashboard")
    check(page, "dashboard-after-edit")
    expect(rows.nth(2)).to_contain_text("18:00–21:00")
    expect(rows.nth(3)).to_contain_text("19:00–21:00")  # the rest of the series is unchanged

    # Cancel the last occurrence, with a reason.
    rows.last.get_by_role("link", name=re.compile("^Edit")).click()
    check(page, "edit-last")
    page.get_by_role("link", name="Cancel this meetup…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Cancel “{title}”?")
    check(page, "cancel-form")
    page.get_by_label("Reason (shown to attendees)").fill("The hall is closed for repairs.")
    page.get_by_label("Only this meetup").check()
    page.get_by_role("button", name="Cancel the meetup").click()
    expect(page).to_have_url(base + "/a/hackney/dashboard")
    expect(page.get_by_role("status")).to_have_text("Meetup cancelled.")
    check(page, "after-cancel")
    expect(rows).to_have_count(8)
    expect(rows.last.get_by_role("cell").nth(1)).to_have_text("Cancelled")
    expect(rows.nth(6).get_by_role("cell").nth(1)).to_have_text("Scheduled")

    rows.last.get_by_role("link", name=title, exact=True).click()
    check(page, "cancelled-meetup")
    expect(page.get_by_role("main").get_by_role("status")).to_have_text(
        "This meetup is cancelled. The hall is closed for repairs."
    )
    register_box = page.get_by_role("region", name="Register")
    expect(register_box).to_contain_text("This meetup has been cancelled.")
    expect(register_box).not_to_contain_text("Places left")
    expect(register_box.get_by_role("button")).to_have_count(0)


def test_attendee_registers_and_cancels_on_a_phone(module_server, phone, check):
    """From the assembly page to a meetup, a ticket with a QR code, then giving the place up."""
    base, page = module_server.url, phone
    page.goto(base + "/a/hackney")
    check(page, "assembly")
    page.get_by_role("link", name="Weekly assembly").first.click()
    expect(page).to_have_url(re.compile(r"/m/\d+$"))
    check(page, "meetup")
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly assembly")

    register(page, "Rosa", "rosa@example.org")
    check(page, "ticket-confirmed")
    state = page.get_by_role("status")
    expect(state).to_have_text("You have a place, Rosa.")
    expect(page.get_by_role("img", name="Your ticket's QR code")).to_be_visible()
    expect(page.locator(".ticket-code")).to_have_text(
        re.compile(r"^Ticket code [2-9A-Z]{4}-[2-9A-Z]{4}$")
    )

    page.get_by_role("button", name="I can't come: cancel my place").click()
    check(page, "ticket-cancelled")
    expect(
        page.get_by_text("Your registration is cancelled. Thank you for letting us know.")
    ).to_be_visible()
    expect(page.get_by_text("This registration is cancelled.")).to_be_visible()
    expect(page.get_by_role("img", name="Your ticket's QR code")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("cancel my place"))).to_have_count(0)


def test_waitlist_on_a_phone(module_server, open_page, check):
    """A full meetup puts people on the waitlist; a freed place goes to the first waiting."""
    base = module_server.url

    # The demo's "Housing working group" is full: 12 places, 3 already waiting.
    late = open_page("phone")
    late.goto(base + "/a/hackney")
    check(late, "assembly")
    late.get_by_role("link", name="Housing working group").click()
    check(late, "full-meetup")
    expect(late.get_by_role("region", name="Register")).to_contain_text("Full:")
    register(late, "Sam", "sam@example.org", button="Join the waitlist")
    check(late, "ticket-waitlisted")
    expect(late.get_by_role("status")).to_contain_text("You are on the waitlist, Sam: number 4.")
    expect(late.get_by_role("img", name="Your ticket's QR code")).to_have_count(0)
    expect(late.get_by_role("button", name="Leave the waitlist")).to_be_visible()

    # A meetup of one place, scheduled through the form, for a promotion we can watch.
    facilitator = open_page("laptop")
    sign_in_to_dashboard(facilitator, base, check)
    meetup_id = schedule_one_off(facilitator, base, check, "Tenants' rights surgery", 1)

    first = open_page("phone")
    first.goto(f"{base}/m/{meetup_id}")
    check(first, "meetup-one-place")
    register(first, "Ada", "ada@example.org")
    expect(first.get_by_role("status")).to_have_text("You have a place, Ada.")
    check(first, "ticket-confirmed")

    second = open_page("phone")
    second.goto(f"{base}/m/{meetup_id}")
    check(second, "meetup-now-full")
    register(second, "Bea", "bea@example.org", button="Join the waitlist")
    expect(second.get_by_role("status")).to_contain_text("You are on the waitlist, Bea: number 1.")
    check(second, "ticket-waitlisted-first")

    first.get_by_role("button", name="I can't come: cancel my place").click()
    expect(first.get_by_text("This registration is cancelled.")).to_be_visible()
    check(first, "ticket-cancelled")

    second.reload()
    check(second, "ticket-promoted")
    expect(second.get_by_role("status")).to_have_text(
        "You have a place, Bea. A place came free and the waitlist gave it to you."
    )
    expect(second.get_by_role("img", name="Your ticket's QR code")).to_be_visible()


def test_places_update_live(module_server, open_page, check):
    """The dashboard's places taken and the public page's places left change without reload."""
    base = module_server.url
    dashboard = open_page("laptop")
    sign_in_to_dashboard(dashboard, base, check)
    # The second weekly meetup: nobody has registered for it yet.
    row = meetup_rows(dashboard, "Weekly assembly").nth(1)
    href = row.get_by_role("link", name="Weekly assembly", exact=True).get_attribute("href")
    taken = row.get_by_role("cell").nth(2)
    expect(taken).to_have_text("0 / 80")
    expect(dashboard.get_by_text("Live updates on")).to_be_visible(timeout=LIVE_TIMEOUT)

    watcher = open_page("phone")
    watcher.goto(base + href)
    check(watcher, "meetup-watched")
    places = watcher.get_by_role("region", name="Register")
    expect(places).to_contain_text("Places left: 80 of 80.")

    for page in (dashboard, watcher):
        page.evaluate("window.__notReloaded = true")

    attendee = open_page("phone")
    attendee.goto(base + href)
    check(attendee, "meetup")
    register(attendee, "Kofi", "kofi@example.org")
    check(attendee, "ticket")

    expect(taken).to_have_text("1 / 80", timeout=LIVE_TIMEOUT)
    expect(places).to_contain_text("Places left: 79 of 80.", timeout=LIVE_TIMEOUT)
    for page in (dashboard, watcher):
        assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"
    check(dashboard, "dashboard-updated")
    check(watcher, "meetup-updated")


def test_calendar_links(module_server, phone, check):
    """A meetup's .ics and the assembly's subscribable calendar parse as iCalendar."""
    base, page = module_server.url, phone
    page.goto(base + "/a/hackney")
    check(page, "assembly")
    page.get_by_role("link", name="Housing working group").click()
    check(page, "meetup")
    link = page.get_by_role("link", name="Add to your calendar")
    meetup_ics = base + link.get_attribute("href")
    assert re.search(r"/m/\d+\.ics$", meetup_ics)

    for url, least in ((meetup_ics, 1), (base + "/a/hackney/calendar.ics", 10)):
        response = page.request.get(url)
        assert response.ok, url
        assert response.headers["content-type"].startswith("text/calendar")
        events = Calendar.from_ical(response.body()).walk("VEVENT")
        assert len(events) >= least, url
    one = Calendar.from_ical(page.request.get(meetup_ics).body()).walk("VEVENT")
    assert len(one) == 1
    assert str(one[0]["SUMMARY"]).startswith("Housing working group")
