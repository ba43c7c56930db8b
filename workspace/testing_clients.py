"""Signing in as a test user (``workspace.testing`` re-exports these): every test
user's password, and a client of one's own, signed in."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

PASSWORD = "correct horse battery"  # noqa: S105  (every test user's, public)


def sign_in(app: Flask, email: str, password: str = PASSWORD) -> FlaskClient:
    """A new test client of ``app``, signed in as ``email``: for a test where several
    people act at once, each with a client of their own."""
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, f"{email} could not sign in"
    return client
