"""The foundation's pages in a real Chromium, as a phone and as a laptop.

Every page a test reaches is checked by axe-core, screenshotted, and must log no console error
and no Content-Security-Policy violation (see tests/e2e/conftest.py).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.servers import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

HOST_EMAIL = "host@assembly.example.org"
NO_MATCH = "That email and password do not match an account."


def sign_in(page: Page, email: str, password: str) -> None:
    """Fill in and send the sign-in form on the current page."""
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page: Page) -> None:
    """Press the header's sign-out button and wait for the home page."""
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")


def test_public_pages(module_server, device_page, visit, check):
    """Home, directory (search and region filter through the form), an assembly, 404, sign-in."""
    base, page = module_server.url, device_page
    visit(page, base + "/", "home")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Decide together, in the room and across the country"
    )
    expect(page.get_by_role("link", name="Hackney People's Assembly")).to_be_visible()

    page.get_by_role("link", name="Find an assembly near you").click()
    expect(page).to_have_url(base + "/assemblies")
    check(page, "directory")
    cards = page.locator("main .cards > li")
    expect(page.get_by_role("status")).to_have_text("4 assemblies")
    expect(cards).to_have_count(4)

    page.get_by_label("Search by name or area").fill("leeds")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/assemblies\?q=leeds"))
    check(page, "directory-search")
    expect(page.get_by_role("status")).to_have_text("1 assembly")
    expect(cards).to_have_text(re.compile("Leeds Central People's Assembly"))

    page.get_by_label("Search by name or area").fill("")
    page.get_by_label("Region").select_option("Wales")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"region=Wales"))
    check(page, "directory-region")
    expect(page.get_by_label("Region")).to_have_value("Wales")
    expect(cards).to_have_count(1)

    page.get_by_role("link", name="Cardiff People's Assembly").click()
    expect(page).to_have_url(base + "/a/cardiff")
    check(page, "assembly")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cardiff People's Assembly")
    expect(page.get_by_text("Cardiff · Wales")).to_be_visible()

    visit(page, base + "/nope", "not-found", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page).to_have_title(re.compile("^Page not found"))

    page.get_by_role("link", name="Staff sign in").click()
    expect(page).to_have_url(base + "/sign-in")
    check(page, "sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in")


def test_wrong_password_gives_one_generic_message(module_server, device_page, visit, check):
    """A wrong password and an unknown email get the same answer: no account enumeration."""
    base, page = module_server.url, device_page
    visit(page, base + "/sign-in", "sign-in")
    answers = []
    for label, email in (("wrong-password", HOST_EMAIL), ("unknown-email", "nobody@example.org")):
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            sign_in(page, email, "not-the-password-at-all")
        assert posted.value.status == 401
        check(page, label, status=401)
        expect(page.get_by_role("alert")).to_have_text(NO_MATCH)
        expect(page.locator("main .error")).to_have_count(0)  # no "unknown email" hint on a field
        answers.append(page.locator("main").inner_text())
    assert answers[0] == answers[1]


