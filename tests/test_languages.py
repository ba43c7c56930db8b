"""The interface's language: chosen by the person, else the sign-in page's switcher,
else the browser; <html lang> follows; numbers follow the language unless overridden."""

from __future__ import annotations

import re

import pytest
from babel.support import Translations

from plugins.minutes import PLUGIN as MINUTES
from workspace.i18n import COOKIE, CORE_CATALOGS, LANGUAGES

MINUTES_CATALOGS = MINUTES.translations


def said(language: str, text: str) -> str:
    """``text`` as the core's catalog writes it in ``language``."""
    return Translations.load(str(CORE_CATALOGS), [language]).gettext(text)


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([a-z]+)"', page).group(1)


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_the_catalogs_translate_the_sign_in_page(language):
    assert said(language, "Sign in") != "Sign in"


def test_before_sign_in_the_browser_then_the_switcher_decides(client):
    page = client.get("/login", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}).text
    assert html_lang(page) == "pl"
    assert f"<h1>{said('pl', 'Sign in')}</h1>" in page
    # Every language is offered, each named in itself.
    for name in LANGUAGES.values():
        assert f">{name}</button>" in page

    switched = client.post("/account/language", data={"language": "hu", "next": "/login?x=1"})
    assert switched.status_code == 303
    assert switched.location == "/login?x=1"
    page = client.get("/login", headers={"Accept-Language": "pl-PL,pl;q=0.9"}).text
    assert html_lang(page) == "hu"
    assert f"<h1>{said('hu', 'Sign in')}</h1>" in page


def test_the_switcher_refuses_unknown_languages_and_outside_addresses(client):
    assert client.post("/account/language", data={"language": "xx"}).status_code == 400
    away = client.post("/account/language", data={"language": "it", "next": "//evil.example/login"})
    assert away.status_code == 303
    assert away.location == "/login"


def test_the_account_language_wins_and_numbers_follow_it(client, auth, world):
    auth.login(world.editor.email)
    response = client.post(
        "/account", data={"language": "it", "number_format": "", "time_zone": ""}
    )
    assert response.status_code == 303
    page = client.get("/account", headers={"Accept-Language": "pl"}).text
    assert html_lang(page) == "it"
    assert "4.500,00" in page  # the Italian way, with no format chosen
    # A format chosen on its own overrides the language's.
    client.post("/account", data={"language": "it", "number_format": "en", "time_zone": ""})
    page = client.get("/account").text
    assert html_lang(page) == "it"
    assert "4,500.00" in page
    # Back to the browser's language.
    client.post("/account", data={"language": "", "number_format": "", "time_zone": ""})
    assert html_lang(client.get("/account", headers={"Accept-Language": "lt"}).text) == "lt"


def test_a_signed_in_switch_is_kept_on_the_account(client, auth, world, app):
    from workspace.extensions import db
    from workspace.models import User

    auth.login(world.editor.email)
    client.post("/account/language", data={"language": "es", "next": "/account"})
    with app.app_context():
        assert db.session.get(User, world.editor.id).language == "es"


def test_activity_phrases_are_stored_as_written_and_read_in_the_readers_language(
    app, client, auth, world
):
    from workspace.activity import record
    from workspace.extensions import db
    from workspace.i18n import N_
    from workspace.models import Region

    with app.app_context():
        region = db.session.get(Region, world.burgos.id)
        record(
            "meeting_trashed",
            region=region,
            actor=None,
            phrase=N_("moved %(what)s to the trash:"),
            phrase_args={"what": N_("a meeting")},
        )
        db.session.commit()
    meeting = Translations.load(str(MINUTES_CATALOGS), ["pl"]).gettext("a meeting")
    expected = said("pl", "moved %(what)s to the trash:") % {"what": meeting}
    assert expected != "moved a meeting to the trash:"

    auth.login(world.admin.email)
    client.set_cookie(COOKIE, "pl")
    assert expected in client.get("/activity").text
    client.set_cookie(COOKIE, "en")
    assert "moved a meeting to the trash:" in client.get("/activity").text


def test_the_scripts_words_come_with_the_page_in_its_language(client, auth, world):
    auth.login(world.editor.email)
    client.set_cookie(COOKIE, "pl")
    page = client.get("/docs/new").text
    found = said("pl", "People found: %(num)s") % {"num": "{num}"}
    assert found != "People found: {num}"
    assert f'data-mention-found="{found}"' in page
    unsaved = said("pl", "Your text is not saved. Leave this page anyway?")
    assert f'data-unsaved="{unsaved}"' in page


def test_a_notification_reaches_each_person_in_their_own_language(app, world):
    from flask_babel import lazy_gettext as _l
    from sqlalchemy import select

    from workspace.extensions import db
    from workspace.models import Region, User
    from workspace.notification_models import Notification
    from workspace.notifications import notify

    with app.test_request_context():
        polish = db.session.get(User, world.editor.id)
        polish.language = "pl"
        english = db.session.get(User, world.coordinator.id)
        notify(
            [polish, english],
            "comment",
            _l("Where you are signed in"),
            "/account",
            body=_l("End a session you do not recognise, then change your password."),
            region=db.session.get(Region, world.burgos.id),
            actor=db.session.get(User, world.admin.id),
        )
        db.session.commit()
        told = {n.user_id: n for n in db.session.scalars(select(Notification))}
    assert told[world.editor.id].subject == said("pl", "Where you are signed in")
    assert told[world.editor.id].subject != "Where you are signed in"
    assert told[world.editor.id].body == said(
        "pl", "End a session you do not recognise, then change your password."
    )
    assert told[world.coordinator.id].subject == "Where you are signed in"
