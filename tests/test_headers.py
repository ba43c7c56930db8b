"""What responses tell browsers and caches: HSTS behind HTTPS, nothing private kept by
a cache, no image from another host in a document, no redirect to another site."""

from __future__ import annotations

from workspace.extensions import db
from workspace.markdown import to_html
from workspace.passwords import issue_set_password_token
from workspace.testing import make_app


def test_hsts_only_when_cookies_are_secure(tmp_path, client, world):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = make_app(tmp_path / "secure", SECURE_COOKIES=True).test_client()
    hsts = secure.get("/login", base_url="https://localhost").headers
    assert hsts["Strict-Transport-Security"] == "max-age=31536000"


def test_exports_and_downloads_are_never_cached(client, auth, world):
    auth.login(world.coordinator.email)
    export = client.get("/r/burgos/export.zip")
    assert export.status_code == 200
    assert export.headers["Cache-Control"] == "no-store"


def test_a_set_password_page_is_never_cached_even_before_signing_in(app, client, world):
    with app.app_context():
        token = issue_set_password_token(db.session.merge(world.editor))
        db.session.commit()
    page = client.get(f"/set-password/{token}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    # The sign-in page itself may be kept (the Back button), and so may static files.
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")


def test_static_files_stay_cacheable_for_signed_in_people(client, auth, world):
    auth.login(world.editor.email)
    response = client.get("/static/js/app.js")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_markdown_images_come_only_from_the_workspace():
    for foreign in (
        "![logo](https://tracker.example/pixel.png)",
        "![logo](http://tracker.example/pixel.png)",
        "![logo](//tracker.example/pixel.png)",
        "![logo](/\\tracker.example/pixel.png)",
        '<img src="https://tracker.example/pixel.png" alt="logo">',
    ):
        html = to_html(foreign)
        assert "tracker.example" not in html, foreign
        assert 'alt="logo"' in html  # the reader still sees what was meant
    assert 'src="/docs/3/attachments/7"' in to_html("![chart](/docs/3/attachments/7)")
    # Links to other sites stay links: only images load by themselves.
    assert 'href="https://interregeurope.eu/"' in to_html("[programme](https://interregeurope.eu/)")
