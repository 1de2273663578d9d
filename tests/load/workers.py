"""The benchmark's side of the swarm: worker processes and the commands sent to them."""

import multiprocessing
import time

from tests.load.figures import CpuMeter
from tests.load.swarm import SwarmSpec, run_worker


class SwarmFailed(RuntimeError):
    """A worker answered with an error, died, or did not answer in time."""


class Swarm:
    """Phones spread over worker processes; every command goes to all of them at once."""

    def __init__(self, spec: SwarmSpec, processes: int):
        context = multiprocessing.get_context("spawn")
        self.links = []
        self.processes = []
        for _ in range(processes):
            ours, theirs = context.Pipe()
            process = context.Process(target=run_worker, args=(theirs, spec), daemon=True)
            process.start()
            self.links.append(ours)
            self.processes.append(process)
        self.cpu = CpuMeter([p.pid for p in self.processes])

    def ask(self, command: str, within: float, **arguments) -> list:
        """Send a command to every worker and return their answers (one per worker)."""
        return self.ask_each(command, within, [arguments] * len(self.links))

    def ask_each(self, command: str, within: float, arguments: list[dict]) -> list:
        """Send each worker its own arguments for a command; return their answers."""
        for link, own in zip(self.links, arguments, strict=True):
            link.send((command, own))
        deadline = time.monotonic() + within
        answers = []
        for link in self.links:
            if not link.poll(max(0.0, deadline - time.monotonic())):
                raise SwarmFailed(f"the swarm did not answer '{command}' within {within:.0f} s")
            answer = link.recv()
            if not answer["ok"]:
                raise SwarmFailed(f"'{command}' failed in the swarm: {answer['error']}")
            answers.append(answer["value"])
        return answers

    def setup(self, phones: int, seconds: float) -> dict:
        """Set up `phones` clients, split evenly over the workers."""
        shares = [list(range(k, phones, len(self.links))) for k in range(len(self.links))]
        answers = self.ask_each("setup", seconds, [{"indices": share} for share in shares])
        return {
            "ready": sum(a["ready"] for a in answers),
            "failed": sum(a["failed"] for a in answers),
            "errors": [error for a in answers for error in a["errors"]][:5],
        }

    def arrivals(self, key: str, seconds: float) -> list[float]:
        """Wait for `key` on every phone; return the arrival times of those that had it."""
        answers = self.ask("wait_for", seconds + 10, key=key, seconds=seconds)
        return [when for answer in answers for when in answer.values()]

    def settle(self, seconds: float) -> int:
        """Wait for the phones' state reloads to finish; return how many are still busy."""
        return sum(a["busy"] for a in self.ask("settle", seconds + 10, seconds=seconds))

    def cast(self, target, start_at: float, window: float, change_share: float, seconds: float):
        """Every phone casts in the window; return every cast's record."""
        answers = self.ask(
            "cast",
            seconds,
            target=target,
            start_at=start_at,
            window=window,
            change_share=change_share,
        )
        return [record for answer in answers for record in answer]

    def status(self) -> dict:
        """Connected and dropped phones, state reloads and turnout messages, added up."""
        answers = self.ask("status", 30)
        return {key: sum(a[key] for a in answers) for key in answers[0]}

    def close(self) -> None:
        """Disconnect the phones and end the workers (killing any that hang)."""
        try:
            self.ask("close", 60)
        except (SwarmFailed, OSError, EOFError):
            pass
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=10)
