"""Real clients for tests: a signed-in HTTP session and python-socketio clients."""

import re
import threading
from dataclasses import dataclass, field

import requests
import socketio

CSRF_FIELD = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def signed_in_session(base_url: str, email: str, password: str) -> requests.Session:
    """A requests session signed in as a staff member."""
    http = requests.Session()
    page = http.get(f"{base_url}/sign-in", timeout=10)
    response = http.post(
        f"{base_url}/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, f"sign-in failed: {response.status_code}"
    return http


@dataclass
class LiveClient:
    """A python-socketio client that records the `event` messages it receives."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    turnouts: list[dict] = field(default_factory=list)
    client: socketio.Client = field(default_factory=lambda: socketio.Client(reconnection=False))
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def connect(self) -> "LiveClient":
        """Connect over websocket, sending the session cookie if any."""
        self.client.on("event", self._on_event)
        self.client.on("turnout", self.turnouts.append)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.client.connect(
            self.base_url, headers=headers, transports=["websocket"], wait_timeout=10
        )
        return self

    def _on_event(self, message: dict) -> None:
        with self.arrived:
            self.events.append(message)
            self.arrived.notify_all()

    def call(self, command: str, data=None, timeout: float = 10) -> dict:
        """Send a command and return its acknowledgement."""
        return self.client.call(command, data, timeout=timeout)

    def wait_for(self, predicate, timeout: float = 10) -> dict:
        """Wait for a received event matching `predicate`."""
        with self.arrived:
            found = self.arrived.wait_for(
                lambda: next((e for e in self.events if predicate(e)), None), timeout=timeout
            )
        assert found, f"no matching event within {timeout}s; got {self.events}"
        return found

    def close(self) -> None:
        """Disconnect."""
        self.client.disconnect()


def walk_in_cookies(base_url: str, join_url: str, name: str) -> dict[str, str]:
    """Walk in through the join URL; returns the phone's cookies (its device binding)."""
    path = join_url.split("://", 1)[1].split("/", 1)[1]
    with requests.Session() as http:
        page = http.get(f"{base_url}/{path}", timeout=10)
        response = http.post(
            f"{base_url}/{path}",
            data={"display_name": name, "csrf_token": csrf_token(page.text)},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text[:300]
        return http.cookies.get_dict()


def walk_in(base_url: str, join_url: str, name: str, meetup_id: int) -> LiveClient:
    """A phone that walks in through the join URL and joins the meetup's room."""
    phone = LiveClient(base_url, cookies=walk_in_cookies(base_url, join_url, name)).connect()
    assert phone.call("join", {"room": f"meetup:{meetup_id}"})["ok"]
    return phone


def meeting_state(client: LiveClient, meetup_id: int) -> dict:
    """The meeting picture as this client sees it."""
    ack = client.call("meeting.state", {"meetup_id": meetup_id})
    assert ack["ok"], ack
    return ack["state"]


@dataclass
class ResyncingClient(LiveClient):
    """A client that behaves like `static/js/live.js`: it reconnects by itself, and on every
    connect joins its rooms again and resyncs from the last `seq` it applied, skipping
    events it already has (docs/protocol.md, "Reconnecting")."""

    rooms: list[str] = field(default_factory=list)
    last_seq: int | None = None
    seen: set[int] = field(default_factory=set)
    synced_connections: int = 0
    client: socketio.Client = field(
        default_factory=lambda: socketio.Client(reconnection_delay=0.5, reconnection_delay_max=2)
    )

    def connect(self) -> "ResyncingClient":
        """Connect (again, after a `close`), then join the rooms and resync, as on every
        automatic reconnect."""
        synced_before = self.synced_connections
        self.client.on("connect", self._on_connect)
        self.client.on("disconnect", self._on_disconnect)
        super().connect()
        self.wait_until_synced(synced_before + 1)
        return self

    def wait_until_synced(self, connections: int, timeout: float = 60) -> None:
        """Wait until the rooms were joined and resynced on `connections` connections."""
        with self.arrived:
            done = self.arrived.wait_for(
                lambda: self.synced_connections >= connections, timeout=timeout
            )
        assert done, f"not resynced on connection {connections} within {timeout}s"

    def _on_connect(self) -> None:
        # Handlers run on the client's reading thread, which must stay free for the acks.
        threading.Thread(target=self._join_and_resync, daemon=True).start()

    def _on_disconnect(self, reason=None) -> None:
        # python-engineio leaves the socket of a dropped websocket open; close it. (Not on a
        # disconnect asked for here: the close message may not have been sent yet.)
        websocket = getattr(self.client.eio, "ws", None)
        if reason == self.client.reason.TRANSPORT_ERROR and websocket is not None:
            websocket.shutdown()

    def _join_and_resync(self) -> None:
        try:
            newest = max([self.call("join", {"room": room})["seq"] for room in self.rooms] or [0])
            if self.last_seq is None:
                self.last_seq = newest
            else:
                self._resync()
        except (socketio.exceptions.SocketIOError, KeyError):
            return  # the connection dropped again: the next connect starts over
        with self.arrived:
            self.synced_connections += 1
            self.arrived.notify_all()

    def _resync(self) -> None:
        more = True
        while more:
            ack = self.call("resync", {"since": self.last_seq})
            for event in ack["events"]:
                self._on_event(event)
            self.last_seq = max(self.last_seq, ack["seq"])
            more = ack["more"]

    def _on_event(self, message: dict) -> None:
        with self.arrived:
            if message["seq"] in self.seen:
                return
            self.seen.add(message["seq"])
            self.last_seq = max(self.last_seq or 0, message["seq"])
            self.events.append(message)
            self.arrived.notify_all()


def walk_in_resyncing(base_url: str, join_url: str, name: str, meetup_id: int):
    """A walk-in phone that reconnects and resyncs by itself, in its meetup's room."""
    cookies = walk_in_cookies(base_url, join_url, name)
    return ResyncingClient(base_url, cookies=cookies, rooms=[f"meetup:{meetup_id}"]).connect()
