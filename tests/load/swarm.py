"""The phone swarm: python-socketio asyncio clients over websocket, in a worker process.

The benchmark starts one or more workers (`start_worker`) and drives them over a pipe with
commands: `setup`, `wait_for`, `settle`, `cast`, `status` and `close`. Each answers with plain
data (times are `time.monotonic()` values, which are comparable between processes on Linux).

Two kinds of client:
- `AttendeePhone` behaves like the attendee's phone page (`static/js/phone.js` with
  `meeting.js` and `live.js`) and speaks only what docs/protocol.md documents: it walks in
  through the big screen's join link, loads the phone page, connects, joins `meetup:<id>`,
  resyncs, loads `meeting.state`, joins `registration:<me>`, and reloads the state 150 to
  400 ms after any event it does not apply from its payload (debounced, as the page does;
  a vote's opening, closing and result it applies from the payload).
- `BareClient` is the baseline's client: it connects and joins the bare server's room.
"""

import asyncio
import random
import re
import resource
import time
import uuid
from dataclasses import asdict, dataclass, field

import aiohttp
import socketio

from tests.clients import csrf_token

SETUP_CONCURRENCY = 50
COMMAND_TIMEOUT = 30
# A cast waits longer than other commands, so that a slow acknowledgement is measured rather
# than counted as lost (the phone page itself would retry after 10 s with the same client id).
CAST_TIMEOUT = 120
CONNECT_TIMEOUT = 30
JOIN_LINK_MAX_AGE = 20  # seconds; a join token is accepted for 90 s after it was signed
# The events the phone page applies from their payload (phone.js `onCount`); any other event
# makes it reload `meeting.state`.
APPLIED_FROM_PAYLOAD = {
    "SupportChanged",
    "SignalsChanged",
    "BallotCast",
    "VoteOpened",
    "VoteClosed",
    "OutcomeRecorded",
}
SEQ_ATTRIBUTE = re.compile(r'data-seq="(\d+)"')
YES_NO_ABSTAIN = ("yes", "no", "abstain")
# python-engineio's client drops a connection on which it has had nothing to send for
# max(pingInterval, pingTimeout) + 5 s, that is, as soon as a server ping is 5 s late. A
# browser (engine.io-client) waits pingInterval + pingTimeout for a ping. The swarm's clients
# are given about a browser's patience, so that a slow server is measured, not disconnected.
BROWSER_PATIENCE = 40


@dataclass(frozen=True)
class SwarmSpec:
    """What every worker of one swarm needs to know."""

    url: str
    baseline: bool = False
    meetup_id: int | None = None
    facilitator_cookie: str = ""
    reloads: bool = True


@dataclass
class CastRecord:
    """One cast (or echo) and its acknowledgement."""

    phone: int
    sent: float
    acked: float | None = None
    receipt: str | None = None
    error: str | None = None


def be_patient(client) -> None:
    """Give a connected python-socketio client (sync or asyncio) a browser's patience.

    The Engine.IO client's write loop reads `ping_timeout` on each turn and waits
    `max(ping_interval, ping_timeout) + 5` seconds for something to send.
    """
    client.eio.ping_timeout = BROWSER_PATIENCE - 5


def forwarded_for(index: int) -> dict[str, str]:
    """A distinct client address per phone, as a proxy in front of the server would report."""
    return {"X-Forwarded-For": f"10.{index // 62500 % 250}.{index // 250 % 250}.{index % 250 + 1}"}


def cookie_header(cookies) -> str:
    """A Cookie header from the Set-Cookie morsels of aiohttp responses."""
    return "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())


class BareClient:
    """A client of the bare baseline server."""

    def __init__(self, index: int, spec: SwarmSpec):
        self.index = index
        self.spec = spec
        self.client = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.arrivals: dict[str, float] = {}
        self.dropped = False
        self.client.on("message", self.on_message)
        self.client.on("disconnect", self.on_disconnect)

    def on_message(self, data: dict) -> None:
        """Record when each numbered broadcast arrived."""
        self.arrivals.setdefault(f"broadcast:{data.get('n')}", time.monotonic())

    def on_disconnect(self, *_reason) -> None:
        """Remember that the server dropped us."""
        self.dropped = True

    async def call(self, command: str, data: dict, timeout: float = COMMAND_TIMEOUT) -> dict:
        """Send a command and wait for its acknowledgement."""
        return await self.client.call(command, data, timeout=timeout)

    async def connect(self, cookie: str = "") -> None:
        """Open the websocket, sending the cookie if any."""
        headers = {"Cookie": cookie} if cookie else {}
        await self.client.connect(
            self.spec.url, headers=headers, transports=["websocket"], wait_timeout=CONNECT_TIMEOUT
        )
        be_patient(self.client)

    async def setup(self, _http, _links) -> None:
        """Connect and join the broadcast room."""
        await self.connect()
        await self.call("join", {})

    async def cast(self, _target, ballot: str) -> dict:
        """The baseline's stand-in for a cast: an acknowledged echo of the same size."""
        data = {"ballot": ballot, "client_id": str(uuid.uuid4())}
        return await self.call("echo", data, CAST_TIMEOUT)

    @property
    def busy(self) -> bool:
        """True while a state reload is pending or running (never for the baseline)."""
        return False


