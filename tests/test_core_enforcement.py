"""The core enforces module switches, locks and visibility for every plugin: the
fixture plugin, which filters nothing itself, and each built-in plugin get them alike.

A switch changes what a region shows, never the project's record: a module switched
off for a region hides the documents it owns there (404 by id for everyone), its
search hits, link targets and activity entries; switched on again, all is back.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.conftest import HTMX, with_panels
from tests.plugins import fixture_plugin
from workspace.activity import record
from workspace.extensions import db
from workspace.hookspecs import LinkTarget, PluginInfo
from workspace.models import Attachment, Comment, Document, Event, MembershipRole, Region, User
from workspace.plugins import PluginError, PluginHost, host
from workspace.revisions import create as create_document
from workspace.revisions import save
from workspace.testing import sign_in

EVERYONE = ("admin", "coordinator", "editor", "stakeholder", "other", "outsider")


def switch(app, plugin: str, slug: str = "burgos", on: bool = True) -> None:
    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == slug))
        host().set_enabled(region, plugin, on, None)
        db.session.commit()


def user_of(world, who: str) -> User:
    return db.session.get(User, getattr(world, who).id)


def region(slug: str) -> Region:
    return db.session.scalar(select(Region).where(Region.slug == slug))


def mark(app, plugin: str, slug: str = "burgos") -> str:
    """An event a plugin records about one of its own objects; returns its phrase."""
    phrase = f"left a marker of {plugin}"
    with app.app_context():
        record("marker", region=region(slug), target=f"{plugin}:marker:1", phrase=phrase)
        db.session.commit()
    return phrase


def document_row(app, document_id: int) -> tuple:
    with app.app_context():
        document = db.session.get(Document, document_id)
        comments = db.session.scalars(
            select(Comment.body).where(Comment.document_id == document_id)
        ).all()
        files = db.session.scalars(
            select(Attachment.filename).where(Attachment.document_id == document_id)
        ).all()
        return document.head, document.body, document.deleted_at, sorted(comments), sorted(files)


# ---------------------------------------------------------------- a record of each plugin


@dataclass
class Owned:
    """A text a plugin owns in Burgos, with what the plugin shows of it elsewhere."""

    plugin: str
    document: int
    title: str
    word: str  # a word of its title, for search
    page: str  # the plugin's own page of the record


def _fixture_text(app, world) -> Owned:
    with app.app_context():
        document = create_document(
            "Fixture text on quokkas", "A note.", region("burgos"), user_of(world, "editor"),
            plugin="fixture",
        )  # fmt: skip
        return Owned("fixture", document.id, document.title, "quokkas", "/r/burgos/fixture/")


def _minutes_text(app, world) -> Owned:
    from plugins.minutes.tests.test_minutes_meetings import load, new_meeting

    editor = sign_in(app, world.editor.email)
    meeting = new_meeting(editor, title="Quokkas partner meeting")
    document = load(app, meeting)["document"]
    title = "Minutes: Quokkas partner meeting"
    return Owned("minutes", document, title, "quokkas", f"/r/burgos/minutes/meetings/{meeting}")


def _portfolio_text(app, world) -> Owned:
    from plugins.portfolio.practices import new_practice

    with app.app_context():
        # Returned for changes: read by everyone in the region, and not locked.
        practice = new_practice(
            region("burgos"), user_of(world, "editor"), title="Quokka coaching",
            status="returned",
        )  # fmt: skip
        db.session.commit()
        return Owned(
            "portfolio",
            practice.document_id,
            "Good practice: Quokka coaching",
            "quokka",
            f"/r/burgos/portfolio/{practice.id}",
        )


def _action_plans_text(app, world) -> Owned:
    from plugins.action_plans.tests.test_action_plans import add_action, create, get_plan

    editor = sign_in(app, world.editor.email)
    plan = create(editor, instrument_name="Quokka instrument")
    add_action(editor, plan, "Quokka vouchers")  # what the link picker offers
    document = get_plan(app, plan)["documents"][0]
    with app.app_context():
        title = db.session.get(Document, document).title
    return Owned("action_plans", document, title, "quokka", f"/r/burgos/action_plans/{plan}")


BUILDERS = {
    "fixture": _fixture_text,
    "minutes": _minutes_text,
    "portfolio": _portfolio_text,
    "action_plans": _action_plans_text,
}


@pytest.fixture(params=sorted(BUILDERS))
def owned(request, app, world) -> Owned:
    """A text of each plugin (switched on in both regions), with a comment, a file and
    a second revision written while its module is on."""
    plugin = request.param
    switch(app, plugin, "burgos")
    switch(app, plugin, "pannon")
    text = BUILDERS[plugin](app, world)
    editor = sign_in(app, world.editor.email)
    assert editor.post(f"/docs/{text.document}/comments", data={"body": "A remark"}).status_code
    upload = editor.post(
        f"/docs/{text.document}/attachments",
        data={"file": (io.BytesIO(b"evidence"), "evidence.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 303
    with app.app_context():
        document = db.session.get(Document, text.document)
        save(document.id, document.head, document.title, "Second text", document.created_by, None)
    return text


def _attachment(app, document_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Attachment.id).where(Attachment.document_id == document_id))


def _comment(app, document_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Comment.id).where(Comment.document_id == document_id))


# ---------------------------------------------------------------- 1. switches


def test_a_switched_off_module_hides_its_texts_from_everyone(app, world, owned):
    doc = owned.document
    attachment, comment = _attachment(app, doc), _comment(app, doc)
    phrase = mark(app, owned.plugin)
    before = document_row(app, doc)
    coordinator = sign_in(app, world.coordinator.email)
    assert coordinator.get(f"/docs/{doc}").status_code == 200
    assert owned.title in coordinator.get("/docs/?region=burgos").text
    assert f"/docs/{doc}" in coordinator.get(f"/search?q={owned.word}").text
    activity = coordinator.get("/r/burgos/activity").text
    assert phrase in activity and f'href="/docs/{doc}"' in activity

    switch(app, owned.plugin, "burgos", on=False)
    reads = [
        f"/docs/{doc}",
        f"/docs/{doc}/edit",
        f"/docs/{doc}/history",
        f"/docs/{doc}/diff?from=1&to=2",
        f"/docs/{doc}/activity",
        f"/docs/{doc}/attachments/{attachment}",
        f"/links/doc/{doc}/targets?q=a",
    ]
    form = {"base": str(before[0]), "title": owned.title, "body": "Changed while off"}
    writes = [
        (f"/docs/{doc}/edit", form),
        (f"/docs/{doc}/comments", {"body": "A comment while off"}),
        (f"/docs/{doc}/comments/{comment}/resolve", {}),
        (f"/docs/{doc}/attachments/{attachment}/delete", {}),
        (f"/docs/{doc}/revisions/1/restore", {}),
        (f"/docs/{doc}/delete", {}),
        (f"/links/doc/{doc}", {"target": "doc:1"}),
    ]
    for who in EVERYONE:
        client = sign_in(app, getattr(world, who).email)
        for url in reads:
            assert client.get(url).status_code == 404, (who, url)
        for url, data in writes:
            answer = client.post(url, data=data)
            if url.endswith("/edit") and who in ("admin", "coordinator", "editor"):
                # Who could have had the editor open gets their text back, unsaved.
                assert answer.status_code == 409 and "Changed while off" in answer.text, who
                continue
            assert answer.status_code == 404, (who, url)
        upload = client.post(
            f"/docs/{doc}/attachments",
            data={"file": (io.BytesIO(b"x"), "late.pdf")},
            content_type="multipart/form-data",
        )
        assert upload.status_code == 404, who
        if who == "outsider":
            continue  # reads no Burgos list at all
        assert owned.title not in client.get("/docs/").text, who
        assert owned.title not in client.get("/docs/?region=burgos").text, who
        results = client.get(f"/search?q={owned.word}").text
        assert f"/docs/{doc}" not in results and owned.page not in results, who
        assert owned.title not in client.get("/r/burgos/").text, who  # recent documents
        for stream in ("/r/burgos/activity", "/activity"):
            activity = client.get(stream).text
            assert phrase not in activity and f'href="/docs/{doc}"' not in activity, (who, stream)
    # Nothing changed, nothing was lost.
    assert document_row(app, doc) == before

    switch(app, owned.plugin, "burgos", on=True)
    page = coordinator.get(f"/docs/{doc}").text
    assert "A remark" in page and "evidence.pdf" in page and "Second text" in page
    assert owned.title in coordinator.get("/docs/?region=burgos").text
    assert f"/docs/{doc}" in coordinator.get(f"/search?q={owned.word}").text
    activity = coordinator.get("/r/burgos/activity").text
    assert phrase in activity and f'href="/docs/{doc}"' in activity
    assert document_row(app, doc) == before


def test_switching_off_one_region_leaves_the_others(app, world):
    switch(app, "fixture", "burgos")
    switch(app, "fixture", "pannon")
    with app.app_context():
        author = user_of(world, "admin")
        burgos = create_document("Burgos note", "x", region("burgos"), author, plugin="fixture")
        pannon = create_document("Pannon note", "x", region("pannon"), author, plugin="fixture")
        ids = burgos.id, pannon.id
    mark(app, "fixture", "pannon")
    switch(app, "fixture", "burgos", on=False)
    admin = sign_in(app, world.admin.email)
    assert admin.get(f"/docs/{ids[0]}").status_code == 404
    assert admin.get(f"/docs/{ids[1]}").status_code == 200
    listed = admin.get("/docs/").text
    assert "Pannon note" in listed and "Burgos note" not in listed
    assert "left a marker of fixture" in admin.get("/r/pannon/activity").text
    assert "left a marker of fixture" in admin.get("/activity").text


def test_project_wide_texts_are_not_affected_by_region_switches(app, world):
    """A project-wide text is the project's record: no region's switch hides it, even
    with the module off everywhere."""
    with app.app_context():
        document = create_document(
            "Project note on quokkas", "x", None, user_of(world, "admin"), plugin="fixture"
        )
        doc = document.id
        record("marker", target="fixture:marker:2", phrase="left a project marker")
        db.session.commit()
    editor = sign_in(app, world.editor.email)
    with app.app_context():
        assert "fixture" not in host().enabled_anywhere()
    assert editor.get(f"/docs/{doc}").status_code == 200
    assert "Project note on quokkas" in editor.get("/docs/?region=project").text
    assert f"/docs/{doc}" in editor.get("/search?q=quokkas").text
    assert "left a project marker" in editor.get("/activity").text


def test_texts_of_a_plugin_that_is_not_installed_are_hidden(app, world):
    with app.app_context():
        document = create_document(
            "Orphan text", "x", region("burgos"), user_of(world, "admin"), plugin="gone"
        )
        doc = document.id
    admin = sign_in(app, world.admin.email)
    assert admin.get(f"/docs/{doc}").status_code == 404
    assert "Orphan text" not in admin.get("/docs/").text


def test_a_plugin_cannot_take_the_name_of_a_core_reference():
    module = type(fixture_plugin)("doc_plugin")
    module.PLUGIN = PluginInfo("doc", "Doc", "")
    with pytest.raises(PluginError, match="core"):
        PluginHost().register(module)


# ---------------------------------------------------------------- 2. plugins' results


@pytest.fixture
def external_editor(make, world):
    """An external stakeholder who edits in Pannon: reads neither Burgos nor the
    project's own pages."""
    return make.user("external@example.org", memberships={world.pannon: MembershipRole.EDITOR})


