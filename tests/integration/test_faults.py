"""Faults against real server processes: a server killed mid-vote, a phone away for a minute,
Redis restarting under two processes, and SQLite under a burst of writes. Each test checks
only what the protocol promises: acknowledged ballots are in the published ballot box once
each, phones catch up through `resync`, and the event log's chains stay intact."""

import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import redis
import requests
import socketio

from tests.clients import (
    LiveClient,
    ResyncingClient,
    signed_in_session,
    walk_in,
    walk_in_cookies,
    walk_in_resyncing,
)
from tests.meetup_data import add_meetup
from tests.servers import BIN, DEMO_PASSWORD, ROOT, run_cli
from tests.services import RedisProcess

KILL_PHONES = 200
KILL_AFTER_ACKS = 60
KILLED_VOTE_SECONDS = 45  # long enough for the restart, the reconnects and the retries
AWAY_SECONDS = 60
SOCKETIO_CHANNEL = "flask-socketio"


def live_meetup(server_app, server, capacity: int = 50) -> tuple[int, str, dict]:
    """A meetup in session on the server: its id, its join URL and the facilitator's cookies."""
    meetup_id = add_meetup(
        server_app(server), start_in=600, length=7200, checkin_before_minutes=30, capacity=capacity
    ).id
    crew = signed_in_session(server.url, "facilitator@assembly.example.org", DEMO_PASSWORD)
    join_url = crew.get(f"{server.url}/m/{meetup_id}/join-code", timeout=10).headers["X-Join-Url"]
    return meetup_id, join_url, crew.cookies.get_dict()


def open_vote(console: LiveClient, meetup_id: int, seconds: int | None = None) -> int:
    """Open a yes/no vote from the console, with a timer if `seconds` is given."""
    ack = console.call(
        "vote.open",
        {
            "meetup_id": meetup_id,
            "client_id": f"fault-{uuid.uuid4()}",
            "question": "Do we carry on whatever breaks?",
            "method": "yes_no",
            "duration_seconds": seconds,
        },
    )
    assert ack["ok"], ack
    return ack["vote_id"]


def cast(phone: LiveClient, vote_id: int, client_id: str | None = None) -> str | None:
    """Cast `yes`; the receipt if the server acknowledged it, None if no answer came."""
    data = {"vote_id": vote_id, "ballot": "yes", "client_id": client_id or uuid.uuid4().hex}
    try:
        ack = phone.call("vote.cast", data, timeout=15)
    except socketio.exceptions.SocketIOError:
        return None
    assert ack["ok"], ack
    return ack["receipt"]


def published_receipts(base_url: str, vote_id: int) -> list[str]:
    """The receipts in the vote's published ballot box."""
    document = requests.get(f"{base_url}/v/{vote_id}.json", timeout=10).json()
    return sorted(row["receipt"] for row in document["ballot_box"])


def is_outcome(vote_id: int):
    """A predicate for the vote's OutcomeRecorded event."""
    return lambda e: e["type"] == "OutcomeRecorded" and e["payload"]["vote_id"] == vote_id


def assert_chains_intact(env: dict) -> None:
    """`assembly audit verify` passes."""
    assert "every chain is intact" in run_cli(env, "audit", "verify").stdout


def test_a_killed_server_keeps_every_acknowledged_ballot_and_its_phones_resync(
    server_factory, server_app
):
    """SIGKILL while 200 phones cast; after the restart the phones reconnect, resync and retry
    what was never acknowledged; the timer still closes the vote. Meanwhile one phone is away
    for a minute across the vote's opening and closing and catches up through resync."""
    server = server_factory().start()
    meetup_id, join_url, crew = live_meetup(server_app, server, capacity=KILL_PHONES + 10)
    console = ResyncingClient(server.url, cookies=crew, rooms=[f"meetup:{meetup_id}:crew"])
    console.connect()
    with ThreadPoolExecutor(max_workers=8) as pool:
        phones = list(
            pool.map(
                lambda n: walk_in_resyncing(server.url, join_url, f"Phone {n}", meetup_id),
                range(KILL_PHONES),
            )
        )
    away = walk_in_resyncing(server.url, join_url, "Away", meetup_id)
    away.client.disconnect()
    back_at = time.monotonic() + AWAY_SECONDS
    try:
        vote_id = open_vote(console, meetup_id, seconds=KILLED_VOTE_SECONDS)
        receipts = cast_through_a_kill(server, phones, vote_id)
        for phone in [console, *phones]:
            phone.wait_for(is_outcome(vote_id), timeout=KILLED_VOTE_SECONDS + 60)
        assert published_receipts(server.url, vote_id) == sorted(receipts)
        assert len(set(receipts)) == KILL_PHONES

        time.sleep(max(0, back_at - time.monotonic()))
        away.connect()  # the same phone, a minute later: joins again and resyncs
        seen = [e["type"] for e in away.events if e["payload"].get("vote_id") == vote_id]
        assert seen.index("VoteOpened") < seen.index("OutcomeRecorded"), seen
        assert_chains_intact(server.env)
    finally:
        for client in [console, away, *phones]:
            client.close()


