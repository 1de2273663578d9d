"""Local amendments to national motions in a real Chromium.

A national host publishes motions through the form, one of them only for chosen assemblies
("Or only these assemblies"); a Hackney facilitator's console, already open, shows the new
motion without a reload; the facilitator proposes a local amendment with new wording, puts it to
the vote, two phones vote, and the national motion's page lists the amendment with its result.

Every page is checked by axe-core, screenshotted, and must log no console error and no
Content-Security-Policy violation (see tests/e2e/conftest.py).
"""

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.clients import signed_in_session
from tests.e2e.test_house import FACILITATOR_EMAIL, HOST_EMAIL, LIVE, LONDON, MINUTE, sign_in
from tests.e2e.test_votes import ballot_card, receipt_on, walk_in
from tests.meetup_data import add_meetup
from tests.servers import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

HACKNEY = "Hackney People's Assembly"
CARDIFF = "Cardiff People's Assembly"
AMENDED = "Every high street should get a protected cycle lane, starting with Mare Street."


def publish(host: Page, base: str, check, title: str, wording: str, assemblies=()) -> int:
    """Publish a motion open for a week through /house/motions/new; returns its id."""
    host.goto(f"{base}/house/motions/new")
    check(host, "publish-form")
    now = datetime.now(LONDON).replace(tzinfo=None)
    host.get_by_label("Title").fill(title)
    host.get_by_label("Wording").fill(wording)
    host.get_by_label("Voting opens (London time)").fill(now.strftime(MINUTE))
    host.get_by_label("Voting closes (London time)").fill(
        (now + timedelta(days=7)).strftime(MINUTE)
    )
    if assemblies:
        host.get_by_label("Or only these assemblies").select_option(label=list(assemblies))
    host.get_by_role("button", name="Publish", exact=True).click()
    expect(host.get_by_role("status")).to_have_text("Motion published.")
    check(host, "published")
    return int(re.search(r"/house/motions/(\d+)$", host.url).group(1))


def motions_box(console: Page):
    """The console's list of national motions (inside the Votes region)."""
    votes = console.get_by_role("region", name="Votes", exact=True)
    expect(votes.get_by_role("heading", name="National motions for this assembly")).to_be_visible()
    return votes.get_by_role("list").filter(
        has=console.get_by_role("button", name=re.compile("^Put this motion to the vote"))
    )


def motion_card(console: Page, title: str):
    """The console's card of one national motion or local amendment."""
    return (
        motions_box(console)
        .get_by_role("listitem")
        .filter(has=console.get_by_role("heading", name=title, exact=True, level=4))
    )


def test_publish_form_only_these_assemblies(module_server, laptop, phone, check):
    """A motion sent to chosen assemblies says so on its page, on a laptop and a phone."""
    base = module_server.url
    sign_in(laptop.context, base, HOST_EMAIL)
    title = "Warm spaces in every library"
    chosen = laptop.get_by_label("Or only these assemblies")
    laptop.goto(f"{base}/house/motions/new")
    check(laptop, "form")
    expect(chosen).to_have_accessible_description(
        "Choosing assemblies sends the motion to them alone, whatever the regions."
    )
    for name in (HACKNEY, CARDIFF):
        expect(chosen.get_by_role("option", name=name)).to_have_count(1)
    motion_id = publish(
        laptop, base, check, title, "Libraries should stay open as warm spaces.", [CARDIFF]
    )
    expect(laptop.get_by_text("Version 1 ·")).to_contain_text(CARDIFF)
    expect(laptop.get_by_text("Version 1 ·")).not_to_contain_text("every region")
    phone.goto(f"{base}/house/motions/{motion_id}")
    expect(phone.get_by_role("heading", level=1)).to_have_text(title)
    check(phone, "motion-for-cardiff")


