"""Regions and plugin switches kept per worker: every worker sees a change at its next
request, whichever worker, host or command made it, and a rolled-back change is never
seen.

Two apps on one database stand for two gunicorn workers; with different instance
folders, for two hosts."""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy import select, update

from tests.plugins import fixture_plugin
from workspace import create_app
from workspace.extensions import db
from workspace.models import Region, RegionPlugin, User
from workspace.plugins import host
from workspace.testing import _open_apps, switch_on
from workspace.worker_cache import CacheVersion, forget_for_this_request


def second_worker(app: Flask, instance_path: str | None = None) -> Flask:
    other = create_app({**app.config, "INSTANCE_PATH": instance_path or app.instance_path})
    _open_apps.append(other)
    return other


def logged_in(app: Flask, email: str):
    client = app.test_client()
    client.post("/login", data={"email": email, "password": "correct horse battery"})
    return client


def test_a_switch_flipped_on_one_worker_reaches_the_other(app, world):
    first = logged_in(app, world.coordinator.email)
    second = logged_in(second_worker(app), world.coordinator.email)
    assert first.get("/r/burgos/fixture/").status_code == 404  # kept by the first worker

    switched = second.post("/r/burgos/plugins/fixture", data={"enabled": "1"})
    assert switched.status_code == 302

    assert first.get("/r/burgos/fixture/").status_code == 200
    assert 'href="/r/burgos/fixture/"' in first.get("/r/burgos/").text

    second.post("/r/burgos/plugins/fixture", data={"enabled": "0"})
    assert first.get("/r/burgos/fixture/").status_code == 404
    assert 'href="/r/burgos/fixture/"' not in first.get("/r/burgos/").text


def test_the_worker_that_flips_a_switch_shows_it_in_the_same_response(client, auth, world):
    auth.login(world.coordinator.email)
    client.get("/r/burgos/")
    page = client.post(
        "/r/burgos/plugins/fixture", data={"enabled": "1"}, headers={"HX-Request": "true"}
    ).text
    assert 'href="/r/burgos/fixture/"' in page  # the menu swapped out of band
    assert 'hx-get="/r/burgos/panels/fixture"' in page  # and the module's panel box


def test_a_region_renamed_by_a_command_shows_in_every_worker_menu(app, world):
    first = logged_in(app, world.admin.email)
    assert "Castilla y León" in first.get("/search").text
    with second_worker(app).app_context():  # as `flask` commands do: no request
        db.session.execute(
            update(Region).where(Region.slug == "burgos").values(name="Castilla-León")
        )
        db.session.commit()
    page = first.get("/search").text
    assert "Castilla-León" in page
    assert "Castilla y León" not in page


def test_a_rolled_back_switch_is_never_seen(app, world):
    first = logged_in(app, world.coordinator.email)
    assert first.get("/r/burgos/fixture/").status_code == 404
    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == "burgos"))
        host().set_enabled(region, "fixture", True, None)
        db.session.flush()
        db.session.rollback()
    assert first.get("/r/burgos/fixture/").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(RegionPlugin.enabled)) in (None, False)


def test_a_menu_follows_a_change_of_the_person_it_was_kept_for(app, world):
    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == "burgos"))
        host().set_enabled(region, "budget", True, None)
        db.session.commit()
    first = logged_in(app, world.stakeholder.email)
    # Budgets are for partner staff: an external stakeholder has no budget link.
    assert 'href="/r/burgos/budget/"' not in first.get("/r/burgos/").text
    with second_worker(app).app_context():
        person = db.session.get(User, world.stakeholder.id)
        person.partner_id = world.coordinator.partner_id  # now on a partner's staff
        db.session.commit()
    assert 'href="/r/burgos/budget/"' in first.get("/r/burgos/").text


def test_a_region_renamed_with_a_table_statement_shows_too(app, world):
    first = logged_in(app, world.admin.email)
    assert "Castilla y León" in first.get("/search").text
    with second_worker(app).app_context():
        table = Region.__table__
        db.session.execute(update(table).where(table.c.slug == "burgos").values(name="CyL"))
        db.session.commit()
    assert "CyL" in first.get("/search").text


def at(app, number):
    """A request context of a request that read ``number``."""
    context = app.test_request_context()
    context.push()
    g.worker_cache_version = number
    return context


def test_an_answer_loaded_before_a_change_is_never_kept_after_it(app):
    """Two threads of one worker: the first loads under the old number while the second
    has already moved to the new one."""
    cache = app.extensions["workspace.worker_cache"]
    old, new = 1, 2

    def slow_load():
        meanwhile = at(app, new)
        assert cache.get("switches", lambda: "after the change") == "after the change"
        meanwhile.pop()
        return "before the change"

    first = at(app, old)
    assert cache.get("switches", slow_load) == "before the change"
    first.pop()
    later = at(app, new)
    assert cache.get("switches", lambda: "loaded again") == "after the change"
    later.pop()
    # A request that began before the change neither uses nor replaces what is kept.
    late = at(app, old)
    assert cache.get("switches", lambda: "its own answer") == "its own answer"
    late.pop()
    again = at(app, new)
    assert cache.get("switches", lambda: "loaded again") == "after the change"
    again.pop()


def test_a_switch_flipped_on_another_host_is_seen_at_the_next_request(app, world, tmp_path):
    """Hosts share the database, not the instance folder."""
    here = logged_in(app, world.coordinator.email)
    there = logged_in(second_worker(app, str(tmp_path / "other-host")), world.coordinator.email)
    assert here.get("/r/burgos/fixture/").status_code == 404

    assert there.post("/r/burgos/plugins/fixture", data={"enabled": "1"}).status_code == 302
    assert here.get("/r/burgos/fixture/").status_code == 200


def test_the_number_moves_with_the_change_and_not_without_it(app, world):
    with app.app_context():
        before = db.session.scalar(select(CacheVersion.number))
        db.session.execute(update(User).values(name="Someone Else"))  # not watched
        db.session.commit()
        assert db.session.scalar(select(CacheVersion.number)) == before
        region = db.session.scalar(select(Region).where(Region.slug == "burgos"))
        region.name = "Burgos (renamed)"
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(CacheVersion.number)) == before
        region = db.session.scalar(select(Region).where(Region.slug == "burgos"))
        region.name = "Burgos (renamed)"
        db.session.commit()
        assert db.session.scalar(select(CacheVersion.number)) == before + 1


def test_a_request_loads_each_value_once_and_its_own_change_afresh(app, world):
    cache = app.extensions["workspace.worker_cache"]
    loads = []

    def load():
        loads.append(1)
        return len(loads)

    with app.test_request_context():
        assert cache.get("key", load) == 1
        assert cache.get("key", load) == 1  # the request memo, or the worker's
        forget_for_this_request()  # this request wrote a watched table
        assert cache.get("key", load) == 2
        assert cache.get("key", load) == 2
    with app.test_request_context():
        # What the writing request loaded was kept for no one else.
        assert cache.get("key", load) == 1


def test_a_plugin_menu_follows_the_plugin_s_own_data(app, world, monkeypatch):
    """Menus are built for each page, not kept per worker: a plugin's links may depend
    on its records (the fixture plugin links its notes only where there are some)."""
    switch_on(app, "burgos", "fixture")
    first = logged_in(app, world.coordinator.email)
    assert 'href="/r/burgos/fixture/"' in first.get("/r/burgos/").text
    for ref in ("fixture:note:1", "fixture:note:2"):  # Burgos's notes
        monkeypatch.delitem(fixture_plugin.NOTES, ref)
    assert 'href="/r/burgos/fixture/"' not in first.get("/r/burgos/").text
