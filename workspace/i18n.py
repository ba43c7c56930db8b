"""The interface's language: which of the consortium's languages a page is written in,
and where the catalogs that translate it are found.

Each person chooses a language on their account page; before signing in (or when they
have not chosen) the sign-in page's switcher (a cookie) and then the browser's
Accept-Language decide, else English. Flask-Babel's gettext reads the core's catalog
(``translations/`` beside ``templates/``) merged with each plugin's
(``PluginInfo.translations``, beside the plugin's templates).

Numbers and dates follow the language unless the person chose another format
(``workspace.locales``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, get_translations
from flask_login import current_user

ROOT = Path(__file__).resolve().parent.parent
CORE_CATALOGS = ROOT / "translations"

# The consortium's languages, each named in itself (as the switcher shows them).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "hu": "Magyar",
    "it": "Italiano",
    "pl": "Polski",
    "es": "Español",
    "lt": "Lietuvių",
}
DEFAULT_LANGUAGE = "en"
COOKIE = "workspace_language"


def _chosen(code: object) -> str | None:
    return code if isinstance(code, str) and code in LANGUAGES else None


def browser_language() -> str:
    """The best match of the browser's Accept-Language, else English."""
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language code ("en", "hu", ...) this request is answered in."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    cached = g.get("_language")
    if cached is not None:
        return cached
    chosen = (
        (_chosen(getattr(current_user, "language", None)) if current_user else None)
        or _chosen(request.cookies.get(COOKIE))
        or browser_language()
    )
    g._language = chosen
    return chosen


def language_of(user) -> str:
    """The language to write to ``user`` in when they are not the one asking (e-mail,
    notifications): their choice, else English."""
    return _chosen(getattr(user, "language", None)) or DEFAULT_LANGUAGE


def N_(text: str) -> str:  # noqa: N802  (gettext's name for "mark, translate later")
    """Mark ``text`` for the catalogs without translating it: it is stored as written
    (an activity phrase) and translated where it is shown, with ``translated``."""
    return text


def translated(text: str | None, args: dict | None = None) -> str:
    """A stored text marked with ``N_`` in the reader's language (the text itself when
    no catalog has it), its ``%(name)s`` placeholders filled with ``args`` (each
    translated too: "a good practice"). Plain text: the page escapes it."""
    if not text:
        return ""
    text = str(get_translations().gettext(text))
    if args:
        # A catalog's text that lost a placeholder shows as it is rather than failing.
        with suppress(KeyError, TypeError, ValueError):
            text = text % {key: translated(str(value)) for key, value in args.items()}
    return text


def by_language(people) -> dict[str, list]:
    """``people`` grouped by the language each reads (``language_of``), in the order
    met: a notification to several people is written once per language."""
    groups: dict[str, list] = {}
    for person in people:
        groups.setdefault(language_of(person), []).append(person)
    return groups


@contextmanager
def in_language(code: str | None) -> Iterator[None]:
    """Translate in ``code`` for a while (an e-mail to someone else, a plan's export
    in the plan's language), whoever the request is for."""
    with force_locale(_chosen(code) or DEFAULT_LANGUAGE):
        yield


def catalog_folders(plugin_folders: list[Path]) -> list[Path]:
    """The core's catalogs, then each plugin's: a plugin's message wins over the
    core's for the same source text (Babel merges later over earlier)."""
    return [CORE_CATALOGS, *(Path(folder).resolve() for folder in plugin_folders)]


def init_app(app: Flask, plugin_folders: list[Path]) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(
        str(folder) for folder in catalog_folders(plugin_folders)
    )
    Babel(app, locale_selector=current_language, default_locale=DEFAULT_LANGUAGE)
    stale = [
        po
        for folder in catalog_folders(plugin_folders)
        for po in folder.glob("*/LC_MESSAGES/messages.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        # The pages would silently stay English (or show older words).
        app.logger.warning(
            "%d translation catalogs are not compiled or older than their .po: "
            "run `make catalogs` (python -m workspace.catalogs compile)",
            len(stale),
        )
    app.jinja_env.filters["translated"] = translated

    @app.context_processor
    def language_context() -> dict[str, object]:
        # Babel's locale: the reader's, or the one ``in_language`` sets (an e-mail).
        locale = get_locale()
        code = locale.language if locale is not None else current_language()
        return {"current_language": code, "LANGUAGES": LANGUAGES}