class AttendeePhone(BareClient):
    """An attendee's phone at the meetup, doing what the phone page does."""

    def __init__(self, index: int, spec: SwarmSpec):
        super().__init__(index, spec)
        self.client.on("event", self.on_event)
        self.client.on("turnout", self.on_turnout)
        self.me: int | None = None
        self.reload_timer: asyncio.TimerHandle | None = None
        self.reloading = False
        self.reloads = 0
        self.turnouts = 0

    def on_event(self, event: dict) -> None:
        """Record the first arrival of each event type per vote; reload when the page would."""
        payload = event.get("payload") or {}
        self.arrivals.setdefault(f"{event.get('type')}:{payload.get('vote_id')}", time.monotonic())
        if self.spec.reloads and event.get("type") not in APPLIED_FROM_PAYLOAD:
            self.schedule_reload()

    def on_turnout(self, _message: dict) -> None:
        """Count the coalesced turnout messages."""
        self.turnouts += 1

    def schedule_reload(self) -> None:
        """Load `meeting.state` 150 to 400 ms from now, unless another event comes first."""
        if self.reload_timer is not None:
            self.reload_timer.cancel()
        delay = 0.15 + random.random() * 0.25  # noqa: S311 - spreading load, not security
        loop = asyncio.get_running_loop()
        self.reload_timer = loop.call_later(delay, lambda: asyncio.ensure_future(self.reload()))

    async def reload(self) -> None:
        """Load the meeting state, as the page does after a structural event."""
        self.reload_timer = None
        self.reloading = True
        try:
            ack = await self.call("meeting.state", {"meetup_id": self.spec.meetup_id})
            self.reloads += bool(ack.get("ok"))
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
            pass
        finally:
            self.reloading = False

    @property
    def busy(self) -> bool:
        """True while a state reload is pending or running."""
        return self.reload_timer is not None or self.reloading

    async def setup(self, http: aiohttp.ClientSession, links: "JoinLinks") -> None:
        """Walk in, load the phone page, connect and follow the meeting as phone.js does."""
        cookie = await self.walk_in(http, await links.current(http))
        seq = await self.load_phone_page(http, cookie)
        await self.connect(cookie)
        meetup = self.spec.meetup_id
        expect_ok(await self.call("join", {"room": f"meetup:{meetup}"}), "join")
        expect_ok(await self.call("resync", {"since": seq}), "resync")
        ack = expect_ok(await self.call("meeting.state", {"meetup_id": meetup}), "meeting.state")
        self.me = ack["me"]
        if self.me is None:
            raise RuntimeError("meeting.state does not know this phone as an attendee")
        expect_ok(await self.call("join", {"room": f"registration:{self.me}"}), "join")

    async def walk_in(self, http: aiohttp.ClientSession, join_path: str) -> str:
        """Give a name on the join page; return the session cookie that names this phone."""
        url, address = self.spec.url + join_path, forwarded_for(self.index)
        async with http.get(url, headers=address) as page:
            html = await page.text()
            cookies = page.cookies
        form = {"display_name": f"Phone {self.index}", "csrf_token": csrf_token(html)}
        headers = {**address, "Cookie": cookie_header(cookies)}
        async with http.post(url, data=form, headers=headers, allow_redirects=False) as answer:
            if answer.status != 302:
                raise RuntimeError(f"walk-in refused ({answer.status})")
            cookies.update(answer.cookies)
        return cookie_header(cookies)

    async def load_phone_page(self, http: aiohttp.ClientSession, cookie: str) -> int:
        """Load /m/<id>/phone, where the walk-in lands; return the seq it was rendered at."""
        url = f"{self.spec.url}/m/{self.spec.meetup_id}/phone"
        async with http.get(url, headers={"Cookie": cookie}) as page:
            match = SEQ_ATTRIBUTE.search(await page.text())
        return int(match.group(1)) if match else 0

    async def cast(self, vote_id: int, ballot: str) -> dict:
        """Cast a yes/no/abstain ballot with a fresh client id."""
        data = {"vote_id": vote_id, "ballot": ballot, "client_id": str(uuid.uuid4())}
        return await self.call("vote.cast", data, CAST_TIMEOUT)


def expect_ok(ack: dict, command: str) -> dict:
    """The acknowledgement, or an error naming the command that failed."""
    if not ack.get("ok"):
        raise RuntimeError(f"{command} failed: {ack.get('error')}")
    return ack


@dataclass
class JoinLinks:
    """The big screen's current join link, fetched again before it grows old."""

    spec: SwarmSpec
    path: str = ""
    fetched: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def current(self, http: aiohttp.ClientSession) -> str:
        """The path of a join link that the server still accepts."""
        async with self.lock:
            if time.monotonic() - self.fetched > JOIN_LINK_MAX_AGE:
                url = f"{self.spec.url}/m/{self.spec.meetup_id}/join-code"
                headers = {"Cookie": self.spec.facilitator_cookie}
                async with http.get(url, headers=headers) as answer:
                    link = answer.headers["X-Join-Url"]
                self.path = "/" + link.split("://", 1)[1].split("/", 1)[1]
                self.fetched = time.monotonic()
            return self.path


