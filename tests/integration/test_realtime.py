"""The real-time core against a real `assembly serve` process and real Socket.IO clients."""

import re

import pytest

from tests.clients import LiveClient, csrf_token, signed_in_session
from tests.servers import DEMO_PASSWORD

HACKNEY = 1  # the demo creates Hackney first


@pytest.fixture
def anonymous(module_server):
    client = LiveClient(module_server.url).connect()
    yield client
    client.close()


def _staff_client(module_server, email: str) -> tuple[LiveClient, object]:
    http = signed_in_session(module_server.url, email, DEMO_PASSWORD)
    client = LiveClient(module_server.url, cookies=http.cookies.get_dict()).connect()
    return client, http


def test_anonymous_client_cannot_join_a_crew_room(module_server, anonymous):
    ack = anonymous.call("join", {"room": f"assembly:{HACKNEY}:crew"})
    assert ack["ok"] is False
    assert ack["error"]["code"] == "forbidden"
    assert anonymous.call("join", {"room": "house:hosts"})["error"]["code"] == "forbidden"
    assert anonymous.call("join", {"room": "no-such-room"})["error"]["code"] == "forbidden"


def test_public_rooms_are_open(anonymous):
    ack = anonymous.call("join", {"room": "house"})
    assert ack["ok"] is True
    assert ack["room"] == "house"
    assert ack["seq"] > 0


@pytest.mark.parametrize(
    ("command", "data", "code"),
    [
        ("join", "not an object", "bad_request"),
        ("join", None, "bad_request"),
        ("join", [1, 2], "bad_request"),
        ("join", {"room": 5}, "bad_request"),
        ("join", {}, "bad_request"),
        ("resync", {"since": "ten"}, "bad_request"),
        ("resync", {"since": True}, "bad_request"),
        ("no_such_command", {}, "unknown_command"),
    ],
)
def test_malformed_messages_get_an_error_ack(anonymous, command, data, code):
    ack = anonymous.call(command, data)
    assert ack == {"ok": False, "error": {"code": code, "message": ack["error"]["message"]}}
    assert anonymous.call("ping", {})["ok"] is True


def test_crew_sees_live_events_and_outsiders_do_not(module_server, anonymous):
    crew, _http = _staff_client(module_server, "facilitator@assembly.example.org")
    try:
        assert crew.call("join", {"room": f"assembly:{HACKNEY}:crew"})["ok"] is True
        anonymous.call("join", {"room": f"assembly:{HACKNEY}:crew"})
        host = signed_in_session(module_server.url, "host@assembly.example.org", DEMO_PASSWORD)
        staff_page = host.get(f"{module_server.url}/staff").text
        door_id = re.search(r'href="/staff/(\d+)">Dee Door', staff_page).group(1)
        form = host.get(f"{module_server.url}/staff/{door_id}").text
        host.post(
            f"{module_server.url}/staff/{door_id}",
            data={"assembly_id": HACKNEY, "role": "facilitator", "csrf_token": csrf_token(form)},
            timeout=10,
        )
        event = crew.wait_for(lambda e: e["type"] == "RoleGranted")
        assert event["payload"]["role"] == "facilitator"
        assert event["stream"] == f"assembly:{HACKNEY}"
        assert isinstance(event["seq"], int)
        assert anonymous.call("ping", {})["ok"]
        assert [e for e in anonymous.events if e["type"] == "RoleGranted"] == []
    finally:
        crew.close()


def test_resync_returns_missed_events_filtered_to_joined_rooms(module_server, anonymous):
    anonymous.call("join", {"room": "house"})
    ack = anonymous.call("resync", {"since": 0})
    assert ack["ok"] is True
    types = [event["type"] for event in ack["events"]]
    assert set(types) == {
        "AssemblyCreated",
        "OutcomeRecorded",
        "NationalMotionPublished",
        "LocalAmendmentProposed",
    }
    assert types.count("AssemblyCreated") == 4
    seqs = [event["seq"] for event in ack["events"]]
    assert seqs == sorted(seqs)
    assert ack["more"] is False
    later = anonymous.call("resync", {"since": ack["seq"]})
    assert later["events"] == []


def test_signed_in_socket_knows_its_user(module_server):
    host, _http = _staff_client(module_server, "host@assembly.example.org")
    try:
        assert host.call("join", {"room": "house:hosts"})["ok"] is True
        assert host.call("join", {"room": f"assembly:{HACKNEY}:crew"})["ok"] is True
    finally:
        host.close()
