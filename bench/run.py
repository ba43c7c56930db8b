"""`make bench`: seed a large workspace, serve it with gunicorn, load it with wrk.

Measures, in one run, as a ratio of /healthz throughput: a document page and its
history, the region dashboard and the project dashboard (with their panels), and each
plugin's main project page and main region page (found through the plugins'
`menu_links` hook) plus the portfolio's transfer matrix; the p95 latency of search;
and the SQL queries each of those pages runs with 100 and with 10,000 documents. The
plugins' demo data grows with the documents (past meetings, good practices and their
ratings, expenditure lines). Prints a table and writes bench/results.md.

Targets: the document page and the dashboards >= 0.30 of /healthz; every plugin main
page, the transfer matrix and the history page >= 0.20; search p95 < 100 ms; the same
number of queries per page at both sizes, for every page measured.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from flask import url_for
from flask_migrate import upgrade
from sqlalchemy import event, func, insert, select, text, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mail_bench  # beside this script: the mail measurement

from workspace import create_app
from workspace import demo as demo_data
from workspace.extensions import db
from workspace.markdown import to_html
from workspace.models import (
    Comment,
    Document,
    Partner,
    Region,
    Revision,
    SearchEntry,
    User,
    utcnow,
)
from workspace.plugins import host as plugin_host
from workspace.search import fold

PASSWORD = "benchmark password"
WORDS = [
    "export",
    "internationalisation",
    "SME",
    "cluster",
    "border",
    "region",
    "voucher",
    "trade",
    "fair",
    "matchmaking",
    "coaching",
    "innovation",
    "policy",
    "instrument",
    "action",
    "plan",
    "stakeholder",
    "good",
    "practice",
    "Pécs",
    "Klaipėda",
    "Rzeszów",
    "Burgos",
    "Lombardia",
    "network",
    "funding",
    "ERDF",
    "programme",
    "capacity",
    "market",
]
USER_AGENT = "workspace-bench (wrk)"
ADMIN_EMAIL = demo_data.ADMIN[0]  # reads every region, project page and plugin
REGION = "burgos"  # the region whose pages are measured
# Least throughput of a page as a ratio of /healthz's.
CORE_TARGET = 0.30  # the document page and the dashboards
PAGE_TARGET = 0.20  # each plugin's main pages, the transfer matrix, a document's history
TARGET_P95_MS = 100.0


class Page(NamedTuple):
    name: str
    path: str
    target: float | None = None  # least ratio to /healthz; None: measured, listed only
    fragment: bool = False  # asked for as HTMX asks (a dashboard's panels)

    @property
    def headers(self) -> dict[str, str]:
        return {"HX-Request": "true"} if self.fragment else {}


HEALTHZ = Page("/healthz", "/healthz")
SEARCH = Page("search", "/search?q=export+coach")
# Pages whose queries are counted at both sizes without being loaded with wrk.
COUNTED_ONLY = [
    SEARCH,
    Page("document list", f"/docs/?region={REGION}"),
    Page("search (one word)", "/search?q=export"),
    Page("minutes: past meetings (region)", f"/r/{REGION}/minutes/?when=past"),
    Page("minutes: past meetings (project)", "/p/minutes/?when=past"),
]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def body(rng: random.Random) -> str:
    parts = [f"## {sentence(rng, 3)}\n\n{sentence(rng, 40)} {sentence(rng, 30)}" for _ in range(4)]
    return "\n\n".join(parts) + "\n\n| Item | Value |\n|---|---|\n| SMEs | 120 |\n"


# Plugin data on top of the demo's, per document seeded: a project that wrote 10,000
# documents has held some 200 meetings, identified some 80 good practices (ten per
# partner, the upper end of what projects report) and recorded some 2,000 expenditure
# lines. The upcoming meetings (three per region, two for the whole project) and the
# action plans (the demo's, one per region) are as many at any size: a project plans a
# few months ahead, and writes one plan per region.
MEETINGS_PER_DOCUMENT = 1 / 50
PRACTICES_PER_DOCUMENT = 1 / 125
EXPENDITURE_PER_DOCUMENT = 1 / 5


def grow_plugins(documents: int, rng: random.Random) -> dict[str, int]:
    """Add the built-in plugins' data in proportion to ``documents``, through the
    plugins' own functions (documents, links and events included, as the pages make
    them). Runs inside a request context, as the demo does. Returns what it added."""
    meetings = _grow_minutes(int(documents * MEETINGS_PER_DOCUMENT), rng)
    practices = _grow_portfolio(int(documents * PRACTICES_PER_DOCUMENT), rng)
    lines = _grow_budget(int(documents * EXPENDITURE_PER_DOCUMENT), rng)
    db.session.flush()
    return {"past meetings": meetings, "good practices": practices, "expenditure lines": lines}


def _region_staff() -> dict[str, list[demo_data.DemoPartner]]:
    return {
        slug: [p for p in demo_data.PARTNERS if p.region == slug] for slug, *_ in demo_data.REGIONS
    }


def _grow_minutes(count: int, rng: random.Random) -> int:
    from plugins.minutes import demo as minutes_demo
    from plugins.minutes.forms import COUNTRY_ZONES
    from plugins.minutes.models import Meeting, MeetingKind, MeetingStatus, OutcomeKind

    regions = {r.slug: r for r in db.session.scalars(select(Region))}
    partners = {p.short_name: p for p in db.session.scalars(select(Partner))}
    users = {u.email: u for u in db.session.scalars(select(User))}
    author = users[demo_data.ADMIN[0]]
    staff = _region_staff()
    slugs = sorted(staff)
    first, last = datetime(2019, 9, 2, tzinfo=UTC).date(), utcnow().date() - timedelta(days=2)
    planned = []
    for n in range(count):
        slug = slugs[n % len(slugs)]
        local = staff[slug]
        day = first + (last - first) * n // max(count, 1)
        editor = f"editor@{local[n % len(local)].key}.example"
        kind = MeetingKind.WEBINAR if n % 10 == 9 else MeetingKind.STAKEHOLDER_GROUP
        planned.append(
            minutes_demo.DemoMeeting(
                f"{kind.label} {n // len(slugs) + 1}, {regions[slug].name}",
                kind,
                slug,
                day,
                clock(10, 0),
                clock(12, 30),
                COUNTRY_ZONES[regions[slug].country],
                place=f"{local[0].short_name}, meeting room",
                agenda=[
                    minutes_demo.DemoItem(
                        sentence(rng, 5)[:-1],
                        30,
                        local[0].people[0],
                        "Stakeholder group",
                        [
                            minutes_demo.DemoOutcome(OutcomeKind.DECISION, sentence(rng, 14)),
                            minutes_demo.DemoOutcome(
                                OutcomeKind.ACTION,
                                sentence(rng, 10),
                                editor,
                                day + timedelta(days=30),
                                done=n % 3 != 0,
                            ),
                        ],
                    ),
                    minutes_demo.DemoItem(sentence(rng, 4)[:-1], 45, local[-1].people[1]),
                    minutes_demo.DemoItem("Next steps", 15, local[0].people[0]),
                ],
                approved_by=[p.short_name for p in local],
                minutes=f"## Summary\n\n{sentence(rng, 40)}\n\n## Next steps\n\n"
                f"{sentence(rng, 20)}\n",
            )
        )
    # The next meetings, as many at any size: three per region, two for the project.
    upcoming = [
        (slug, kind)
        for slug in slugs
        for kind in (MeetingKind.STAKEHOLDER_GROUP, MeetingKind.WEBINAR, MeetingKind.PARTNER)
    ] + [(None, MeetingKind.INTERREGIONAL), (None, MeetingKind.PARTNER)]
    soon = []
    for n, (slug, kind) in enumerate(upcoming):
        name = regions[slug].name if slug else "online"
        soon.append(
            minutes_demo.DemoMeeting(
                f"Next {kind.label.lower()}, {name}",
                kind,
                slug,
                utcnow().date() + timedelta(days=14 + 5 * n),
                clock(9, 30),
                clock(13, 0),
                COUNTRY_ZONES[regions[slug].country] if slug else "Europe/Budapest",
                online_url="" if slug else "https://meet.example.org/interventures-next",
                place=f"{staff[slug][0].short_name}, meeting room" if slug else "",
                agenda=[
                    minutes_demo.DemoItem("Welcome", 10, demo_data.ADMIN[1], "Opening"),
                    minutes_demo.DemoItem(sentence(rng, 5)[:-1], 60),
                    minutes_demo.DemoItem(sentence(rng, 4)[:-1], 45),
                ],
            )
        )
    for demo in planned + soon:
        minutes_demo._add(demo, regions, partners, users, author)
    for demo in planned:
        meeting = db.session.scalar(select(Meeting).where(Meeting.title == demo.title))
        _backdate(meeting.minutes_document_id, meeting.ends_at)
    for demo in soon:
        meeting = db.session.scalar(select(Meeting).where(Meeting.title == demo.title))
        meeting.status = MeetingStatus.OPEN
    return count


def _backdate(document_id: int, when: datetime) -> None:
    """A text written back then: the minutes of a past meeting, a practice described
    years ago (the plugins date what they create now)."""
    db.session.execute(
        update(Document).where(Document.id == document_id).values(created_at=when, updated_at=when)
    )
    db.session.execute(
        update(Revision).where(Revision.document_id == document_id).values(created_at=when)
    )


def _grow_portfolio(count: int, rng: random.Random) -> int:
    from plugins.portfolio import practices as rules
    from plugins.portfolio.demo import _rater
    from plugins.portfolio.models import TOPICS, Status

    regions = {r.slug: r for r in db.session.scalars(select(Region))}
    staff = _region_staff()
    slugs = sorted(staff)
    raters = {slug: _rater(slug) for slug in slugs}
    admin = db.session.scalar(select(User).where(User.email == demo_data.ADMIN[0]))
    # Most practices are validated; some wait, a few are drafts or returned.
    statuses = [Status.APPROVED] * 14 + [Status.SUBMITTED] * 3 + [Status.DRAFT, Status.RETURNED]
    for n in range(count):
        slug = slugs[n % len(slugs)]
        region = regions[slug]
        partner = staff[slug][n % len(staff[slug])]
        author = db.session.scalar(
            select(User).where(User.email == f"coordinator@{partner.key}.example")
        )
        body = "".join(f"## {name}\n\n{sentence(rng, 30)}\n\n" for name in rules.SECTIONS)
        practice = rules.new_practice(
            region,
            author,
            body=body,
            title=f"{sentence(rng, 4)[:-1]} ({region.country}) {n + 1}",
            institution=partner.name,
            country=region.country,
            nuts=region.nuts2,
            city=partner.short_name,
            summary=sentence(rng, 25),
            starts_on=datetime(2014 + n % 7, 1 + n % 12, 1).date(),
            topic=TOPICS[n % len(TOPICS)],
            keywords=", ".join(rng.sample(WORDS, 4)),
            website=f"https://{partner.key}.example/practices/{n + 1}",
            contact="Project office",
        )
        status = statuses[n % len(statuses)]
        practice.status = status.value
        # Described in Phase 1 (two years from October 2019), decided a month later.
        described = datetime(2019, 10, 1, tzinfo=UTC) + timedelta(days=730) * n / max(count, 1)
        _backdate(practice.document_id, described)
        if status in (Status.APPROVED, Status.RETURNED):
            practice.decided_at = described + timedelta(days=30)
            practice.decided_by_id = admin.id
        if status in (Status.APPROVED, Status.SUBMITTED):
            # Two or three other regions say how interested they are.
            for other in rng.sample([s for s in slugs if s != slug], 2 + n % 2):
                if raters[other] is not None:
                    rules.rate(practice, regions[other], raters[other], rng.randrange(4), "")
    return count


def _grow_budget(count: int, rng: random.Random) -> int:
    """Expenditure lines in the open periods, adding up to about a quarter of each
    partner's budget whatever their number (more lines are smaller ones)."""
    from plugins.budget.demo import BUDGETS
    from plugins.budget.ledger import cents, eligible_eur, get_settings, periods
    from plugins.budget.models import Category, Expenditure

    partners = db.session.scalars(select(Partner).order_by(Partner.id)).all()
    partners = [p for p in partners if p.short_name in BUDGETS]
    settings = get_settings()
    open_periods = [p for p in periods(settings) if p.number > settings.closed_through][:3]
    # Roughly as budgets are planned: mostly staff, then external services, then travel.
    categories = [Category.STAFF] * 5 + [Category.EXTERNAL] * 3 + [Category.TRAVEL] * 2
    each = {p.id: max(1, count // len(partners)) for p in partners}
    for n in range(count):
        partner = partners[n % len(partners)]
        total, currency, rate = BUDGETS[partner.short_name]
        period = open_periods[(n // len(partners)) % len(open_periods)]
        category = categories[n % len(categories)]
        eur = cents(Decimal(total) / 4 / each[partner.id] * Decimal(rng.uniform(0.5, 1.5)))
        amount = cents(eur * rate)
        day = period.start + timedelta(days=rng.randrange((period.end - period.start).days))
        db.session.add(
            Expenditure(
                partner_id=partner.id,
                period=period.number,
                category=category.value,
                description=f"{category.label}: {sentence(rng, 5)[:-1]}"[:200],
                invoice_number=f"{partner.country}-{day.year}-B{n + 1:05d}",
                invoice_date=day,
                payment_date=min(day + timedelta(days=14), period.end),
                amount=amount,
                vat=Decimal("0.00"),
                currency=currency,
                rate=rate,
                amount_eur=eligible_eur(amount, Decimal("0.00"), rate),
            )
        )
    return count


def make_app(url: str, instance: Path):
    # In-process only (seeding, counting queries); the served app keeps CSRF on.
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(instance),
            "WTF_CSRF_ENABLED": False,
        }
    )


def seed(
    app, documents: int, revisions_each: int, comments_each: int
) -> tuple[int, dict[str, int]]:
    """Fill an empty database; returns the id of a document in the middle, and what
    was added to the plugins' demo data."""
    rng = random.Random(2019)
    with app.app_context():
        upgrade(revision="heads")
        demo_data.load(PASSWORD)
        with app.test_request_context("/"):
            grown = grow_plugins(documents, random.Random(2020))
            db.session.commit()
        regions = db.session.scalars(select(Region.id).order_by(Region.id)).all()
        authors = db.session.scalars(select(User.id).order_by(User.id)).all()
        sqlite = db.engine.dialect.name == "sqlite"
        start = datetime(2020, 1, 1, tzinfo=UTC)
        bodies = [body(rng) for _ in range(50)]
        htmls = [to_html(text_) for text_ in bodies]
        doc_rows, rev_rows, comment_rows, entry_rows = [], [], [], []
        # The demo's plugins write documents, comments and index entries of their own.
        first_doc = (db.session.scalar(select(func.max(Document.id))) or 0) + 1
        comment_id = db.session.scalar(select(func.max(Comment.id))) or 0
        entry_id = first_entry = db.session.scalar(select(func.max(SearchEntry.id))) or 0
        for doc_id in range(first_doc, first_doc + documents):
            pick = rng.randrange(len(bodies))
            when = start + timedelta(minutes=doc_id)
            region = regions[doc_id % len(regions)]
            title = f"{sentence(rng, 4)[:-1]} #{doc_id}"
            doc_rows.append(
                dict(
                    id=doc_id,
                    title=title,
                    region_id=region,
                    head=revisions_each,
                    body=bodies[pick],
                    html=htmls[pick],
                    created_at=when,
                    updated_at=when,
                    created_by_id=authors[0],
                    updated_by_id=authors[doc_id % len(authors)],
                )
            )
            for number in range(1, revisions_each + 1):
                rev_rows.append(
                    dict(
                        document_id=doc_id,
                        number=number,
                        title=title,
                        body=bodies[pick] if number == revisions_each else sentence(rng, 20),
                        kind="create" if number == 1 else "edit",
                        base_number=number - 1,
                        created_at=when,
                        author_id=authors[number % len(authors)],
                    )
                )
            entry_id += 1
            entry_rows.append(
                dict(
                    id=entry_id,
                    ref=f"doc:{doc_id}",
                    document_id=doc_id,
                    region_id=region,
                    kind="document",
                    title=title,
                    body=bodies[pick],
                    folded=fold(f"{title} {bodies[pick]}"),
                )
            )
            for _ in range(comments_each):
                comment_id += 1
                remark = sentence(rng, 12)
                comment_rows.append(
                    dict(
                        id=comment_id,
                        document_id=doc_id,
                        body=remark,
                        html=to_html(remark),
                        created_at=when,
                        author_id=authors[comment_id % len(authors)],
                    )
                )
                entry_id += 1
                entry_rows.append(
                    dict(
                        id=entry_id,
                        ref=f"comment:{comment_id}",
                        document_id=doc_id,
                        region_id=region,
                        kind="comment",
                        title=title,
                        body=remark,
                        folded=fold(f"{title} {remark}"),
                    )
                )
        for model, rows in [
            (Document, doc_rows),
            (Revision, rev_rows),
            (Comment, comment_rows),
            (SearchEntry, entry_rows),
        ]:
            for i in range(0, len(rows), 5000):
                db.session.execute(insert(model), rows[i : i + 5000])
        if sqlite:
            db.session.execute(
                text(
                    "INSERT INTO search_fts (rowid, title, body) "
                    "SELECT id, title, body FROM search_entry WHERE id > :first"
                ),
                {"first": first_entry},
            )
        else:
            for table in ("document", "revision", "comment", "search_entry"):
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    return first_doc + documents // 2, grown


def measured_pages(app, document_id: int) -> list[Page]:
    """The pages loaded with wrk besides /healthz and search: the document page and its
    history, the region's and the project's dashboards and the panels they load, and
    each installed plugin's main project page and main region page (the first link it
    puts in the project's and in the region's menu) with the portfolio's transfer
    matrix. Found as the admin sees them."""
    pages = [
        Page("document page", f"/docs/{document_id}", CORE_TARGET),
        Page("document history", f"/docs/{document_id}/history", PAGE_TARGET),
        Page("region dashboard", f"/r/{REGION}/", CORE_TARGET),
        Page("project dashboard", "/", CORE_TARGET),
    ]
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        region = db.session.scalar(select(Region).where(Region.slug == REGION))
        with app.test_request_context("/"):
            plugins = plugin_host()
            for name in plugins.names:
                for where, in_region in (("project", None), ("region", region)):
                    links = dict(
                        plugins.call_each("menu_links", [name], region=in_region, user=admin)
                    ).get(name)
                    if links:
                        pages.append(Page(f"{name}: {where} page", links[0].url, PAGE_TARGET))
                if name == "portfolio":
                    pages.append(
                        Page(
                            "portfolio: transfer matrix",
                            url_for("portfolio_project.matrix"),
                            PAGE_TARGET,
                        )
                    )
        db.engine.dispose()
    # The dashboards' module panels load after the page, each from its own address:
    # measured too, so a dashboard's figure is not read as the whole story.
    client = _signed_in(app)
    for label, dashboard in (("region", f"/r/{REGION}/"), ("project", "/")):
        html = client.get(dashboard).get_data(as_text=True)
        pages += [
            Page(f"{label} panel: {name}", path, fragment=True)
            for path, name in re.findall(r'hx-get="(/(?:r/[a-z_-]+/)?panels/([a-z_]+))"', html)
        ]
    with app.app_context():
        db.engine.dispose()
    return pages


def _signed_in(app):
    client = app.test_client()
    client.post("/login", data={"email": ADMIN_EMAIL, "password": PASSWORD})
    return client


def queries_per_page(app, pages: list[Page]) -> dict[str, int]:
    """SQL statements one request of each page runs, counted in-process."""
    counts: dict[str, int] = {}
    with app.app_context():
        engine = db.engine
    client = _signed_in(app)
    for page in pages:
        # Warm caches, as a running server has them.
        client.get(page.path, headers=page.headers)
        seen: list[int] = []

        def listener(*args, seen=seen, **kwargs) -> None:
            seen.append(1)

        event.listen(engine, "before_cursor_execute", listener)
        response = client.get(page.path, headers=page.headers)
        event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200, (page.path, response.status_code)
        counts[page.name] = len(seen)
    with app.app_context():
        db.engine.dispose()
    return counts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def login_cookie(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    # Sessions are bound to the browser that signed in (Flask-Login's session
    # protection): sign in with the User-Agent that wrk then sends.
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"email": ADMIN_EMAIL, "password": PASSWORD, "csrf_token": token}
    ).encode()
    opener.open(base + "/login", data)
    # A browser keeps the cookie its first page after sign-in updates (it then holds
    # the form token); without this every measured request would re-issue it.
    opener.open(base + "/").read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def fetch(url: str, cookie: str, headers: dict[str, str]) -> bytes:
    """A page as the signed-in browser gets it; a redirect (to the sign-in page, or
    anywhere) or an error status fails the run, since wrk would count it as a page."""
    request = urllib.request.Request(
        url, headers={"Cookie": cookie, "User-Agent": USER_AGENT, **headers}
    )
    with urllib.request.urlopen(request) as response:
        if response.status != 200 or response.geturl() != url:
            raise RuntimeError(f"{url}: {response.status} at {response.geturl()}")
        return response.read()


def wrk(url: str, cookie: str, seconds: int, headers: dict[str, str]) -> dict:
    extra = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c8",
            f"-d{seconds}s",
            "-s",
            str(ROOT / "bench" / "report.lua"),
            "-H",
            f"Cookie: {cookie}",
            "-H",
            f"User-Agent: {USER_AGENT}",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def serve_and_load(
    url: str, instance: Path, pages: list[Page], seconds: int, rounds: int
) -> tuple[dict[str, list[dict]], dict[str, int]]:
    """wrk's figures for each page, one per round, and each page's size in bytes. Each
    round loads every page in turn, /healthz included, so a slow spell of the machine
    weighs on a page and on the /healthz it is compared with alike."""
    port = free_port()
    env = {
        **os.environ,
        "WORKSPACE_DATABASE_URL": url,
        "WORKSPACE_SECRET_KEY": "bench",
        "WORKSPACE_INSTANCE_PATH": str(instance),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--no-control-socket",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        cookie = login_cookie(base)
        sizes = {p.name: len(fetch(base + p.path, cookie, p.headers)) for p in pages}
        for page in pages:
            wrk(base + page.path, cookie, 2, page.headers)  # warm up
        results: dict[str, list[dict]] = {page.name: [] for page in pages}
        for round_ in range(rounds):
            for page in pages:
                results[page.name].append(wrk(base + page.path, cookie, seconds, page.headers))
            print(f"round {round_ + 1} of {rounds} done", file=sys.stderr)
        return results, sizes
    finally:
        server.terminate()
        server.wait(timeout=30)


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1) if match else cpu
    return (
        f"{platform.node()}: {os.cpu_count()} cores, {cpu}; Python "
        f"{platform.python_version()}; SQLite {sqlite3.sqlite_version}; {platform.platform()}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5, help="per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.md"))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="workspace-bench-"))
    database = os.environ.get("WORKSPACE_BENCH_DATABASE_URL", "")
    try:
        urls = {
            size: database or f"sqlite:///{work / f'{size}.db'}" for size in (100, args.documents)
        }
        if database and args.documents != 100:
            print("With WORKSPACE_BENCH_DATABASE_URL only the large size is served.")
        started = time.monotonic()
        if not database:
            small = make_app(urls[100], work / "small")
            middle_small, grown_small = seed(small, 100, 10, 2)
            small_pages = measured_pages(small, middle_small)
            small_queries = queries_per_page(small, small_pages + COUNTED_ONLY)
        big = make_app(urls[args.documents], work / "big")
        middle, grown = seed(big, args.documents, 10, 2)
        seeded = time.monotonic() - started
        pages = measured_pages(big, middle)
        big_queries = queries_per_page(big, pages + COUNTED_ONLY)
        if database:
            small_queries, grown_small = big_queries, grown
        rounds, sizes = serve_and_load(
            urls[args.documents],
            work / "big",
            [HEALTHZ, SEARCH, *pages],
            args.seconds,
            args.rounds,
        )
        mail_ms = mail_bench.measure_mail(
            database or f"sqlite:///{work / 'mail.db'}", work / "mail"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    # A page's ratio is taken within each round, then the median of the rounds.
    health = [r["rps"] for r in rounds[HEALTHZ.name]]
    load = {
        name: {key: median([r[key] for r in runs]) for key in runs[0]}
        for name, runs in rounds.items()
    }
    ratios = {
        name: median([r["rps"] / h for r, h in zip(runs, health, strict=True)])
        for name, runs in rounds.items()
    }
    rows = []
    for page in pages:
        if page.target is not None:
            ratio = ratios[page.name]
            rows.append(
                (
                    f"{page.name}: throughput / healthz",
                    f"{ratio:.2f}",
                    f">= {page.target:.2f}",
                    ratio >= page.target,
                )
            )
    p95 = load[SEARCH.name]["p95_ms"]
    rows.append(
        ("search p95 latency", f"{p95:.1f} ms", f"< {TARGET_P95_MS:.0f} ms", p95 < TARGET_P95_MS)
    )
    for name in big_queries:
        small_count = small_queries.get(name)
        rows.append(
            (
                f"queries per {name} (100 / {args.documents} docs)",
                f"{small_count} / {big_queries[name]}",
                "equal",
                small_count == big_queries[name],
            )
        )
    rows.append(
        (
            f"mail: time per message, {mail_bench.COUNT} sent by worker --once to local SMTP",
            f"{mail_ms:.1f} ms",
            f"< {mail_bench.TARGET_MS:.0f} ms",
            mail_ms < mail_bench.TARGET_MS,
        )
    )
    paths = {p.name: p.path for p in [HEALTHZ, SEARCH, *pages]}
    grown_text = ", ".join(f"{grown_small[what]} / {grown[what]} {what}" for what in grown)
    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
        f"Data: {args.documents} documents, {args.documents * 10} revisions, "
        f"{args.documents * 2} comments; the demo's plugin data and, in proportion to the "
        f"documents (100 / {args.documents} docs), {grown_text}; 17 upcoming meetings and "
        f"the demo's 5 action plans at both sizes (seeded in {seeded:.0f} s). Signed in "
        f"as the admin; region pages of {REGION}. gunicorn with 2 workers; "
        f"wrk with 2 threads and 8 connections, on the same machine, in {args.rounds} rounds "
        f"of {args.seconds} s per page; each figure is the median of the rounds.",
        "",
        "| Measure | Result | Target | Met |",
        "| --- | --- | --- | --- |",
        *[f"| {m} | {r} | {t} | {'yes' if ok else 'NO'} |" for m, r, t, ok in rows],
        "",
        "| Page | Path | Requests/s | of /healthz | p50 ms | p95 ms | p99 ms | Errors | KB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *[
            f"| {name} | `{paths[name]}` | {r['rps']:.0f} | {ratios[name]:.2f} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']:.0f} | "
            f"{sizes[name] / 1024:.1f} |"
            for name, r in load.items()
        ],
        "",
    ]
    report = "\n".join(lines)
    print(report)
    Path(args.output).write_text(report)
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
