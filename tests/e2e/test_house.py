"""The House of the People in a real Chromium: the public motion pages with their three
national views, a national host publishing a motion and a new version of it, a Hackney meetup
running a motion live (three phones vote in the browser while the host's motion page redraws
itself), the facilitator referring the vote that passed and the host answering it, and the
hosts' dashboard following a vote that closes elsewhere, then the weekly briefing pack.

Every page is checked by axe-core, screenshotted, and must log no console error and no
Content-Security-Policy violation (see tests/e2e/conftest.py).
"""

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.clients import LiveClient, signed_in_session
from tests.e2e.test_votes import ballot_card, receipt_on
from tests.e2e.test_votes import walk_in as walk_in_on_phone
from tests.meetup_data import add_meetup
from tests.servers import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

HOST_EMAIL = "host@assembly.example.org"
FACILITATOR_EMAIL = "facilitator@assembly.example.org"
DEMO_MOTION = "Free local buses for everyone under 25"
LONDON = ZoneInfo("Europe/London")
LIVE = 15_000  # ms for a live page to redraw itself (it reloads a second or two after)
MINUTE = "%Y-%m-%dT%H:%M"  # what a datetime-local input takes


def sign_in(context: BrowserContext, base: str, email: str):
    """Give a browser context the cookies of a signed-in staff member; return the session."""
    http = signed_in_session(base, email, DEMO_PASSWORD)
    context.add_cookies([{"name": c.name, "value": c.value, "url": base} for c in http.cookies])
    return http


def motion_id_of(page: Page) -> int:
    """The id of the motion whose page is open."""
    return int(re.search(r"/house/motions/(\d+)$", page.url).group(1))


def figure(page: Page, name: str):
    """The number under a term of the at-a-glance figures ("Votes recorded", say)."""
    return page.get_by_role("term").filter(has_text=name).locator("xpath=following-sibling::dd")


def publish_form(
    page: Page, title: str, wording: str, opens: datetime, closes: datetime, regions=()
) -> None:
    """Fill in /house/motions/new with a 2/3 rule and press Publish."""
    page.get_by_label("Title").fill(title)
    page.get_by_label("Wording").fill(wording)
    page.get_by_label("Voting opens (London time)").fill(opens.strftime(MINUTE))
    page.get_by_label("Voting closes (London time)").fill(closes.strftime(MINUTE))
    page.get_by_label("Decision rule").select_option(label="Two thirds of votes cast")
    for region in regions:
        page.get_by_role("checkbox", name=region, exact=True).check()
    page.get_by_role("button", name="Publish", exact=True).click()


def test_public_motion_pages(module_server, open_page, check, visit):
    base = module_server.url
    for device in ("phone", "laptop"):
        page = open_page(device)
        visit(page, f"{base}/house/motions", "motions")
        page.get_by_role("link", name=DEMO_MOTION).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_MOTION)
        for view in ("Pooled ballots", "Assemblies passing", "Cross-assembly consensus"):
            region = page.get_by_role("region", name=view)
            expect(region).to_contain_text(re.compile(r"\d+(%| / \d+)"))
        expect(page.get_by_role("region", name="Assemblies passing")).to_contain_text("/ 4")
        expect(
            page.get_by_text(re.compile(r"^4 assemblies and \d+ people took part"))
        ).to_be_visible()
        table = page.get_by_role("region", name="By region").get_by_role("table")
        expect(table.get_by_role("columnheader", name="Region")).to_be_visible()
        for region in ("London", "Scotland", "Wales", "Yorkshire and the Humber"):
            expect(table.get_by_role("rowheader", name=region, exact=True)).to_be_visible()
        expect(page.get_by_text("Wording hash (SHA-256 of the title and wording)")).to_be_visible()
        expect(page.get_by_text(re.compile(r"^[0-9a-f]{64}$"))).to_be_visible()
        expect(page.get_by_text("Assemblies are self-selected gatherings")).to_be_visible()
        expect(page.get_by_role("link", name="Publish a new version")).to_have_count(0)
        check(page, "motion")
        visit(page, f"{base}/house/answers", "answers")


