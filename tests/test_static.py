"""Vendored files are exactly the pinned versions, and the layout serves them."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"


def test_vendored_files_match_their_pinned_hashes():
    entries = [
        line.split()
        for line in (VENDOR / "VERSIONS").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert {entry[0] for entry in entries} == {p.name for p in VENDOR.iterdir()} - {"VERSIONS"}
    for entry in entries:
        digest = hashlib.sha384((VENDOR / entry[0]).read_bytes()).digest()
        assert entry[-1] == "sha384-" + base64.b64encode(digest).decode(), entry[0]


def test_base_layout_loads_htmx_2_0_11_and_configures_it(client):
    page = client.get("/login").text
    assert '<script src="/static/vendor/htmx-2.0.11.min.js" defer></script>' in page
    assert '<meta name="htmx-config"' in page
    assert '"includeIndicatorStyles": false' in page
    with client.get("/static/vendor/htmx-2.0.11.min.js") as response:
        assert response.status_code == 200