def test_search_drops_results_of_switched_off_and_unreadable_regions(app, world, external_editor):
    switch(app, "fixture", "burgos")
    other = sign_in(app, world.other.email)  # partner staff: reads every region
    results = other.get("/search?q=fixture", headers=HTMX).text
    assert "Fixture note of Castilla y León" in results
    assert "Fixture memo of Castilla y León" in results  # the region given as an id
    assert "Dél-Dunántúl" not in results  # off in Pannon
    assert "<strong>Fixture note</strong>" in results  # project-wide
    switch(app, "fixture", "pannon")
    results = other.get("/search?q=fixture", headers=HTMX).text
    assert "Fixture note of Dél-Dunántúl" in results and "Fixture memo of Dél-Dunántúl" in results
    external = sign_in(app, external_editor.email)
    results = external.get("/search?q=fixture", headers=HTMX).text
    assert "Fixture note of Dél-Dunántúl" in results
    assert "Castilla y León" not in results  # may not read Burgos
    assert "<strong>Fixture note</strong>" not in results  # nor the project's pages


def test_link_picker_and_linked_lists_drop_what_the_reader_may_not_see(app, world, external_editor):
    switch(app, "fixture", "burgos")
    switch(app, "fixture", "pannon")
    with app.app_context():
        document = create_document(
            "Pannon vouchers", "x", region("pannon"), user_of(world, "admin")
        )
        doc = document.id
    admin = sign_in(app, world.admin.email)
    for ref in ("fixture:note:1", "fixture:note:3", "fixture:note:4"):
        assert admin.post(f"/links/doc/{doc}", data={"target": ref}).status_code == 200
    external = sign_in(app, external_editor.email)
    picker = external.get(f"/links/doc/{doc}/targets?q=vouchers", headers=HTMX).text
    assert "fixture:note:3" in picker
    assert "fixture:note:1" not in picker  # a Burgos note: may not read Burgos
    assert "fixture:note:4" not in picker  # project-wide: may not read the project's
    page = external.get(f"/docs/{doc}").text
    assert ">Note on export vouchers in Pannon</a>" in page
    assert ">Note on export vouchers</a>" not in page and "Project note" not in page
    assert page.count("Unavailable") == 2
    # Linking to what they may not see is refused as if it did not exist.
    assert external.post(f"/links/doc/{doc}", data={"target": "fixture:note:1"}).status_code == 400
    # Switched off in Burgos: its note is unavailable for everyone, the others stay.
    switch(app, "fixture", "burgos", on=False)
    picker = admin.get(f"/links/doc/{doc}/targets?q=vouchers", headers=HTMX).text
    assert "fixture:note:1" not in picker and "fixture:note:3" in picker
    page = admin.get(f"/docs/{doc}").text
    assert ">Note on export vouchers in Pannon</a>" in page
    assert ">Project note on export vouchers</a>" in page
    assert ">Note on export vouchers</a>" not in page and page.count("Unavailable") == 1


