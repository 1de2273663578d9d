"""The benchmark's readable report and its targets (printed as pass or fail, not enforced)."""

# (key, test, what the target says), from the performance issue's targets for 2,000 phones.
TARGETS = [
    ("fanout_ratio", lambda v: v is not None and v <= 2, "fan-out p99 <= 2 x the baseline's"),
    (
        "throughput_ratio",
        lambda v: v is not None and v >= 0.5,
        "ballots per second >= 0.5 x the baseline's acks",
    ),
    ("ack_p99_ms", lambda v: v is not None and v <= 1000, "cast acknowledged, p99 <= 1000 ms"),
    ("lost_ballots", lambda v: v == 0, "no acknowledged ballot lost"),
    ("result_p99_ms", lambda v: v is not None and v <= 1000, "result on phones, p99 <= 1000 ms"),
    ("peak_rss_mb", lambda v: v is not None and v <= 600, "server peak memory <= 600 MiB"),
]


def targets(report: dict) -> dict:
    """Each target's value and whether it is met, plus every phone getting ballot and result."""
    met = {key: {"value": report[key], "met": test(report[key])} for key, test, _ in TARGETS}
    phones = report["phones"]
    everyone = report["ballot_delivered"] == phones and report["result_delivered"] == phones
    met["every_phone"] = {"value": everyone, "met": everyone}
    return met


def _ms(value) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


def _latency_line(name: str, figures: dict) -> str:
    return (
        f"  {name:<22} p50 {_ms(figures['p50_ms']):>9}   p99 {_ms(figures['p99_ms']):>9}   "
        f"max {_ms(figures['max_ms']):>9}   delivered {figures['delivered']}/{figures['expected']}"
    )


def _acks_line(name: str, figures: dict) -> str:
    return (
        f"  {name:<22} p50 {_ms(figures['ack_p50_ms']):>9}   p99 {_ms(figures['ack_p99_ms']):>9}   "
        f"{figures['per_s']:,.0f}/s   acked {figures['acked']}/{figures['sent']}"
        f" ({figures['changes']} changes, {figures['errors']} errors)"
    )


def _ours_lines(ours: dict) -> list[str]:
    setup, box, server = ours["setup"], ours["ballot_box"], ours["server"]
    lines = [
        "Our server (assembly serve, gevent, SQLite):",
        f"  set-up                 {setup['ready']} phones ready in {setup['seconds']:.1f} s"
        f" ({setup['failed']} failed)",
        _latency_line("ballot fan-out", ours["fanout"]),
        f"  {'':<22} vote.open acknowledged in {_ms(ours['fanout']['open_ack_ms'])};"
        f" phones' state reloads done {ours['fanout']['reloads_s']:.1f} s later",
        _acks_line("casts", ours["casts"]),
        _latency_line("result fan-out", ours["result"]),
        f"  ballot box             {box['box_size']} stored, {box['lost']} lost,"
        f" {box['stale']} stale, {box['unsure']} unsure",
        f"  server                 peak RSS {server['peak_rss_mb']:.0f} MiB,"
        f" CPU {server['cpu_s']:.1f} s (waited {server['waited_for_cpu_s']:.1f} s for a core);"
        f" swarm CPU {ours['swarm_cpu_s']:.1f} s",
        "  by phase: server CPU, server waiting for a core, swarm CPU, wall time",
    ]
    for phase in ("setup", "fanout", "casts", "result"):
        entry = ours[phase]
        lines.append(
            f"    {phase:<8} {entry['server_cpu_s']:>7.1f} s {entry['server_waited_s']:>7.1f} s"
            f" {entry['swarm_cpu_s']:>7.1f} s {entry['seconds']:>7.1f} s"
        )
    return lines


def _baseline_lines(baseline: dict) -> list[str]:
    server = baseline["server"]
    return [
        "Baseline (bare Flask-SocketIO, gevent):",
        f"  set-up                 {baseline['setup']['ready']} clients ready in"
        f" {baseline['setup']['seconds']:.1f} s ({baseline['setup']['failed']} failed)",
        _latency_line("broadcast fan-out", baseline["fanout"]),
        _acks_line("echoes", baseline["acks"]),
        f"  server                 peak RSS {server['peak_rss_mb']:.0f} MiB,"
        f" CPU {server['cpu_s']:.1f} s; swarm CPU {baseline['swarm_cpu_s']:.1f} s",
    ]


def render(report: dict) -> str:
    """The report as text for the terminal."""
    box = report["machine"]
    lines = [
        f"Load benchmark: {report['phones']} phones, {report['swarm_processes']} swarm process(es),"
        f" {box['cores']} cores, Python {box['python']}, load before {box['load_before']}",
        *_ours_lines(report["ours"]),
        *_baseline_lines(report["baseline"]),
        f"Ratios: throughput {report['throughput_ratio']}, fan-out {report['fanout_ratio']}",
        "Targets:",
    ]
    descriptions = {key: text for key, _, text in TARGETS}
    descriptions["every_phone"] = "every phone got the ballot and the result"
    for key, outcome in report["targets"].items():
        verdict = "pass" if outcome["met"] else "FAIL"
        lines.append(f"  {verdict}  {descriptions[key]} ({key} = {outcome['value']})")
    if report["failures"]:
        lines.append("Failures: " + "; ".join(report["failures"]))
    return "\n".join(lines)
