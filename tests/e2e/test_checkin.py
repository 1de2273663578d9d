"""Check-in in a real Chromium: ticket QRs read by an independent decoder, the door page's
camera fed a video of a ticket, its typed-code, name-search and check-out fallbacks, walk-ins
from the projector's join QR on a phone, and the door's offline queue.

Meetups are made in the running server's own database through an in-process app
(`server_app`), with check-in open from 30 minutes before a start a few minutes ahead.
"""

import re
import time
import uuid
from pathlib import Path

import pytest
import qrcode
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect
from sqlmodel import select

from app.db import read_session, unit_of_work
from app.events import EventRecord, utcnow
from assemblies import registrations
from assemblies.models import DoorScan, Registration
from tests.clients import LiveClient, signed_in_session
from tests.meetup_data import add_meetup
from tests.servers import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

DOOR_EMAIL = "door@assembly.example.org"
FACILITATOR_EMAIL = "facilitator@assembly.example.org"
CHECKIN_OPEN = {"start_in": 300, "length": 7200, "checkin_before_minutes": 30}


# Helpers ----------------------------------------------------------------------------------


def open_meetup(server_app, server, title: str, capacity: int = 20, people=()) -> tuple:
    """A meetup whose check-in is open now, with `people` registered (in order)."""
    app = server_app(server)
    meetup = add_meetup(app, **CHECKIN_OPEN, capacity=capacity, title=title)
    registered = []
    with app.app_context(), unit_of_work() as uow:
        for name in people:
            registration, _ = registrations.register(uow, meetup.id, name, None, utcnow())
            registered.append(registration)
    return app, meetup, registered


