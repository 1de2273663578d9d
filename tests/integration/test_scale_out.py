"""Several processes: migrations on PostgreSQL, and events crossing processes through Redis."""

import re
import time
import uuid

import requests
from sqlalchemy import create_engine, text

from tests.clients import LiveClient, csrf_token, signed_in_session, walk_in
from tests.meetup_data import add_meetup
from tests.servers import DEMO_PASSWORD, run_cli

PHONES_PER_PROCESS = 5


def test_migrations_demo_and_audit_run_on_postgresql(server_factory, postgres_url):
    server = server_factory(database_url=postgres_url).start()
    verified = run_cli(server.env, "audit", "verify")
    assert "every chain is intact" in verified.stdout
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        tables = set(
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
    engine.dispose()
    assert {"event", "user_account", "role_grant", "assembly", "apscheduler_jobs"} <= tables
    host = signed_in_session(server.url, "host@assembly.example.org", DEMO_PASSWORD)
    assert host.get(f"{server.url}/staff").status_code == 200


def test_an_event_committed_on_one_process_reaches_a_client_on_another(
    server_factory, postgres_url, redis_url
):
    first = server_factory(database_url=postgres_url, MESSAGE_QUEUE=redis_url).start()
    second = server_factory(
        database_url=postgres_url, demo=False, MESSAGE_QUEUE=redis_url, ASSEMBLY_SCHEDULER="off"
    ).start()
    watcher_http = signed_in_session(second.url, "facilitator@assembly.example.org", DEMO_PASSWORD)
    watcher = LiveClient(second.url, cookies=watcher_http.cookies.get_dict()).connect()
    try:
        assert watcher.call("join", {"room": "assembly:1:crew"})["ok"]
        host = signed_in_session(first.url, "host@assembly.example.org", DEMO_PASSWORD)
        staff = host.get(f"{first.url}/staff").text
        door_id = re.search(r'href="/staff/(\d+)">Dee Door', staff).group(1)
        form = host.get(f"{first.url}/staff/{door_id}").text
        host.post(
            f"{first.url}/staff/{door_id}",
            data={"assembly_id": 1, "role": "facilitator", "csrf_token": csrf_token(form)},
            timeout=10,
        )
        event = watcher.wait_for(lambda e: e["type"] == "RoleGranted")
        assert event["payload"]["user_id"] == int(door_id)
        assert second.get_health()["scheduler"] == "add-only"
        assert first.get_health()["scheduler"] == "running"
    finally:
        watcher.close()


def test_a_timed_vote_across_two_processes_is_counted_once_and_closed_once(
    server_factory, server_app, postgres_url, redis_url
):
    """Phones on two processes share one meetup; the vote opened on A (which only stores jobs)
    is closed by the timer on B (which runs them), exactly once, and every phone gets it."""
    first = server_factory(
        database_url=postgres_url, MESSAGE_QUEUE=redis_url, ASSEMBLY_SCHEDULER="off"
    ).start()
    second = server_factory(database_url=postgres_url, demo=False, MESSAGE_QUEUE=redis_url)
    second.start()
    meetup_id = add_meetup(
        server_app(first), start_in=600, length=7200, checkin_before_minutes=30
    ).id
    crew = signed_in_session(first.url, "facilitator@assembly.example.org", DEMO_PASSWORD)
    join_url = crew.get(f"{first.url}/m/{meetup_id}/join-code", timeout=10).headers["X-Join-Url"]
    console = LiveClient(first.url, cookies=crew.cookies.get_dict()).connect()
    phones = [
        walk_in(server.url, join_url, f"Phone {n} on {name}", meetup_id)
        for name, server in (("A", first), ("B", second))
        for n in range(PHONES_PER_PROCESS)
    ]
    try:
        assert console.call("join", {"room": f"meetup:{meetup_id}:crew"})["ok"]
        vote_id = open_timed_vote(console, meetup_id, seconds=12)
        for phone in phones:
            phone.wait_for(lambda e: e["type"] == "VoteOpened", timeout=20)
        receipts = {
            cast["receipt"]
            for phone in phones
            if (cast := phone.call("vote.cast", {"vote_id": vote_id, "ballot": "yes"}))["ok"]
        }
        assert len(receipts) == len(phones)
        for phone in phones:
            outcome = phone.wait_for(lambda e: e["type"] == "OutcomeRecorded", timeout=60)
            assert outcome["payload"]["ballots_cast"] == len(phones)
        box = requests.get(f"{second.url}/v/{vote_id}.json", timeout=10).json()["ballot_box"]
        assert sorted(row["receipt"] for row in box) == sorted(receipts)
        assert vote_events(postgres_url, vote_id) == {
            "VoteOpened": 1,
            "BallotCast": len(phones),
            "VoteClosed": 1,
            "OutcomeRecorded": 1,
        }
        assert "every chain is intact" in run_cli(first.env, "audit", "verify").stdout
    finally:
        for client in [console, *phones]:
            client.close()


def open_timed_vote(console: LiveClient, meetup_id: int, seconds: int) -> int:
    """Open a yes/no vote that the scheduler closes after `seconds`."""
    ack = console.call(
        "vote.open",
        {
            "meetup_id": meetup_id,
            "client_id": f"timed-{uuid.uuid4()}",
            "question": "Shall we share one vote across two servers?",
            "method": "yes_no",
            "duration_seconds": seconds,
        },
    )
    assert ack["ok"], ack
    return ack["vote_id"]


def vote_events(database_url: str, vote_id: int) -> dict[str, int]:
    """How many events of each type the vote's stream holds in the event log."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type, count(*) FROM event WHERE stream = :stream GROUP BY type"),
            {"stream": f"vote:{vote_id}"},
        ).all()
    engine.dispose()
    return dict(rows)


def test_a_role_revoked_through_one_process_drops_the_sockets_on_another(server_factory):
    """Two processes on one database, no message queue: the process that did not record the
    revocation reads it from the log (its access watch) and drops that person's sockets."""
    first = server_factory().start()
    second = server_factory(demo=False, ASSEMBLY_SCHEDULER="off").start()
    door_http = signed_in_session(second.url, "door@assembly.example.org", DEMO_PASSWORD)
    door = LiveClient(second.url, cookies=door_http.cookies.get_dict()).connect()
    try:
        assert door.call("join", {"room": "assembly:1:crew"})["ok"]
        host = signed_in_session(first.url, "host@assembly.example.org", DEMO_PASSWORD)
        staff = host.get(f"{first.url}/staff").text
        door_id = re.search(r'href="/staff/(\d+)">Dee Door', staff).group(1)
        form = host.get(f"{first.url}/staff/{door_id}").text
        revoked = host.post(
            f"{first.url}/staff/{door_id}/revoke",
            data={"assembly_id": 1, "role": "door", "csrf_token": csrf_token(form)},
            allow_redirects=False,
            timeout=10,
        )
        assert revoked.status_code == 302
        deadline = time.monotonic() + 30
        while door.client.connected and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not door.client.connected
    finally:
        door.close()
