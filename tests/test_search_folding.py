"""Search folds letters the way people type them without the key: "lodz" finds
"Łódź", "strasse" finds "Straße", on SQLite and on PostgreSQL, for documents,
comments and the modules' own records; an index built before is folded again by
its migration."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from unittest.mock import patch

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy.orm import defer

import workspace
from plugins.minutes.tests.test_minutes_meetings import minutes_on, new_meeting
from tests.conftest import bare_app
from tests.test_search import results
from workspace.extensions import db
from workspace.models import User
from workspace.revisions import create
from workspace.search import fold, search, snippet, terms
from workspace.testing import new_document
from workspace.worker_cache import WorkerCache

__all__ = ["minutes_on"]  # the fixture, shared with the meeting tests

PLACES = {
    "Łódź": ["lodz", "Lodz", "LODZ", "ŁÓDŹ", "łódź", "Łódź", "lód"],
    "Straße": ["strasse", "Strasse", "STRASSE", "straße", "STRAẞE"],
    "Kőszeg": ["kőszeg", "koszeg", "KŐSZEG", "Kőszeg"],
    "Šiauliai": ["šiauliai", "siauliai", "ŠIAULIAI", "Siauliai"],
}
CASES = [(place, query) for place, queries in PLACES.items() for query in queries]


@pytest.fixture
def places(client, auth, world):
    auth.login(world.editor.email)
    for place in PLACES:
        new_document(client, f"Study visit to {place}", "Programme and partners")
    return world


@pytest.mark.parametrize(("place", "query"), CASES)
def test_a_title_is_found_however_it_is_typed(client, places, place, query):
    found = results(client, query)
    assert f"Study visit to {place}" in found
    others = [p for p in PLACES if p != place]
    assert not any(f"Study visit to {other}" in found for other in others)


def test_body_and_comment_words_are_folded_and_the_snippet_keeps_the_letters(client, auth, world):
    auth.login(world.editor.email)
    doc = new_document(client, "Trade fairs", "Next spring the partners meet at the Łódź fair.")
    client.post(f"/docs/{doc}/comments", data={"body": "Book the hotel on Hauptstraße early"})
    found = results(client, "lodz fair")
    assert "Trade fairs" in found
    # The snippet shows the text as written, not the folded form that is indexed.
    assert "<p>Next spring the partners meet at the Łódź fair.</p>" in found
    found = results(client, "hauptstrasse")
    assert "Comment" in found and "Book the hotel on Hauptstraße early" in found


def test_a_long_snippet_is_cut_around_the_first_match_as_written():
    words = [f"word{i}" for i in range(40)]
    words[20] = "Łódź,"
    cut = snippet(" ".join(words), terms("lodz"))
    assert cut.startswith("… word16 ") and cut.endswith(" word31 …")
    assert "Łódź," in cut and len(cut.split()) == 16 + 2
    assert snippet("Only the title matched here", terms("lodz")) == "Only the title matched here"


def test_unfolded_words_still_do_not_match(client, places):
    assert "Study visit" not in results(client, "lodzx")
    assert "Study visit" not in results(client, "strase")


def test_fold_spells_letters_without_decomposition():
    assert fold("Łódź") == "lodz"
    assert fold("Straße") == "strasse"
    assert fold("Kőszeg Šiauliai Klaipėda Rzeszów") == "koszeg siauliai klaipeda rzeszow"
    assert fold("Ærøskøbing Đakovo") == "aeroskobing dakovo"
    assert fold("Plain ASCII") == "plain ascii"


def test_a_meeting_in_lodz_is_found_by_the_minutes_search_hook(client, auth, minutes_on):
    auth.login(minutes_on.editor.email)
    new_meeting(client, title="Steering group in Łódź", place="Piotrkowska 104, Łódź")
    for query in ("lodz", "ŁÓDŹ", "piotrkowska 104, lodz"):
        found = results(client, query)
        assert "Steering group in Łódź" in found and "Meeting" in found, query


# ---------------------------------------------------------------- the migration


def _migration():
    path = Path(workspace.__file__).parent / "migrations" / "versions" / "0010_search_fold.py"
    spec = importlib.util.spec_from_file_location("search_fold_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_folds_exactly_as_search_does():
    migration = _migration()
    assert (migration.revision, migration.down_revision) == (
        "0010_search_fold",
        "0009_user_formats",
    )
    samples = [
        *PLACES,
        *(q for queries in PLACES.values() for q in queries),
        "Klaipėda",
        "Dél-Dunántúl",
        "ﬁnance ½ 北京 Ærø İstanbul",
        "e\u0301te\u0301",
        "Plain ASCII",
    ]
    assert [migration.fold(s) for s in samples] == [fold(s) for s in samples]


def test_the_migration_refolds_an_existing_index(tmp_path):
    app = bare_app(tmp_path, "refold")
    with app.app_context():
        upgrade(revision="heads")
        admin = User(email="admin@example.org", name="Admin", password_hash="x", is_admin=True)
        db.session.add(admin)
        db.session.flush()
        create("Study visit to Łódź", "Partners meet in Straße 5", None, admin)
        db.session.commit()
        admin_id = admin.id

        def found(query):
            with app.test_request_context():
                # (At 0009 the account has no language yet: leave that column out.)
                user = db.session.get(User, admin_id, options=[defer(User.language)])
                hits = [r.title for r in search(query, user) if r.kind == "Document"]
            db.session.remove()
            return hits

        assert found("lodz") == ["Study visit to Łódź"]
        # Back to the index as it was built before this release: Ł and ß unfolded.
        # (Later tables are gone too: the worker cache's number among them.)
        downgrade(revision="0009_user_formats")
        with patch.object(WorkerCache, "get", lambda _cache, _key, load: load()):
            assert found("lodz") == [] and found("strasse") == []
        upgrade(revision="heads")
        assert found("lodz") == ["Study visit to Łódź"]
        assert found("strasse") == ["Study visit to Łódź"]
        assert found("ŁÓDŹ") == ["Study visit to Łódź"]
