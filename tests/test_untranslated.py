"""Nothing escapes translation: every page of a crawl of the demo, read in each of the
consortium's languages, has no text left in English.

The crawl follows the links (``href``, ``hx-get``) of the pages an administrator, a
region's coordinator and a stakeholder reach, one page per address pattern (numbers
stand for ids). A page's text nodes and the attributes people read (``title``,
``aria-label``, ``placeholder``, ``alt``) are compared with the same page in English; a
text that is the same in both is English left over, unless it is the users' own (a
value stored in the database: names, titles, what they wrote), a number, a date, an
address or an abbreviation. The test names each page and text it finds.

Texts do not depend on the database, so this runs on SQLite only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import String, Text, select

from workspace.extensions import db
from workspace.i18n import COOKIE, LANGUAGES
from workspace.testing import DEMO_PASSWORD, POSTGRES_URL, load_demo, make_app

pytestmark = pytest.mark.skipif(
    bool(POSTGRES_URL), reason="the interface's texts are the same on every database"
)

ROLES = (
    "admin@pannon.example",
    "coordinator@ceei.example",
    "stakeholder@burgos.example",
    "controller@es-control.example",
)
PAGES_PER_ROLE = 260
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
SKIPPED_TAGS = {"script", "style", "code", "pre", "textarea"}
# Texts that are the same in every language: abbreviations, the project's words.
SAME_EVERYWHERE = {
    "InterVentures",
    "InterVentures Workspace",
    "Interreg Europe",
    "IV",
    "OK",
    "Markdown",
    "HTMX",
    *LANGUAGES.values(),
}
# The outbox shows a message as it was sent: its header names are the message's.
SAME_ON_PAGE = {
    "/admin/outbox/": {
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
    },
}
NOT_WORDS = re.compile(
    r"""^(
        [^A-Za-z]*                              # numbers, dates, symbols
      | [A-Z0-9][A-Z0-9 .,/&()+\-–·:%]*        # abbreviations: EUR, P1, HU23, PDF
      | \S+@\S+                                 # e-mail addresses
      | (https?://|/)\S*                        # addresses
      | [\w.-]+\.(pdf|docx|xlsx|csv|ics|zip|png|jpg|md|txt)  # file names
      | [A-Z][a-z]+/[A-Za-z_/+-]+              # time zones: Europe/Brussels
    )$""",
    re.VERBOSE,
)
# Pages that are not the interface: downloads, feeds, the sign-out.
SKIPPED_PATHS = re.compile(r"/logout|/static/|\.(xlsx|docx|pdf|ics|csv|zip|json)$|/download|/feed")


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self._skipping += 1
        values = dict(attrs)
        for name in ("href", "hx-get"):
            if values.get(name):
                self.links.append(values[name])
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.texts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.texts.append(data)


def read(page: str) -> _Texts:
    parser = _Texts()
    parser.feed(page)
    parser.texts = [" ".join(text.split()) for text in parser.texts]
    parser.texts = [text for text in parser.texts if text]
    return parser


def pattern(path: str) -> str:
    parts = urlsplit(path)
    keys = sorted(part.split("=")[0] for part in parts.query.split("&") if part)
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def crawl(client) -> dict[str, str]:
    """Address -> English page, one address per pattern, breadth first from home."""
    pages: dict[str, str] = {}
    seen_patterns: set[str] = set()
    queue = ["/"]
    while queue and len(pages) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if pattern(path) in seen_patterns or SKIPPED_PATHS.search(path):
            continue
        seen_patterns.add(pattern(path))
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        pages[path] = response.text
        for link in read(response.text).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if pattern(local) not in seen_patterns:
                queue.append(local)
    return pages


def stored_texts(app) -> tuple[set[str], list[str]]:
    """Every text the database holds (the users' own): whole values, and the long
    ones (documents, descriptions) to look phrases up in."""
    whole: set[str] = set()
    long: list[str] = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                for value in row:
                    if not value or CODE.match(str(value)):
                        continue  # a stored code ("draft") is no text of the users' own
                    text = " ".join(str(value).split())
                    whole.update((text, text.strip(SEPARATORS)))
                    for line in str(value).splitlines():
                        whole.update((line.strip(" #*-"), line.strip(SEPARATORS)))
                    if len(text) > 12:
                        long.append(text)
    return whole, long


SEPARATORS = " ·.,:;()[]“”\"'«»|–—-"
# A page joins short values: "Anna Kovács (admin@pannon.example)", "10:00 · 45 min ·
# Sabine Weber", "Region · ES · NUTS 2 ES41". Each piece must pass on its own.
JOINTS = (" · ", " (", ")", ", ", ": ")
UNITS = re.compile(r"^\d+ min$")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def users_own(text: str, whole: set[str], long: list[str]) -> bool:
    if text in whole or text.strip(SEPARATORS) in whole:
        return True
    # A phrase of the users' writing, cut by Markdown's markup or shortened for a list.
    phrase = text.rstrip("…").strip()
    return len(phrase) >= 12 and any(phrase in value for value in long)


class Said:
    """What the catalogs of ``language`` write: a text that is a translation (even one
    spelt as in English, "Portfolio") is not left over."""

    def __init__(self, language: str, folders: list[str]) -> None:
        self.texts: set[str] = set()
        self.patterns: list[re.Pattern] = []
        for folder in folders:
            po = Path(folder) / language / "LC_MESSAGES" / "messages.po"
            if not po.exists():
                continue
            with po.open("rb") as handle:
                catalog = read_po(handle)
            for message in catalog:
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in strings:
                    if not text:
                        continue
                    plain = " ".join(text.split()).strip(SEPARATORS)
                    if PLACEHOLDER.search(plain):
                        parts = PLACEHOLDER.split(plain)
                        if sum(c.isalpha() for c in "".join(parts)) < 2:
                            continue  # "%(name)s", "%(a)s – %(b)s": would match anything
                        pattern = ".+?".join(re.escape(part) for part in parts)
                        self.patterns.append(re.compile(f"^{pattern}$"))
                    else:
                        self.texts.add(plain)

    def __contains__(self, text: str) -> bool:
        return text in self.texts or any(p.match(text) for p in self.patterns)


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def left_over(text: str, said: Said, whole: set[str], long: list[str]) -> bool:
    """Whether ``text`` (on a page in another language) is English left over."""
    text = text.strip(SEPARATORS)
    if not text or text in SAME_EVERYWHERE or NOT_WORDS.match(text) or UNITS.match(text):
        return False
    if text in said or users_own(text, whole, long):
        return False
    for joint in JOINTS:
        pieces = [piece for piece in text.split(joint) if piece.strip(SEPARATORS)]
        if len(pieces) > 1 and not any(left_over(p, said, whole, long) for p in pieces):
            return False
    return True


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("untranslated"))
    load_demo(app)
    whole, long = stored_texts(app)
    crawled = {}
    for email in ROLES:
        client = app.test_client()
        client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        client.set_cookie(COOKIE, "en")
        crawled[email] = (client, crawl(client))
    return app, crawled, whole, long


def test_the_crawl_reaches_the_pages_of_every_module(site):
    _app, crawled, _whole, _long = site
    addresses = {path for _client, pages in crawled.values() for path in pages}
    for module in ("minutes", "portfolio", "action_plans", "budget", "reports", "policy"):
        assert any(f"/{module}" in path for path in addresses), module
    assert len(addresses) > 150


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_no_page_is_left_in_english(site, language):
    app, crawled, whole, long = site
    said = Said(language, app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";"))
    left: dict[str, set[str]] = defaultdict(set)
    for client, pages in crawled.values():
        client.set_cookie(COOKIE, language)
        for path, english in pages.items():
            translated = client.get(path).text
            assert f'<html lang="{language}"' in translated, path
            same = set(read(translated).texts) & set(read(english).texts)
            for text in same:
                if any(path.startswith(p) and text in t for p, t in SAME_ON_PAGE.items()):
                    continue
                if left_over(text, said, whole, long):
                    left[text.strip(SEPARATORS)].add(path)
        client.set_cookie(COOKIE, "en")
    report = "\n".join(
        f"{text!r} on {len(paths)} pages, e.g. {min(paths)}" for text, paths in sorted(left.items())
    )
    assert not left, f"{len(left)} texts still in English ({language}):\n{report}"


def test_english_left_on_a_page_is_found(site):
    """The test's own check: English text that no catalog translates is reported, in a
    sentence or joined to the users' own values; the users' values are not."""
    app, _crawled, whole, long = site
    said = Said("pl", app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";"))
    assert left_over("Save the changes", said, whole, long)
    assert left_over("Anna Kovács (waiting for approval)", said, whole, long)
    assert left_over("Partner report · draft", said, whole, long)
    assert left_over("Expenditure line · not yet checked", said, whole, long)
    assert not left_over("Anna Kovács (admin@pannon.example)", said, whole, long)
    assert not left_over("10:00 · 45 min · Sabine Weber", said, whole, long)
    assert not left_over(said_in_polish(app, "Sign in"), said, whole, long)


def said_in_polish(app, text: str) -> str:
    from babel.support import Translations

    from workspace.i18n import CORE_CATALOGS

    return Translations.load(str(CORE_CATALOGS), ["pl"]).gettext(text)
