"""The load benchmark (`make bench`, or `python -m tests.load.bench --phones N`).

It starts the real server as `assembly serve` does (gevent) on a fresh SQLite database with
the demo loaded, walks N phones into tonight's demo meetup, and measures a yes/no/abstain
vote: the ballot's fan-out, the casts' acknowledgements and throughput, lost ballots, the
result's fan-out, and the server's peak memory and CPU. The same swarm then measures a bare
Flask-SocketIO server (tests/load/baseline_server.py) as this machine's baseline. It prints a
report and writes `.bench/latest.json`. See docs/performance.md.

Exit status: 0 when every phone got the ballot and the result, every cast was acknowledged
and no acknowledged ballot is missing from the published ballot box (and the baseline's
clients got their broadcast and echoes); 1 otherwise; 2 when the benchmark itself failed (a
server did not start, the swarm did not answer); 3 when it ran out of time or was stopped
(SIGTERM).
"""

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import socketio

from tests.clients import LiveClient, signed_in_session
from tests.load.figures import (
    CpuMeter,
    latency_summary,
    milliseconds,
    peak_rss_mb,
    percentile,
    runqueue_wait_seconds,
)
from tests.load.report import render, targets
from tests.load.swarm import SwarmSpec, be_patient, raise_open_files_limit
from tests.load.workers import Swarm, SwarmFailed
from tests.servers import (
    DEMO_PASSWORD,
    ROOT,
    ServerProcess,
    free_port,
    run_cli,
    server_env,
)

