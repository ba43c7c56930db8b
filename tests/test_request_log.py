"""With LOG_FORMAT=json every request leaves one JSON line an operator can search:
who, which page, how it ended and how long it took, and never a secret."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest

from tests.conftest import PASSWORD, Factory, World, make_app
from workspace.request_log import LOGGER
from workspace.testing import new_document


class Lines(logging.Handler):
    """The request log's lines, parsed."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(record.getMessage()))

    def take(self) -> list[dict]:
        taken, self.lines = self.lines, []
        return taken


@pytest.fixture
def lines() -> Iterator[Lines]:
    handler = Lines()
    LOGGER.addHandler(handler)
    yield handler
    LOGGER.removeHandler(handler)


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path, LOG_FORMAT="json")


def test_a_signed_in_request_logs_one_line_with_the_user_and_the_route(app, lines):
    world = World(Factory(app))
    client = app.test_client()
    client.post("/login", data={"email": world.editor.email, "password": PASSWORD})
    document_id = new_document(client)
    lines.take()

    response = client.get(f"/docs/{document_id}?q=anything")

    assert response.status_code == 200
    [line] = lines.take()
    assert line["user_id"] == world.editor.id
    assert line["method"] == "GET"
    assert line["route"] == "/docs/<id:document_id>"
    assert line["path"] == f"/docs/{document_id}"  # no query string
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["remote_addr"] == "127.0.0.1"
    assert line["request_id"] == response.headers["X-Request-Id"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])


def test_an_unknown_address_logs_404_without_a_user_or_route(app, lines):
    response = app.test_client().get("/no/such/page")

    assert response.status_code == 404
    [line] = lines.take()
    assert (line["status"], line["route"], line["user_id"]) == (404, None, None)
    assert line["path"] == "/no/such/page"


def test_the_proxys_request_id_is_kept_and_a_forged_one_replaced(app, lines):
    client = app.test_client()
    sent = "5f2b6c0e9a7d4b1e8c3f2a1d0e9b8c7a"
    response = client.get("/healthz", headers={"X-Request-Id": sent})
    assert response.headers["X-Request-Id"] == sent
    assert lines.take()[0]["request_id"] == sent

    forged = 'x" , "user_id": 1, "a": "'
    response = client.get("/healthz", headers={"X-Request-Id": forged})
    made = response.headers["X-Request-Id"]
    assert made != forged and re.fullmatch(r"[0-9a-f]{32}", made)
    assert lines.take()[0]["request_id"] == made


def test_a_set_password_link_is_not_logged_in_clear(app, lines):
    world = World(Factory(app))
    admin = app.test_client()
    admin.post("/login", data={"email": world.admin.email, "password": PASSWORD})
    page = admin.post(f"/admin/users/{world.editor.id}/link").text
    link = re.search(r"http://localhost(/set-password/[A-Za-z0-9_\-]+)", page).group(1)
    token = link.rsplit("/", 1)[1]
    lines.take()

    response = app.test_client().get(link)

    assert response.status_code == 200
    [line] = lines.take()
    assert token not in json.dumps(line)
    assert line["path"] == "/set-password/<redacted>"
    assert line["route"] == "/set-password/<token>"


def test_text_format_logs_no_json_lines(tmp_path, lines):
    app = make_app(tmp_path, LOG_FORMAT="text")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert "X-Request-Id" not in response.headers
    assert lines.take() == []


def test_an_unknown_log_format_stops_the_start_with_a_clear_message(tmp_path):
    with pytest.raises(RuntimeError, match="LOG_FORMAT 'yaml'"):
        make_app(tmp_path, LOG_FORMAT="yaml")
