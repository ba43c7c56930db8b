"""Two hosts serving one PostgreSQL database: two gunicorn servers, each with its own
instance folder, sharing only the database, the storage path and the secret key.

One browser (one cookie jar, as cookies ignore ports) sends each request to host A or
host B by name, so every assertion says which host did what: a module switched on A
is switched on B's next request, a file uploaded on A downloads on B, a session begun
on A holds on B and ends on both when signing out on B, and wrong passwords on A make
B wait. Neither host writes a file into its instance folder: nothing per host.
"""

from __future__ import annotations

import http.cookiejar
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import BUILT_IN
from workspace import create_app
from workspace.login_throttle import ADDRESS
from workspace.testing import POSTGRES_URL, database_url

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo-pass-123"
COORDINATOR = "coordinator@ceei.example"  # coordinates Castilla y León (burgos)
STAKEHOLDER = "stakeholder@klaipeda.example"
FREE_ATTEMPTS = 3
START_TIMEOUT = 30

on_postgresql = pytest.mark.skipif(
    not POSTGRES_URL.startswith("postgresql"),
    reason="two hosts share one PostgreSQL database: set WORKSPACE_TEST_DATABASE_URL "
    "to a PostgreSQL server (the PostgreSQL pass of .ci/run does)",
)


# ---------------------------------------------------------------- the browser


@dataclass(repr=False)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def __repr__(self) -> str:  # short in a failed assertion; the host's log says more
        return f"<Answer {self.status} {self.location}>"

    @property
    def text(self) -> str:
        return self.body.decode()

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One browser, one cookie jar; every request names the host it goes to."""

    def __init__(self, hosts: dict[str, str]) -> None:
        self.hosts = hosts
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def get(self, host: str, path: str) -> Answer:
        return self._send(urllib.request.Request(self.hosts[host] + path))

    def post(
        self, host: str, path: str, fields: dict[str, str], file: tuple[str, bytes] | None = None
    ) -> Answer:
        if file is None:
            body = urllib.parse.urlencode(fields).encode()
            kind = "application/x-www-form-urlencoded"
        else:
            body, kind = multipart(fields, file)
        request = urllib.request.Request(
            self.hosts[host] + path, data=body, headers={"Content-Type": kind}
        )
        return self._send(request)

    def _send(self, request: urllib.request.Request) -> Answer:
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, _headers(response), response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, _headers(error), error.read())

    def sign_in(self, host: str, email: str, password: str) -> Answer:
        form = self.get(host, "/login")
        fields = {"email": email, "password": password, "csrf_token": csrf_token(form)}
        return self.post(host, "/login", fields)


def _headers(response) -> dict[str, str]:
    return {name.lower(): value for name, value in response.headers.items()}


def multipart(fields: dict[str, str], file: tuple[str, bytes]) -> tuple[bytes, str]:
    """A form with one file, encoded as a browser sends it (field ``file``)."""
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    filename, content = file
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def csrf_token(answer: Answer) -> str:
    """The form token of a page, as its forms send it."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', answer.text)
    assert found, f"no form token on the page ({answer.status})"
    return found.group(1)


# ---------------------------------------------------------------- the two hosts