def test_the_host_screens_hook_answers_whoever_asks(app, world):
    """A plugin's own picker (host().collect, as the portfolio's "presented at" and
    the action plans' "inspired by" do) gets the same screen as the core's."""
    switch(app, "fixture", "burgos")
    with app.test_request_context():
        plugin_host = host()
        outsider = user_of(world, "outsider")  # reads Pannon only
        other = user_of(world, "other")
        targets = plugin_host.collect("link_targets", ["fixture"], query="note", user=other)
        assert {t.ref for t in targets} == {"fixture:note:1", "fixture:note:2", "fixture:note:4"}
        assert plugin_host.collect("link_targets", ["fixture"], query="note", user=outsider) == []
        described = dict(
            plugin_host.call_each(
                "describe_refs", ["fixture"], refs=list(fixture_plugin.NOTES), user=other
            )
        )["fixture"]
        assert set(described) == {"fixture:note:1", "fixture:note:2", "fixture:note:4"}
        assert all(isinstance(target, LinkTarget) for target in described.values())
        assert plugin_host.admits("fixture", region("burgos"), other)
        assert not plugin_host.admits("fixture", region("pannon"), other)  # off there
        assert not plugin_host.admits("fixture", region("burgos"), outsider)
        assert not plugin_host.admits("fixture", None, outsider)


