"""`make bench`, the mail part: notifications sent by `worker --once` to a local server.

Queues 500 messages shaped like notifications (text and HTML, an unsubscribe link) in
a new database, starts an SMTP server (aiosmtpd) in this process, runs the worker's
real command, `flask --app workspace worker --once`, in process, and reports the time
per message: claiming, composing, the SMTP exchange and the commit that marks each
one sent. Alone: `.venv/bin/python bench/mail_bench.py`.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workspace import create_app
from workspace.extensions import db
from workspace.mail import OutboxMessage, queue_mail

COUNT = 500
TARGET_MS = 20.0  # per message, the SMTP server on the same machine


class Counting:
    """An aiosmtpd handler that only counts what it accepts."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def measure_mail(url: str, instance: Path, count: int = COUNT) -> float:
    """Milliseconds per message for ``count`` messages through ``worker --once``."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(instance),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
        }
    )
    with app.app_context():
        upgrade(revision="heads")
        for number in range(count):
            queue_mail(
                f"person{number}@example.org",
                f"New comment on Situation report {number}",
                "Ana commented on Situation report.\n\nOpen: https://ws.example.org/docs/1\n",
                "<p>Ana commented on <a href='https://ws.example.org/docs/1'>Situation "
                "report</a>.</p>",
                kind="notification",
                unsubscribe_url=f"https://ws.example.org/unsubscribe/token{number}",
            )
        db.session.commit()
    handler = Counting()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        started = time.perf_counter()
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    with app.app_context():
        sent = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")
        )
        db.engine.dispose()
    if result.exit_code != 0 or sent < count or handler.received != sent:
        raise RuntimeError(f"the worker sent {sent} of {count}: {result.output}")
    return elapsed / count * 1000


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="workspace-mail-bench-") as folder:
        ms = measure_mail(f"sqlite:///{Path(folder) / 'mail.db'}", Path(folder))
    print(f"{COUNT} messages through worker --once: {ms:.1f} ms per message")
    raise SystemExit(0 if ms < TARGET_MS else 1)
