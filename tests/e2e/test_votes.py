"""Votes in a real Chromium: the facilitator opens each kind of vote from the console on a
laptop, the projector follows in a second laptop-size window, and three phones that walked in
from the join code cast their ballots through the real controls (radios, checkboxes, number
inputs, and for ranked ballots only the Add / Move up / Move down / Remove buttons; one phone
ranks by keyboard alone).

Every ballot gets a receipt, the console's turnout follows, and after the close the projector
(with its rounds for IRV and STV) and each phone show the result, which must be what the
published ballot box at /v/<id>.json says. Also: changing a vote, a timed vote that closes by
itself, checking a receipt on the /v/<id> page, and counts from a show of hands. Every page is
checked by axe-core, screenshotted, and must log no console error and no Content-Security-
Policy violation (see tests/e2e/conftest.py).
"""

import re
import time

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.clients import LiveClient, signed_in_session
from tests.meetup_data import add_meetup
from tests.servers import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

FACILITATOR_EMAIL = "facilitator@assembly.example.org"
LIVE = 10_000  # ms for any other live update
RECEIPT = re.compile(r"Your receipt: ([2-9A-HJKMNP-Z]{10})")
COLOURS = ["Red", "Blue", "Green"]
FOUR = ["Red", "Blue", "Green", "Yellow"]
ONE_CHOICE = ("yes_no", "consent", "temperature", "single")
RANKED = ("irv", "stv", "schulze")
YES_NO = {"Yes": "yes", "No": "no", "Abstain": "abstain"}

# method, options typed one per line, rule fields of the form, and the ballots of the three
# phones (Ada and Ben use the pointer, Cleo ranks with the keyboard).
VOTES = [
    ("yes_no", [], {}, ["Yes", "No", "Abstain"]),
    ("consent", [], {"Blocks allowed before it fails": "0"}, ["endorse", "agree", "stand aside"]),
    ("temperature", [], {}, ["warm", "warm", "unsure"]),
    ("single", COLOURS, {}, ["Red", "Blue", "Red"]),
    ("approval", COLOURS, {}, [["Red", "Blue"], ["Blue"], ["Blue", "Green"]]),
    ("dots", COLOURS, {"Dots each": "4"}, [{"Red": 4}, {"Red": 1, "Blue": 3}, {"Green": 2}]),
    (
        "score",
        COLOURS,
        {"Highest score": "3"},
        [
            {"Red": 3, "Blue": 1, "Green": 0},
            {"Red": 2, "Blue": 3, "Green": 1},
            {"Red": 3, "Blue": 2, "Green": 0},
        ],
    ),
    ("irv", FOUR, {}, [["Green", "Red"], ["Blue", "Red"], ["Red", "Blue", "Yellow"]]),
    ("stv", COLOURS, {"Seats": "2"}, [["Red", "Green"], ["Red", "Blue"], ["Blue", "Green"]]),
    ("schulze", COLOURS, {}, [COLOURS, ["Blue", "Red", "Green"], ["Red", "Green"]]),
]
# What each count must come to (irv's 1-1-1 second round goes to the seeded tie-break).
OUTCOMES = {
    "yes_no": {"passed": True},
    "consent": {"passed": True},
    "temperature": {"passed": None},
    "single": {"winners": ["Red"]},
    "approval": {"winners": ["Blue"]},
    "dots": {"winners": ["Red"]},
    "score": {"winners": ["Red"]},
    "irv": {"rounds": 3},
    "stv": {"winners": ["Red", "Blue"], "rounds": 3},
    "schulze": {"winners": ["Red"]},
}
PROJECTOR_SHOTS = ("yes_no", "irv", "stv")


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


def console_vote(console: Page, question: str) -> Locator:
    """The console's card (list item) of the vote with this question."""
    votes = console.get_by_role("region", name="Votes", exact=True)
    return votes.get_by_role("listitem").filter(
        has=console.get_by_role("heading", name=question, exact=True)
    )


def open_vote(
    console: Page, question: str, method: str, options: list[str], fields: dict[str, str]
) -> int:
    """Open a vote through the console's form; returns its id."""
    votes = console.get_by_role("region", name="Votes", exact=True)
    votes.get_by_label("Question").fill(question)
    votes.get_by_label("Method").select_option(method)
    if options:
        votes.get_by_label("Options, one per line").fill("\n".join(options))
    for label, value in fields.items():
        votes.get_by_label(label, exact=True).fill(value)
    votes.get_by_role("button", name="Open the vote").click()
    card = console_vote(console, question)
    expect(card).to_contain_text("0 of 3 present have voted (0%)")
    return int(re.match(r"#(\d+)", card.locator(".meta").first.inner_text()).group(1))