def test_host_creates_a_facilitator_who_then_changes_password(module_server, open_page, check):
    """The whole staff-account journey through the browser, checked page by page.

    It only adds an account nobody else uses, so it shares the module's server.
    """
    base = module_server.url
    email, name = "new.facilitator@assembly.example.org", "Nia Newcomer"

    host = open_page("laptop")
    host.goto(base + "/sign-in")
    check(host, "host-sign-in")
    sign_in(host, HOST_EMAIL, DEMO_PASSWORD)
    expect(host).to_have_url(base + "/account")
    check(host, "host-account")

    host.get_by_role("link", name="Staff", exact=True).click()
    expect(host).to_have_url(base + "/staff")
    check(host, "staff")
    create = host.get_by_role("region", name="Create an account")
    create.get_by_label("Email", exact=True).fill(email)
    create.get_by_label("Name", exact=True).fill(name)
    create.get_by_label("Assembly", exact=True).select_option(label="Hackney People's Assembly")
    create.get_by_label("Role", exact=True).select_option(label="Facilitator")
    create.get_by_role("button", name="Create account").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Account created")
    check(host, "staff-created")
    expect(host.get_by_text(email)).to_be_visible()
    first_password = host.locator("code.secret").inner_text().strip()
    assert len(first_password) >= 12

    host.get_by_role("link", name="Manage their roles").click()
    expect(host).to_have_url(re.compile(r"/staff/\d+$"))
    check(host, "staff-member")
    roles = host.get_by_role("region", name="Roles").get_by_role("listitem")
    expect(roles).to_have_count(1)
    expect(roles).to_contain_text(["Facilitator Hackney People's Assembly"])

    give = host.get_by_role("region", name="Give a role")
    give.get_by_label("Assembly", exact=True).select_option(label="Leeds Central People's Assembly")
    give.get_by_label("Role", exact=True).select_option(label="Door volunteer")
    give.get_by_role("button", name="Give role").click()
    expect(host.get_by_role("status")).to_have_text("Role granted.")
    check(host, "role-granted")
    expect(roles).to_have_count(2)
    expect(roles).to_contain_text(
        ["Facilitator Hackney People's Assembly", "Door volunteer Leeds Central People's Assembly"]
    )

    remove = "Remove Door volunteer Leeds Central People's Assembly"
    host.get_by_role("button", name=remove).click()
    expect(host.get_by_role("status")).to_have_text("Role removed.")
    check(host, "role-removed")
    expect(roles).to_have_count(1)
    expect(roles).to_contain_text(["Facilitator Hackney People's Assembly"])

    # Hosts also manage staff from a phone: the listing must fit a small screen.
    host_phone = open_page("phone")
    host_phone.goto(base + "/sign-in")
    check(host_phone, "host-sign-in")
    sign_in(host_phone, HOST_EMAIL, DEMO_PASSWORD)
    expect(host_phone).to_have_url(base + "/account")
    check(host_phone, "host-account")
    host_phone.get_by_role("link", name="Staff", exact=True).click()
    expect(host_phone.get_by_role("cell", name=re.compile(name))).to_be_visible()
    check(host_phone, "staff")

    sign_out(host)
    check(host, "host-signed-out")
    expect(host.get_by_role("link", name="Staff sign in")).to_be_visible()

    # The newcomer signs in with the one-time password and sets their own.
    laptop = open_page("laptop")
    laptop.goto(base + "/sign-in")
    check(laptop, "newcomer-sign-in")
    sign_in(laptop, email, first_password)
    expect(laptop).to_have_url(base + "/account")
    check(laptop, "newcomer-account")
    expect(laptop.get_by_role("region", name="Your roles").get_by_role("listitem")).to_have_text(
        ["Facilitator Hackney People's Assembly"]
    )
    expect(laptop.get_by_role("link", name="Staff", exact=True)).to_have_count(0)

    new_password = "a-new-password-of-my-own"
    laptop.get_by_label("Current password").fill(first_password)
    laptop.get_by_label("New password").fill(new_password)
    laptop.get_by_role("button", name="Change password").click()
    expect(laptop).to_have_url(base + "/sign-in")  # the change signed them out
    expect(laptop.get_by_role("link", name="Staff sign in")).to_be_visible()
    check(laptop, "password-changed")

    with laptop.expect_response(lambda r: r.request.method == "POST") as posted:
        sign_in(laptop, email, first_password)
    assert posted.value.status == 401
    expect(laptop.get_by_role("alert")).to_have_text(NO_MATCH)
    check(laptop, "old-password-refused", status=401)

    sign_in(laptop, email, new_password)
    expect(laptop).to_have_url(base + "/account")
    check(laptop, "newcomer-account-again")
    sign_out(laptop)
    check(laptop, "newcomer-signed-out")

    # The same person on their phone.
    phone = open_page("phone")
    phone.goto(base + "/sign-in")
    check(phone, "newcomer-sign-in")
    sign_in(phone, email, new_password)
    expect(phone).to_have_url(base + "/account")
    check(phone, "newcomer-account")
    expect(phone.get_by_role("region", name="Your roles")).to_contain_text("Facilitator")
    sign_out(phone)
    check(phone, "newcomer-signed-out")


def test_password_change_says_so(live_server, open_page, check):
    """After changing their password, a person is told why they are on the sign-in page."""
    page = open_page("phone")
    page.goto(live_server.url + "/sign-in")
    check(page, "sign-in")
    sign_in(page, "door@assembly.example.org", DEMO_PASSWORD)
    expect(page).to_have_url(live_server.url + "/account")
    check(page, "account")
    page.get_by_label("Current password").fill(DEMO_PASSWORD)
    page.get_by_label("New password").fill("another-password-entirely")
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(live_server.url + "/sign-in")
    expect(page.get_by_role("status")).to_have_text(
        "Your password is changed. Please sign in again.", timeout=2000
    )
    check(page, "password-changed")
