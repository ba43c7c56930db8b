"""The remembered URLs are the URLs Flask builds, and long values are not remembered."""

from __future__ import annotations

from flask import Flask, g

from workspace.urls import CACHE_SIZE


def test_remembered_urls_equal_flasks_own(app, world):
    calls = [
        ("documents.view", {"document_id": 7}),
        ("documents.index", {"region": "burgos"}),
        ("documents.index", {"trash": 1}),
        ("documents.index", {"trash": True}),  # equal to 1 as a key, not as a URL
        ("regions.dashboard", {"region": "pannon"}),
        ("search.page", {"q": "export vouchers"}),
        ("static", {"filename": "css/app.css"}),
    ]
    with app.test_request_context("/", base_url="http://example.org/workspace"):
        for _ in range(2):  # the second round comes from the memory
            for endpoint, values in calls:
                assert app.url_for(endpoint, **values) == Flask.url_for(app, endpoint, **values)
        assert app.url_for("documents.view", document_id=7).startswith("/workspace/docs/")


def test_plugin_region_urls_follow_the_current_region(app, world):
    with app.test_request_context("/"):
        g.region = type("R", (), {"slug": "burgos"})()
        assert app.url_for("fixture.index") == "/r/burgos/fixture/"
        g.region = type("R", (), {"slug": "pannon"})()
        assert app.url_for("fixture.index") == "/r/pannon/fixture/"


def test_long_values_are_built_each_time_and_not_kept(app):
    with app.test_request_context("/"):
        before = len(app._built_urls)
        for n in range(50):
            url = app.url_for("auth.login", next="/docs/" + "x" * 200 + str(n))
            assert url.endswith(str(n))
        assert len(app._built_urls) == before
        assert CACHE_SIZE >= 1000