def test_host_publishes_a_motion_and_a_new_version(module_server, open_page, check, visit):
    base = module_server.url
    host = open_page("laptop")
    sign_in(host.context, base, HOST_EMAIL)
    visit(host, f"{base}/house/motions", "motions-host")
    host.get_by_role("link", name="Publish a motion").click()
    check(host, "publish-form")

    now = datetime.now(LONDON).replace(tzinfo=None)
    publish_form(host, "A bad window", "Closes first.", now, now - timedelta(days=1))
    closes = host.get_by_label("Voting closes (London time)")
    expect(closes).to_have_attribute("aria-invalid", "true")
    expect(closes).to_have_accessible_description("The voting window must close after it opens.")
    check(host, "publish-bad-window", status=400)

    title = "Community energy for every town"
    publish_form(
        host, title, "Every town should own its energy.", now, now + timedelta(days=7), ["London"]
    )
    expect(host.get_by_role("status")).to_have_text("Motion published.")
    expect(host.get_by_role("heading", level=1)).to_have_text(title)
    expect(
        host.get_by_text("No results yet: no assembly has voted on this motion.")
    ).to_be_visible()
    expect(host.get_by_text("Version 1 ·")).to_contain_text("London")
    first = motion_id_of(host)
    check(host, "motion-new")

    host.get_by_role("link", name="Publish a new version").click()
    expect(host.get_by_label("Title")).to_have_value(title)
    check(host, "revise-form")
    host.get_by_label("Wording").fill("Every town should own its energy, with a community vote.")
    host.get_by_role("button", name="Publish", exact=True).click()
    expect(host.get_by_role("status")).to_have_text("New version published.")
    expect(host.get_by_text("Version 2 ·")).to_be_visible()
    assert motion_id_of(host) != first
    check(host, "motion-version-2")

    visit(host, f"{base}/house/motions/{first}", "motion-superseded")
    expect(host.get_by_text("replaced by a newer version")).to_be_visible()
    expect(host.get_by_role("link", name="Publish a new version")).to_have_count(0)