class Worker:
    """One process's share of the swarm, answering the benchmark's commands."""

    def __init__(self, spec: SwarmSpec):
        self.spec = spec
        self.phones: list[BareClient] = []

    async def setup(self, indices: list[int]) -> dict:
        """Make a client for each index and set them all up, a bounded number at a time."""
        kind = BareClient if self.spec.baseline else AttendeePhone
        self.phones = [kind(index, self.spec) for index in indices]
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)
        links = JoinLinks(self.spec)
        jar = aiohttp.DummyCookieJar()
        limits = aiohttp.TCPConnector(limit=SETUP_CONCURRENCY)
        async with aiohttp.ClientSession(cookie_jar=jar, connector=limits) as http:
            outcomes = await asyncio.gather(
                *(self._setup_one(phone, gate, http, links) for phone in self.phones)
            )
        errors = [error for error in outcomes if error]
        pairs = zip(self.phones, outcomes, strict=True)
        self.phones = [phone for phone, error in pairs if not error]
        return {"ready": len(self.phones), "errors": errors[:5], "failed": len(errors)}

    async def _setup_one(self, phone, gate, http, links) -> str | None:
        async with gate:
            try:
                await phone.setup(http, links)
            except Exception as error:  # noqa: BLE001 - reported back, counted as a failure
                return f"phone {phone.index}: {type(error).__name__}: {error}"
        return None

    async def wait_for(self, key: str, seconds: float) -> dict:
        """Wait until every phone has had `key` (or time runs out); return the arrival times."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not all(key in p.arrivals for p in self.phones):
            await asyncio.sleep(0.05)
        return {p.index: p.arrivals[key] for p in self.phones if key in p.arrivals}

    async def settle(self, seconds: float) -> dict:
        """Wait until no phone has a state reload pending or running."""
        started = time.monotonic()
        while time.monotonic() - started < seconds and any(p.busy for p in self.phones):
            await asyncio.sleep(0.05)
        busy = sum(p.busy for p in self.phones)
        return {"busy": busy, "seconds": time.monotonic() - started}

    async def cast(self, target, start_at: float, window: float, change_share: float) -> list:
        """Every phone casts once at a random moment of the window; some change afterwards."""
        tasks = [self._vote(phone, target, start_at, window, change_share) for phone in self.phones]
        per_phone = await asyncio.gather(*tasks)
        return [asdict(record) for records in per_phone for record in records]

    async def _vote(self, phone, target, start_at, window, change_share) -> list[CastRecord]:
        chooser = random.Random(phone.index)  # noqa: S311 - a spread of ballots, not secrecy
        await asyncio.sleep(max(0.0, start_at + chooser.uniform(0, window) - time.monotonic()))
        first = chooser.choice(YES_NO_ABSTAIN)
        records = [await self._cast_once(phone, target, first)]
        if chooser.random() < change_share and records[0].receipt:
            await asyncio.sleep(chooser.uniform(0.3, 1.5))
            second = chooser.choice([b for b in YES_NO_ABSTAIN if b != first])
            records.append(await self._cast_once(phone, target, second))
        return records

    @staticmethod
    async def _cast_once(phone, target, ballot: str) -> CastRecord:
        record = CastRecord(phone=phone.index, sent=time.monotonic())
        try:
            ack = await phone.cast(target, ballot)
        except Exception as error:  # noqa: BLE001 - a lost acknowledgement is a measured outcome
            record.error = type(error).__name__
            return record
        record.acked = time.monotonic()
        if ack.get("ok"):
            record.receipt = ack.get("receipt", "echo")
        else:
            record.error = (ack.get("error") or {}).get("code", "unknown")
        return record

    async def status(self) -> dict:
        """Counts the report shows: dropped connections, state reloads, turnout messages."""
        return {
            "connected": sum(p.client.connected for p in self.phones),
            "dropped": sum(p.dropped for p in self.phones),
            "reloads": sum(getattr(p, "reloads", 0) for p in self.phones),
            "turnouts": sum(getattr(p, "turnouts", 0) for p in self.phones),
        }

    async def close(self) -> dict:
        """Disconnect every phone."""
        await asyncio.gather(
            *(asyncio.wait_for(p.client.disconnect(), 10) for p in self.phones),
            return_exceptions=True,
        )
        return {"closed": len(self.phones)}


def raise_open_files_limit() -> int:
    """Raise this process's soft limit of open files to its hard limit; return the limit."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def run_worker(link, spec: SwarmSpec) -> None:
    """A worker process's entry point: answer commands from the pipe until `close`."""
    raise_open_files_limit()
    asyncio.run(_serve(link, Worker(spec)))


async def _serve(link, worker: Worker) -> None:
    while True:
        command, arguments = await asyncio.to_thread(link.recv)
        try:
            answer = {"ok": True, "value": await getattr(worker, command)(**arguments)}
        except Exception as error:  # noqa: BLE001 - sent back to the benchmark to report
            answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        link.send(answer)
        if command == "close":
            return
