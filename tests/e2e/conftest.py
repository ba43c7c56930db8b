"""Real-browser fixtures: one live server per session, Playwright driving /usr/bin/chromium.

The server runs the app with CSRF protection on (as in production), seeded with the
``World`` of tests/conftest.py, and with the fixture plugin switched on for Pannon only.
Every test gets a fresh browser context through pytest-playwright's ``page`` fixture.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

from tests.conftest import PASSWORD, Factory, World, make_app
from workspace.extensions import db
from workspace.models import Region
from workspace.plugins import host

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


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    app = make_app(tmp_path_factory.mktemp("e2e"), WTF_CSRF_ENABLED=True)
    world = World(Factory(app))
    set_plugin(app, "pannon", "fixture", True)

    server: BaseWSGIServer = make_server("127.0.0.1", 0, closing_before_send(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, world=world, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


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
