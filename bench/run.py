"""`make bench`: seed a large workspace, serve it with gunicorn, load it with wrk.

Measures, in one run: throughput of a document page and a region dashboard as a ratio
of /healthz throughput, search p95 latency, and SQL queries per page with 100 and with
10,000 documents. Prints a table and writes bench/results.md.

Targets: each page >= 0.30 of /healthz; search p95 < 100 ms; the same number of
queries per page at both sizes.
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
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event, func, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workspace import create_app
from workspace import demo as demo_data
from workspace.extensions import db
from workspace.markdown import to_html
from workspace.models import (
    Comment,
    Document,
    Region,
    Revision,
    SearchEntry,
    User,
)
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
TARGET_RATIO = 0.30
TARGET_P95_MS = 100.0


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def body(rng: random.Random) -> str:
    parts = [f"## {sentence(rng, 3)}\n\n{sentence(rng, 40)} {sentence(rng, 30)}" for _ in range(4)]
    return "\n\n".join(parts) + "\n\n| Item | Value |\n|---|---|\n| SMEs | 120 |\n"


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


def seed(app, documents: int, revisions_each: int, comments_each: int) -> int:
    """Fill an empty database; returns the id of a document in the middle."""
    rng = random.Random(2019)
    with app.app_context():
        upgrade(revision="heads")
        demo_data.load(PASSWORD)
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
    return first_doc + documents // 2


def queries_per_page(app, document_id: int) -> dict[str, int]:
    """SQL statements one request of each page runs, counted in-process."""
    counts: dict[str, int] = {}
    with app.app_context():
        engine = db.engine
    client = app.test_client()
    client.post("/login", data={"email": "admin@pannon.example", "password": PASSWORD})
    for name, path in [
        ("document page", f"/docs/{document_id}"),
        ("region dashboard", "/r/burgos/"),
        ("document list", "/docs/?region=burgos"),
        ("search", "/search?q=export"),
    ]:
        client.get(path)  # warm caches, as a running server has them
        seen: list[int] = []

        def listener(*args, seen=seen, **kwargs) -> None:
            seen.append(1)

        event.listen(engine, "before_cursor_execute", listener)
        response = client.get(path)
        event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(seen)
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
        {"email": "admin@pannon.example", "password": PASSWORD, "csrf_token": token}
    ).encode()
    opener.open(base + "/login", data)
    # A browser keeps the cookie its first page after sign-in updates (it then holds
    # the form token); without this every measured request would re-issue it.
    opener.open(base + "/").read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def fetch(url: str, cookie: str) -> str:
    request = urllib.request.Request(url, headers={"Cookie": cookie, "User-Agent": USER_AGENT})
    with urllib.request.urlopen(request) as response:
        return response.read().decode()


def wrk(url: str, cookie: str, seconds: int) -> dict:
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
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def serve_and_load(
    url: str, instance: Path, document_id: int, seconds: int, rounds: int
) -> dict[str, list[dict]]:
    """wrk's figures for each page, one per round. Each round loads every page in turn,
    /healthz included, so a slow spell of the machine weighs on a page and on the
    /healthz it is compared with alike."""
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
    pages = [
        ("/healthz", "/healthz"),
        ("document page", f"/docs/{document_id}"),
        ("region dashboard", "/r/burgos/"),
        ("search", "/search?q=export+coach"),
    ]
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        cookie = login_cookie(base)
        # The dashboard's module panels load after the page, each from its own address:
        # measured too, so the dashboard's figure is not read as the whole story.
        pages += [
            (f"dashboard panel: {name}", path)
            for path, name in re.findall(
                r'hx-get="(/r/burgos/panels/([a-z_]+))"', fetch(base + "/r/burgos/", cookie)
            )
        ]
        for _, path in pages:
            wrk(base + path, cookie, 2)  # warm up
        results: dict[str, list[dict]] = {name: [] for name, _ in pages}
        for _ in range(rounds):
            for name, path in pages:
                results[name].append(wrk(base + path, cookie, seconds))
        return results
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
    parser = argparse.ArgumentParser(description=__doc__)
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
        small = make_app(urls[100], work / "small")
        if not database:
            middle_small = seed(small, 100, 10, 2)
            small_queries = queries_per_page(small, middle_small)
        big = make_app(urls[args.documents], work / "big")
        middle = seed(big, args.documents, 10, 2)
        seeded = time.monotonic() - started
        big_queries = queries_per_page(big, middle)
        if database:
            small_queries = big_queries
        rounds = serve_and_load(
            urls[args.documents], work / "big", middle, args.seconds, args.rounds
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    # A page's ratio is taken within each round, then the median of the rounds.
    health = [r["rps"] for r in rounds["/healthz"]]
    load = {
        name: {key: median([r[key] for r in runs]) for key in runs[0]}
        for name, runs in rounds.items()
    }
    ratios = {
        name: median([r["rps"] / h for r, h in zip(runs, health, strict=True)])
        for name, runs in rounds.items()
    }
    rows = []
    for name in ("document page", "region dashboard"):
        ratio = ratios[name]
        rows.append(
            (
                f"{name}: throughput / healthz",
                f"{ratio:.2f}",
                f">= {TARGET_RATIO}",
                ratio >= TARGET_RATIO,
            )
        )
    p95 = load["search"]["p95_ms"]
    rows.append(
        ("search p95 latency", f"{p95:.1f} ms", f"< {TARGET_P95_MS:.0f} ms", p95 < TARGET_P95_MS)
    )
    for name in small_queries:
        rows.append(
            (
                f"queries per {name} (100 / {args.documents} docs)",
                f"{small_queries[name]} / {big_queries[name]}",
                "equal",
                small_queries[name] == big_queries[name],
            )
        )
    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
        f"Data: {args.documents} documents, {args.documents * 10} revisions, "
        f"{args.documents * 2} comments (seeded in {seeded:.0f} s); gunicorn with 2 workers; "
        f"wrk with 2 threads and 8 connections, on the same machine, in {args.rounds} rounds "
        f"of {args.seconds} s per page; each figure is the median of the rounds.",
        "",
        "| Measure | Result | Target | Met |",
        "| --- | --- | --- | --- |",
        *[f"| {m} | {r} | {t} | {'yes' if ok else 'NO'} |" for m, r, t, ok in rows],
        "",
        "| Page | Requests/s | of /healthz | p50 ms | p95 ms | p99 ms | Errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *[
            f"| {name} | {r['rps']:.0f} | {ratios[name]:.2f} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']:.0f} |"
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