def cast_through_a_kill(server, phones: list[ResyncingClient], vote_id: int) -> list[str]:
    """Every phone casts once; the server is killed part way and started again; the phones
    left without an answer retry with the same client id once they have resynced."""
    client_ids = [f"killed-{n}-{uuid.uuid4().hex[:12]}" for n in range(len(phones))]
    receipts: dict[int, str] = {}
    acked = threading.Condition()

    def cast_one(n: int) -> None:
        receipt = cast(phones[n], vote_id, client_ids[n])
        if receipt:
            with acked:
                receipts[n] = receipt
                acked.notify_all()

    for phone in phones:
        phone.wait_for(lambda e: e["type"] == "VoteOpened", timeout=30)
    with ThreadPoolExecutor(max_workers=20) as pool:
        pool.map(cast_one, range(len(phones)))
        with acked:
            assert acked.wait_for(lambda: len(receipts) >= KILL_AFTER_ACKS, timeout=60)
        server.kill()
    assert len(receipts) < len(phones), "the kill came after every ballot was in"
    server.start()
    for phone in phones:
        phone.wait_until_synced(2, timeout=120)
    for n in set(range(len(phones))) - set(receipts):
        receipts[n] = cast(phones[n], vote_id, client_ids[n])
    return list(receipts.values())


def test_redis_restarting_under_two_processes_loses_no_ballot(
    server_factory, server_app, postgres_url
):
    """Redis is killed while phones on two processes vote, and started again: ballots cast
    meanwhile are kept, and once both processes listen again, events cross between them."""
    queue = RedisProcess().start()
    try:
        first = server_factory(
            database_url=postgres_url, MESSAGE_QUEUE=queue.url, ASSEMBLY_SCHEDULER="off"
        ).start()
        second = server_factory(database_url=postgres_url, demo=False, MESSAGE_QUEUE=queue.url)
        second.start()
        meetup_id, join_url, crew = live_meetup(server_app, first)
        console = LiveClient(first.url, cookies=crew).connect()
        phones = [
            walk_in(server.url, join_url, f"Phone {n}", meetup_id)
            for server in (first, second, first, second)
            for n in range(2)
        ]
        try:
            vote_id = open_vote(console, meetup_id)
            for phone in phones:
                phone.wait_for(lambda e: e["type"] == "VoteOpened", timeout=20)
            receipts = [cast(phone, vote_id) for phone in phones[:4]]
            queue.kill()
            receipts += [cast(phone, vote_id) for phone in phones[4:6]]
            late = walk_in(second.url, join_url, "Late while Redis is down", meetup_id)
            phones.append(late)
            receipts.append(cast(late, vote_id))
            queue.start()
            wait_for_listeners(queue.url, 2)
            receipts += [cast(phone, vote_id) for phone in phones[6:8]]
            closed = console.call("vote.close", {"meetup_id": meetup_id, "vote_id": vote_id})
            assert closed["ok"], closed
            for phone in phones:
                phone.wait_for(is_outcome(vote_id), timeout=30)
            assert None not in receipts
            assert published_receipts(second.url, vote_id) == sorted(receipts)
            assert_chains_intact(first.env)
        finally:
            for client in [console, *phones]:
                client.close()
    finally:
        queue.kill()


def wait_for_listeners(url: str, processes: int, timeout: float = 90) -> None:
    """Wait until `processes` servers listen on the Socket.IO channel again."""
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if dict(client.pubsub_numsub(SOCKETIO_CHANNEL)).get(SOCKETIO_CHANNEL.encode()) == (
                processes
            ):
                return
            time.sleep(0.2)
    finally:
        client.close()
    raise AssertionError(f"{processes} processes did not listen again within {timeout}s")


BURST_PHONES = 40
BURST_COMMANDS = 2


def test_sqlite_writers_wait_their_turn_in_a_burst(server_factory, server_app, tmp_path):
    """Walk-ins, ballots and writes from other processes all at once on one SQLite file:
    every writer waits and succeeds, and the server logs no error."""
    server = server_factory().start()
    meetup_id, join_url, crew = live_meetup(server_app, server, capacity=BURST_PHONES + 10)
    console = LiveClient(server.url, cookies=crew).connect()
    others = [
        subprocess.Popen(
            [str(BIN / "assembly"), "scheduler", "ping", "--in", "1"],
            env=server.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(BURST_COMMANDS)
    ]
    with ThreadPoolExecutor(max_workers=BURST_PHONES) as pool:
        cookies = list(
            pool.map(
                lambda n: walk_in_cookies(server.url, join_url, f"Burst {n}"), range(BURST_PHONES)
            )
        )
        phones = [LiveClient(server.url, cookies=jar).connect() for jar in cookies]
        try:
            vote_id = open_vote(console, meetup_id)
            barrier = threading.Barrier(BURST_PHONES)

            def cast_together(phone: LiveClient) -> str | None:
                barrier.wait(timeout=60)
                return cast(phone, vote_id)

            receipts = list(pool.map(cast_together, phones))
            closed = console.call("vote.close", {"meetup_id": meetup_id, "vote_id": vote_id})
            assert closed["ok"], closed
        finally:
            for client in [console, *phones]:
                client.close()
    for other in others:
        _, errors = other.communicate(timeout=120)
        assert other.returncode == 0, errors
    assert None not in receipts
    assert published_receipts(server.url, vote_id) == sorted(receipts)
    log = server.log_path.read_text()
    assert "Traceback" not in log and "locked" not in log and '" 500 ' not in log
    assert_chains_intact(server.env)
