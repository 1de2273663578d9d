"""Forged and replayed tokens, guessed codes, malformed and oversized socket messages, command
floods, and sockets that lose a role."""

import secrets
import threading
import time
from pathlib import Path
from unittest import mock

import requests
import socketio
from itsdangerous import URLSafeTimedSerializer

from assemblies import registrations, tickets
from tests.clients import LiveClient, signed_in_session
from tests.security.conftest import client_id, register
from tests.servers import DEMO_PASSWORD, run_cli


def ticket_qr(cast, token: str, device: str | None = None) -> str:
    """The QR text of a ticket, made with the server's key (as the ticket page does)."""
    with cast.app.app_context():
        from app.db import read_session

        with read_session() as session:
            row = registrations.find_by_token(session, token)
            return tickets.ticket_qr_text(row.meetup_id, row.id, row.qr_nonce, device)


def scan(cast, role: str, meetup_id: int, qr: str) -> dict:
    """A door scan; returns the door's result."""
    ack = cast.socket(role).call(
        "door.scan", {"meetup_id": meetup_id, "qr": qr, "scan_id": client_id()}
    )
    assert ack["ok"], ack
    return ack["result"]


def forged(payload: dict, salt: str) -> str:
    """A token signed with a key that is not the server's."""
    return URLSafeTimedSerializer("not-the-server-key-" * 3, salt=salt).dumps(payload)


def close_quietly(client: socketio.Client, websocket) -> None:
    """Close a client and its websocket (taken while connected: a client the server dropped
    forgets its websocket without closing it)."""
    client.disconnect()
    websocket.shutdown()


def wait_until_dropped(client: socketio.Client, timeout: float = 20) -> bool:
    """Wait for the server to end a connection; True if it did."""
    websocket = client.eio.ws
    deadline = time.monotonic() + timeout
    while client.connected and time.monotonic() < deadline:
        time.sleep(0.2)
    dropped = not client.connected
    close_quietly(client, websocket)
    return dropped


def server_rss_kib(server) -> int:
    """The server process's resident memory."""
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))


def test_forged_altered_and_foreign_ticket_qrs_admit_nobody(cast):
    token = register(cast, cast.meetup_a, "Qr holder")
    genuine = ticket_qr(cast, token)
    with cast.app.app_context():
        row = _registration(token)
    fake = tickets.TICKET_PREFIX + forged(
        {"m": cast.meetup_a, "r": row.id, "n": row.qr_nonce}, "ticket-qr"
    )
    altered = genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB")
    assert scan(cast, "door", cast.meetup_a, fake)["outcome"] == "forged"
    assert scan(cast, "door", cast.meetup_a, altered)["outcome"] == "forged"
    assert scan(cast, "door", cast.meetup_a, "PA1." + "x" * 5000)["admitted"] is False
    assert scan(cast, "fac_b", cast.meetup_b, genuine)["admitted"] is False  # other meetup
    first = scan(cast, "door", cast.meetup_a, genuine)
    again = scan(cast, "door", cast.meetup_a, genuine)
    assert first["admitted"] is True and again["outcome"] != "admitted"


def test_a_cancelled_tickets_qr_is_refused(cast):
    token = register(cast, cast.meetup_a, "Changed mind")
    qr = ticket_qr(cast, token)
    with requests.Session() as http:
        assert cast.form_post(http, f"/t/{token}/cancel").status_code == 302
    result = scan(cast, "door", cast.meetup_a, qr)
    assert result["admitted"] is False and result["outcome"] in ("cancelled", "revoked")


def test_forged_altered_and_expired_join_tokens_are_refused(cast):
    with cast.app.app_context():
        genuine = tickets.join_token(cast.meetup_a)
        with mock.patch("time.time", return_value=time.time() - 600):
            expired = tickets.join_token(cast.meetup_a)
    fake = forged({"m": cast.meetup_a, "w": tickets.current_join_window()}, "join-qr")
    for token in (fake, genuine[:-2] + "xx", expired, "x" * 400):
        response = requests.get(f"{cast.url}/j/{token}", timeout=20)
        assert response.status_code in (400, 404), (token, response.status_code)
    assert requests.get(f"{cast.url}/j/{genuine}", timeout=20).status_code == 200


def test_guessing_ticket_links_is_rate_limited(cast):
    statuses = [
        requests.get(f"{cast.url}/t/{secrets.token_urlsafe(18)}", timeout=20).status_code
        for _ in range(320)
    ]
    assert set(statuses) <= {404, 429} and 429 in statuses


def test_typed_codes_are_rate_limited_per_door_account(cast):
    door = cast.socket("door")
    codes = [
        door.call(
            "door.code",
            {"meetup_id": cast.meetup_a, "code": f"ZZZZ-{n:04d}", "scan_id": client_id()},
        )
        for n in range(35)
    ]
    refused = [ack for ack in codes if not ack["ok"]]
    assert refused and {ack["error"]["code"] for ack in refused} == {"rate_limited"}


def test_an_open_votes_page_publishes_no_ballot_to_look_up(cast):
    """Receipts need no rate limit: before close the box is empty, after it is public."""
    vote_id = cast.ids["open_vote"]
    assert requests.get(f"{cast.url}/v/{vote_id}.json", timeout=20).json()["ballot_box"] == []
    page = requests.get(f"{cast.url}/v/{vote_id}?receipt=AAAAAAAAAA", timeout=20).text
    assert "Found: this ballot was counted as" not in page