FACILITATOR = "facilitator@assembly.example.org"
TONIGHT_LINK = re.compile(r'href="/m/(\d+)"[^>]*>Tonight')
OUTPUT = ROOT / ".bench" / "latest.json"
CAST_WINDOW = 2.5  # seconds over which the phones' first casts are spread
CHANGE_SHARE = 0.1  # about one phone in ten changes its ballot
SETUP_SECONDS = 900
WAIT_SECONDS = 60  # for a fan-out to reach every phone
CAST_SECONDS = 300
START_SECONDS = 30


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description="Load benchmark: N phones vote in one meetup.")
    parser.add_argument("--phones", type=int, default=2000, help="how many phones (clients)")
    parser.add_argument("--swarm-processes", type=int, default=1, help="processes for the swarm")
    parser.add_argument(
        "--no-reloads",
        dest="reloads",
        action="store_false",
        help="phones do not reload meeting.state after events (the phone page does)",
    )
    parser.add_argument(
        "--cast-window",
        type=float,
        default=CAST_WINDOW,
        help="seconds over which the first casts (and the baseline's echoes) are spread; "
        "a short window offers more than the servers can take, measuring their capacity",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the JSON")
    parser.add_argument("--timeout", type=float, default=1800, help="give up after this long (s)")
    return parser.parse_args(argv)


class Watchdog:
    """Kills whatever the benchmark started, and exits, if the run takes too long."""

    def __init__(self, seconds: float):
        self.cleanups: list = []
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True
        self.timer.start()

    def track(self, cleanup) -> None:
        """Remember something to call if time runs out."""
        self.cleanups.append(cleanup)

    def _expire(self) -> None:
        print("The benchmark ran out of time: stopping everything.", file=sys.stderr, flush=True)
        self.stop_everything()

    def stop_everything(self, *_signal) -> None:
        """Kill what the benchmark started and exit at once."""
        for cleanup in reversed(self.cleanups):
            try:
                cleanup()
            except Exception as error:  # noqa: BLE001 - keep killing the rest
                print(f"cleanup failed: {error}", file=sys.stderr)
        os._exit(3)

    def cancel(self) -> None:
        """The run finished in time."""
        self.timer.cancel()


def kill_swarm(swarm: Swarm) -> None:
    """Kill the swarm's workers at once (used when time runs out)."""
    for process in swarm.processes:
        process.kill()


# Our server.


def start_our_server(folder: Path) -> ServerProcess:
    """`assembly serve` (gevent) on a fresh SQLite database with the demo loaded.

    Phones reach it as if through one proxy (ASSEMBLY_PROXY_HOPS=1), each with its own
    forwarded address, so that the per-address limit on walk-ins counts phones, not the
    swarm.
    """
    instance = folder / "instance"
    instance.mkdir()
    env = server_env(instance, f"sqlite:///{instance / 'bench.db'}", ASSEMBLY_PROXY_HOPS="1")
    env.pop("ASSEMBLY_SCHEDULER_WAKEUP", None)  # the production wake-up, not the tests' one
    run_cli(env, "db", "upgrade")
    run_cli(env, "demo", "--password", DEMO_PASSWORD)
    return ServerProcess(env, log_path=folder / "server.log").start()


def tonight_meetup(url: str) -> int:
    """The id of the demo's meetup with check-in open now."""
    page = requests.get(f"{url}/a/hackney", timeout=30).text
    match = TONIGHT_LINK.search(page)
    if not match:
        raise RuntimeError("the demo's 'Tonight's assembly' is not on /a/hackney")
    return int(match.group(1))


def console_for(url: str, cookies: dict, meetup_id: int) -> LiveClient:
    """The facilitator's console socket, in the crew room, with walk-ins turned on."""
    console = LiveClient(url, cookies=cookies).connect()
    be_patient(console.client)
    for command, data in (
        ("join", {"room": f"meetup:{meetup_id}:crew"}),
        ("door.walk_ins", {"meetup_id": meetup_id, "enabled": True}),
    ):
        ack = console.call(command, data, timeout=30)
        if not ack.get("ok"):
            raise RuntimeError(f"{command} failed: {ack}")
    return console


def measure_ours(args: argparse.Namespace, folder: Path, guard: Watchdog) -> dict:
    """Run the five phases against our server; return the figures."""
    server = start_our_server(folder)
    guard.track(server.kill)
    facilitator = signed_in_session(server.url, FACILITATOR, DEMO_PASSWORD)
    meetup_id = tonight_meetup(server.url)
    console = console_for(server.url, facilitator.cookies.get_dict(), meetup_id)
    cookie = "; ".join(f"{k}={v}" for k, v in facilitator.cookies.get_dict().items())
    spec = SwarmSpec(
        server.url, meetup_id=meetup_id, facilitator_cookie=cookie, reloads=args.reloads
    )
    swarm = Swarm(spec, args.swarm_processes)
    guard.track(lambda: kill_swarm(swarm))
    pid = server.process.pid
    try:
        phases = VotePhases(args.phones, server.url, meetup_id, console, swarm, pid)
        phases.cast_window = args.cast_window
        figures = phases.run()
        figures["server_log_tail"] = server.log()[-1500:] if figures["failures"] else ""
        return figures
    finally:
        swarm.close()
        console.close()
        server.kill()


class VotePhases:
    """The five phases of the benchmark against our server, one method each."""

    def __init__(self, phones, url, meetup_id, console, swarm, server_pid):
        self.phones, self.url, self.meetup_id = phones, url, meetup_id
        self.console, self.swarm, self.server_pid = console, swarm, server_pid
        self.server_cpu = CpuMeter([server_pid])
        self.server_wait = CpuMeter([server_pid], read=runqueue_wait_seconds)
        self.figures: dict = {"failures": []}
        self.cast_window = CAST_WINDOW

    def run(self) -> dict:
        """Set up, open, cast, close, then read the ballot box and the server's figures."""
        self.setup()
        vote_id = self.open_vote()
        records = self.cast(vote_id)
        self.close_vote(vote_id)
        self.check_box(vote_id, records)
        self.figures["phones_status"] = self.swarm.status()
        self.figures["server"] = {
            "peak_rss_mb": peak_rss_mb(self.server_pid),
            "cpu_s": round(self.server_cpu.total(), 2),
            "waited_for_cpu_s": round(self.server_wait.total(), 2),
        }
        self.figures["swarm_cpu_s"] = round(self.swarm.cpu.total(), 2)
        return self.figures

    def lap(self, phase: str, started: float, **extra) -> dict:
        """Record a phase's wall time and the server's and swarm's CPU during it."""
        entry = {
            "seconds": round(time.monotonic() - started, 2),
            "server_cpu_s": self.server_cpu.lap(),
            "server_waited_s": self.server_wait.lap(),
            "swarm_cpu_s": self.swarm.cpu.lap(),
            **extra,
        }
        self.figures[phase] = entry
        return entry

    def setup(self) -> None:
        """Phase 1: N phones walk in, connect and follow the meeting."""
        started = time.monotonic()
        ready = self.swarm.setup(self.phones, SETUP_SECONDS)
        self.lap("setup", started, **ready)
        if ready["failed"]:
            self.figures["failures"].append(f"{ready['failed']} phones could not join")

    def open_vote(self) -> int:
        """Phase 2: the facilitator opens a vote; time until each phone has `VoteOpened`."""
        started = time.monotonic()
        ack = self.console.call(
            "vote.open",
            {
                "meetup_id": self.meetup_id,
                "client_id": f"bench-{uuid.uuid4()}",
                "question": "Do we adopt the benchmark's proposal?",
                "method": "yes_no",
            },
            timeout=60,
        )
        if not ack.get("ok"):
            raise RuntimeError(f"vote.open failed: {ack}")
        answered = time.monotonic()
        arrivals = self.swarm.arrivals(f"VoteOpened:{ack['vote_id']}", WAIT_SECONDS)
        summary = latency_summary([t - started for t in arrivals], self.phones)
        summary["open_ack_ms"] = milliseconds(answered - started)
        reloading = time.monotonic()
        summary["still_reloading"] = self.swarm.settle(WAIT_SECONDS)
        summary["reloads_s"] = round(time.monotonic() - reloading, 2)
        self.lap("fanout", started, **summary)
        if summary["delivered"] < self.phones:
            self.figures["failures"].append("some phones missed the ballot")
        return ack["vote_id"]

    def cast(self, vote_id: int) -> list[dict]:
        """Phase 3: every phone casts within the window; about one in ten changes its ballot."""
        started = time.monotonic()
        records = self.swarm.cast(
            vote_id, started + 0.5, self.cast_window, CHANGE_SHARE, CAST_SECONDS
        )
        summary = cast_summary(records)
        self.lap("casts", started, **summary)
        if summary["errors"]:
            self.figures["failures"].append(f"{summary['errors']} casts failed")
        return records

    def close_vote(self, vote_id: int) -> None:
        """Phase 4: the facilitator closes the vote; time until each phone has the result."""
        self.swarm.settle(WAIT_SECONDS)
        started = time.monotonic()
        ack = self.console.call(
            "vote.close", {"meetup_id": self.meetup_id, "vote_id": vote_id}, timeout=60
        )
        if not ack.get("ok"):
            raise RuntimeError(f"vote.close failed: {ack}")
        answered = time.monotonic()
        arrivals = self.swarm.arrivals(f"OutcomeRecorded:{vote_id}", WAIT_SECONDS)
        summary = latency_summary([t - started for t in arrivals], self.phones)
        summary["close_ack_ms"] = milliseconds(answered - started)
        summary["ballots_counted"] = ack["result"].get("ballots_cast")
        self.swarm.settle(WAIT_SECONDS)
        self.lap("result", started, **summary)
        if summary["delivered"] < self.phones:
            self.figures["failures"].append("some phones missed the result")

    def check_box(self, vote_id: int, records: list[dict]) -> None:
        """Compare every phone's last acknowledged receipt with the published ballot box."""
        published = requests.get(f"{self.url}/v/{vote_id}.json", timeout=60).json()
        box = check_ballot_box(records, published["ballot_box"])
        self.figures["ballot_box"] = box
        if box["lost"]:
            self.figures["failures"].append(f"{box['lost']} acknowledged ballots were lost")


def cast_summary(records: list[dict]) -> dict:
    """Acknowledgement latency, throughput and errors of the casts (or echoes)."""
    acked = [r for r in records if r["receipt"]]
    latencies = [r["acked"] - r["sent"] for r in acked]
    first_sent = min((r["sent"] for r in records), default=0)
    span = max((r["acked"] for r in acked), default=0) - first_sent
    codes: dict[str, int] = {}
    for record in records:
        if record["error"]:
            codes[record["error"]] = codes.get(record["error"], 0) + 1
    return {
        "sent": len(records),
        "acked": len(acked),
        "changes": len(records) - len({r["phone"] for r in records}),
        "ack_p50_ms": milliseconds(percentile(latencies, 0.50)),
        "ack_p99_ms": milliseconds(percentile(latencies, 0.99)),
        "ack_max_ms": milliseconds(max(latencies, default=None)),
        "per_s": round(len(acked) / span, 1) if acked and span > 0 else 0.0,
        "span_s": round(span, 2),
        "errors": sum(codes.values()),
        "error_codes": codes,
    }


def check_ballot_box(records: list[dict], ballot_box: list[dict]) -> dict:
    """Lost ballots: phones whose last acknowledged receipt is not in the published box.

    A changed ballot's earlier receipt must be gone from the box (`stale` counts any left).
    A phone whose last cast got no acknowledgement cannot be judged (`unsure`).
    """
    stored = {row["receipt"] for row in ballot_box}
    by_phone: dict[int, list[dict]] = {}
    for record in sorted(records, key=lambda r: r["sent"]):
        by_phone.setdefault(record["phone"], []).append(record)
    lost = stale = unsure = 0
    for casts in by_phone.values():
        *earlier, last = casts
        stale += sum(1 for r in earlier if r["receipt"] and r["receipt"] in stored)
        if last["receipt"] is None:
            unsure += 1
        elif last["receipt"] not in stored:
            lost += 1
    return {"lost": lost, "stale": stale, "unsure": unsure, "box_size": len(stored)}


# The baseline.


def start_baseline_server(folder: Path) -> tuple[subprocess.Popen, str]:
    """The bare Flask-SocketIO server on a free loopback port; waits until it answers."""
    port = free_port()
    log = open(folder / "baseline.log", "ab")  # noqa: SIM115 - the child keeps it open
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.load.baseline_server", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    log_text = (folder / "baseline.log").read_text()
    raise RuntimeError(f"the baseline server did not start: {log_text}")


def measure_baseline(args: argparse.Namespace, folder: Path, guard: Watchdog) -> dict:
    """The same swarm against the bare server: broadcast fan-out and acknowledged echoes."""
    process, url = start_baseline_server(folder)
    guard.track(process.kill)
    swarm = Swarm(SwarmSpec(url, baseline=True), args.swarm_processes)
    guard.track(lambda: kill_swarm(swarm))
    controller = socketio.Client(reconnection=False)
    try:
        server_cpu = CpuMeter([process.pid])
        started = time.monotonic()
        figures: dict = {"setup": swarm.setup(args.phones, SETUP_SECONDS)}
        figures["setup"]["seconds"] = round(time.monotonic() - started, 2)
        controller.connect(url, transports=["websocket"], wait_timeout=30)
        be_patient(controller)
        started = time.monotonic()
        controller.call("broadcast", {"n": 1}, timeout=60)
        arrivals = swarm.arrivals("broadcast:1", WAIT_SECONDS)
        figures["fanout"] = latency_summary([t - started for t in arrivals], args.phones)
        started = time.monotonic()
        records = swarm.cast(None, started + 0.5, args.cast_window, CHANGE_SHARE, CAST_SECONDS)
        figures["acks"] = cast_summary(records)
        figures["server"] = {"peak_rss_mb": peak_rss_mb(process.pid), "cpu_s": server_cpu.lap()}
        figures["swarm_cpu_s"] = round(swarm.cpu.total(), 2)
        return figures
    finally:
        if controller.connected:
            controller.disconnect()
        swarm.close()
        process.kill()
        process.wait(timeout=10)


# The whole run.


def machine() -> dict:
    """The machine the figures were measured on."""
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }


