"""``flask --app workspace worker``: the background work, outside any request.

Each round runs the scheduled jobs that are due (``workspace.jobs``; they may queue
mail) and then sends the outbox's due messages (``workspace.mail_sending``). The
long-running worker repeats a round every ``WORKER_POLL_SECONDS``; ``--once`` does one
round and exits (for cron, tests and the benchmark).

Several workers, on one host or several, may run against one database: messages and
jobs are claimed in the database. SIGTERM (systemd's stop) and Ctrl-C let the current
round finish its batch, then the worker exits.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections import Counter
from types import FrameType

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .jobs import run_due_jobs
from .mail_sending import deliver_due

log = logging.getLogger(__name__)


def run_round() -> tuple[list[str], Counter[str]]:
    """Run the due jobs, then send the due mail; the jobs run and the mail outcomes."""
    jobs = run_due_jobs()
    return jobs, deliver_due()


@click.command("worker")
@click.option("--once", is_flag=True, help="Do what is due now, then exit.")
@with_appcontext
def worker_command(once: bool) -> None:
    """Send queued e-mail and run scheduled jobs (until stopped, or --once)."""
    if once:
        jobs, outcomes = run_round()
        click.echo(_summary(jobs, outcomes))
        return
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    poll = float(current_app.config["WORKER_POLL_SECONDS"])
    click.echo(f"Worker started; looking for due work every {poll:g} s.")
    try:
        while not stop.is_set():
            try:
                jobs, outcomes = run_round()
            except SQLAlchemyError:
                # The database may restart under a long-running worker: wait and go on.
                db.session.rollback()
                log.exception("worker round failed; trying again in %s s", poll)
            else:
                if jobs or outcomes:
                    click.echo(_summary(jobs, outcomes))
            stop.wait(poll)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Worker stopped.")


def _summary(jobs: list[str], outcomes: Counter[str]) -> str:
    mail = ", ".join(f"{outcomes[name]} {name}" for name in ("sent", "retry", "failed"))
    return f"Mail: {mail}. Jobs run: {', '.join(jobs) or 'none'}."


def init_app(app: Flask) -> None:
    app.cli.add_command(worker_command)
