"""The national roll-up benchmark: the House's pages on a country's worth of data.

    python -m tests.load.national_pages [--assemblies 1000 --motions 50 --ballots 5000000]
        [--requests 100] [--databases sqlite,postgresql]

Generates the data once (a SQLite file cached under `.bench/`, see `tests.load.national`),
copies it into a throwaway PostgreSQL, starts the real server (`assembly serve`, scheduler
off) on each database, and times each page one request after another: p50, p99 and the
largest, after a few warm-up requests. Prints a table and writes `.bench/national.json`.
"""

import argparse
import json
import math
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.load import national
from tests.servers import ServerProcess, run_cli, server_env

TARGET_P99_MS = 200
WARM_UP = 3
REQUEST_TIMEOUT = 120


@dataclass(frozen=True)
class Page:
    """A page to time: a label and a path (with `{motion}`, `{slug}` filled in)."""

    label: str
    path: str


PAGES = (
    Page("motion page", "/house/motions/{motion}"),
    Page("motion JSON", "/house/motions/{motion}.json"),
    Page("motions list", "/house/motions"),
    Page("feed", "/house"),
    Page("feed, page 20", "/house?page=20"),
    Page("feed, region", "/house?region=London"),
    Page("feed, assembly", "/house?assembly={slug}"),
    Page("feed, motion", "/house?motion={motion}"),
    Page("Atom", "/house/feed.atom"),
    Page("JSON Feed", "/house/feed.json"),
    Page("CSV export", "/house/outcomes.csv"),
    Page("CSV export, page 3", "/house/outcomes.csv?page=3"),
    Page("JSON export", "/house/outcomes.json"),
    Page("JSON export, page 20", "/house/outcomes.json?page=20"),
    Page("JSON export, region", "/house/outcomes.json?region=London"),
)


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.99 for p99)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def time_page(client: requests.Session, url: str, count: int) -> dict:
    """Request `url` `count` times in a row (after a warm-up); its timings in milliseconds."""
    for _ in range(WARM_UP):
        client.get(url, timeout=REQUEST_TIMEOUT)
    samples = []
    size = status = 0
    for _ in range(count):
        began = time.perf_counter()
        response = client.get(url, timeout=REQUEST_TIMEOUT)
        samples.append((time.perf_counter() - began) * 1000)
        size, status = len(response.content), response.status_code
    return {
        "status": status,
        "bytes": size,
        "requests": count,
        "p50_ms": round(statistics.median(samples), 1),
        "p99_ms": round(percentile(samples, 0.99), 1),
        "max_ms": round(max(samples), 1),
    }


def sample_values(base_url: str) -> dict[str, str]:
    """A motion with many results and an assembly with outcomes, read from the JSON export."""
    document = requests.get(base_url + "/house/outcomes.json", timeout=REQUEST_TIMEOUT).json()
    rows = document["outcomes"]
    motion = next((row["motion_id"] for row in rows if row["motion_id"]), 1)
    slug = rows[0]["assembly_slug"] if rows else "none"
    return {"motion": str(motion), "slug": slug}


def time_pages(base_url: str, count: int, pages=PAGES) -> dict[str, dict]:
    """Time every page on one running server."""
    values = sample_values(base_url)
    results = {}
    with requests.Session() as client:
        for page in pages:
            path = page.path.format(**values)
            results[page.label] = {"path": path, **time_page(client, base_url + path, count)}
    return results


def serve_and_time(database_url: str, count: int, folder: Path, pages=PAGES) -> dict:
    """Start `assembly serve` on the database, time the pages, stop it."""
    env = server_env(
        folder, database_url, SECRET_KEY=national.BENCH_SECRET, ASSEMBLY_SCHEDULER="off"
    )
    run_cli(env, "db", "upgrade")
    server = ServerProcess(env, log_path=folder / "server.log").start()
    try:
        return time_pages(server.url, count, pages)
    finally:
        server.stop()


def on_postgres(sqlite_url: str, count: int, folder: Path) -> tuple[dict, dict]:
    """Copy the generated data into a throwaway PostgreSQL and time the pages there."""
    from tests.services import postgres_server

    with postgres_server() as postgres_url:
        report = national.copy_to_postgres(sqlite_url, postgres_url)
        return report.as_dict(), serve_and_time(postgres_url, count, folder)


def print_table(results: dict[str, dict[str, dict]]) -> None:
    """One row per page, p50 / p99 per database, and whether p99 meets the target."""
    databases = list(results)
    header = f"{'page':<24}" + "".join(f"{db + ' p50/p99 ms':>26}" for db in databases)
    print(header)
    print("-" * len(header))
    for page in PAGES:
        cells = []
        for db in databases:
            row = results[db].get(page.label)
            if row is None:
                cells.append(f"{'-':>26}")
                continue
            mark = "ok" if row["p99_ms"] <= TARGET_P99_MS and row["status"] == 200 else "MISS"
            cells.append(f"{row['p50_ms']:>9.1f} / {row['p99_ms']:>8.1f} {mark:>4}")
        print(f"{page.label:<24}" + "".join(f"{cell:>26}" for cell in cells))


def run(plan: national.Plan, count: int, databases: list[str]) -> dict:
    """Generate (or reuse) the data, time the pages on each database, write the report."""
    began = time.perf_counter()
    sqlite_url, made = national.cached_sqlite(plan)
    generation = {"sqlite": made.as_dict() if made else _cached_report(plan)}
    generation["sqlite"]["reused"] = made is None
    generation["sqlite"]["wall_seconds"] = round(time.perf_counter() - began, 1)
    results = {}
    with tempfile.TemporaryDirectory(prefix="national-bench-") as scratch:
        folder = Path(scratch)
        if "sqlite" in databases:
            results["sqlite"] = serve_and_time(sqlite_url, count, folder)
        if "postgresql" in databases:
            generation["postgresql"], results["postgresql"] = on_postgres(sqlite_url, count, folder)
    report = {
        "plan": {"assemblies": plan.assemblies, "motions": plan.motions, "ballots": plan.ballots},
        "machine": {"cpus": _cpus(), "python": platform.python_version()},
        "target_p99_ms": TARGET_P99_MS,
        "generation": generation,
        "pages": results,
        "misses": [
            f"{db}: {label}"
            for db, pages in results.items()
            for label, row in pages.items()
            if row["p99_ms"] > TARGET_P99_MS or row["status"] != 200
        ],
    }
    national.BENCH.mkdir(exist_ok=True)
    (national.BENCH / "national.json").write_text(json.dumps(report, indent=1))
    return report


def _cached_report(plan: national.Plan) -> dict:
    path = national.BENCH / plan.cache_name()
    return json.loads(path.with_suffix(".json").read_text())


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 when a page misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assemblies", type=int, default=national.Plan.assemblies)
    parser.add_argument("--motions", type=int, default=national.Plan.motions)
    parser.add_argument("--ballots", type=int, default=national.Plan.ballots)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    plan = national.Plan(args.assemblies, args.motions, args.ballots)
    report = run(plan, args.requests, args.databases.split(","))
    print_table(report["pages"])
    print(json.dumps(report["generation"], indent=1))
    if report["misses"]:
        print("Over the p99 target of", TARGET_P99_MS, "ms:", ", ".join(report["misses"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
