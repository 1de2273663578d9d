"""Part of a live meeting in a real Chromium: the facilitator's console on a laptop, the
projector in a second laptop-size window, and three phones that walked in from the join code.

The phones propose (one title carries HTML that must stay text), the facilitator moderates,
merges a duplicate and returns a proposal, people support, amend and queue to speak, a phone
keeps what it is typing through re-renders and a lost signal, and the minutes record it all.
Every page is checked by axe-core, screenshotted, and must log no console error and no
Content-Security-Policy violation (see tests/e2e/conftest.py).
"""

import re

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from tests.meetup_data import add_meetup
from tests.servers import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

FACILITATOR_EMAIL = "facilitator@assembly.example.org"
LIVE = 10_000  # ms for a Socket.IO update to reach another browser
TITLE = "Free breakfasts <script>alert(1)</script> for <b>bold</b> kids"
DUPLICATE = "Free breakfast for all children"
VAGUE = "Make things better"
REASON = "Please say what should change, and where."
AMENDMENT = "Start with the two primary schools"
USUAL_AGENDA = {
    "Welcome and input": 15,
    "Small-group breakouts": 30,
    "Feedback": 20,
    "Proposals": 20,
    "Votes": 15,
    "Close": 5,
}
OFFLINE_ERROR = "net::ERR_INTERNET_DISCONNECTED"


def sign_in(page: Page, check, base: str) -> None:
    """Sign the facilitator in through the sign-in page."""
    page.goto(base + "/sign-in")
    check(page, "sign-in")
    page.get_by_label("Email", exact=True).fill(FACILITATOR_EMAIL)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(base + "/account")
    check(page, "account")


def walk_in(page: Page, check, join_url: str, name: str, meetup_id: int, base: str) -> None:
    """Open the projector's join link on a phone, give a name, land on the phone page."""
    page.goto(join_url)
    check(page, f"join-{name.lower()}")
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Check in").click()
    expect(page).to_have_url(f"{base}/m/{meetup_id}/phone")
    expect(page.get_by_text(f"You are checked in, {name}.")).to_be_visible()
    expect(page.locator("[data-live-state]")).to_have_text("Live")
    check(page, f"phone-{name.lower()}")


def propose(page: Page, title: str, body: str = "") -> None:
    """Send a proposal (or an amendment, if one is being drafted) from a phone."""
    form = page.get_by_role("region", name="Make a proposal")
    form.get_by_label("Title").fill(title)
    form.get_by_label("What do you propose?").fill(body)
    form.get_by_role("button", name="Send to the facilitator").click()
    expect(form.get_by_text("Sent: the facilitator will look at it.")).to_be_visible()


def card(section: Locator, title: str) -> Locator:
    """The proposal card (list item) with this title in a list of proposals."""
    return section.get_by_role("listitem").filter(
        has=section.page.get_by_role("heading", name=title, exact=True)
    )


def proposal_id(card_: Locator) -> int:
    """A console card's proposal id, from its "#12" line."""
    return int(re.match(r"#(\d+)", card_.locator(".meta").first.inner_text()).group(1))


