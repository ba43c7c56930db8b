"""A plugin's settings per region: the declarations (``PluginInfo.settings``), the page
where a region's coordinators change them, and ``region_setting``, which the plugin
reads them with (the fixture plugin shows its settings on its region page)."""

from __future__ import annotations

import re
from decimal import Decimal
from types import ModuleType

import pytest
from sqlalchemy import select

from tests.conftest import HTMX, PASSWORD, Factory, make_app
from workspace.api import PluginInfo, Setting, region_setting
from workspace.extensions import db
from workspace.models import Event, RegionPlugin
from workspace.plugins import PluginError, PluginHost
from workspace.testing import World, switch_on

URL = "/r/burgos/plugins/fixture/settings"
POLISH = {"Accept-Language": "pl-PL,pl;q=0.9"}
FORM = {"threshold": "750", "show_archived": "y", "order": "oldest", "signature": "Ana"}
# An unticked switch is not sent at all.
UNTICKED = {name: value for name, value in FORM.items() if name != "show_archived"}


def page_form(client, url: str = URL, **headers) -> dict[str, str]:
    """The form's hidden fields as the page gives them (the version it started from)."""
    page = client.get(url, headers=headers).text
    return {"base": re.search(r'name="base" type="hidden" value="([^"]*)"', page).group(1)}


def save(client, data: dict, **kw):
    return client.post(URL, data={**page_form(client), **data}, **kw)


def stored(app) -> tuple[bool, dict] | None:
    """The fixture's row in Burgos, the only one these tests make: (enabled, settings)."""
    with app.app_context():
        row = db.session.scalar(select(RegionPlugin).where(RegionPlugin.plugin == "fixture"))
        return None if row is None else (row.enabled, row.settings)


def setting(app, region_id: int, name: str):
    with app.app_context():
        return region_setting(region_id, "fixture", name)


def test_a_coordinator_changes_the_settings_and_the_plugin_page_shows_them(
    app, client, auth, world
):
    switch_on(app, "burgos", "fixture")
    auth.login(world.coordinator.email)
    page = client.get("/r/burgos/fixture/").text
    assert "Threshold: 500.00 · Archived notes: hidden · Order: newest · Signature: none" in page
    form = client.get(URL)
    assert form.status_code == 200
    # Labels, help, current values, defaults and the way back.
    assert "Alert threshold (EUR)" in form.text
    assert "Notes about amounts above this are flagged" in form.text
    assert 'name="threshold" type="text" value="500.00"' in form.text
    assert '<option selected value="newest">Newest first</option>' in form.text
    assert "Default: Newest first" in form.text
    assert 'href="/r/burgos/" role="button" class="secondary outline">Cancel' in form.text

    response = save(client, FORM)
    assert response.status_code == 303
    assert response.headers["Location"] == URL
    assert "The settings of Fixture notes for Castilla y León are saved." in client.get(URL).text
    page = client.get("/r/burgos/fixture/").text
    assert "Threshold: 750.00 · Archived notes: shown · Order: oldest · Signature: Ana" in page
    assert stored(app) == (
        True,
        {"threshold": "750.00", "show_archived": True, "order": "oldest", "signature": "Ana"},
    )
    assert setting(app, world.burgos.id, "threshold") == Decimal("750")
    assert setting(app, world.burgos.id, "show_archived") is True
    # Another region keeps the defaults.
    assert setting(app, world.pannon.id, "threshold") == Decimal("500")
    assert setting(app, world.pannon.id, "order") == "newest"
    # Unticking the switch saves "no".
    save(client, UNTICKED)
    assert setting(app, world.burgos.id, "show_archived") is False


def test_a_number_is_read_in_the_readers_format(app, client, auth, world):
    auth.login(world.coordinator.email)
    assert 'value="500,00"' in client.get(URL, headers=POLISH).text
    response = client.post(
        URL,
        data={**page_form(client, **POLISH), **FORM, "threshold": "1 234,5"},
        headers=POLISH,
    )
    assert response.status_code == 303
    assert setting(app, world.burgos.id, "threshold") == Decimal("1234.5")
    assert stored(app)[1]["threshold"] == "1234.50"
    # Shown back in the reader's format.
    assert 'value="1\xa0234,50"' in client.get(URL, headers=POLISH).text
    assert 'value="1,234.50"' in client.get(URL).text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.234,5", "Alert threshold (EUR) must be a number written like 4,500.00."),
        ("-3", "Alert threshold (EUR) cannot be negative."),
        ("", "Alert threshold (EUR) is missing."),
        ("12.345", "Alert threshold (EUR) has at most 2 decimals."),
    ],
)
def test_a_bad_value_is_refused_kept_and_changes_nothing(app, client, auth, world, typed, message):
    switch_on(app, "burgos", "fixture")
    auth.login(world.coordinator.email)
    before = stored(app)
    response = save(client, {**FORM, "threshold": typed})
    assert response.status_code == 422
    assert message in response.text
    assert f'name="threshold" type="text" value="{typed}"' in response.text
    assert 'aria-invalid="true"' in response.text
    # The other fields keep what was chosen too, and nothing is stored or recorded.
    assert '<option selected value="oldest">Oldest first</option>' in response.text
    assert 'name="signature" type="text" value="Ana"' in response.text
    assert stored(app) == before
    assert setting(app, world.burgos.id, "threshold") == Decimal("500")
    with app.app_context():
        assert (
            db.session.scalar(select(Event).where(Event.verb == "plugin_settings_changed")) is None
        )


