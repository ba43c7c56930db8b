"""Real-browser fixtures: one live server per session, Playwright driving /usr/bin/chromium.

The server runs the app with CSRF protection on (as in production), seeded with the
``World`` of tests/conftest.py, and with the fixture plugin switched on for Pannon only.
Every test gets a fresh browser context through pytest-playwright's ``page`` fixture.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

from tests.conftest import PASSWORD, Factory, World, make_app
from workspace.demo import WEEK_DOCUMENT
from workspace.extensions import db
from workspace.models import Document, Region
from workspace.plugins import host
from workspace.testing import DEMO_PASSWORD, load_demo, outliving_the_test

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Long enough for a cold start of chromium on a slow CI machine, short enough to fail fast.
EXPECT_TIMEOUT_MS = 10_000


@dataclass
class LiveServer:
    app: Flask
    world: World
    url: str


def set_plugin(app: Flask, slug: str, plugin: str, enabled: bool) -> None:
    """Switch a plugin on or off for a region directly in the server's database."""
    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == slug))
        host().set_enabled(region, plugin, enabled, None)
        db.session.commit()
        db.session.remove()


def closing_before_send(app: WSGIApplication) -> WSGIApplication:
    """Read each response into memory and close it before werkzeug sends it.

    werkzeug's threaded dev server closes the response only after draining the socket,
    and skips the close when the browser has already hung up (it does, between pages):
    an open static file then surfaces as a ResourceWarning in some later test."""

    def wrapped(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wrapped


@contextmanager
def serving(app: Flask, name: str) -> Iterator[str]:
    """Serve ``app`` on a free port in a thread; yields its base URL.

    The server owns the app's connections: it joins the threads of requests still
    running (a page's panels may load after its test ended) before it closes them."""
    outliving_the_test(app)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, closing_before_send(app), threaded=True)
    server.daemon_threads = False  # server_close() joins the request threads
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    app = make_app(tmp_path_factory.mktemp("e2e"), WTF_CSRF_ENABLED=True)
    world = World(Factory(app))
    set_plugin(app, "pannon", "fixture", True)
    with serving(app, "e2e-live-server") as url:
        yield LiveServer(app=app, world=world, url=url)


# ---------------------------------------------------------------- the demo's own server

DEMO_ADMIN = "admin@pannon.example"  # Anna Kovács
DEMO_COORDINATOR = "coordinator@ceei.example"  # Lucía García, coordinator in Burgos


@dataclass
class DemoServer:
    app: Flask
    url: str
    document_id: int  # the demo week's document, where its comments and mentions are


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The InterVentures demo on a live server of its own (the session's server holds
    the test world, not the demo's people), shared by the tests that need real people."""
    app = make_app(tmp_path_factory.mktemp("demo-e2e"), WTF_CSRF_ENABLED=True)
    load_demo(app)
    with app.app_context():
        document_id = db.session.scalar(select(Document.id).where(Document.title == WEEK_DOCUMENT))
        db.session.remove()
    with serving(app, "e2e-demo-server") as url:
        yield DemoServer(app, url, document_id)


def sign_in(page: Page, email: str, password: str = PASSWORD) -> Page:
    """Sign in through the login form and wait until the overview greets the user."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#messages")).to_contain_text("Welcome,")
    return page


def demo_person(browser: Browser, server: DemoServer, email: str) -> Page:
    """A browser of the demo person's own (its own session cookie), signed in."""
    return sign_in(browser.new_context(base_url=server.url).new_page(), email, DEMO_PASSWORD)


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """pytest-playwright gives every browser context this base URL: page.goto("/")."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed: the real-browser tests need Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (browser tests must not be skipped in CI)", pytrace=False)
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session", autouse=True)
def _expect_timeout() -> None:
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture
def login(page: Page):
    """Sign in through the login form; lands on the project overview."""

    def sign_in(email: str, password: str = PASSWORD) -> Page:
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        return page

    return sign_in