def test_a_meeting_with_a_console_a_projector_and_three_phones(
    module_server, server_app, open_page, watched, check
):
    base = module_server.url
    meetup = add_meetup(
        server_app(module_server),
        start_in=300,
        length=7200,
        checkin_before_minutes=30,
        capacity=20,
        title="Hackney in the hall",
    )
    mid = meetup.id
    dialogs: list[str] = []

    def no_dialogs(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    # The facilitator's console on a laptop, the projector in a second window.
    console = open_page("laptop")
    console.on("dialog", no_dialogs)
    sign_in(console, check, base)
    console.goto(f"{base}/m/{mid}/console")
    expect(console.get_by_role("heading", level=1)).to_have_text("Console")
    expect(console.locator("[data-live-state]")).to_have_text("Live")
    check(console, "console-empty")

    projector = open_page("laptop")
    projector.on("dialog", no_dialogs)
    projector.context.add_cookies(console.context.cookies())
    projector.goto(f"{base}/m/{mid}/screen")
    expect(projector.locator("[data-signals]")).to_have_text(re.compile("^Agree 0"))
    check(projector, "projector-empty")

    # Three phones walk in through the projector's current join link.
    join_url = console.request.get(f"{base}/m/{mid}/join-code").headers["x-join-url"]
    phones = []
    for name in ("Ada", "Ben", "Cleo"):
        phone = open_page("phone")
        phone.on("dialog", no_dialogs)
        walk_in(phone, check, join_url, name, mid, base)
        phones.append(phone)
    ada, ben, cleo = phones
    expect(console.locator("[data-present]")).to_have_text("3")
    expect(projector.locator("[data-present]")).to_have_text("3")

    # 1. The usual agenda, and its first item started: phones and projector show a timer.
    console.get_by_role("button", name="Add the usual agenda").click()
    agenda = console.get_by_role("region", name="Agenda", exact=True).get_by_role("listitem")
    expect(agenda).to_have_count(len(USUAL_AGENDA))
    for item, title in zip(agenda.all(), USUAL_AGENDA, strict=True):
        expect(item).to_contain_text(title)
    console.get_by_role("button", name="Start: Welcome and input").click()
    expect(agenda.first.get_by_role("button", name="Finish: Welcome and input")).to_be_visible()
    expect(projector.locator("[data-item]")).to_have_text("Welcome and input")
    timer = projector.locator("[data-timer-box]")
    expect(timer).to_have_text(re.compile(r"^1[45]:\d\d$"))
    shown = timer.inner_text()
    expect(timer).not_to_have_text(shown)  # it is counting down
    for phone in phones:
        now = phone.get_by_role("region", name="Now")
        expect(now).to_contain_text("Welcome and input")
        expect(now.locator(".timer")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    phone_timer = ada.get_by_role("region", name="Now").locator(".timer")
    shown = phone_timer.inner_text()
    expect(phone_timer).not_to_have_text(shown)
    check(projector, "projector-item-running")
    check(ada, "phone-item-running")

    # 2. Proposals: one with HTML in it, a duplicate, and a vague one that goes back.
    for phone in phones:
        phone.evaluate("window.__notReloaded = true")
    console.evaluate("window.__notReloaded = true")
    propose(ada, TITLE, "Every school morning, <i>all</i> year.")
    moderation = console.get_by_role("region", name="Waiting for moderation")
    expect(moderation.get_by_role("heading", name=TITLE, exact=True)).to_be_visible()
    expect(moderation.get_by_text("Every school morning, <i>all</i> year.")).to_be_visible()
    expect(moderation.locator("b, i, script")).to_have_count(0)  # text, not markup
    expect(ada.get_by_role("region", name="Your proposals")).to_contain_text(
        f"{TITLE} · waiting for the facilitator"
    )
    propose(ben, DUPLICATE)
    propose(cleo, VAGUE)
    expect(moderation.get_by_role("heading", level=3)).to_have_text([TITLE, DUPLICATE, VAGUE])
    check(console, "console-moderation")

    moderation.get_by_label(f"Reason for returning it: {VAGUE}").fill(REASON)
    moderation.get_by_role("button", name=f"Return: {VAGUE}").click()
    expect(moderation.get_by_role("heading", name=VAGUE)).to_have_count(0)
    mine = cleo.get_by_role("region", name="Your proposals")
    expect(mine).to_contain_text(f"{VAGUE} · returned")
    expect(mine).to_contain_text(f"Returned because: {REASON}")
    check(cleo, "phone-returned")

    # 3. Accept the first, merge the duplicate into it, and support it from two phones.
    moderation.get_by_role("button", name=f"Accept: {TITLE}").click()
    on_agenda = console.get_by_role("region", name="On the agenda, in order of decision")
    first = card(on_agenda, TITLE)
    expect(first).to_be_visible()
    first_id = proposal_id(first)
    moderation.get_by_label(f"Merge into… {DUPLICATE}").select_option(label=f"#{first_id} {TITLE}")
    moderation.get_by_role("button", name=f"Merge: {DUPLICATE}").click()
    expect(moderation.get_by_text("Nothing waiting.")).to_be_visible()
    expect(on_agenda.get_by_role("heading", name=DUPLICATE)).to_have_count(0)
    expect(ben.get_by_role("region", name="Your proposals")).to_contain_text(
        f"{DUPLICATE} · merged with a similar proposal"
    )
    for phone in phones:
        expect(card(phone.get_by_role("region", name="Proposals"), TITLE)).to_be_visible()
    expect(ada.get_by_role("region", name="Proposals").locator("b, script")).to_have_count(0)

    for phone in (ben, cleo):
        phone.get_by_role("button", name=f"Support: {TITLE}", exact=True).click()
        withdraw = phone.get_by_role("button", name=f"Withdraw support: {TITLE}")
        expect(withdraw).to_have_attribute("aria-pressed", "true")
        expect(withdraw).to_have_text("Supported ✓")
        expect(phone.get_by_role("button", name=f"Support: {TITLE}", exact=True)).to_have_count(0)
    expect(first).to_contain_text("Supports: 2")
    for phone in phones:
        expect(card(phone.get_by_role("region", name="Proposals"), TITLE)).to_contain_text(
            "Supports: 2"
        )
    expect(ada.get_by_role("button", name=f"Support: {TITLE}", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    check(console, "console-accepted")
    check(ben, "phone-supported")

    # 4. An amendment, accepted, comes before the proposal it changes.
    ben.get_by_role("button", name=f"Amend: {TITLE}").click()
    form = ben.get_by_role("region", name="Make a proposal")
    expect(form.get_by_text(f"Amending: {TITLE}")).to_be_visible()
    propose(ben, AMENDMENT, "Then the rest of the borough.")
    expect(form.get_by_text(f"Amending: {TITLE}")).to_be_hidden()
    moderation.get_by_role("button", name=f"Accept: {AMENDMENT}").click()
    expect(card(on_agenda, AMENDMENT)).to_contain_text(f"Amendment to #{first_id}")
    for phone in phones:
        titles = phone.get_by_role("region", name="Proposals").get_by_role("heading", level=3)
        expect(titles).to_have_text([AMENDMENT, TITLE])
    check(ben, "phone-amendment")

    # 5. Discussing the proposal: on the projector and in every phone's "Now".
    first.get_by_role("button", name=f"Discuss: {TITLE}").click()
    expect(first.get_by_role("button", name="Stop discussing")).to_be_visible()
    expect(projector.get_by_text("Being discussed", exact=True)).to_be_visible()
    expect(projector.locator("[data-discussing-title]")).to_have_text(TITLE)
    for phone in phones:
        expect(phone.get_by_role("region", name="Now")).to_contain_text(f"Being discussed: {TITLE}")
    check(projector, "projector-discussing")
    check(ada, "phone-discussing")

    # 6. The speaking queue, and a hand signal.
    ada.get_by_role("button", name="Raise my hand to speak").click()
    expect(ada.get_by_text("You are number 1")).to_be_visible()
    ben.get_by_role("button", name="Raise my hand to speak").click()
    expect(ben.get_by_text("You are number 2")).to_be_visible()
    expect(ben.get_by_role("button", name="Lower my hand")).to_have_attribute(
        "aria-pressed", "true"
    )
    queue = console.get_by_role("region", name="Speaking queue")
    expect(queue.get_by_role("listitem")).to_have_text(["Ada", "Ben"])
    expect(projector.get_by_text("2 waiting to speak")).to_be_visible()
    queue.get_by_role("button", name="Call next speaker").click()
    expect(queue.get_by_text("Speaking now: Ada")).to_be_visible()
    expect(queue.get_by_role("listitem")).to_have_text(["Ben"])
    expect(ada.get_by_text("It is your turn to speak.")).to_be_visible()
    expect(ben.get_by_text("You are number 1")).to_be_visible()

    cleo.get_by_role("button", name=re.compile("^Agree")).click()
    expect(cleo.get_by_role("button", name=re.compile("^Agree"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(console.locator('[data-signal-count="agree"]')).to_have_text("1")
    expect(projector.locator("[data-signals]")).to_contain_text("Agree 1")
    expect(ada.get_by_role("button", name="Agree 1")).to_be_visible()
    check(console, "console-queue")
    check(projector, "projector-queue")
    check(ada, "phone-speaking")

    # 7. Half-typed text survives re-renders and a lost signal.
    draft = cleo.get_by_role("region", name="Make a proposal").get_by_label("Title")
    draft.fill("Half-typed idea about the l")
    console.get_by_role("button", name="Start: Small-group breakouts").click()
    expect(cleo.get_by_role("region", name="Now")).to_contain_text("Small-group breakouts")
    expect(draft).to_have_value("Half-typed idea about the l")

    cleo.context.set_offline(True)
    live_state = cleo.locator("[data-live-state]")
    expect(live_state).to_have_text("Offline: reconnecting… (what you type is kept)")
    console.get_by_label("New item").fill("Library opening hours")
    console.get_by_label("Minutes", exact=True).fill("5")
    console.get_by_role("button", name="Add", exact=True).click()
    expect(agenda).to_have_count(len(USUAL_AGENDA) + 1)
    console.get_by_role("button", name="Start: Library opening hours").click()
    expect(console.get_by_role("button", name="Finish: Library opening hours")).to_be_visible()
    cleo.wait_for_timeout(2000)  # a few seconds without signal
    expect(cleo.get_by_role("region", name="Now")).not_to_contain_text("Library opening hours")
    cleo.context.set_offline(False)
    expect(live_state).to_have_text("Live", timeout=15_000)
    expect(cleo.get_by_role("region", name="Now")).to_contain_text("Library opening hours")
    expect(draft).to_have_value("Half-typed idea about the l")
    # The reconnecting socket's failed attempts while offline are expected console errors.
    watch = watched[cleo]
    watch.problems[:] = [p for p in watch.problems if OFFLINE_ERROR not in p]
    check(cleo, "phone-back-online")
    for page in (console, *phones):
        assert page.evaluate("window.__notReloaded === true"), page.url  # all of it was live

    # 8. The minutes: the agenda and the proposal with its supports, as a page and downloads.
    minutes = open_page("laptop")
    minutes.on("dialog", no_dialogs)
    minutes.goto(f"{base}/m/{mid}/minutes")
    expect(minutes.get_by_role("heading", level=1)).to_have_text("Minutes")
    check(minutes, "minutes")
    items = minutes.get_by_role("region", name="Agenda", exact=True).get_by_role("listitem")
    expect(items).to_have_text(
        [f"{title} ({length} min)" for title, length in USUAL_AGENDA.items()]
        + ["Library opening hours (5 min)"]
    )
    recorded = minutes.get_by_role("article").filter(
        has=minutes.get_by_role("heading", name=TITLE, exact=True)
    )
    expect(recorded).to_contain_text("2 supports")
    expect(minutes.get_by_role("article").filter(has_text=AMENDMENT)).to_contain_text(
        f"Amendment to #{first_id}"
    )
    assert "<script>alert(1)</script>" not in minutes.content()

    markdown = minutes.request.get(f"{base}/m/{mid}/minutes.md")
    assert markdown.ok and markdown.headers["content-type"].startswith("text/markdown")
    text = markdown.text()
    assert f"### #{first_id} Free breakfasts \\<script\\>alert\\(1\\)\\</script\\> for " in text
    assert "\\<b\\>bold\\</b\\> kids" in text
    assert "<script>" not in text
    assert "Proposal; 2 supports." in text
    data = minutes.request.get(f"{base}/m/{mid}/minutes.json").json()
    assert [item["title"] for item in data["agenda"]] == [*USUAL_AGENDA, "Library opening hours"]
    kept = next(p for p in data["proposals"] if p["id"] == first_id)
    assert kept["title"] == TITLE and kept["supports"] == 2

    assert dialogs == []
