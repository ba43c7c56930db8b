"""Every page usable by everyone: axe-core checks a crawl of the demo in the browser.

The crawl follows the links of the pages an administrator, a coordinator, an editor and
a stakeholder reach, one page per address pattern (numbers stand for ids), and runs
axe-core (vendored, pinned: tests/e2e/vendor/VERSIONS) on each page once it has loaded
its panels. Each page is checked in English and again in one of the other five
languages, in turn, so every language is checked across every module. The rules are
WCAG 2.1 A and AA, axe's best practices and its check that a control's name contains
its visible text (EN 301 549 9.2.5.3). A critical or serious violation fails the test,
which names the rule, the page and the element.

The markup does not depend on the database, so this runs on SQLite only (like the
check that nothing is left in English).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import DemoServer, sign_in
from workspace.i18n import COOKIE, LANGUAGES
from workspace.testing import DEMO_PASSWORD, POSTGRES_URL

pytestmark = pytest.mark.skipif(
    bool(POSTGRES_URL), reason="the pages' markup is the same on every database"
)

VENDOR = Path(__file__).parent / "vendor"
AXE = VENDOR / "axe-4.14.1.min.js"
ROLES = (
    "admin@pannon.example",
    "coordinator@ceei.example",
    "editor@rarr.example",
    "stakeholder@burgos.example",
)
OTHER_LANGUAGES = [code for code in LANGUAGES if code != "en"]
FAILING = ("critical", "serious")
PAGES_PER_ROLE = 300
# Not pages: downloads, feeds, the sign-out.
SKIPPED_PATHS = re.compile(r"/logout|/static/|\.(xlsx|docx|pdf|ics|csv|zip|json)$|/download|/feed")
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    # Experimental in axe, but required by WCAG 2.5.3: a control's accessible name
    # contains the words it shows.
    "rules": {"label-content-name-mismatch": {"enabled": True}},
    "resultTypes": ["violations"],
}
RUN_AXE = """async (options) => {
  const result = await axe.run(document, options);
  return result.violations.map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                              summary: (n.failureSummary || "").slice(0, 300)})),
  }));
}"""
LOADED = "() => !document.querySelector('[aria-busy=\"true\"]')"
NO_BROWSER_CHECKS = "() => document.querySelectorAll('form').forEach(f => f.noValidate = true)"
SETTLED = "() => document.getAnimations().every(a => a.playState !== 'running')"
LINKS = "Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href'))"


def axe_source() -> str:
    """The vendored axe-core, checked against the digest VERSIONS records."""
    data = AXE.read_bytes()
    digest = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert digest in (VENDOR / "VERSIONS").read_text(), f"{AXE.name} differs from VERSIONS"
    return data.decode()


def pattern(path: str) -> str:
    parts = urlsplit(path)
    keys = sorted(part.split("=")[0] for part in parts.query.split("&") if part)
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def local(link: str) -> str | None:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if SKIPPED_PATHS.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Audit:
    """The violations found, by rule: page, element, why."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        self.pages = 0
        self.languages: set[str] = set()

    def check(self, page: Page, source: str, where: str) -> None:
        page.wait_for_function(LOADED)
        page.wait_for_function(SETTLED)  # colours are read after a menu's fade-in, not during
        page.evaluate(source)  # through the DevTools protocol, so the page's CSP allows it
        self.pages += 1
        for violation in page.evaluate(RUN_AXE, AXE_OPTIONS):
            if violation["impact"] not in FAILING:
                continue
            key = (violation["impact"], violation["rule"], violation["help"])
            for node in violation["nodes"]:
                why = node["summary"].splitlines()[-1] if node["summary"] else ""
                self.found[key].append(
                    f"{where}: {node['target']}\n      {node['html']}\n      {why}"
                )

    def report(self) -> str:
        lines = []
        for (impact, rule, help_text), nodes in sorted(self.found.items()):
            lines.append(f"{impact} {rule} ({help_text}): {len(nodes)} nodes")
            lines.extend(f"    {node}" for node in nodes[:8])
        return "\n".join(lines)


def set_language(page: Page, server: DemoServer, language: str) -> None:
    page.context.add_cookies([{"name": COOKIE, "value": language, "url": server.url}])


