"""Twenty people save the same document at the same moment, against gunicorn with four
worker processes: every save is a new revision, a merge, or a 409 that kept the text."""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy import select

from tests.conftest import PASSWORD, Factory, World, make_app
from workspace.extensions import db
from workspace.models import Document, Revision
from workspace.revisions import create

ROOT = Path(__file__).resolve().parent.parent
SAVERS = 20
LINES = [f"line {n}\n" for n in range(SAVERS * 3 + 3)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A person with their own cookies, talking to the server over HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode()

    @staticmethod
    def field(page: str, name: str) -> str:
        return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)

    def login(self, email: str) -> None:
        _, page = self.request("/login")
        status, _ = self.request(
            "/login",
            {"email": email, "password": PASSWORD, "csrf_token": self.field(page, "csrf_token")},
        )
        assert status == 302


def test_twenty_simultaneous_saves_lose_nothing(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    world = World(Factory(app))
    with app.app_context():
        from workspace.models import User

        author = db.session.get(User, world.editor.id)
        document_id = create("Shared", "".join(LINES), None, author).id
        database_url = app.config["SQLALCHEMY_DATABASE_URI"]

    port = free_port()
    env = {
        **os.environ,
        "WORKSPACE_DATABASE_URL": database_url,
        "WORKSPACE_SECRET_KEY": "concurrency-test",
        "WORKSPACE_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--no-control-socket", "-w", "4",
         "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        results = run_savers(base, world, document_id)
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0].decode()

    assert "database is locked" not in log
    assert "Traceback" not in log, log
    statuses = [status for status, _, _ in results]
    assert set(statuses) <= {303, 409}, statuses
    # The two savers who changed the same line cannot both merge cleanly.
    assert statuses.count(409) >= 1
    for status, text, page in results:
        if status == 409:
            assert text.strip() in page  # the conflict view still holds the user's text
    with app.app_context():
        document = db.session.get(Document, document_id)
        numbers = db.session.scalars(
            select(Revision.number)
            .where(Revision.document_id == document_id)
            .order_by(Revision.number)
        ).all()
        assert numbers == list(range(1, document.head + 1))
        kinds = db.session.scalars(
            select(Revision.kind).where(Revision.document_id == document_id)
        ).all()
        assert "merge" in kinds  # saves on a stale base really were merged
        assert document.head == 1 + statuses.count(303)
        for status, text, _ in results:
            if status == 303:
                assert text in document.body


def run_savers(base: str, world: World, document_id: int) -> list[tuple[int, str, str]]:
    people = [world.editor, world.coordinator, world.admin]
    browsers = [Browser(base) for _ in range(SAVERS)]
    forms: list[dict] = [{} for _ in range(SAVERS)]
    results: list[tuple[int, str, str]] = [(0, "", "")] * SAVERS
    ready = threading.Barrier(SAVERS)

    def saver(index: int) -> None:
        browser = browsers[index]
        browser.login(people[index % len(people)].email)
        _, page = browser.request(f"/docs/{document_id}/edit")
        # As a browser does: the newline right after <textarea> is not part of the text.
        body = re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", page, re.S).group(1)
        body = html.unescape(body)
        # Everyone edits their own line, three lines apart; the last two share one.
        line = 3 * min(index, SAVERS - 2)
        text = f"line {line} rewritten by saver {index}\n"
        forms[index] = {
            "csrf_token": browser.field(page, "csrf_token"),
            "base": browser.field(page, "base"),
            "save_token": browser.field(page, "save_token"),
            "title": "Shared",
            "body": body.replace(LINES[line], text),
        }
        ready.wait(timeout=60)
        status, answer = browser.request(f"/docs/{document_id}/edit", forms[index])
        results[index] = (status, text, answer)

    threads = [threading.Thread(target=saver, args=(i,)) for i in range(SAVERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