def test_builtin_plugins_results_follow_the_core_rule(app, world, external_editor):
    """Minutes, portfolio and action plans filter no switch or permission themselves:
    their hits of a switched-off or unreadable region are dropped by the core."""
    texts = {name: BUILDERS[name] for name in ("minutes", "portfolio", "action_plans")}
    for plugin in texts:
        switch(app, plugin, "burgos")
        switch(app, plugin, "pannon")
    owned = {plugin: build(app, world) for plugin, build in texts.items()}
    other = sign_in(app, world.other.email)
    external = sign_in(app, external_editor.email)
    with app.app_context():
        pannon_doc = create_document("Pannon quokka notes", "x", region("pannon"),
                                     user_of(world, "other")).id  # fmt: skip
    picker_url = f"/links/doc/{pannon_doc}/targets?q=quokka"
    for plugin, text in owned.items():
        assert text.page in other.get("/search?q=quokka").text, plugin
        assert f'value="{plugin}:' in other.get(picker_url).text, plugin
        # An external editor of Pannon reads nothing of Burgos.
        assert text.page not in external.get("/search?q=quokka").text, plugin
        assert f'value="{plugin}:' not in external.get(picker_url).text, plugin
    for plugin, text in owned.items():
        switch(app, plugin, "burgos", on=False)
        assert text.page not in other.get("/search?q=quokka").text, plugin
        assert f'value="{plugin}:' not in other.get(picker_url).text, plugin