def test_a_choice_that_is_not_offered_is_refused(app, client, auth, world):
    auth.login(world.coordinator.email)
    response = save(client, {**FORM, "order": "random"})
    assert response.status_code == 422
    assert "choose one of the listed options" in response.text
    assert stored(app) is None


def test_htmx_gets_the_form_back_with_the_message(app, client, auth, world):
    auth.login(world.coordinator.email)
    response = save(client, FORM, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<article id="plugin-settings"')
    assert "<html" not in response.text
    assert 'name="threshold" type="text" value="750.00"' in response.text
    assert 'hx-swap-oob="innerHTML:#messages"' in response.text
    assert "are saved." in response.text
    refused = save(client, {**FORM, "threshold": "lots"}, headers=HTMX)
    assert refused.status_code == 422
    assert "<html" not in refused.text and 'value="lots"' in refused.text


@pytest.mark.parametrize("who", ["stakeholder", "editor", "other", "outsider"])
def test_only_those_who_manage_the_region_see_or_change_the_settings(app, client, auth, world, who):
    switch_on(app, "burgos", "fixture")
    auth.login(getattr(world, who).email)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data=FORM).status_code == 403
    assert stored(app) == (True, {})
    assert URL not in client.get("/r/burgos/").text


def test_an_admin_may_change_them(app, client, auth, world):
    auth.login(world.admin.email)
    assert save(client, FORM).status_code == 303
    assert setting(app, world.burgos.id, "order") == "oldest"


def test_unknown_plugins_and_plugins_without_settings_are_404(app, client, auth, world):
    auth.login(world.admin.email)
    assert client.get("/r/burgos/plugins/nothing/settings").status_code == 404
    assert client.post("/r/burgos/plugins/nothing/settings", data=FORM).status_code == 404
    assert client.get("/r/burgos/plugins/minutes/settings").status_code == 404  # none declared
    assert client.get("/r/atlantis/plugins/fixture/settings").status_code == 404


def test_the_dashboard_links_the_settings_of_switched_on_plugins_for_managers(
    app, client, auth, world
):
    auth.login(world.coordinator.email)
    assert URL not in client.get("/r/burgos/").text  # off
    switch_on(app, "burgos", "fixture")
    page = client.get("/r/burgos/").text
    assert f'href="{URL}"' in page
    assert "/plugins/minutes/settings" not in page  # no settings declared
    switch_on(app, "pannon", "fixture")
    pannon = client.get("/r/pannon/").text  # on there too, but not theirs to manage
    assert 'href="/r/pannon/fixture/"' in pannon
    assert "/r/pannon/plugins/fixture/settings" not in pannon


def test_a_change_is_recorded_with_the_names_changed(app, client, auth, world):
    switch_on(app, "burgos", "fixture")
    auth.login(world.coordinator.email)
    # Only the threshold differs from the defaults.
    response = save(client, {"threshold": "600", "order": "newest", "signature": ""})
    assert response.status_code == 303
    with app.app_context():
        events = db.session.scalars(
            select(Event).where(Event.verb == "plugin_settings_changed")
        ).all()
        assert [(e.target, e.detail["changed"], e.actor_id) for e in events] == [
            ("plugin:fixture", ["threshold"], world.coordinator.id)
        ]
    assert "changed the settings of the module" in client.get("/r/burgos/activity").text
    # Saving the same values again stores and records nothing.
    response = save(client, {"threshold": "600", "order": "newest", "signature": ""})
    assert response.status_code == 303
    assert "are unchanged" in client.get(URL).text
    with app.app_context():
        verbs = db.session.scalars(select(Event.verb).where(Event.target == "plugin:fixture"))
        assert list(verbs).count("plugin_settings_changed") == 1


def test_settings_survive_switching_off_and_on(app, client, auth, world):
    auth.login(world.coordinator.email)
    # Settings saved before the plugin was ever on make its row, switched off.
    assert save(client, FORM).status_code == 303
    assert stored(app)[0] is False
    assert client.get("/r/burgos/fixture/").status_code == 404
    client.post("/r/burgos/plugins/fixture", data={"enabled": "1"})
    assert "Threshold: 750.00" in client.get("/r/burgos/fixture/").text
    client.post("/r/burgos/plugins/fixture", data={"enabled": "0"})
    assert "Its settings are kept and apply once it is switched on." in client.get(URL).text
    client.post("/r/burgos/plugins/fixture", data={"enabled": "1"})
    assert (
        "Threshold: 750.00 · Archived notes: shown · Order: oldest"
        in client.get("/r/burgos/fixture/").text
    )