def test_local_amendment_from_the_console(module_server, server_app, open_page, check, visit):
    base = module_server.url
    host = open_page("laptop")
    sign_in(host.context, base, HOST_EMAIL)
    title = "Safe cycle lanes on every high street"
    wording = "Every high street should get a protected cycle lane."
    national_id = publish(host, base, check, title, wording, [HACKNEY])

    mid = add_meetup(
        server_app(module_server), 300, 7200, checkin_before_minutes=30, title="Hackney amends"
    ).id
    console = open_page("laptop")
    sign_in(console.context, base, FACILITATOR_EMAIL)
    console.goto(f"{base}/m/{mid}/console")
    expect(console.get_by_text("Live", exact=True)).to_be_visible()
    expect(motion_card(console, title)).to_have_count(1)
    check(console, "console-motions")

    # The facilitator starts rewriting the wording as a local amendment.
    card = motion_card(console, title)
    toggle = card.get_by_role("button", name=f"Propose a local amendment: {title}")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    field = card.get_by_label("Amended wording")
    expect(field).to_have_value(wording)
    field.fill(AMENDED)

    # Motions published meanwhile: one for every region arrives without a reload, one sent
    # only to Cardiff not at all, and the half-written amendment survives the redraw.
    console.evaluate("window.__notReloaded = true")
    publish(host, base, check, "Not for Hackney", "Only Cardiff votes on this.", [CARDIFF])
    later = "Safe routes to every school"
    publish(host, base, check, later, "Every school should have a safe walking route.")
    expect(motion_card(console, later)).to_have_count(1, timeout=LIVE)
    expect(motion_card(console, "Not for Hackney")).to_have_count(0)
    assert console.evaluate("window.__notReloaded === true"), "the console reloaded"
    expect(field).to_have_value(AMENDED)
    expect(toggle).to_have_attribute("aria-expanded", "true")
    check(console, "console-amendment-form")

    host.goto(f"{base}/house/motions/{national_id}")
    expect(host.get_by_role("region", name="Local amendments")).to_have_count(0)
    check(host, "host-motion-before")
    card.get_by_role("button", name="Propose this amendment").click()
    amendment_title = f"{title} (local amendment)"
    amendment = motion_card(console, amendment_title)
    expect(amendment).to_contain_text(AMENDED, timeout=LIVE)
    expect(amendment).to_contain_text("Local amendment: a separate motion for this assembly")
    expect(
        amendment.get_by_role("button", name=re.compile("^Propose a local amendment"))
    ).to_have_count(0)

    # The host's page of the national motion, open all along, redraws itself to list it.
    on_host = host.get_by_role("region", name="Local amendments").get_by_role("listitem")
    expect(on_host).to_contain_text("Not voted on yet.", timeout=LIVE)
    check(host, "host-motion-amendment-proposed")

    # Two phones walk in, and the amendment is put to the vote.
    http = signed_in_session(base, FACILITATOR_EMAIL, DEMO_PASSWORD)
    join_url = http.get(f"{base}/m/{mid}/join-code", timeout=10).headers["X-Join-Url"]
    phones = [open_page("phone"), open_page("phone")]
    for phone, name in zip(phones, ("Ada", "Ben"), strict=True):
        walk_in(phone, check, join_url, name, mid, base)
    expect(console.get_by_text("Present:")).to_contain_text("2")
    amendment.get_by_role("button", name=f"Put this motion to the vote: {amendment_title}").click()
    vote = console.get_by_role("region", name="Votes", exact=True).get_by_role("listitem")
    vote = vote.filter(has=console.get_by_role("heading", name=amendment_title, level=3))
    expect(vote).to_contain_text("0 of 2 present have voted (0%)")
    for phone, choice in zip(phones, ("Yes", "Yes"), strict=True):
        ballot = ballot_card(phone, amendment_title)
        expect(ballot).to_contain_text(AMENDED)
        ballot.get_by_role("radio", name=choice, exact=True).check()
        ballot.get_by_role("button", name="Cast my vote").click()
        receipt_on(ballot)
    check(phones[0], "phone-amendment-ballot")
    expect(vote).to_contain_text("2 of 2 present have voted (100%)")
    vote.get_by_role("button", name="Close the vote now").click()
    expect(vote.get_by_text(re.compile("^Passed"))).to_be_visible()
    check(console, "console-amendment-closed")

    # The national motion's page lists the amendment and its result, apart from its own views.
    for device in ("laptop", "phone"):
        reader = open_page(device)
        reader.goto(f"{base}/house/motions/{national_id}")
        amendments = reader.get_by_role("region", name="Local amendments")
        item = amendments.get_by_role("listitem").filter(has_text=AMENDED)
        expect(item).to_contain_text("2 yes, 0 no, 0 abstaining · passed", timeout=LIVE)
        expect(item.get_by_role("link", name=f"Amendment by {HACKNEY}")).to_be_visible()
        expect(
            reader.get_by_text("No results yet: no assembly has voted on this motion.")
        ).to_be_visible()
        check(reader, "motion-with-amendment")
    # The host's page redrew itself again with the amendment's result.
    expect(on_host).to_contain_text("2 yes, 0 no, 0 abstaining · passed", timeout=LIVE)
    assert host.url.endswith(f"/house/motions/{national_id}")
    check(host, "host-motion-redrawn")
    item.get_by_role("link", name=f"Amendment by {HACKNEY}").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(amendment_title)
    expect(reader.get_by_text(f"A local amendment proposed by {HACKNEY}")).to_be_visible()
    check(reader, "amendment-page")
