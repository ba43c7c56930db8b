"""The plugin host: discovery, region gating, switches, hooks and their documentation."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest
from flask import g
from sqlalchemy import select

from tests.conftest import HTMX, make_app, with_panels
from tests.plugins import fixture_plugin
from workspace import hookspecs
from workspace.api import (
    indicator_values,
    periods,
    project_activities,
    report_certified,
    report_items,
)
from workspace.extensions import db
from workspace.follows import follow
from workspace.hookspecs import PluginInfo, hookimpl
from workspace.models import Document, Event, Partner, Region, RegionPlugin, User, utcnow
from workspace.plugins import PluginError, PluginHost, host
from workspace.revisions import create as create_document
from workspace.testing import inbox, sign_in

DOCS = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
HOOK_NAMES = sorted(
    name
    for name, value in vars(hookspecs).items()
    if inspect.isfunction(value) and hasattr(value, "workspace_spec")
)


@pytest.fixture(autouse=True)
def _clear_calls():
    fixture_plugin.CALLS.clear()
    fixture_plugin.CALLED.clear()


def enable(client, region="burgos", on=True, **kw):
    return client.post(f"/r/{region}/plugins/fixture", data={"enabled": "1" if on else "0"}, **kw)


def test_fixture_plugin_is_loaded(app):
    with app.app_context():
        # Beside the built-in plugins installed through their entry points.
        assert "fixture" in host().names
        assert host().infos["fixture"].label == "Fixture notes"


def test_plugin_pages_are_404_until_switched_on(client, auth, world):
    auth.login(world.coordinator.email)
    assert client.get("/r/burgos/fixture/").status_code == 404
    assert client.get("/p/fixture/").status_code == 404
    enable(client)
    page = client.get("/r/burgos/fixture/")
    assert page.status_code == 200
    assert "Fixture notes of Castilla y León" in page.text
    # Only for that region.
    assert client.get("/r/pannon/fixture/").status_code == 404
    assert client.get("/p/fixture/").status_code == 200


def test_switching_off_hides_links_and_pages_without_restart(client, auth, world):
    auth.login(world.coordinator.email)
    enable(client)
    page = with_panels(client, "/r/burgos/")
    assert 'href="/r/burgos/fixture/"' in page
    assert "Fixture panel for Castilla y León" in page
    enable(client, on=False)
    page = with_panels(client, "/r/burgos/")
    assert 'href="/r/burgos/fixture/"' not in page
    assert "Fixture panel" not in page
    assert client.get("/r/burgos/fixture/").status_code == 404


def test_switching_off_keeps_the_plugin_row_and_settings(app, client, auth, world):
    auth.login(world.coordinator.email)
    enable(client)
    with app.app_context():
        row = db.session.scalars(select(RegionPlugin)).one()
        row.settings = {"kept": True}
        db.session.commit()
    enable(client, on=False)
    enable(client)
    with app.app_context():
        row = db.session.scalars(select(RegionPlugin)).one()
        assert row.enabled and row.settings == {"kept": True}


def test_gate_requires_login_and_read_access(client, auth, world):
    auth.login(world.coordinator.email)
    enable(client)
    client.post("/logout")
    assert client.get("/r/burgos/fixture/").status_code == 302
    auth.login(world.outsider.email)
    assert client.get("/r/burgos/fixture/").status_code == 403
    client.post("/logout")
    auth.login(world.other.email)
    assert client.get("/r/burgos/fixture/").status_code == 200
    # The region of a plugin page that does not exist is 404, not 500.
    assert client.get("/r/atlantis/fixture/").status_code == 404


def test_htmx_toggle_returns_switches_menu_and_panels(client, auth, world):
    auth.login(world.coordinator.email)
    response = enable(client, headers=HTMX)
    assert response.status_code == 200
    body = response.text
    assert '<article id="plugins">' in body
    assert 'id="region-nav" class="region-nav" hx-swap-oob="true"' in body
    assert 'href="/r/burgos/fixture/"' in body
    assert 'id="panels"' in body and 'hx-get="/r/burgos/panels/fixture"' in body
    panels = client.get("/r/burgos/panels/fixture", headers=HTMX).text
    assert "Fixture panel for Castilla y León" in panels
    assert "Fixture notes is switched on for Castilla y León." in body
    assert "<html" not in body


def test_toggle_without_htmx_redirects_with_a_message(client, auth, world):
    auth.login(world.coordinator.email)
    response = enable(client)
    assert response.status_code == 302
    assert "switched on" in client.get(response.headers["Location"]).text


def test_unknown_plugin_toggle_is_404(client, auth, world):
    auth.login(world.admin.email)
    assert client.post("/r/burgos/plugins/nothing", data={"enabled": "1"}).status_code == 404


def test_toggle_is_recorded_and_events_reach_plugins(app, client, auth, world):
    auth.login(world.coordinator.email)
    enable(client)
    enable(client)  # already on: no second event
    enable(client, on=False)
    assert fixture_plugin.CALLS == [
        ("plugin_enabled", "burgos", "fixture", "coord@example.org"),
        ("plugin_disabled", "burgos", "fixture", "coord@example.org"),
    ]
    with app.app_context():
        verbs = db.session.scalars(
            select(Event.verb).where(Event.target == "plugin:fixture").order_by(Event.id)
        ).all()
    assert verbs == ["plugin_enabled", "plugin_disabled"]


def test_project_menu_and_panel_come_from_plugins_switched_on_somewhere(client, auth, world):
    auth.login(world.coordinator.email)
    assert "All notes" not in with_panels(client, "/")
    enable(client)
    page = with_panels(client, "/")
    assert 'href="/p/fixture/"' in page
    assert "Project notes panel" in page


def test_lazy_panel_is_loaded_from_its_url(client, auth, world):
    auth.login(world.coordinator.email)
    enable(client)
    page = with_panels(client, "/r/burgos/")
    assert 'hx-get="/r/burgos/fixture/panel"' in page  # a plugin's own lazy panel
    assert client.get("/r/burgos/fixture/panel", headers=HTMX).text == "<p>Lazy panel of burgos</p>"


def test_plugin_command_is_registered(runner):
    result = runner.invoke(args=["fixture-hello"])
    assert result.output.strip() == "hello from the fixture plugin"


def _module(name: str, **attrs) -> ModuleType:
    module = ModuleType(name)
    module.__dict__.update(attrs)
    return module


def test_plugin_without_info_fails_loudly():
    with pytest.raises(PluginError, match="PLUGIN"):
        PluginHost().register(_module("broken"))


def test_plugin_cannot_take_a_name_of_core_pages():
    with pytest.raises(PluginError, match="core"):
        PluginHost().register(_module("clash", PLUGIN=PluginInfo("activity", "A", "")))


def test_two_plugins_with_one_name_fail_loudly():
    plugin_host = PluginHost()
    plugin_host.register(_module("a", PLUGIN=PluginInfo("same", "A", "")))
    with pytest.raises(PluginError, match="two plugins"):
        plugin_host.register(_module("b", PLUGIN=PluginInfo("same", "B", "")))


def test_misspelled_hook_fails_at_start_up(tmp_path, monkeypatch):
    @hookimpl
    def menu_link(region, user):  # the spec is "menu_links"
        return []

    module = _module("typo_plugin", PLUGIN=PluginInfo("typo", "Typo", ""), menu_link=menu_link)
    monkeypatch.setitem(__import__("sys").modules, "typo_plugin", module)
    with pytest.raises(Exception, match="menu_link"):
        make_app(tmp_path, EXTRA_PLUGINS=["typo_plugin"])


def _demo_plugin(name: str, after=(), calls=None) -> ModuleType:
    @hookimpl
    def load_demo():
        calls.append(name)

    return _module(
        f"{name}_plugin", PLUGIN=PluginInfo(name, name, "", after=after), load_demo=load_demo
    )


def test_hooks_run_after_the_plugins_a_plugin_names():
    """The action plans' demo links to the portfolio's practices, which link to the
    minutes' meeting: ``after`` orders them, whatever their names or load order."""
    calls: list[str] = []
    plugin_host = PluginHost()
    for module in [
        _demo_plugin("aplans", after=["portfolio", "minutes", "not_installed"], calls=calls),
        _demo_plugin("portfolio", after=("minutes",), calls=calls),
        _demo_plugin("minutes", calls=calls),
        _demo_plugin("budget", calls=calls),
    ]:
        plugin_host.register(module)
    plugin_host.order = plugin_host._ordered()
    results = plugin_host.call_each("load_demo")
    assert calls == ["budget", "minutes", "portfolio", "aplans"]
    assert [name for name, _ in results] == calls