def test_other_keys_of_the_column_are_kept(app, client, auth, world):
    switch_on(app, "burgos", "fixture")
    with app.app_context():
        row = db.session.scalar(select(RegionPlugin))
        row.settings = {"kept": True, "order": "no longer offered"}
        db.session.commit()
    # A stored value that no longer fits the declaration reads as the default.
    assert setting(app, world.burgos.id, "order") == "newest"
    auth.login(world.coordinator.email)
    save(client, {**FORM, "order": "title"})
    assert stored(app)[1]["kept"] is True and stored(app)[1]["order"] == "title"


def test_a_save_over_someone_elses_change_is_a_conflict(app, client, auth, world):
    auth.login(world.coordinator.email)
    started = page_form(client)
    save(client, {**FORM, "threshold": "900"})  # someone else, meanwhile
    response = client.post(URL, data={**started, **FORM, "threshold": "100"})
    assert response.status_code == 409
    assert "Someone saved these settings while you were changing them" in response.text
    assert 'value="100"' in response.text and "Saved now: <strong>900.00</strong>" in response.text
    assert setting(app, world.burgos.id, "threshold") == Decimal("900")
    # Saving again from the form that showed the conflict puts the person's values.
    base = re.search(r'name="base" type="hidden" value="([^"]*)"', response.text).group(1)
    assert client.post(URL, data={"base": base, **FORM, "threshold": "100"}).status_code == 303
    assert setting(app, world.burgos.id, "threshold") == Decimal("100")


def test_without_the_csrf_token_a_save_is_refused(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    world = World(Factory(app))
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    login = {"email": world.coordinator.email, "password": PASSWORD, "csrf_token": token}
    client.post("/login", data=login)
    form = client.get(URL).text
    base = re.search(r'name="base" type="hidden" value="([^"]*)"', form).group(1)
    refused = client.post(URL, data={**FORM, "base": base})
    assert refused.status_code == 400
    assert stored(app) is None
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    accepted = client.post(URL, data={**FORM, "base": base, "csrf_token": token})
    assert accepted.status_code == 303
    assert setting(app, world.burgos.id, "threshold") == Decimal("750")


# ---------------------------------------------------------------- declarations


def _plugin(*settings, name: str = "tuned") -> ModuleType:
    module = ModuleType(f"{name}_plugin")
    module.PLUGIN = PluginInfo(name, name.title(), "", settings=settings)
    return module


def test_lists_of_settings_and_choices_are_kept_as_tuples():
    info = PluginInfo(
        "tuned", "Tuned", "", settings=[Setting("a", "A", "choice", choices=["x", ["y", "Why"]])]
    )
    assert info.settings == (Setting("a", "A", "choice", choices=(("x", "x"), ("y", "Why"))),)
    assert info.settings[0].initial == "x"  # a choice defaults to its first
    PluginHost().register(_plugin(*info.settings))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ([Setting("two words", "A")], "not a Python identifier"),
        ([Setting("_hidden", "A")], "not a Python identifier"),
        ([Setting("validate", "A")], "taken by the settings form"),
        ([Setting("base", "A")], "taken by the settings form"),
        ([Setting("a", "A"), Setting("a", "B")], "two settings are named 'a'"),
        ([Setting("a", "")], "needs a label"),
        ([Setting("a", "A", "colour")], "kind 'colour' is not one of"),
        ([Setting("a", "A", "choice")], "a choice needs choices"),
        ([Setting("a", "A", "choice", default="z", choices=["x", "y"])], "not among its choices"),
        ([Setting("a", "A", "choice", choices=["x", "x"])], "repeat a value"),
        ([Setting("a", "A", "choice", choices=[("x", "")])], "(value, label) pair"),
        ([Setting("a", "A", "text", choices=["x"])], "only a choice has choices"),
        ([Setting("a", "A", "number")], "a number needs a default"),
        ([Setting("a", "A", "number", default=0.1)], "not a float"),
        ([Setting("a", "A", "number", default=True)], "a number needs a default"),
        ([Setting("a", "A", "number", default=-1)], "below the minimum"),
        ([Setting("a", "A", "number", default=Decimal("1.234"))], "more than 2 decimals"),
        ([Setting("a", "A", "number", default=10, maximum=10)], "not below the maximum"),
        ([Setting("a", "A", "yes_no", default="no")], "True or False"),
        ([Setting("a", "A", default=3)], "default of a text must be a str"),
        ([Setting("a", "A", default="two\nlines")], "one line"),
        (["a"], "not a Setting"),
    ],
)
def test_a_bad_declaration_stops_the_plugin(settings, message):
    with pytest.raises(PluginError, match=re.escape(message)):
        PluginHost().register(_plugin(*settings))


def test_reading_an_undeclared_setting_is_a_mistake_in_the_plugin(app, world):
    with app.app_context(), pytest.raises(KeyError, match="declares no setting 'colour'"):
        region_setting(world.burgos.id, "fixture", "colour")
    with app.app_context(), pytest.raises(KeyError, match="no plugin named 'nothing'"):
        region_setting(world.burgos.id, "nothing", "colour")