def ballot_card(phone: Page, question: str) -> Locator:
    """A phone's card of the vote with this question."""
    return phone.get_by_role("region", name=question, exact=True)


def tab_to(target: Locator, key: str = "Tab", limit: int = 25) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus."""
    for _ in range(limit):
        if target.evaluate("node => node === document.activeElement"):
            return
        target.page.keyboard.press(key)
    raise AssertionError(f"{key} never reached {target}")


def rank_with_pointer(card: Locator, order: list[str], options: list[str], move: str) -> None:
    """Rank with taps only: the first two in the wrong order, then put right with `move`
    ("up" or "down"); an unwanted option added and removed again."""
    first, second, *rest = order
    button = card.get_by_role
    button("button", name=f"Add: {second}", exact=True).click()
    button("button", name=f"Add: {first}", exact=True).click()
    if move == "up":
        button("button", name=f"Move up: {first}", exact=True).click()
    else:
        button("button", name=f"Move down: {second}", exact=True).click()
    for option in rest:
        button("button", name=f"Add: {option}", exact=True).click()
    unwanted = [option for option in options if option not in order]
    if unwanted:
        button("button", name=f"Add: {unwanted[0]}", exact=True).click()
        button("button", name=f"Remove: {unwanted[0]}", exact=True).click()
    expect(card.locator(".ranked .rank-label")).to_have_text(order)


def rank_with_keyboard(card: Locator, order: list[str]) -> None:
    """Rank and cast with the keyboard alone: the first two in the wrong order, put right with
    "Move up", then the rest, then Tab to "Cast my vote"; focus must never be lost."""
    keyboard = card.page.keyboard
    first, second, *rest = order

    def button(name: str) -> Locator:
        return card.get_by_role("button", name=name, exact=True)

    button(f"Add: {second}").focus()
    keyboard.press("Enter")
    tab_to(button(f"Add: {first}"))
    keyboard.press(" ")
    tab_to(button(f"Move up: {first}"), "Shift+Tab")
    keyboard.press("Enter")
    expect(card.locator(":focus")).to_have_count(1)  # the re-drawn list kept the focus
    for option in rest:
        tab_to(button(f"Add: {option}"))
        keyboard.press("Enter")
    expect(card.locator(".ranked .rank-label")).to_have_text(order)
    tab_to(button("Cast my vote"))
    keyboard.press("Enter")


def fill_ballot(card: Locator, method: str, ballot, options: list[str], who: int) -> None:
    """Fill in a ballot through the real controls (ranked: pointer for Ada and Ben)."""
    if method in ONE_CHOICE:
        card.get_by_role("radio", name=ballot, exact=True).check()
    elif method == "approval":
        for option in ballot:
            card.get_by_role("checkbox", name=option, exact=True).check()
    elif method in ("dots", "score"):
        for option, number in ballot.items():
            card.get_by_role("spinbutton", name=option, exact=True).fill(str(number))
    else:
        rank_with_pointer(card, ballot, options, "up" if who == 0 else "down")


def receipt_on(card: Locator, not_this: str | None = None) -> str:
    """The receipt a phone shows after casting (a new one, if `not_this` is given)."""
    note = card.get_by_role("status")
    expect(note).to_contain_text("Your vote is in.")
    expect(note).to_contain_text(RECEIPT)
    if not_this:
        expect(note).not_to_contain_text(not_this)
    return RECEIPT.search(note.inner_text()).group(1)


def canonical(method: str, ballot):
    """A ballot as the published ballot box writes it."""
    if method == "yes_no":
        return YES_NO[ballot]
    if method == "approval":
        return sorted(ballot)
    if method == "dots":
        return {option: n for option, n in ballot.items() if n}
    return ballot


def published(base: str, vote_id: int) -> dict:
    """The vote's published document."""
    response = requests.get(f"{base}/v/{vote_id}.json", timeout=10)
    response.raise_for_status()
    return response.json()


def expect_result(page: Page, where: Locator, result: dict) -> None:
    """The summary and one bar per option of a closed vote."""
    expect(where.get_by_text(result["summary"], exact=True)).to_be_visible()
    bars = where.get_by_role("list", name="Counts").get_by_role("listitem")
    expect(bars).to_have_count(len(result["counts"]))