def sign_in(page: Page, check, base: str, email: str) -> None:
    """Sign a staff member in through the sign-in page."""
    page.goto(base + "/sign-in")
    check(page, "sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(base + "/account")
    check(page, "account")


def open_door(page: Page, check, base: str, meetup_id: int, label: str = "door") -> None:
    """Go to the door page and wait until its live connection is up."""
    page.goto(f"{base}/m/{meetup_id}/door")
    expect(page.get_by_role("heading", level=1)).to_have_text("Door")
    expect(page.locator("[data-live-state]")).to_have_text("Online")
    check(page, label)


def decode_qr(path: Path) -> str:
    """The text of the one QR code in an image, read by zxing-cpp (not by our own code)."""
    found = zxingcpp.read_barcodes(Image.open(path))
    assert len(found) == 1, f"expected one QR code in {path}, found {len(found)}"
    return found[0].text


def read_screen_qr(shoot, locator, label: str) -> str:
    """Decode a QR shown on a live page. The page may redraw while the element is being
    captured (a shot then shows part of it), so a failed read is shot again, up to 3 times."""
    for _attempt in range(2):
        path = shoot(locator, label, "laptop")
        if len(zxingcpp.read_barcodes(Image.open(path))) == 1:
            return decode_qr(path)
        time.sleep(1)
    return decode_qr(shoot(locator, label, "laptop"))


@pytest.fixture
def shoot(request, screenshots: Path):
    """shoot(locator, label, device): screenshot one element, named like `check`'s shots."""

    def shoot_(locator, label: str, device: str) -> Path:
        path = screenshots / f"{request.node.originalname}-{label}-{device}.png"
        locator.screenshot(path=path)
        return path

    return shoot_


def code_with_dash(registration: Registration) -> str:
    return f"{registration.short_code[:4]}-{registration.short_code[4:]}"


def door_record(app, meetup_id: int) -> tuple[int, int]:
    """(AttendeeCheckedIn events, door actions recorded) of a meetup, read from the database."""
    with app.app_context(), read_session() as session:
        events = session.exec(
            select(EventRecord.seq).where(
                EventRecord.stream == f"meetup:{meetup_id}",
                EventRecord.type == "AttendeeCheckedIn",
            )
        ).all()
        scans = session.exec(select(DoorScan.scan_id).where(DoorScan.meetup_id == meetup_id))
        return len(events), len(scans.all())


def write_y4m(qr: Image.Image, path: Path, frames: int = 30) -> Path:
    """A YUV4MPEG2 video (640x480, 4:2:0) of a QR code (one pixel per module) centred on
    white, for Chromium's fake webcam (--use-file-for-fake-video-capture).

    The code is scaled by a whole number to at most 300 pixels: qr-scanner only looks at the
    middle square of two thirds of the picture's height (320 pixels here).
    """
    width, height = 640, 480
    scale = 300 // qr.width
    qr = qr.convert("RGB").resize((qr.width * scale, qr.height * scale), Image.Resampling.NEAREST)
    frame = Image.new("RGB", (width, height), "white")
    frame.paste(qr, ((width - qr.width) // 2, (height - qr.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    header = f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"".join(b"FRAME\n" + planes for _ in range(frames)))
    return path


# Tests ------------------------------------------------------------------------------------


def test_ticket_qr_decodes_and_admits_over_the_socket(
    module_server, server_app, open_page, check, shoot
):
    """The phone's ticket QR, read by zxing-cpp, admits its holder through door.scan."""
    base = module_server.url
    _, meetup, (ada,) = open_meetup(server_app, module_server, "Ticket QR", people=["Ada Ticket"])

    phone = open_page("phone")
    phone.goto(f"{base}/t/{ada.ticket_token}")
    check(phone, "ticket")
    expect(phone.get_by_text("You have a place, Ada Ticket.")).to_be_visible()
    qr = phone.get_by_role("img", name="Your ticket's QR code")
    expect(qr).to_be_visible()
    assert qr.evaluate("e => e.tagName") == "svg"
    text = decode_qr(shoot(qr, "qr", "phone"))
    assert text.startswith("PA1.")
    expect(phone.get_by_text(f"Ticket code {code_with_dash(ada)}")).to_be_visible()

    http = signed_in_session(base, DOOR_EMAIL, DEMO_PASSWORD)
    door = LiveClient(base, cookies=http.cookies.get_dict()).connect()
    try:
        ack = door.call(
            "door.scan",
            {"meetup_id": meetup.id, "qr": text, "scan_id": uuid.uuid4().hex, "device": "test"},
        )
    finally:
        door.close()
    assert ack["ok"], ack
    assert ack["result"]["admitted"] and ack["result"]["outcome"] == "admitted"
    assert ack["result"]["name"] == "Ada Ticket"

    # The phone that showed the ticket became Ada's voting phone.
    phone.goto(f"{base}/m/{meetup.id}/phone")
    check(phone, "phone-after-scan")
    expect(phone.get_by_text("You are checked in, Ada Ticket.")).to_be_visible()


def test_door_camera_admits_a_ticket_from_a_video(
    module_server,
    server_app,
    open_page,
    check,
    watch_page,
    shoot,
    playwright,
    browser_type_launch_args,
    laptop_context_args,
    tmp_path,
):
    """A separate Chromium whose fake webcam plays a video of a ticket QR: the door's camera
    scanner (qr-scanner and its worker) reads it and the attendee is admitted."""
    base = module_server.url
    _, meetup, (cam,) = open_meetup(server_app, module_server, "Camera", people=["Cam Webcam"])

    phone = open_page("phone")
    phone.goto(f"{base}/t/{cam.ticket_token}")
    check(phone, "ticket")
    qr = phone.get_by_role("img", name="Your ticket's QR code")
    text = decode_qr(shoot(qr, "qr", "phone"))
    assert text.startswith("PA1.")
    video = write_y4m(qrcode.make(text, box_size=1, border=4).get_image(), tmp_path / "ticket.y4m")

    args = browser_type_launch_args
    camera_browser = playwright.chromium.launch(
        **{
            **args,
            "args": [
                *args.get("args", []),
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        }
    )
    try:
        context = camera_browser.new_context(
            **laptop_context_args, locale="en-GB", timezone_id="Europe/London"
        )
        door = watch_page(context, "laptop")
        sign_in(door, check, base, DOOR_EMAIL)
        open_door(door, check, base, meetup.id, "camera-door")
        door.get_by_role("button", name="Start camera").click()
        expect(door.get_by_role("button", name="Stop camera")).to_be_visible()
        result = door.locator("[data-door-result]")
        expect(result).to_contain_text("Admitted: Cam Webcam", timeout=10_000)
        expect(door.locator('[data-count="present"]')).to_have_text("1")
        check(door, "camera-admitted")
        door.get_by_role("button", name="Stop camera").click()
        expect(door.get_by_role("button", name="Start camera")).to_be_visible()
        context.close()
    finally:
        camera_browser.close()


def test_door_fallbacks_code_search_and_check_out(module_server, server_app, open_page, check):
    """Typed codes (with a dash), a code typed twice, a wrong code, admitting a waitlisted
    person from the name search, and checking someone out."""
    base = module_server.url
    _, meetup, (dara, eli, wren) = open_meetup(
        server_app,
        module_server,
        "Door fallbacks",
        capacity=2,
        people=["Dara Code", "Eli Leaving", "Wren Waiting"],
    )
    assert wren.status == "waitlisted"

    page = open_page("laptop")
    sign_in(page, check, base, DOOR_EMAIL)
    open_door(page, check, base, meetup.id)
    result = page.locator("[data-door-result]")
    present = page.locator('[data-count="present"]')
    expect(result).to_contain_text("Ready to scan")
    expect(present).to_have_text("0")
    expect(page.locator('[data-count="expected"]')).to_have_text("2")

    def type_code(code: str) -> None:
        page.get_by_label("Ticket code").fill(code)
        page.get_by_role("button", name="Check in").click()

    type_code(code_with_dash(dara).lower())
    expect(result).to_have_text(re.compile(r"Admitted: Dara Code"))
    expect(present).to_have_text("1")
    expect(page.get_by_label("Ticket code")).to_have_value("")
    check(page, "code-admitted")

    type_code(code_with_dash(dara))
    expect(result).to_contain_text("Already checked in: Dara Code")
    check(page, "code-already")

    type_code("ZZZZ-0000")
    expect(result).to_contain_text("Unknown code")
    check(page, "code-unknown")

    page.get_by_role("searchbox", name="Name").fill("wren")
    page.get_by_role("button", name="Search").click()
    found = page.locator("[data-search-results]").get_by_role("listitem")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Wren Waiting")
    expect(found).to_contain_text("Waitlist")
    check(page, "search-found")
    page.get_by_role("button", name="Admit Wren Waiting").click()
    expect(result).to_contain_text("Admitted: Wren Waiting")
    expect(present).to_have_text("2")
    expect(found).to_contain_text("In")  # the shown result follows: no stale Admit button
    expect(page.get_by_role("button", name="Admit Wren Waiting")).to_have_count(0)
    check(page, "search-admitted")

    type_code(code_with_dash(eli))
    expect(result).to_contain_text("Admitted: Eli Leaving")
    expect(present).to_have_text("3")
    page.get_by_role("button", name="Check out Eli Leaving").click()
    expect(present).to_have_text("2")
    expect(page.locator('[data-count="checked_out"]')).to_have_text("1")
    attendance = page.locator("[data-attendance-list]").get_by_role("listitem")
    expect(attendance.filter(has_text="Eli Leaving")).to_contain_text("Left")
    expect(page.get_by_role("button", name="Check out Eli Leaving")).to_have_count(0)
    check(page, "checked-out")


def test_walk_in_from_the_projector_on_a_phone(
    module_server, server_app, open_page, watch_page, check, shoot
):
    """The projector's join QR, decoded from the screen, checks a phone in; the count on the
    projector follows live; turning walk-ins off hides the code and refuses join links."""
    base = module_server.url
    _, meetup, _ = open_meetup(server_app, module_server, "Walk-ins")

    projector = open_page("laptop")
    sign_in(projector, check, base, FACILITATOR_EMAIL)
    projector.goto(f"{base}/m/{meetup.id}/screen")
    join_qr = projector.get_by_role("img", name="QR code to join this meetup")
    expect(join_qr).to_be_visible()
    expect(projector.locator("[data-present]")).to_have_text("0")
    projector.wait_for_function("() => document.querySelector('[data-join-qr]').naturalWidth > 0")
    check(projector, "projector")
    projector.evaluate("window.__notReloaded = true")
    join_url = read_screen_qr(shoot, join_qr, "join-qr")
    assert re.fullmatch(rf"{re.escape(base)}/j/[\w.-]+", join_url), join_url

    phone = open_page("phone")
    phone.goto(join_url)
    check(phone, "join")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Join “Walk-ins”")
    phone.get_by_label("Your name").fill("Wally Walk-in")
    phone.get_by_role("button", name="Check in").click()
    expect(phone).to_have_url(f"{base}/m/{meetup.id}/phone")
    expect(phone.get_by_text("You are checked in, Wally Walk-in.")).to_be_visible()
    check(phone, "walked-in")

    expect(projector.locator("[data-present]")).to_have_text("1")
    assert projector.evaluate("window.__notReloaded === true")  # live, no reload
    check(projector, "projector-one-present")

    # The facilitator turns walk-ins off from the door page, in another tab.
    door = watch_page(projector.context, "laptop")
    open_door(door, check, base, meetup.id)
    expect(door.get_by_text("Walk-ins are on: the big screen shows a join code.")).to_be_visible()
    door.get_by_role("button", name="Turn walk-ins off").click()
    expect(door.get_by_text("Walk-ins are off.")).to_be_visible()
    expect(door.get_by_role("button", name="Turn walk-ins on")).to_be_visible()
    check(door, "walk-ins-off")

    expect(projector.get_by_role("heading", name="Just arrived? Scan to join")).to_be_hidden()
    expect(join_qr).to_be_hidden()
    assert projector.evaluate("window.__notReloaded === true")
    check(projector, "projector-walk-ins-off")

    fresh = projector.request.get(f"{base}/m/{meetup.id}/join-code")
    assert fresh.ok
    late_phone = open_page("phone")
    response = late_phone.goto(fresh.headers["x-join-url"])
    assert response is not None and response.status == 400
    check(late_phone, "join-refused", status=400)
    expect(late_phone.get_by_role("heading", level=1)).to_have_text("Cannot join with this code")
    expect(late_phone.get_by_text("Walk-ins are turned off for this meetup")).to_be_visible()

    door.get_by_role("button", name="Turn walk-ins on").click()
    expect(join_qr).to_be_visible()
    assert projector.evaluate("window.__notReloaded === true")
    check(door, "walk-ins-on-again")
    check(projector, "projector-walk-ins-on-again")


def test_door_queues_a_code_offline_and_admits_it_once_back_online(
    module_server, server_app, open_page, check
):
    """A code typed while the door has no connection is kept, then sent and admitted once."""
    base = module_server.url
    app, meetup, (olu,) = open_meetup(server_app, module_server, "Offline", people=["Olu Offline"])

    page = open_page("laptop")
    sign_in(page, check, base, DOOR_EMAIL)
    open_door(page, check, base, meetup.id)
    state = page.locator("[data-live-state]")
    result = page.locator("[data-door-result]")

    page.context.set_offline(True)
    expect(state).to_have_text(re.compile("^Offline"), timeout=15_000)
    page.get_by_label("Ticket code").fill(code_with_dash(olu))
    page.get_by_role("button", name="Check in").click()
    expect(result).to_contain_text("Saved offline: will be sent when back online")
    expect(page.locator("[data-queue-state]")).to_have_text("1 pending")
    check(page, "queued-offline")
    assert door_record(app, meetup.id) == (0, 0)

    page.context.set_offline(False)
    expect(state).to_have_text("Online", timeout=15_000)
    expect(result).to_contain_text("Admitted: Olu Offline")
    expect(page.locator("[data-queue-state]")).to_have_text("")
    expect(page.locator('[data-count="present"]')).to_have_text("1")
    check(page, "replayed-online")

    page.reload()  # nothing is left in the queue to send again
    expect(state).to_have_text("Online")
    expect(page.locator('[data-count="present"]')).to_have_text("1")
    check(page, "after-reload")
    assert door_record(app, meetup.id) == (1, 1)  # admitted once, sent once