# ---------------------------------------------------------------- 3. plugin visibility


def test_a_plugin_hides_its_texts_from_some_readers(app, world):
    switch(app, "fixture", "burgos")
    with app.app_context():
        document = create_document(
            "[private] Fixture budget ideas", "quokka", region("burgos"),
            user_of(world, "editor"), plugin="fixture",
        )  # fmt: skip
        doc = document.id
    fixture_plugin.CALLED.discard("document_visible")
    editor = sign_in(app, world.editor.email)
    assert editor.get(f"/docs/{doc}").status_code == 200
    assert "document_visible" in fixture_plugin.CALLED
    for who in ("stakeholder", "other"):
        client = sign_in(app, getattr(world, who).email)
        assert client.get(f"/docs/{doc}").status_code == 404, who
        assert client.get(f"/docs/{doc}/history").status_code == 404, who
        assert client.post(f"/docs/{doc}/comments", data={"body": "x"}).status_code == 404
        assert "Fixture budget ideas" not in client.get("/docs/?region=burgos").text, who
        assert f"/docs/{doc}" not in client.get("/search?q=quokka").text, who
        assert "Fixture budget ideas" not in client.get("/r/burgos/").text, who
        assert f'href="/docs/{doc}"' not in client.get("/r/burgos/activity").text, who
    assert "Fixture budget ideas" in editor.get("/docs/?region=burgos").text
    assert f"/docs/{doc}" in editor.get("/search?q=quokka").text


# ---------------------------------------------------------------- 3. portfolio drafts and locks


@pytest.fixture
def portfolio(app, world):
    switch(app, "portfolio", "burgos")
    switch(app, "portfolio", "pannon")
    return world


def _draft(app, world, title="Quokka export coaching") -> tuple[int, int]:
    from plugins.portfolio.practices import new_practice

    with app.app_context():
        practice = new_practice(
            region("burgos"), user_of(world, "editor"), title=title, summary="Coaching"
        )
        db.session.commit()
        return practice.id, practice.document_id