def test_every_ballot_type_on_three_phones(
    module_server, server_app, open_page, check, visit, watched
):
    base = module_server.url
    started = time.monotonic()
    mid = add_meetup(
        server_app(module_server),
        start_in=300,
        length=7200,
        checkin_before_minutes=30,
        title="Votes in the hall",
    ).id
    http = signed_in_session(base, FACILITATOR_EMAIL, DEMO_PASSWORD)
    cookies = [{"name": c.name, "value": c.value, "url": base} for c in http.cookies]

    console = open_page("laptop")
    console.context.add_cookies(cookies)
    console.goto(f"{base}/m/{mid}/console")
    expect(console.locator("[data-live-state]")).to_have_text("Live")
    projector = open_page("laptop")
    projector.context.add_cookies(cookies)
    projector.goto(f"{base}/m/{mid}/screen")
    expect(projector.locator("[data-signals]")).to_have_text(re.compile("^Agree 0"))
    check(projector, "projector")

    join_url = http.get(f"{base}/m/{mid}/join-code", timeout=10).headers["X-Join-Url"]
    phones = []
    for name in ("Ada", "Ben", "Cleo"):
        phone = open_page("phone")
        walk_in(phone, check, join_url, name, mid, base)
        phones.append(phone)
    ada, ben, cleo = phones
    expect(console.locator("[data-present]")).to_have_text("3")
    check(console, "console")
    for page in (projector, *phones):  # nobody reloads from here on
        page.evaluate("window.__sameDocument = true")

    vote_ids, receipts = {}, {}
    for method, options, fields, ballots in VOTES:
        question = f"Which way? ({method})"
        vote_ids[method] = vote_id = open_vote(console, question, method, options, fields)
        cards = [ballot_card(phone, question) for phone in phones]
        for card in cards:  # how fast is measured by `make bench`, not here
            expect(card.get_by_role("button", name="Cast my vote")).to_be_visible(timeout=LIVE)
        expect(projector.locator("[data-vote-label]")).to_have_text("Vote now on your phone")
        expect(projector.locator("[data-vote-question]")).to_have_text(question)
        turnout = console_vote(console, question)

        for who, (phone, card, ballot) in enumerate(zip(phones, cards, ballots, strict=True)):
            if method in RANKED and phone is cleo:
                rank_with_keyboard(card, ballot)
            else:
                fill_ballot(card, method, ballot, options, who)
                if phone is ada:
                    check(ada, f"ballot-{method}")
                card.get_by_role("button", name="Cast my vote").click()
            receipts[method, who] = receipt_on(card)
            expect(turnout).to_contain_text(f"{who + 1} of 3 present have voted")
            expect(card).to_contain_text(re.compile(rf"{who + 1} votes? cast so far"))

        if method == "yes_no":  # Cleo changes her mind: a new receipt, still 3 voters
            card = cards[2]
            expect(card.get_by_role("radio", name="Abstain", exact=True)).to_be_checked()
            card.get_by_role("radio", name="Yes", exact=True).check()
            card.get_by_role("button", name="Change my vote").click()
            changed = receipt_on(card, not_this=receipts["yes_no", 2])
            receipts["yes_no", "replaced"] = receipts["yes_no", 2]
            receipts["yes_no", 2] = changed
            ballots = ["Yes", "No", "Yes"]
        expect(turnout).to_contain_text("3 of 3 present have voted (100%)")
        expect(projector.locator("[data-vote-turnout]")).to_have_text(
            "3 of 3 present have voted (100%)"
        )

        turnout.get_by_role("button", name="Close the vote now").click()
        expect(turnout).to_contain_text(f"#{vote_id} · Closed")
        document = published(base, vote_id)
        assert document["status"] == "closed"
        result = document["result"]
        box = sorted(
            (row["receipt"], row["ballot"]) for row in document["ballot_box"]
        )  # secret: no names, and exactly the three ballots cast, as cast
        assert box == sorted(
            (receipts[method, who], canonical(method, ballot)) for who, ballot in enumerate(ballots)
        )
        assert all(row["name"] is None for row in document["ballot_box"])
        outcome = OUTCOMES[method]
        for key in ("passed", "winners"):
            if key in outcome:
                assert result[key] == outcome[key], (method, result)
        if "rounds" in outcome:
            assert len(result["rounds"]) == outcome["rounds"], (method, result)

        screen = projector.locator("[data-vote]")
        expect(projector.locator("[data-vote-result]")).to_have_text(result["summary"])
        expect_result(projector, screen, result)
        if method in ("irv", "stv"):
            rounds = projector.locator("[data-vote-rounds]").get_by_role("listitem")
            expect(rounds).to_have_count(len(result["rounds"]))
            expect(rounds.last).to_contain_text("elected")
        if method in PROJECTOR_SHOTS:
            check(projector, f"result-{method}")
        for phone in phones:
            expect_result(phone, ballot_card(phone, question), result)
        expect_result(console, turnout, result)
    check(console, "console-results")
    check(ada, "phone-results")

    # A timed vote (opened over the socket: the form's shortest timer is a minute) closes
    # by itself; the projector shows its result without a reload.
    facilitator = LiveClient(base, cookies=http.cookies.get_dict()).connect()
    try:
        ack = facilitator.call(
            "vote.open",
            {
                "meetup_id": mid,
                "client_id": f"timed-{time.monotonic_ns()}",
                "question": "Timed: shall we break for tea?",
                "method": "yes_no",
                "duration_seconds": 10,
            },
        )
    finally:
        facilitator.close()
    assert ack["ok"], ack
    timed_opened = time.monotonic()
    timed = ballot_card(ada, "Timed: shall we break for tea?")
    timed.get_by_role("radio", name="Yes", exact=True).check()
    timed.get_by_role("button", name="Cast my vote").click()
    receipt_on(timed)
    expect(timed).to_contain_text(re.compile("1 votes? cast so far"))
    expect(timed).to_contain_text("closes at")
    expect(projector.locator("[data-vote-timer]")).to_have_text(re.compile(r"^0:(0\d|10)$"))
    check(ada, "ballot-timed")

    # Meanwhile anyone checks a receipt of the yes/no vote on its published page.
    visitor = open_page("phone")
    visit(visitor, f"{base}/v/{vote_ids['yes_no']}", "vote-page")
    box = visitor.get_by_role("region", name="Ballot box")
    expect(box.get_by_role("row")).to_have_count(4)  # a header and three ballots
    visitor.get_by_label("Receipt code").fill(receipts["yes_no", 2].lower())
    visitor.get_by_role("button", name="Check").click()
    expect(visitor.get_by_role("status")).to_have_text('Found: this ballot was counted as "yes".')
    check(visitor, "vote-page-receipt")
    visitor.get_by_label("Receipt code").fill(receipts["yes_no", "replaced"])
    visitor.get_by_role("button", name="Check").click()
    expect(visitor.get_by_role("status")).to_contain_text("No ballot has that receipt.")
    check(visitor, "vote-page-replaced-receipt")

    timed_result = projector.locator("[data-vote-result]")
    expect(timed_result).to_have_text(re.compile("^Passed: 1 yes of 1 cast"), timeout=25_000)
    assert time.monotonic() - timed_opened >= 9.5
    expect(timed.locator(".result-summary")).to_have_text(re.compile("^Passed"))
    check(projector, "result-timed")

    # Counts from a show of hands, typed into the console, close a yes/no vote.
    hands = "Show of hands: paint the hall?"
    open_vote(console, hands, "yes_no", [], {})
    for phone in phones:
        expect(ballot_card(phone, hands)).to_be_visible()
    card = console_vote(console, hands)
    card.get_by_label("Yes", exact=True).fill("12")
    card.get_by_label("No", exact=True).fill("5")
    card.get_by_label("Abstain", exact=True).fill("2")
    check(console, "console-manual-counts")
    card.get_by_role("button", name="Record counts from a show of hands").click()
    expect(card).to_contain_text("counted by hand")
    summary = "Passed: 12 yes of 17 yes/no votes (2 abstaining not counted), 71% against"
    expect(card.locator(".result-summary")).to_contain_text(summary)
    expect(projector.locator("[data-vote-result]")).to_contain_text(summary)
    for phone in phones:
        expect(ballot_card(phone, hands).locator(".result-summary")).to_contain_text(summary)
    check(console, "console-manual-closed")
    check(cleo, "phone-manual-closed")

    for page in (projector, *phones):
        assert page.evaluate("window.__sameDocument === true"), "a live page reloaded"
    print(f"\nvotes e2e: {time.monotonic() - started:.1f}s")
