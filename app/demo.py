"""Demo data: each domain registers idempotent steps; `assembly demo` runs them in order.

A later feature extends the demo by appending a step in its package's `init_app`, so that a
newcomer's `make run` shows that feature with realistic data.
"""

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app


@dataclass
class DemoContext:
    """What the steps share: the chosen password and the sign-in lines to print."""

    password: str | None
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def password_for(self, email: str) -> str:
        """The password to give a new demo account."""
        return self.password or secrets.token_urlsafe(9)

    passwords_set: bool = False

    def add_account(self, role: str, email: str, password: str, new_password: bool) -> None:
        """Remember an account to print at the end (and whether its password was just set)."""
        self.accounts.append((role, email, password))
        self.passwords_set = self.passwords_set or new_password


DemoStep = Callable[[DemoContext], None]


def register_step(app: Flask, step: DemoStep) -> None:
    """Append a demo step; steps run in the order they were registered."""
    app.extensions.setdefault("demo_steps", []).append(step)


def run_demo(password: str | None) -> DemoContext:
    """Run every registered demo step inside the current app context."""
    context = DemoContext(password=password)
    for step in current_app.extensions.get("demo_steps", []):
        step(context)
    return context


def save_credentials(folder: Path, context: DemoContext) -> Path:
    """Keep the printed demo sign-ins in the instance folder (mode 0600), for later runs."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo-accounts.txt"
    lines = [f"{role:<16} {email:<34} {password}" for role, email, password in context.accounts]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return path
