"""APScheduler 3.x with its job store in the app's own database.

Exactly one process runs jobs (`ASSEMBLY_SCHEDULER=on`, the default for `assembly serve`);
every other process uses an add-only scheduler, which stores jobs in the shared store but
never runs them.
Jobs name module-level functions and carry only ids. The running scheduler re-reads the store
every few seconds, so it sees jobs that other processes add, and on start it runs jobs that fell
due while nobody was running (coalesced, with a long misfire grace time).
"""

import concurrent.futures
import logging
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.executors.pool import BasePoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app

from app.db import unit_of_work
from app.events import DomainEvent, record, utcnow

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"
MISFIRE_GRACE_SECONDS = 7 * 24 * 3600


class _AppContextPool(concurrent.futures.ThreadPoolExecutor):
    """A thread pool whose tasks run inside the Flask app context."""

    def __init__(self, app: Flask, max_workers: int):
        super().__init__(max_workers=max_workers, thread_name_prefix="job")
        self._app = app

    def submit(self, fn, /, *args, **kwargs):
        """Run `fn` with the app context pushed."""

        def in_app_context():
            with self._app.app_context():
                return fn(*args, **kwargs)

        return super().submit(in_app_context)


class AppContextExecutor(BasePoolExecutor):
    """APScheduler executor that gives each job the app context (database, bus, sockets)."""

    def __init__(self, app: Flask, max_workers: int = 4):
        super().__init__(_AppContextPool(app, max_workers))


class AddOnlyScheduler(BackgroundScheduler):
    """A scheduler that writes jobs to the shared store but never runs any.

    Every process but the one with `ASSEMBLY_SCHEDULER=on` uses it. (A paused APScheduler is
    not enough: while shutting down it processes due jobs once, and with its executor already
    stopped it would drop them from the store without running them.)
    """

    def _process_jobs(self):
        return None


@dataclass
class Scheduler:
    """The app's scheduler and whether this process runs its jobs."""

    aps: BackgroundScheduler
    runs_jobs: bool
    write_lock: AbstractContextManager | None = None  # the SQLite writers' lock, if SQLite

    @property
    def state(self) -> str:
        """'running' (runs jobs), 'add-only' (stores jobs for the runner) or 'stopped'."""
        if not self.aps.running:
            return "stopped"
        return "running" if self.runs_jobs else "add-only"

    def start(self) -> None:
        """Start the scheduler (it runs jobs only in the job-running process)."""
        if not self.aps.running:
            self.aps.start()

    def shutdown(self) -> None:
        """Stop without waiting for running jobs."""
        if self.aps.running:
            self.aps.shutdown(wait=False)

    def run_at(self, job_id: str, when: datetime, func, *ids) -> None:
        """Schedule `func(*ids)` at `when` (UTC); replaces an existing job with the same id."""
        self.start()
        with self.write_lock or nullcontext():
            self.aps.add_job(
                func, "date", run_date=when, args=list(ids), id=job_id, replace_existing=True
            )

    def cancel(self, job_id: str) -> None:
        """Remove a job if it is still pending."""
        self.start()
        with self.write_lock or nullcontext():
            if self.aps.get_job(job_id):
                self.aps.remove_job(job_id)


def make_scheduler(app: Flask) -> Scheduler:
    """Build the scheduler for the app (not started)."""
    database = app.extensions["database"]
    engine = database.engine
    kind = BackgroundScheduler if app.config["SCHEDULER_ENABLED"] else AddOnlyScheduler
    aps = kind(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
        executors={"default": AppContextExecutor(app)},
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        timezone="UTC",
    )
    return Scheduler(
        aps=aps,
        runs_jobs=app.config["SCHEDULER_ENABLED"],
        write_lock=database.write_lock if database.is_sqlite else None,
    )


def init_app(app: Flask) -> None:
    """Attach a scheduler; `assembly serve` starts it, other processes start it on first use."""
    app.extensions["scheduler"] = make_scheduler(app)


def scheduler() -> Scheduler:
    """The current app's scheduler."""
    return current_app.extensions["scheduler"]


def register_periodic(app: Flask, job_id: str, func, seconds: int) -> None:
    """Declare a job that the job-running process runs every `seconds` (and once at start)."""
    app.extensions.setdefault("periodic_jobs", []).append((job_id, func, seconds))


def register_weekly(app: Flask, job_id: str, func, when: dict) -> None:
    """Declare a job that runs every week at `when` ({day_of_week, hour, minute}, London)."""
    app.extensions.setdefault("weekly_jobs", []).append((job_id, func, when))


def install_periodic_jobs(app: Flask) -> None:
    """In the job-running process: add every declared periodic job, due now and then repeating,
    and every weekly one."""
    aps = app.extensions["scheduler"].aps
    for job_id, func, when in app.extensions.get("weekly_jobs", []):
        trigger = CronTrigger(timezone="Europe/London", **when)
        stored = aps.get_job(job_id)
        # A stored job keeps its next run time, so a run missed while down still runs now;
        # it is replaced only when the configured time changed.
        if stored is None or str(stored.trigger) != str(trigger):
            aps.add_job(func, trigger, id=job_id, replace_existing=True)
    for job_id, func, seconds in app.extensions.get("periodic_jobs", []):
        aps.add_job(
            func,
            "interval",
            seconds=seconds,
            id=job_id,
            replace_existing=True,
            next_run_time=utcnow(),
        )


def keep_awake(app: Flask, sleep) -> None:
    """Background loop for the job-running process: re-read the store every few seconds."""
    interval = app.config["SCHEDULER_WAKEUP_SECONDS"]
    aps = app.extensions["scheduler"].aps
    while aps.running:
        aps.wakeup()
        sleep(interval)


@dataclass(frozen=True)
class SchedulerPinged(DomainEvent):
    """A ping job ran: proof that the scheduler process is alive and running jobs."""

    token: str
    due_at: str

    @property
    def stream(self) -> str:
        return "scheduler"


def ping(token: str, due_at: str) -> None:
    """Job: record that the scheduler ran a ping (used by `assembly scheduler ping`)."""
    with unit_of_work() as uow:
        record(uow, SchedulerPinged(token=token, due_at=due_at))
    log.info("scheduler ping %s ran (due %s)", token, due_at)


def schedule_ping(token: str, delay_seconds: float) -> datetime:
    """Schedule a ping job `delay_seconds` from now; returns when it is due."""
    due = utcnow() + timedelta(seconds=delay_seconds)
    scheduler().run_at(f"ping:{token}", due, ping, token, due.isoformat())
    return due
