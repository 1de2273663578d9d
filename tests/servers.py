"""Real server processes for tests: `assembly serve` on a free loopback port."""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "demo-password-for-tests"
START_TIMEOUT = 30


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(instance: Path, database_url: str, **extra: str) -> dict[str, str]:
    """Environment for a server or CLI process with its own instance folder and database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSEMBLY_", "PYTEST"))}
    env.update(
        ASSEMBLY_INSTANCE=str(instance),
        DATABASE_URL=database_url,
        SECRET_KEY="test-secret-key-that-is-long-enough-0123456789",
        ASSEMBLY_SCHEDULER_WAKEUP="1",
    )
    env.pop("MESSAGE_QUEUE", None)
    env.update(extra)
    return env


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None, check: bool = True):
    """Run the `assembly` command and return the completed process."""
    done = subprocess.run(
        [str(BIN / "assembly"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"assembly {' '.join(args)} failed: {done.stderr[-3000:]}")
    return done


@dataclass
class ServerProcess:
    """One `assembly serve` process; can be stopped, killed and started again."""

    env: dict[str, str]
    port: int = field(default_factory=free_port)
    log_path: Path | None = None
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ServerProcess":
        """Start the server and wait until /healthz answers."""
        log = open(self.log_path or os.devnull, "ab")
        self.process = subprocess.Popen(
            [str(BIN / "assembly"), "serve", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not start in {START_TIMEOUT}s: {self.log()}")

    def get_health(self) -> dict:
        """The server's /healthz answer."""
        return requests.get(self.url + "/healthz", timeout=5).json()

    def log(self) -> str:
        """What the server printed so far."""
        return self.log_path.read_text()[-4000:] if self.log_path else ""

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), then wait."""
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        """Kill at once (SIGKILL), as a crash would."""
        self._signal(signal.SIGKILL)

    def _signal(self, signum: int) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