def summary_keys(phones: int, ours: dict, baseline: dict) -> dict:
    """The keys the performance issue asks for, from the detailed figures."""
    fanout_p99 = ours["fanout"]["p99_ms"]
    base_fanout = baseline["fanout"]["p99_ms"]
    per_s, base_per_s = ours["casts"]["per_s"], baseline["acks"]["per_s"]
    return {
        "phones": phones,
        "fanout_p99_ms": fanout_p99,
        "ack_p50_ms": ours["casts"]["ack_p50_ms"],
        "ack_p99_ms": ours["casts"]["ack_p99_ms"],
        "ballots_per_s": per_s,
        "lost_ballots": ours["ballot_box"]["lost"],
        "result_p99_ms": ours["result"]["p99_ms"],
        "peak_rss_mb": ours["server"]["peak_rss_mb"],
        "baseline_fanout_p99_ms": base_fanout,
        "baseline_acks_per_s": base_per_s,
        "throughput_ratio": round(per_s / base_per_s, 3) if base_per_s else None,
        "fanout_ratio": round(fanout_p99 / base_fanout, 3) if fanout_p99 and base_fanout else None,
        "ballot_delivered": ours["fanout"]["delivered"],
        "result_delivered": ours["result"]["delivered"],
        "baseline_delivered": baseline["fanout"]["delivered"],
        "setup_s": ours["setup"]["seconds"],
        "server_cpu_s": ours["server"]["cpu_s"],
        "swarm_cpu_s": ours["swarm_cpu_s"],
    }