def test_malformed_messages_get_an_error_ack(cast):
    cookies = cast.http["fac_a"].cookies.get_dict()
    for name in cast.app.extensions["realtime"].commands:
        # A connection per command: all of them at once would spend one connection's budget.
        client = LiveClient(cast.url, cookies=cookies).connect()
        try:
            for junk in (None, [], "text", 12, [1, {"a": 2}], True):
                ack = client.call(name, junk)
                assert ack["ok"] is False and ack["error"]["code"] == "bad_request", (name, ack)
            assert client.call("no.such.command", {})["error"]["code"] == "unknown_command"
            assert client.call("ping", {})["ok"]
        finally:
            client.close()


def test_garbage_frames_and_oversized_messages_do_not_hurt_the_server(cast, module_server):
    raw = socketio.Client(reconnection=False)
    raw.connect(cast.url, transports=["websocket"], wait_timeout=10)
    websocket = raw.eio.ws
    for frame in ("42garbage", "4{", '42["ping"', "9", "42[1,2,3]", "\x00\xff"):
        try:
            websocket.send(frame)
        except Exception:  # the server may close the connection: that is fine
            break
    big = LiveClient(cast.url).connect()
    try:
        big.client.emit("ping", {"padding": "x" * (200 * 1024)})
    except socketio.exceptions.SocketIOError:
        pass
    assert wait_until_dropped(big.client), "an oversized message should end the connection"
    close_quietly(raw, websocket)
    assert module_server.get_health()["database"] == "ok"
    probe = LiveClient(cast.url).connect()
    assert probe.call("ping", {})["ok"]
    probe.close()


def test_a_flood_from_one_connection_is_rate_limited_and_memory_stays_bounded(cast, module_server):
    flooder = LiveClient(cast.url).connect()
    bystander = LiveClient(cast.url).connect()
    before = server_rss_kib(module_server)
    answers: list[dict] = []
    done = threading.Event()
    count = 3000

    def collect(ack):
        answers.append(ack)
        if len(answers) == count:
            done.set()

    for _ in range(count):
        flooder.client.emit("ping", {}, callback=collect)
    assert done.wait(timeout=180), f"only {len(answers)} answers"
    codes = {ack["error"]["code"] if not ack["ok"] else "ok" for ack in answers}
    assert codes == {"ok", "rate_limited"}
    assert bystander.call("ping", {})["ok"]
    grown = server_rss_kib(module_server) - before
    assert grown < 60 * 1024, f"the server grew by {grown} KiB"
    flooder.close()
    bystander.close()


def test_a_revoked_door_volunteer_loses_the_crew_rooms_at_once(cast, module_server):
    email = "revoked-door@assembly.example.org"
    run_cli(
        module_server.env,
        *("user", "create", "--email", email, "--role", "door", "--assembly", "hackney"),
        stdin=DEMO_PASSWORD + "\n",
    )
    http = signed_in_session(cast.url, email, DEMO_PASSWORD)
    door = LiveClient(cast.url, cookies=http.cookies.get_dict()).connect()
    for room in (f"meetup:{cast.meetup_a}:crew", "assembly:1:crew"):
        assert door.call("join", {"room": room})["ok"]
    user_id = _user_id(cast, email)
    with cast.clone("host") as host:
        revoked = cast.form_post(
            host, f"/staff/{user_id}/revoke", {"assembly_id": "1", "role": "door"}
        )
    assert revoked.status_code == 302
    assert wait_until_dropped(door.client)
    again = LiveClient(cast.url, cookies=http.cookies.get_dict()).connect()
    assert again.call("join", {"room": f"meetup:{cast.meetup_a}:crew"})["error"]["code"] == (
        "forbidden"
    )
    assert again.call("door.attendance", {"meetup_id": cast.meetup_a})["error"]["code"] == (
        "forbidden"
    )
    again.close()
    http.close()


def test_changing_the_password_disconnects_the_other_sessions_sockets(cast, module_server):
    email = "password-door@assembly.example.org"
    run_cli(
        module_server.env,
        *("user", "create", "--email", email, "--role", "door", "--assembly", "hackney"),
        stdin=DEMO_PASSWORD + "\n",
    )
    laptop = signed_in_session(cast.url, email, DEMO_PASSWORD)
    phone = signed_in_session(cast.url, email, DEMO_PASSWORD)
    door = LiveClient(cast.url, cookies=phone.cookies.get_dict()).connect()
    assert door.call("join", {"room": "assembly:1:crew"})["ok"]
    changed = cast.form_post(
        laptop,
        "/account",
        {"current": DEMO_PASSWORD, "new": "a-new-password-123456"},
    )
    assert changed.status_code == 302, changed.text[:500]
    laptop.close()
    phone.close()
    assert wait_until_dropped(door.client)


def _registration(token: str):
    from app.db import read_session

    with read_session() as session:
        return registrations.find_by_token(session, token)


def _user_id(cast, email: str) -> int:
    from sqlmodel import select

    from app.auth.models import User
    from app.db import read_session

    with cast.app.app_context(), read_session() as session:
        return session.exec(select(User.id).where(User.email == email)).one()
