"""The load benchmark runs end to end with a few phones, so that the harness cannot rot.

Only that it works is checked here: its figures are measured by `make bench`, never asserted.
"""

import json
import subprocess
import sys

from tests.servers import ROOT

PHONES = 20
SUMMARY_KEYS = {
    "phones",
    "fanout_p99_ms",
    "ack_p50_ms",
    "ack_p99_ms",
    "ballots_per_s",
    "lost_ballots",
    "result_p99_ms",
    "peak_rss_mb",
    "baseline_fanout_p99_ms",
    "baseline_acks_per_s",
    "throughput_ratio",
    "fanout_ratio",
}


def test_the_benchmark_runs_with_a_few_phones_and_writes_its_figures(tmp_path):
    output = tmp_path / "latest.json"
    done = subprocess.run(
        [sys.executable, "-m", "tests.load.bench", "--phones", str(PHONES), "--output", output],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(output.read_text())
    assert SUMMARY_KEYS <= report.keys()
    assert report["phones"] == PHONES
    assert report["ballot_delivered"] == report["result_delivered"] == PHONES
    assert report["baseline_delivered"] == PHONES
    assert report["lost_ballots"] == 0
    assert report["ours"]["ballot_box"]["box_size"] == PHONES
    assert "Targets:" in done.stdout
