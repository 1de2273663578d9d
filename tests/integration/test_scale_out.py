"""Several processes: migrations on PostgreSQL, and events crossing processes through Redis."""

import re

from sqlalchemy import create_engine, text

from tests.clients import LiveClient, csrf_token, signed_in_session
from tests.servers import DEMO_PASSWORD, run_cli


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