def test_a_draft_practice_text_is_for_those_who_see_the_draft(app, portfolio):
    world = portfolio
    practice_id, doc = _draft(app, world)
    title = "Good practice: Quokka export coaching"
    with app.app_context():
        pannon_doc = create_document(
            "Pannon notes", "x", region("pannon"), user_of(world, "other")
        ).id
    for who in ("stakeholder", "other", "outsider"):
        client = sign_in(app, getattr(world, who).email)
        assert client.get(f"/r/burgos/portfolio/{practice_id}").status_code in (403, 404)
        assert client.get(f"/docs/{doc}").status_code in (403, 404), who
        assert client.get(f"/docs/{doc}/edit").status_code in (403, 404), who
        assert client.post(f"/docs/{doc}/comments", data={"body": "x"}).status_code in (403, 404)
        if who == "outsider":
            continue
        assert client.get(f"/docs/{doc}").status_code == 404, who
        assert title not in client.get("/docs/").text, who
        assert title not in client.get("/docs/?region=burgos").text, who
        assert f"/docs/{doc}" not in client.get("/search?q=quokka").text, who
        assert title not in client.get("/r/burgos/").text, who
        assert f'href="/docs/{doc}"' not in client.get("/r/burgos/activity").text, who
    other = sign_in(app, world.other.email)
    picker = other.get(f"/links/doc/{pannon_doc}/targets?q=quokka").text
    assert f"doc:{doc}" not in picker and f"portfolio:practice:{practice_id}" not in picker
    # Its authors (the region's editors) and the lead partner's coordinators see it.
    for who in ("editor", "coordinator", "admin"):
        client = sign_in(app, getattr(world, who).email)
        assert client.get(f"/docs/{doc}").status_code == 200, who
        assert title in client.get("/docs/?region=burgos").text, who
        assert f"/docs/{doc}" in client.get("/search?q=quokka").text, who
    # Submitted, it is no longer a draft: readers see it (locked).
    editor = sign_in(app, world.editor.email)
    from plugins.portfolio.tests.test_portfolio import write_texts

    write_texts(app, practice_id)
    _fill_fields(app, practice_id)
    assert editor.post(f"/r/burgos/portfolio/{practice_id}/submit").status_code == 303
    stakeholder = sign_in(app, world.stakeholder.email)
    assert stakeholder.get(f"/docs/{doc}").status_code == 200
    assert title in stakeholder.get("/docs/?region=burgos").text


def _fill_fields(app, practice_id: int) -> None:
    from datetime import date

    from plugins.portfolio.models import Practice

    with app.app_context():
        practice = db.session.get(Practice, practice_id)
        practice.institution, practice.country = "CEEI-Burgos", "ES"
        practice.topic, practice.starts_on = "SME competitiveness", date(2018, 2, 1)
        practice.contact = "Lucía, coaching@example.org"
        db.session.commit()


def _approved(app, world) -> tuple[int, int]:
    from plugins.portfolio.tests.test_portfolio import write_texts

    practice_id, doc = _draft(app, world)
    write_texts(app, practice_id)
    _fill_fields(app, practice_id)
    editor = sign_in(app, world.editor.email)
    assert editor.post(f"/r/burgos/portfolio/{practice_id}/submit").status_code == 303
    admin = sign_in(app, world.admin.email)
    response = admin.post(
        f"/r/burgos/portfolio/{practice_id}/decision", data={"decision": "approve"}
    )
    assert response.status_code == 303
    return practice_id, doc


def _status(app, practice_id: int) -> str:
    from plugins.portfolio.models import Practice

    with app.app_context():
        return db.session.get(Practice, practice_id).status