def test_plugins_waiting_for_each_other_fail_at_start_up():
    plugin_host = PluginHost()
    plugin_host.register(_demo_plugin("one", after=("two",), calls=[]))
    plugin_host.register(_demo_plugin("two", after=("one",), calls=[]))
    with pytest.raises(PluginError, match="wait for each other: one, two"):
        plugin_host._ordered()


def test_a_hook_that_became_a_plugin_info_field_is_refused_with_the_field_named():
    @hookimpl
    def register_blueprints():
        return []

    module = _module(
        "old", PLUGIN=PluginInfo("old", "Old", ""), register_blueprints=register_blueprints
    )
    with pytest.raises(PluginError, match=r"PluginInfo\(\.\.\., blueprints=\.\.\.\)"):
        PluginHost().register(module)


def test_export_receives_who_downloads():
    spec = PluginHost().pm.hook.export_region.spec
    assert spec.argnames == ("region", "user")


def test_every_hook_is_implemented_by_the_fixture_plugin():
    implemented = {name for name in HOOK_NAMES if hasattr(fixture_plugin, name)}
    assert implemented == set(HOOK_NAMES)


def test_every_hook_is_documented_in_one_shape():
    text = DOCS.read_text()
    sections = dict(re.findall(r"^### `(\w+)\(.*?\)`\n(.*?)(?=^### |\Z)", text, re.M | re.S))
    assert sorted(sections) == HOOK_NAMES
    for name, body in sections.items():
        for part in ("**Arguments**", "**Returns**", "```python"):
            assert part in body, f"{name}: missing {part}"


