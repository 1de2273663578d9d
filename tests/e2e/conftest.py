"""Browser-test harness: Debian's Chromium driven by pytest-playwright, checked by axe-core.

Every test here gets real pages from one of two devices, a phone (iPhone 13 metrics, run by
Chromium) and a laptop (1366x800), and looks at them through two helpers:

    def test_something(visit, check, phone, module_server):
        visit(phone, module_server.url + "/", "home")     # go, then check
        phone.get_by_role("link", name="Assemblies").click()
        check(phone, "directory")                         # check where a click led

`check` saves a screenshot to test-artifacts/screenshots/<test>-<label>-<phone|laptop>.png,
runs axe-core and fails on any violation, on content wider than the screen, and on any console
error, uncaught script error or Content-Security-Policy violation seen on that page so far.
A test that loads a page and never checks it fails too: every page a test sees is checked.
Mark browser tests with `pytestmark = pytest.mark.e2e`. Without Chromium the tests skip (and
CI=true fails the run: see tests/conftest.py).
"""

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"viewport": {"width": 1366, "height": 800}, "device_scale_factor": 1}
DEVICES = ("phone", "laptop")

# Runs before any page script, outside the page's CSP (Playwright injects it over CDP), and
# records every CSP violation the page reports, whether or not the browser logs it.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
      `(${event.sourceFile || "?"}:${event.lineNumber})`
  );
});
"""

_axe = Axe()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch Debian's Chromium (never a downloaded one); skip if it is not installed."""
    if not (os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)):
        # Only on a developer's machine: .ci/run installs Chromium, and a skip fails CI.
        pytest.skip(
            f"Chromium not found at {CHROMIUM_PATH}: `apt-get install chromium` "
            "or set CHROMIUM_PATH (browser tests never download a browser)"
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def phone_context_args(playwright: Playwright) -> dict:
    """An iPhone 13's viewport, pixel ratio, touch and user agent, but run by Chromium."""
    descriptor = dict(playwright.devices["iPhone 13"])
    descriptor.pop("default_browser_type", None)
    return descriptor


@pytest.fixture(scope="session")
def laptop_context_args() -> dict:
    """A common laptop screen."""
    return dict(LAPTOP)


@dataclass
class Watched:
    """What one page reported since its last check: console and script errors, loads."""

    device: str
    problems: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    def on_load(self, page: Page) -> None:
        self.unchecked.append(page.url)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "?") if message.location else "?"
        self.problems.append(f"console error: {message.text} (at {where})")

    def on_page_error(self, error: Exception) -> None:
        self.problems.append(f"uncaught script error: {error}")


@pytest.fixture
def watched() -> dict[Page, Watched]:
    """The pages opened by this test, with what each has reported."""
    return {}


@pytest.fixture
def watch_page(watched: dict[Page, Watched]) -> Callable[[BrowserContext, str], Page]:
    """watch_page(context, device): a new page of `context` that `check` can check.

    `open_page` uses it; a test that launches its own browser (with other flags) uses it too.
    """

    scripted: list[BrowserContext] = []

    def watch_page_(context: BrowserContext, device: str) -> Page:
        if context not in scripted:
            context.add_init_script(script=WATCH_CSP)
            scripted.append(context)
        page = context.new_page()
        watch = Watched(device)
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        page.on("load", watch.on_load)
        watched[page] = watch
        return page

    return watch_page_


@pytest.fixture
def open_page(
    request,
    browser: Browser,
    phone_context_args: dict,
    laptop_context_args: dict,
    watched: dict[Page, Watched],
    watch_page: Callable[[BrowserContext, str], Page],
) -> Iterator[Callable[[str], Page]]:
    """Open a page in a fresh context (own cookies) as a "phone" or a "laptop"."""
    contexts: list[BrowserContext] = []

    def open_(device: str) -> Page:
        args = {"phone": phone_context_args, "laptop": laptop_context_args}[device]
        context = browser.new_context(**args, locale="en-GB", timezone_id="Europe/London")
        contexts.append(context)
        return watch_page(context, device)

    yield open_
    for context in contexts:
        context.close()
    outcome = getattr(request.node, "rep_call", None)  # set by pytest-playwright
    if outcome is None or not outcome.passed:
        return  # the test's own failure says more
    leftovers = [f"{w.device}: {p}" for w in watched.values() for p in w.problems]
    leftovers += [
        f"{w.device}: never checked: {url}" for w in watched.values() for url in w.unchecked
    ]
    if leftovers:
        pytest.fail("after the last check(page, label):\n" + "\n".join(leftovers), pytrace=False)


@pytest.fixture
def phone(open_page) -> Page:
    """A page on a phone."""
    return open_page("phone")


@pytest.fixture
def laptop(open_page) -> Page:
    """A page on a laptop."""
    return open_page("laptop")


@pytest.fixture(params=DEVICES)
def device_page(request, open_page) -> Page:
    """A page on each device in turn: the test runs once as a phone, once as a laptop."""
    return open_page(request.param)


@pytest.fixture(scope="session")
def screenshots(artifacts: Path) -> Path:
    """test-artifacts/screenshots/"""
    folder = artifacts / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def check(request, screenshots: Path, watched: dict[Page, Watched]) -> Callable[..., Page]:
    """check(page, label, status=200): screenshot, then fail on axe, console or CSP problems.

    `status` is the HTTP status the current document was served with; Chromium logs a
    non-2xx document as a console error, which is expected only then.
    """
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.originalname)

    def check_(page: Page, label: str, status: int = 200) -> Page:
        watch = watched[page]
        page.wait_for_load_state("load")
        path = screenshots / f"{test_name}-{label}-{watch.device}.png"
        page.screenshot(path=path, full_page=True)
        failures = []
        results = _axe.run(page)
        if results.violations_count:
            failures.append(results.generate_report())
        wide, viewport = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if wide > viewport:
            failures.append(
                f"content is {wide}px wide in a {viewport}px viewport: scrolls sideways"
            )
        csp = page.evaluate("window.__cspViolations || []")
        failures += [f"CSP violation: {violation}" for violation in csp]
        expected = f"status of {status} " if status >= 400 else None
        problems = [p for p in watch.problems if not (expected and expected in p)]
        failures += problems
        watch.problems.clear()
        # After the round trips above this page's own load has been heard: it is the last one.
        failures += [f"loaded but never checked: {url}" for url in watch.unchecked[:-1]]
        watch.unchecked.clear()
        if failures:
            pytest.fail(
                f"{label} ({watch.device}, {page.url}, screenshot {path}):\n" + "\n".join(failures),
                pytrace=False,
            )
        return page

    return check_


@pytest.fixture
def visit(check) -> Callable[..., Page]:
    """visit(page, url, label, status=200): go to `url`, assert the status, then check."""

    def visit_(page: Page, url: str, label: str, status: int = 200) -> Page:
        response = page.goto(url)
        assert response is not None and response.status == status, (
            f"{url}: expected HTTP {status}, got {response and response.status}"
        )
        return check(page, label, status=status)

    return visit_