def test_a_motion_run_live_referred_answered_and_on_the_dashboard(
    module_server, server_app, open_page, check, visit
):
    base = module_server.url
    started = time.monotonic()

    # The host publishes the motion this Hackney meetup will run (2/3 to pass, London only).
    host = open_page("laptop")
    sign_in(host.context, base, HOST_EMAIL)
    title = "Safe cycle lanes on every high street"
    now = datetime.now(LONDON).replace(tzinfo=None)
    visit(host, f"{base}/house/motions/new", "publish-live-motion")
    publish_form(
        host,
        title,
        "Every high street should get a protected cycle lane.",
        now,
        now + timedelta(days=7),
        ["London"],
    )
    expect(host.get_by_role("status")).to_have_text("Motion published.")
    motion_url = host.url
    check(host, "live-motion-before")

    mid = add_meetup(
        server_app(module_server),
        start_in=300,
        length=7200,
        checkin_before_minutes=30,
        title="Hackney and the nation",
    ).id
    console = open_page("laptop")
    http = sign_in(console.context, base, FACILITATOR_EMAIL)
    console.goto(f"{base}/m/{mid}/console")
    expect(console.get_by_text("Live", exact=True)).to_be_visible()
    votes = console.get_by_role("region", name="Votes", exact=True)
    expect(votes.get_by_role("heading", name="National motions for this assembly")).to_be_visible()
    run = votes.get_by_role("button", name=f"Put this motion to the vote: {title}")
    expect(run).to_be_visible()

    join_url = http.get(f"{base}/m/{mid}/join-code", timeout=10).headers["X-Join-Url"]
    phones = []
    for name in ("Ada", "Ben", "Cleo"):
        phone = open_page("phone")
        walk_in_on_phone(phone, check, join_url, name, mid, base)
        phones.append(phone)
    expect(console.get_by_text("Present:")).to_contain_text("3")
    check(console, "console-motions")

    run.click()
    card = votes.get_by_role("listitem").filter(
        has=console.get_by_role("heading", name=title, level=3)
    )
    expect(card).to_contain_text("0 of 3 present have voted (0%)")
    vote_id = int(re.match(r"#(\d+)", card.get_by_text(re.compile(r"^#\d+ ·")).inner_text())[1])
    for phone, choice in zip(phones, ("Yes", "Yes", "No"), strict=True):
        ballot = ballot_card(phone, title)
        ballot.get_by_role("radio", name=choice, exact=True).check()
        ballot.get_by_role("button", name="Cast my vote").click()
        receipt_on(ballot)
    check(phones[0], "phone-motion-ballot")
    expect(card).to_contain_text("3 of 3 present have voted (100%)")

    # The host watches the motion's page; it redraws itself when the result is recorded.
    expect(host.get_by_text("No results yet")).to_be_visible()
    card.get_by_role("button", name="Close the vote now").click()
    expect(card).to_contain_text(f"#{vote_id} · Closed")
    expect(card.get_by_text(re.compile("^Passed"))).to_be_visible()
    passing = host.get_by_role("region", name="Assemblies passing")
    expect(passing).to_contain_text("1 / 1", timeout=LIVE)
    assert host.url == motion_url
    pooled = host.get_by_role("region", name="Pooled ballots")
    expect(pooled).to_contain_text("67%")
    expect(pooled).to_contain_text("2 yes, 1 no, 0 abstaining")
    expect(pooled).to_contain_text("Passes on pooled ballots")
    expect(host.get_by_role("region", name="Cross-assembly consensus")).to_contain_text("67%")
    expect(host.get_by_text("1 assembly and 3 people took part.")).to_be_visible()
    row = host.get_by_role("table").get_by_role("row").filter(has_text="London")
    expect(row.get_by_role("cell")).to_have_text(["1", "1", "2", "1", "0"])
    check(host, "live-motion-after")
    check(console, "console-motion-closed")

    # A local proposal passes by a show of hands (a vote on a national motion is already the
    # House's own, so it has no refer button); the facilitator refers it; the host answers it.
    visit(console, f"{base}/v/{vote_id}", "motion-vote-page")
    expect(
        console.get_by_role("button", name="Refer this proposal to the House of the People")
    ).to_have_count(0)
    local_title = "A community fridge in every market"
    hands = LiveClient(base, cookies=http.cookies.get_dict()).connect()
    try:
        local_vote_id = hands.call(
            "vote.open",
            {
                "meetup_id": mid,
                "client_id": "local-referral-vote",
                "question": local_title,
                "method": "yes_no",
            },
        )["vote_id"]
        assert hands.call(
            "vote.manual",
            {"meetup_id": mid, "vote_id": local_vote_id, "counts": {"yes": 12, "no": 2}},
        )["ok"]
    finally:
        hands.close()
    visit(console, f"{base}/v/{local_vote_id}", "vote-page")
    console.get_by_role("button", name="Refer this proposal to the House of the People").click()
    expect(console.get_by_role("status")).to_have_text("Referred to the House of the People.")
    check(console, "vote-referred")

    visit(host, f"{base}/house/dashboard", "dashboard")
    expect(host.get_by_role("heading", name="This week at a glance")).to_be_visible()
    for name in ("Meetups held", "Attendance", "Votes recorded", "Referrals waiting"):
        expect(figure(host, name)).to_have_text(re.compile(r"^\d+$"))
    expect(figure(host, "Referrals waiting")).to_have_text("1")
    expect(host.get_by_role("link", name=title)).to_be_visible()
    expect(host.get_by_text(f"{title}:")).to_contain_text("1 assembly voted, 1 passing; 67%")
    bars = host.get_by_role("list", name="Ballots cast each week").get_by_role("listitem")
    expect(bars).to_have_count(8)
    expect(bars.last).to_contain_text(re.compile(r"^Week of \d+ \w+: \d+ ballots in \d+ votes"))

    host.get_by_role("link", name="Referrals", exact=True).click()
    referral = host.get_by_role("region", name=local_title)
    expect(referral).to_contain_text("Passed")
    check(host, "referrals")
    referral.get_by_label("Answer", exact=True).fill("We will take this to the national call.")
    answer_button = rf"^Answer\s*:\s*{re.escape(local_title)}$"  # "Answer" + a hidden ": title"
    referral.get_by_role("button", name=re.compile(answer_button)).click()
    expect(host.get_by_role("status")).to_have_text("Done.")
    expect(host.get_by_text("Nothing is waiting.")).to_be_visible()
    check(host, "referrals-answered")

    reader = open_page("phone")
    visit(reader, f"{base}/house/answers", "answers-after")
    answer = reader.get_by_role("article").filter(
        has=reader.get_by_role("heading", name=local_title)
    )
    expect(answer).to_contain_text("Answered")
    expect(answer).to_contain_text("We will take this to the national call.")

    # The dashboard follows a vote that closes elsewhere, without the host reloading.
    visit(host, f"{base}/house/dashboard", "dashboard-live")
    expect(host.get_by_text("· live")).to_be_visible()
    before = int(figure(host, "Votes recorded").inner_text())
    facilitator = LiveClient(base, cookies=http.cookies.get_dict()).connect()
    try:
        opened = facilitator.call(
            "vote.open",
            {
                "meetup_id": mid,
                "client_id": f"tea-{time.monotonic_ns()}",
                "question": "Shall we break for tea?",
                "method": "yes_no",
            },
        )
        assert opened["ok"], opened
        counted = facilitator.call(
            "vote.manual",
            {"meetup_id": mid, "vote_id": opened["vote_id"], "counts": {"yes": 5, "no": 1}},
        )
        assert counted["ok"], counted
    finally:
        facilitator.close()
    expect(figure(host, "Votes recorded")).to_have_text(str(before + 1), timeout=LIVE)
    check(host, "dashboard-after")

    # The weekly briefing pack, prepared now rather than by the scheduler, printable.
    host.get_by_role("link", name="Briefing packs").click()
    check(host, "briefings")
    host.get_by_role("button", name="Prepare last week's pack now").click()
    expect(host.get_by_role("status")).to_have_text("Briefing pack prepared.")
    check(host, "briefings-prepared")
    host.get_by_role("link", name=re.compile(r"^Week starting \d{4}-\d{2}-\d{2}$")).first.click()
    expect(host.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Briefing: week starting \d{4}-\d{2}-\d{2}$")
    )
    for heading in (
        "National motions",
        "Turnout over the last weeks",
        "Outcomes this week",
        "Referrals waiting",
    ):
        expect(host.get_by_role("heading", name=heading, level=2)).to_be_visible()
    # Last week's pack lists the motions open that week, not one published since.
    expect(host.get_by_role("link", name=DEMO_MOTION)).to_be_visible()
    expect(host.get_by_role("link", name=title)).to_have_count(0)
    check(host, "briefing")
    host.emulate_media(media="print")
    expect(host.get_by_role("banner")).to_be_hidden()
    expect(host.get_by_role("heading", level=1)).to_be_visible()
    check(host, "briefing-print")
    print(f"\nhouse e2e: {time.monotonic() - started:.1f}s")