def test_every_hook_spec_has_a_docstring():
    for name in HOOK_NAMES:
        assert getattr(hookspecs, name).__doc__, name


def test_demo_calls_load_demo(app, runner):
    result = runner.invoke(args=["demo", "--password", "a demo password"])
    assert result.exit_code == 0, result.output
    assert fixture_plugin.CALLS.count(("load_demo",)) == 1
    with app.app_context():
        # New demo regions start with every installed plugin switched on.
        regions = db.session.scalars(select(Region)).all()
        assert all(host().enabled_in(region) == set(host().names) for region in regions)


def test_every_hook_is_exercised(tmp_path):
    """Start an app and use it as people do: every hook gets called."""
    fixture_plugin.CALLED.clear()
    app = make_app(tmp_path)
    runner, client = app.test_cli_runner(), app.test_client()
    runner.invoke(args=["demo", "--password", "a demo password"])
    client.post("/login", data={"email": "admin@pannon.example", "password": "a demo password"})
    enable(client, on=False)
    enable(client)
    for path in ["/r/burgos/export.zip", "/search?q=fixture"]:
        assert client.get(path).status_code == 200, path
    assert "Project notes panel" in with_panels(client, "/")
    assert "Fixture panel" in with_panels(client, "/r/burgos/")
    created = client.post("/docs/new", data={"title": "Notes", "body": "", "region_id": 1})
    document = created.headers["Location"].rsplit("/", 1)[1]
    assert "Note on export vouchers" in client.get(f"/links/doc/{document}/targets?q=vouch").text
    client.post(f"/links/doc/{document}", data={"target": "fixture:note:1"})
    assert "Note on export vouchers" in client.get(f"/docs/{document}").text
    with app.app_context():
        sealed = create_document("Note [sealed]", "text", None, admin_of(app), plugin="fixture")
    assert "This note is sealed." in client.get(f"/docs/{sealed.id}").text
    client.post(f"/docs/{sealed.id}/comments", data={"body": "Sealed, but open to comments."})
    addresses = client.post("/account/calendar").text
    feed = re.search(r"http://localhost(/calendar/[\w-]+/mine\.ics)", addresses).group(1)
    assert "Note on export vouchers" in app.test_client().get(feed).text
    calendar = {"start_date": "2019-08-01", "phase1_months": "24", "phase1_period_months": "6"}
    calendar |= {"phase2_months": "12", "phase2_period_months": "12", "report_days": "14"}
    assert client.post("/admin/calendar", data=calendar).status_code == 303
    with app.test_request_context():
        partner = db.session.scalar(select(Partner).order_by(Partner.id).limit(1))
        first = periods()[0]
        items = report_items(partner, first, admin_of(app))
        assert ("Fixture notes", "A note") in [(i.section, i.title) for i in items]
        report_certified(partner, first, [])
        assert "Fixture note on" in indicator_values(None, first, admin_of(app))[0].title
        assert project_activities(first, admin_of(app))
    assert set(HOOK_NAMES) == fixture_plugin.CALLED