def test_an_approved_practice_keeps_its_texts_until_returned_to_draft(app, portfolio):
    world = portfolio
    practice_id, doc = _approved(app, world)
    before = document_row(app, doc)
    editor = sign_in(app, world.editor.email)
    page = editor.get(f"/docs/{doc}").text
    assert "This good practice is approved, so its texts are read-only." in page
    assert f'href="/docs/{doc}/edit"' not in page
    assert editor.get(f"/docs/{doc}/edit").status_code == 302
    form = {"base": str(before[0]), "title": "Good practice: Quokka", "body": "My new evidence"}
    for who in ("editor", "coordinator", "admin"):  # locks hold for admins too
        client = sign_in(app, getattr(world, who).email)
        response = client.post(f"/docs/{doc}/edit", data=form)
        assert response.status_code == 409, who
        assert "read-only" in response.text and "My new evidence" in response.text
        assert client.post(f"/docs/{doc}/revisions/1/restore").status_code == 409
        assert client.post(f"/docs/{doc}/delete").status_code == 409
        client.post(
            f"/docs/{doc}/attachments",
            data={"file": (io.BytesIO(b"x"), "late.pdf")},
            content_type="multipart/form-data",
        )
    # Comments stay open.
    assert editor.post(f"/docs/{doc}/comments", data={"body": "Well done"}).status_code == 303
    head, body, deleted, _, files = document_row(app, doc)
    assert (head, body, deleted, files) == (before[0], before[1], None, [])

    # Only the lead partner's coordinators return it to draft, from its page.
    assert "Return to draft" not in editor.get(f"/r/burgos/portfolio/{practice_id}").text
    assert editor.post(f"/r/burgos/portfolio/{practice_id}/draft").status_code == 403
    admin = sign_in(app, world.admin.email)
    assert "Return to draft" in admin.get(f"/r/burgos/portfolio/{practice_id}").text
    response = admin.post(
        f"/r/burgos/portfolio/{practice_id}/draft", data={"note": "Add the 2021 figures."}
    )
    assert response.status_code == 303
    assert _status(app, practice_id) == "draft"
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.verb == "practice_returned_to_draft"))
        assert event.actor_id == world.admin.id
        assert event.target == f"portfolio:practice:{practice_id}"
        assert event.detail["previous"] == "approved"
        assert event.detail["note"] == "Add the 2021 figures."
    assert "returned a good practice to draft:" in admin.get("/r/burgos/activity").text
    page = editor.get(f"/r/burgos/portfolio/{practice_id}").text
    assert "Add the 2021 figures." in page and "Edit fields" in page
    # Unlocked: the text changes again; a draft is hidden from readers again.
    assert editor.post(f"/docs/{doc}/edit", data=form).status_code == 303
    assert document_row(app, doc)[1] == "My new evidence"
    assert sign_in(app, world.stakeholder.email).get(f"/docs/{doc}").status_code == 404
    # Once more a draft: it goes back only from approved or declined.
    assert admin.post(f"/r/burgos/portfolio/{practice_id}/draft").status_code == 409


def test_a_submitted_practice_is_locked_until_validated_or_returned(app, portfolio):
    world = portfolio
    from plugins.portfolio.tests.test_portfolio import write_texts

    practice_id, doc = _draft(app, world)
    write_texts(app, practice_id)
    _fill_fields(app, practice_id)
    editor = sign_in(app, world.editor.email)
    assert editor.post(f"/r/burgos/portfolio/{practice_id}/submit").status_code == 303
    head, body = document_row(app, doc)[:2]
    form = {"base": str(head), "title": "Good practice", "body": "Sneaked in"}
    response = editor.post(f"/docs/{doc}/edit", data=form)
    assert response.status_code == 409 and "awaiting validation" in response.text
    assert document_row(app, doc)[:2] == (head, body)
    admin = sign_in(app, world.admin.email)
    assert admin.post(f"/r/burgos/portfolio/{practice_id}/draft").status_code == 409
    admin.post(
        f"/r/burgos/portfolio/{practice_id}/decision",
        data={"decision": "return", "note": "Add figures."},
    )
    assert editor.post(f"/docs/{doc}/edit", data=form).status_code == 303


def test_the_project_panel_counts_every_region_and_lists_only_open_ones(app, portfolio):
    """ "Good practices identified" is the project's record; the practices listed are
    links, so only those of regions where the portfolio is on."""
    from plugins.portfolio.practices import new_practice

    world = portfolio
    with app.app_context():
        author = user_of(world, "admin")
        new_practice(region("burgos"), author, title="Approved in Burgos", status="approved")
        new_practice(region("pannon"), author, title="Approved in Pannon", status="approved")
        new_practice(region("burgos"), author, title="Waiting in Burgos", status="submitted")
        db.session.commit()
    switch(app, "portfolio", "burgos", on=False)
    panel = with_panels(sign_in(app, world.admin.email), "/")
    assert "<strong>2</strong> approved in the project" in panel
    assert "Waiting in Burgos" not in panel
