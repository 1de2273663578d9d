"""The scheduler: jobs live in the database and survive a restart of the server."""

import sqlite3
import time

from tests.servers import run_cli


def _pings(server) -> list[str]:
    database = server.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT json_extract(payload, '$.token') FROM event WHERE type='SchedulerPinged'"
        ).fetchall()
    return [token for (token,) in rows]


def _wait_for_pings(server, count: int, timeout: float = 15) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(found := _pings(server)) >= count:
            return found
        time.sleep(0.2)
    return _pings(server)


def test_a_job_due_while_the_server_was_down_runs_once_after_restart(server_factory):
    server = server_factory(demo=False).start()
    scheduled = run_cli(server.env, "scheduler", "ping", "--in", "1.5")
    token = scheduled.stdout.split()[1]
    server.stop()
    time.sleep(2.5)  # the job falls due while no scheduler is running
    assert _pings(server) == []
    server.start()
    assert _wait_for_pings(server, 1) == [token]
    time.sleep(2.5)  # several wake-ups later it has still run only once
    assert _pings(server) == [token]


def test_a_job_added_by_another_process_runs_in_the_scheduler_process(server_factory):
    server = server_factory(demo=False).start()
    scheduled = run_cli(server.env, "scheduler", "ping", "--in", "0.5")
    token = scheduled.stdout.split()[1]
    assert _wait_for_pings(server, 1) == [token]


def test_a_process_with_the_scheduler_off_never_runs_jobs(server_factory):
    server = server_factory(demo=False, ASSEMBLY_SCHEDULER="off").start()
    run_cli(server.env, "scheduler", "ping", "--in", "0.2")
    time.sleep(2.5)
    assert _pings(server) == []
