"""The `assembly` command: serve, migrate, demo data, staff accounts, audit, scheduler checks."""

import getpass
import sys
import uuid

import click
from sqlmodel import select

from app import create_app, migrate
from app.auth import services as accounts
from app.config import ConfigError, instance_path
from app.db import database, read_session, unit_of_work
from app.demo import run_demo, save_credentials
from app.errors import ServiceError
from app.events import EventRecord, last_seq, verify_chains
from app.realtime import socketio
from app.scheduler import install_periodic_jobs, keep_awake, schedule_ping
from assemblies.services import find_by_slug


def _app(serving: bool = False):
    """The app for a command; only `serve` may run scheduled jobs."""
    try:
        return create_app(None if serving else {"SCHEDULER_ENABLED": False})
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@click.group()
def main() -> None:
    """Run and look after a People's Assembly platform server."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Serve the web app and the Socket.IO endpoint (runs the scheduler if enabled)."""
    app = _app(serving=True)
    with app.app_context():
        _require_migrated()
    scheduler = app.extensions["scheduler"]
    scheduler.start()
    if scheduler.runs_jobs:
        install_periodic_jobs(app)
        socketio.start_background_task(keep_awake, app, socketio.sleep)
    mode = app.config["ASYNC_MODE"]
    click.echo(f"Serving on http://{host}:{port} (async mode {mode}, scheduler {scheduler.state})")
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=mode == "threading")


def _require_migrated() -> None:
    if not migrate.is_current(database().engine):
        raise click.ClickException(
            "The database schema is missing or out of date: run `assembly db upgrade` first."
        )


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration that has not been applied yet."""
    app = _app()
    migrate.upgrade(app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


@main.command()
@click.option("--password", default=None, help="One password for every demo account.")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has data.")
def demo(password: str | None, if_empty: bool) -> None:
    """Load demo data (idempotent) and print the demo sign-ins."""
    app = _app()
    with app.app_context():
        with read_session() as session:
            has_data = last_seq(session) > 0
        if if_empty and has_data:
            saved = instance_path() / "demo-accounts.txt"
            click.echo(f"Demo data already loaded; the demo sign-ins are in {saved}.")
            return
        try:
            context = run_demo(password)
        except ServiceError as error:
            raise click.ClickException(error.message) from None
    click.echo("Demo data loaded. Sign in at /sign-in with:")
    for role, email, secret in context.accounts:
        click.echo(f"  {role:<16} {email:<34} {secret}")
    for note in context.notes:
        click.echo(f"  {note}")
    if context.passwords_set:
        click.echo(f"(Saved to {save_credentials(instance_path(), context)}.)")


@main.group()
def user() -> None:
    """Staff accounts."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--name", default=None, help="Display name (defaults to the part before the @).")
@click.option("--role", required=True, type=click.Choice(["host", "facilitator", "door"]))
@click.option("--assembly", "assembly_slug", default=None, help="Assembly slug (not for hosts).")
def user_create(email: str, name: str | None, role: str, assembly_slug: str | None) -> None:
    """Create a staff account. The password is prompted for, or read from standard input."""
    if role != "host" and not assembly_slug:
        raise click.UsageError("--assembly is required for facilitators and door volunteers.")
    password = _read_password()
    app = _app()
    with app.app_context():
        try:
            with unit_of_work() as uow:
                assembly = find_by_slug(uow.session, assembly_slug) if assembly_slug else None
                if assembly_slug and assembly is None:
                    raise ServiceError("no_such_assembly", f"No assembly '{assembly_slug}'.")
                created = accounts.create_staff_account(
                    uow, email, name or email.split("@")[0], password, is_host=role == "host"
                )
                if assembly is not None:
                    accounts.grant_role(uow, created.id, assembly.id, role)
        except ServiceError as error:
            raise click.ClickException(error.message) from None
    click.echo(f"Created {role} account {created.email} (id {created.id}).")


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise click.ClickException("The two passwords differ.")
        return first
    return sys.stdin.readline().rstrip("\n")


@main.group()
def audit() -> None:
    """Integrity checks."""


@audit.command("verify")
def audit_verify() -> None:
    """Re-walk every event stream's hash chain and name the first broken link of each."""
    app = _app()
    with app.app_context(), read_session() as session:
        checked, breaks = verify_chains(session)
        streams = len(set(session.exec(select(EventRecord.stream)).all()))
    if not breaks:
        click.echo(f"OK: {checked} events in {streams} streams; every chain is intact.")
        return
    for broken in breaks:
        click.echo(
            f"BROKEN: stream {broken.stream}, version {broken.version} (seq {broken.seq}): "
            f"{broken.reason}"
        )
    raise SystemExit(1)


@main.group()
def scheduler() -> None:
    """Scheduler checks."""


@scheduler.command("ping")
@click.option("--in", "delay", default=5.0, show_default=True, help="Seconds from now.")
def scheduler_ping(delay: float) -> None:
    """Schedule a ping job; the scheduler process records a SchedulerPinged event when it runs."""
    app = _app()
    token = uuid.uuid4().hex[:12]
    with app.app_context():
        due = schedule_ping(token, delay)
        app.extensions["scheduler"].shutdown()
    click.echo(f"Ping {token} scheduled for {due.isoformat()}.")