@dataclass
class Hosts:
    browser: Browser
    instance_folders: dict[str, Path]
    storage: Path
    logs: dict[str, Path]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_flask(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "workspace", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"flask {' '.join(args)}:\n{done.stdout}\n{done.stderr}"


def wait_until_healthy(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, f"{base} stopped:\n{log.read_text()}"
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{base} did not answer /healthz in {START_TIMEOUT} s:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    """The server's whole process group (the arbiter and its workers)."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture
def hosts(tmp_path) -> Iterator[Hosts]:
    storage = tmp_path / "shared-storage"
    storage.mkdir()
    folders = {name: tmp_path / f"instance-{name}" for name in "AB"}
    # Only what the hosts share; nothing from the environment of the test run.
    shared = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WORKSPACE_")},
        "WORKSPACE_DATABASE_URL": database_url(tmp_path, "hosts"),
        "WORKSPACE_STORAGE_PATH": str(storage),
        "WORKSPACE_SECRET_KEY": secrets.token_hex(32),
        "WORKSPACE_PLUGINS": ",".join(BUILT_IN),
        "WORKSPACE_LOGIN_FREE_ATTEMPTS": str(FREE_ATTEMPTS),
    }
    env = {name: {**shared, "WORKSPACE_INSTANCE_PATH": str(folders[name])} for name in "AB"}
    # The operator's commands, run on host A.
    run_flask(env["A"], "db", "upgrade", "heads")
    run_flask(env["A"], "demo", "--password", DEMO_PASSWORD)

    servers: dict[str, subprocess.Popen] = {}
    logs = {name: tmp_path / f"gunicorn-{name}.log" for name in "AB"}
    urls = {}
    try:
        for name in "AB":
            port = free_port()
            urls[name] = f"http://127.0.0.1:{port}"
            with logs[name].open("wb") as log:
                servers[name] = subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "--no-control-socket",
                     "-k", "gthread", "--threads", "4", "-w", "2",
                     "-b", f"127.0.0.1:{port}", "wsgi:app"],
                    cwd=ROOT, env=env[name], stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
        for name in "AB":
            wait_until_healthy(urls[name], servers[name], logs[name])
        yield Hosts(Browser(urls), folders, storage, logs)
    finally:
        for server in servers.values():
            stop(server)
        # Shown by pytest only when the test failed.
        for name, log in logs.items():
            if log.exists():
                print(f"---- host {name} ({urls.get(name)}) ----\n{log.read_text()}")


# ---------------------------------------------------------------- the test


@on_postgresql
def test_two_hosts_serve_one_workspace(hosts: Hosts):
    browser = hosts.browser

    # A session begun on A is a session on B.
    assert browser.sign_in("A", COORDINATOR, DEMO_PASSWORD).status == 302
    home_on_b = browser.get("B", "/")
    assert home_on_b.status == 200
    assert COORDINATOR in home_on_b.text

    check_module_switch_reaches_the_other_host(browser)
    check_upload_downloads_on_the_other_host(browser, hosts.storage)

    # Signing out on B (with the form token A's page gave) ends the session on A too.
    token_from_a = csrf_token(browser.get("A", "/"))
    signed_out = browser.post("B", "/logout", {"csrf_token": token_from_a})
    assert signed_out.status == 302
    assert signed_out.location.endswith("/login")
    home_on_a = browser.get("A", "/")
    assert home_on_a.status == 302
    assert "/login" in home_on_a.location

    check_login_throttle_is_shared(browser)

    # Nothing per host: neither instance folder holds a file, the shared storage
    # holds the upload and nothing else.
    for name, folder in hosts.instance_folders.items():
        written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
        assert written == [], f"host {name} wrote into its instance folder: {written}"
    assert len(list(hosts.storage.iterdir())) == 1
    for name, log in hosts.logs.items():
        text = log.read_text()
        assert "Traceback" not in text, f"host {name}:\n{text}"
        assert "SECRET_KEY is not set" not in text


def check_module_switch_reaches_the_other_host(browser: Browser) -> None:
    minutes_page = "/r/burgos/minutes/"
    # B's workers have seen the module on (and may keep that in memory).
    for _ in range(4):
        assert browser.get("B", minutes_page).status == 200
    assert menu_links_to(browser.get("B", "/r/burgos/"), minutes_page)

    for enabled, status in (("0", 404), ("1", 200)):
        dashboard = browser.get("A", "/r/burgos/")
        switched = browser.post(
            "A",
            "/r/burgos/plugins/minutes",
            {"enabled": enabled, "csrf_token": csrf_token(dashboard)},
        )
        assert switched.status == 302
        # B's very next requests, whichever worker answers them.
        assert browser.get("B", minutes_page).status == status
        assert menu_links_to(browser.get("B", "/r/burgos/"), minutes_page) is (status == 200)
        assert browser.get("B", minutes_page).status == status


def menu_links_to(page: Answer, path: str) -> bool:
    assert page.status == 200
    return f'href="{path}"' in page.text


def check_upload_downloads_on_the_other_host(browser: Browser, storage: Path) -> None:
    form = browser.get("A", "/docs/new?region=burgos")
    region_id = re.search(r'<option selected value="(\d+)"', form.text).group(1)
    created = browser.post(
        "A",
        "/docs/new",
        {
            "title": "Evidence from two hosts",
            "body": "Uploaded on A.",
            "region_id": region_id,
            "csrf_token": csrf_token(form),
        },
    )
    assert created.status == 303
    document = urllib.parse.urlsplit(created.location).path

    content = secrets.token_bytes(200_000)
    uploaded = browser.post(
        "A",
        f"{document}/attachments",
        {"csrf_token": csrf_token(browser.get("A", document))},
        file=("site-visit.pdf", content),
    )
    assert uploaded.status == 303

    page_on_b = browser.get("B", document)
    link = re.search(rf'href="({document}/attachments/\d+)"', page_on_b.text).group(1)
    download = browser.get("B", link)
    assert download.status == 200
    assert download.body == content
    assert "site-visit.pdf" in download.headers["content-disposition"]


def check_login_throttle_is_shared(browser: Browser) -> None:
    for _ in range(FREE_ATTEMPTS):
        refused = browser.sign_in("A", STAKEHOLDER, "not-the-password")
        assert refused.status == 422
    # On B even the right password waits: the failures counted on A are B's too.
    waiting = browser.sign_in("B", STAKEHOLDER, DEMO_PASSWORD)
    assert waiting.status == 429
    assert str(ADDRESS) in waiting.text  # a lazily translated sentence
    assert re.search(r"Try again in \d+ seconds", waiting.text)


# ---------------------------------------------------------------- the secret key


def _app_logging(tmp_path, caplog, **config) -> tuple[Flask, list[str]]:
    settings = {"INSTANCE_PATH": str(tmp_path / "instance"), "PLUGINS": [], **config}
    with caplog.at_level(logging.WARNING):
        app = create_app(settings)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    return app, warnings


def test_a_generated_key_on_a_database_server_is_warned_about(tmp_path, caplog):
    # Never connected to: the warning comes at start, before any request.
    server = "postgresql+psycopg://workspace@127.0.0.1:9/workspace"
    app, warnings = _app_logging(tmp_path, caplog, SQLALCHEMY_DATABASE_URI=server)
    (warning,) = [w for w in warnings if "SECRET_KEY" in w]
    assert str(tmp_path / "instance" / "secret_key") in warning
    assert "set WORKSPACE_SECRET_KEY to one value on all of them" in warning
    assert app.secret_key == (tmp_path / "instance" / "secret_key").read_text().strip()


@pytest.mark.parametrize(
    "config",
    [
        {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://workspace@127.0.0.1:9/workspace",
         "SECRET_KEY": "set-on-every-host"},
        {},  # SQLite in the instance folder: one host by nature
    ],
    ids=["key-set", "sqlite"],
)  # fmt: skip
def test_no_key_warning_when_set_or_on_sqlite(tmp_path, caplog, config):
    _, warnings = _app_logging(tmp_path, caplog, **config)
    assert not [w for w in warnings if "SECRET_KEY" in w]
