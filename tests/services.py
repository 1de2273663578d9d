"""Real Redis and PostgreSQL servers for tests, started on loopback ports and stopped after."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.servers import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def _require(tool: str) -> str:
    path = shutil.which(tool) or (str(PG_BIN / tool) if (PG_BIN / tool).exists() else None)
    if path is None:
        # Only on a developer's machine: .ci/run installs every tool, and a skip fails CI.
        pytest.skip(f"{tool} is not installed (.ci/run installs it)")
    return path


@dataclass
class RedisProcess:
    """A throwaway Redis on a loopback port; a test may kill it and start it again there."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The URL that `MESSAGE_QUEUE` takes."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisProcess":
        """Start Redis (empty: nothing is saved) and wait until it listens."""
        self.process = subprocess.Popen(
            [_require("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)
        return self

    def kill(self) -> None:
        """Stop at once, as a crash would."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway Redis on a free loopback port; yields its URL."""
    redis = RedisProcess().start()
    try:
        yield redis.url
    finally:
        redis.kill()


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster run as the `postgres` user; yields a database URL."""
    initdb, pg_ctl = _require("initdb"), _require("pg_ctl")
    folder = Path(tempfile.mkdtemp(prefix="assembly-pg-", dir="/tmp"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    shutil.chown(folder, "postgres")
    shutil.chown(sockets, "postgres")
    port = free_port()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(*args: str) -> None:
        subprocess.run([*as_postgres, *args], check=True, capture_output=True)

    try:
        run(initdb, "-A", "trust", "--no-sync", "-U", "postgres", "-D", str(data))
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(pg_ctl, "-w", "-D", str(data), "-o", options, "-l", str(folder / "log"), "start")
        run(_require("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "assembly")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/assembly"
    finally:
        subprocess.run(
            [*as_postgres, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listened on port {port} within {timeout}s")