def test_the_followers_of_a_plugins_record_hear_of_comments_on_its_texts(app, world):
    """The fixture's sealed notes are texts of its folder (``document_followed_as``):
    whoever follows the folder is told of a comment on one, once, as is whoever follows
    the note itself; a plain note's comments are not the folder's news."""
    with app.app_context():
        admin = db.session.get(User, world.admin.id)
        sealed = create_document("Note [sealed]", "text", None, admin, plugin="fixture")
        plain = create_document("Note", "text", None, admin, plugin="fixture")
        for person in (world.coordinator, world.other):
            follow(db.session.get(User, person.id), fixture_plugin.FOLDER)
        follow(db.session.get(User, world.other.id), sealed.ref)  # both: told once
        db.session.commit()
        ids = sealed.id, plain.id
    editor = sign_in(app, world.editor.email)
    for document_id in ids:
        editor.post(f"/docs/{document_id}/comments", data={"body": "Is this final?"})
    told = f"{world.editor.name} commented on “Note [sealed]”"
    for person in (world.coordinator, world.other):
        assert [subject for subject, _ in inbox(app, person)] == [told]


def admin_of(app):
    return db.session.scalar(select(User).where(User.is_admin.is_(True)))


def test_a_plugin_locks_its_own_documents(app, client, auth, world):
    with app.app_context():
        admin = db.session.get(User, world.admin.id)
        sealed = create_document("Note [sealed]", "first text", None, admin, plugin="fixture")
        plain = create_document("Note [sealed]", "first text", None, admin)  # no plugin
        sealed_id, plain_id = sealed.id, plain.id
    auth.login(world.editor.email)
    page = client.get(f"/docs/{sealed_id}").text
    assert "This note is sealed." in page and f'href="/docs/{sealed_id}/edit"' not in page
    response = client.get(f"/docs/{sealed_id}/edit")
    assert response.status_code == 302
    form = {"base": "1", "title": "Note [sealed]", "body": "my careful rewrite"}
    response = client.post(f"/docs/{sealed_id}/edit", data=form)
    assert response.status_code == 409
    assert "This note is sealed." in response.text and "my careful rewrite" in response.text
    assert client.post(f"/docs/{sealed_id}/delete").status_code == 409
    assert client.post(f"/docs/{sealed_id}/revisions/1/restore").status_code == 409
    with app.app_context():
        document = db.session.get(Document, sealed_id)
        assert (document.head, document.body, document.deleted_at) == (1, "first text", None)
    # A lock holds both ways: one deleted before it was sealed stays in the trash.
    with app.app_context():
        db.session.get(Document, sealed_id).deleted_at = utcnow()
        db.session.commit()
    assert client.post(f"/docs/{sealed_id}/undelete").status_code == 409
    with app.app_context():
        assert db.session.get(Document, sealed_id).deleted_at is not None
        db.session.get(Document, sealed_id).deleted_at = None
        db.session.commit()
    # Comments stay open, and a document no plugin owns is never locked.
    assert client.post(f"/docs/{sealed_id}/comments", data={"body": "ok"}).status_code in (200, 303)
    assert client.post(f"/docs/{plain_id}/edit", data=form).status_code == 303