def baseline_failures(baseline: dict, phones: int) -> list[str]:
    """What went wrong on the bare server (its ratios would then mean little)."""
    failures = []
    if baseline["fanout"]["delivered"] < phones:
        failures.append("some baseline clients missed the broadcast")
    if baseline["acks"]["errors"]:
        failures.append(f"{baseline['acks']['errors']} baseline echoes failed")
    return failures


def run(args: argparse.Namespace, guard: Watchdog) -> dict:
    """Measure ours and the baseline; return the whole report."""
    before = machine()
    with tempfile.TemporaryDirectory(prefix="assembly-bench-") as folder:
        ours = measure_ours(args, Path(folder), guard)
        baseline = measure_baseline(args, Path(folder), guard)
    report = summary_keys(args.phones, ours, baseline)
    report.update(
        machine=before,
        swarm_processes=args.swarm_processes,
        phone_reloads=args.reloads,
        cast_window_s=args.cast_window,
        change_share=CHANGE_SHARE,
        ours=ours,
        baseline=baseline,
        failures=ours["failures"] + baseline_failures(baseline, args.phones),
    )
    report["targets"] = targets(report)
    return report


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the report, write the JSON; return the exit status."""
    args = parse_arguments(argv)
    raise_open_files_limit()  # the servers started from here inherit it
    guard = Watchdog(args.timeout)
    signal.signal(signal.SIGTERM, guard.stop_everything)
    try:
        report = run(args, guard)
    except (
        RuntimeError,
        SwarmFailed,
        requests.RequestException,
        socketio.exceptions.SocketIOError,
        OSError,
    ) as error:
        print(f"The benchmark failed: {error}", file=sys.stderr)
        return 2
    finally:
        guard.cancel()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(render(report))
    print(f"Written to {args.output}")
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