def crawl_and_check(page: Page, server: DemoServer, audit: Audit, source: str) -> int:
    """Breadth first from the overview, one page per address pattern; returns the count."""
    seen: set[str] = set()
    queue = ["/"]
    turn = 0
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if pattern(path) in seen:
            continue
        seen.add(pattern(path))
        set_language(page, server, "en")
        response = page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        audit.check(page, source, f"{path} (en)")
        for link in page.evaluate(LINKS):
            address = local(link)
            if address and pattern(address) not in seen:
                queue.append(address)
        language = OTHER_LANGUAGES[turn % len(OTHER_LANGUAGES)]
        turn += 1
        set_language(page, server, language)
        page.reload()
        audit.check(page, source, f"{path} ({language})")
        audit.languages.add(language)
    return len(seen)


@pytest.mark.parametrize("email", ROLES)
def test_every_page_passes_axe(browser: Browser, demo_server: DemoServer, email: str) -> None:
    source = axe_source()
    context = browser.new_context(base_url=demo_server.url)
    page = sign_in(context.new_page(), email, DEMO_PASSWORD)
    audit = Audit()
    try:
        reached = crawl_and_check(page, demo_server, audit, source)
    finally:
        context.close()
    assert reached > 20, f"the crawl as {email} reached only {reached} pages"
    assert audit.languages == set(OTHER_LANGUAGES)
    assert not audit.found, f"axe found, as {email}:\n{audit.report()}"


def test_axe_finds_what_it_should(browser: Browser, demo_server: DemoServer) -> None:
    """The check itself: a page with low contrast, a name that differs from the visible
    text and an unlabelled field fails, with each rule named."""
    source = axe_source()
    context = browser.new_context(base_url=demo_server.url)
    page = context.new_page()
    try:
        page.goto("/login")
        page.evaluate(
            """() => {
              const main = document.querySelector('main');
              main.insertAdjacentHTML('beforeend',
                '<p class="muted">x</p><a href="/" aria-label="Elsewhere">Home</a><input>');
              const pale = main.querySelector('p.muted');
              pale.textContent = 'Pale words';
              pale.style.color = '#bbb';
            }"""
        )
        audit = Audit()
        audit.check(page, source, "/login")
    finally:
        context.close()
    rules = {rule for _impact, rule, _help in audit.found}
    assert {"color-contrast", "label-content-name-mismatch", "label"} <= rules, audit.report()


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_pages_before_signing_in_pass_axe(
    browser: Browser, demo_server: DemoServer, language: str
) -> None:
    """The sign-in page (also refused, with its error), the forgotten-password page and a
    page that does not exist, in each language."""
    source = axe_source()
    context = browser.new_context(base_url=demo_server.url)
    page = context.new_page()
    set_language(page, demo_server, language)
    audit = Audit()
    try:
        for path in ("/login", "/forgot-password"):
            page.goto(path)
            audit.check(page, source, f"{path} ({language})")
        page.goto("/login")
        page.locator("input[name=email]").fill("someone@example.org")
        page.locator("input[name=password]").fill("not the password")
        page.locator("input[name=password]").press("Enter")
        page.get_by_role("alert").wait_for()
        audit.check(page, source, f"/login refused ({language})")
        assert page.goto("/no-such-page").status == 404
        audit.check(page, source, f"404 ({language})")
    finally:
        context.close()
    assert not audit.found, f"axe found, in {language}:\n{audit.report()}"


def test_open_menus_and_refused_forms_pass_axe(browser: Browser, demo_server: DemoServer) -> None:
    """What a crawl of first views does not show: the header's menus open, and forms
    sent back with their errors beside the fields."""
    source = axe_source()
    context = browser.new_context(base_url=demo_server.url)
    page = sign_in(context.new_page(), "admin@pannon.example", DEMO_PASSWORD)
    audit = Audit()
    try:
        page.goto("/r/burgos/")
        for summary in page.locator("header details > summary").all():
            summary.click()
            audit.check(page, source, f"/r/burgos/ menu {summary.inner_text()!r} open")
            summary.click()  # closed again
        for path in ("/docs/new", "/r/burgos/minutes/new", "/r/burgos/portfolio/new"):
            assert page.goto(path).ok, path
            # Sent empty, past the browser's own checks: the server's messages are read.
            page.evaluate(NO_BROWSER_CHECKS)
            page.locator("main form [type=submit]").last.click()
            page.locator(".field-error, [role=alert]").first.wait_for()
            audit.check(page, source, f"{path} refused")
    finally:
        context.close()
    assert not audit.found, f"axe found:\n{audit.report()}"
