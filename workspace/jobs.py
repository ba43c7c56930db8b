"""Scheduled jobs: work the worker runs every so often (digests, reminders, clean-ups).

A job is a function without arguments, registered with ``@scheduled(name, every)``
when its module is imported (a core module, or a plugin through ``workspace.api``).
``flask --app workspace worker`` calls ``run_due_jobs`` on each loop, in an app
context; a job commits its own work.

When a job last ran is kept in the database (``job_run``), not on one host: several
hosts may each run a worker, and a job runs once per due time whichever claims it
first (a conditional UPDATE, atomic on SQLite and PostgreSQL). A job that raises is
logged, its error kept on its row, and it is tried again at its next due time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, Text, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from . import clock
from .extensions import db
from .models import UTCDateTime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], object]


JOBS: dict[str, Job] = {}


class JobRun(db.Model):
    """When a scheduled job is next due, and how its last run went."""

    __tablename__ = "job_run"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")


def scheduled(
    name: str, every: timedelta
) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register the decorated function as a job the worker runs every ``every``.

    The first run is due as soon as a worker starts. ``name`` is the job's key in the
    database: keep it stable. Example::

        @scheduled("notifications.daily_digest", every=timedelta(hours=1))
        def send_digests() -> None: ...
    """
    if every <= timedelta(0):
        raise ValueError("a scheduled job needs a positive interval")

    def register(function: Callable[[], object]) -> Callable[[], object]:
        if name in JOBS and JOBS[name].run is not function:
            raise ValueError(f"a scheduled job named {name!r} is registered already")
        JOBS[name] = Job(name, every, function)
        return function

    return register


def run_due_jobs() -> list[str]:
    """Run every registered job that is due and that this worker claims; returns their
    names. Needs an app context."""
    ran = []
    for job in list(JOBS.values()):
        if _claim(job):
            _run(job)
            ran.append(job.name)
    return ran


def _claim(job: Job) -> bool:
    moment = clock.now()
    db.session.commit()  # the claim below must see other workers' committed claims
    if db.session.scalar(select(JobRun.name).where(JobRun.name == job.name)) is None:
        db.session.add(JobRun(name=job.name, next_run_at=moment, last_error=""))
        try:
            db.session.commit()
        except IntegrityError:  # another worker added it first
            db.session.rollback()
    claimed = db.session.execute(
        update(JobRun)
        .where(JobRun.name == job.name, JobRun.next_run_at <= moment)
        .values(next_run_at=moment + job.every, last_started_at=moment)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _run(job: Job) -> None:
    try:
        job.run()
        db.session.commit()
        error = ""
    except Exception as exc:  # a broken job must not stop the worker or the other jobs
        db.session.rollback()
        log.exception("scheduled job %s failed", job.name)
        error = f"{type(exc).__name__}: {exc}"
    db.session.execute(
        update(JobRun)
        .where(JobRun.name == job.name)
        .values(last_finished_at=clock.now(), last_error=error)
    )
    db.session.commit()