def test_project_pages_and_links_are_for_the_consortium(client, auth, world):
    auth.login(world.coordinator.email)
    enable(client)
    auth.logout()
    auth.login(world.stakeholder.email)
    assert client.get("/p/fixture/").status_code == 403
    page = with_panels(client, "/")
    assert 'href="/p/fixture/"' not in page
    assert "Project notes panel" not in page
    # Their own region's plugin pages stay open to them.
    assert client.get("/r/burgos/fixture/").status_code == 200


def test_panels_load_from_their_own_address_and_only_where_allowed(client, auth, world):
    auth.login(world.coordinator.email)
    assert client.get("/r/burgos/panels/fixture", headers=HTMX).status_code == 404  # off
    enable(client)
    page = client.get("/r/burgos/")
    assert "Fixture panel" not in page.text  # a placeholder until the browser asks
    assert '<article class="panel" hx-get="/r/burgos/panels/fixture"' in page.text
    fragment = client.get("/r/burgos/panels/fixture", headers=HTMX).text
    assert fragment.lstrip().startswith('<article class="panel">') and "<html" not in fragment
    # Without htmx (the placeholder's plain link) the panels come as a page.
    full = client.get("/r/burgos/panels/fixture").text
    assert "<html" in full and "Fixture panel for Castilla y León" in full
    assert client.get("/r/pannon/panels/fixture").status_code == 404  # off in Pannon
    assert client.get("/r/burgos/panels/nothing").status_code == 404
    auth.logout()
    auth.login(world.outsider.email)  # an external stakeholder of Pannon only
    assert client.get("/r/burgos/panels/fixture", headers=HTMX).status_code == 403
    assert client.get("/panels/fixture", headers=HTMX).status_code == 403
    assert client.get("/").status_code == 200


def test_malformed_switch_request_changes_nothing(client, auth, world):
    auth.login(world.coordinator.email)
    enable(client)
    response = client.post("/r/burgos/plugins/fixture", data={})
    assert response.status_code == 400
    assert "Fixture panel" in with_panels(client, "/r/burgos/")


def test_switched_on_nav_marks_the_dashboard_as_current(client, auth, world):
    auth.login(world.coordinator.email)
    body = enable(client, headers=HTMX).text
    nav = body[body.index('id="region-nav"') :]
    assert 'href="/r/burgos/" aria-current="page"' in nav


def test_document_saved_reaches_plugins(client, auth, world):
    from tests.test_documents import edit_form
    from workspace.testing import new_document

    auth.login(world.editor.email)
    document = new_document(client, "Minutes", "a")
    form = edit_form(client, document)
    client.post(f"/docs/{document}/edit", data={**form, "title": "Minutes", "body": "b"})
    assert [call for call in fixture_plugin.CALLS if call[0] == "document_saved"] == [
        ("document_saved", "Minutes", 1),
        ("document_saved", "Minutes", 2),
    ]


def test_a_rendered_panel_escapes_user_text_and_refuses_unescaped_templates(app):
    from workspace.hookspecs import Panel

    with app.test_request_context():
        panel = Panel.rendered("Notes", "_flash.html", messages=[("info", "<script>x</script>")])
        assert "<script>" not in panel.html and "&lt;script&gt;x&lt;/script&gt;" in panel.html
        with pytest.raises(ValueError, match="auto-escaped"):
            Panel.rendered("Notes", "notes/panel.txt", text="<script>x</script>")


def test_plugin_region_urls_follow_the_current_region(app, world):
    with app.test_request_context("/"):
        g.region = type("R", (), {"slug": "burgos"})()
        assert app.url_for("fixture.index") == "/r/burgos/fixture/"
        assert app.url_for("fixture.index", region="pannon") == "/r/pannon/fixture/"
