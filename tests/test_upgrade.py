"""An instance made by an early release upgrades to this one with its data intact.

The database is built as the early release left it: the core's first migrations
(accounts, documents, comments, attachments), rows written in that schema's own SQL,
then each plugin's first migration and a row of each. ``db upgrade heads`` then runs
every later migration, the data ones included (the search index is built from the
existing documents, then folded again). The people sign in with their old password
hashes and find their pages.

The README's "Upgrading" steps are run as written, on such a database: the backup,
``db upgrade heads`` and a start of gunicorn.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Date, DateTime, Numeric, bindparam, text

from tests.conftest import PASSWORD, PASSWORD_HASH, bare_app
from tests.test_deploy_guide import Session, clean_environment, free_port, stop, wait_for
from workspace.extensions import db
from workspace.project_calendar import project_calendar

ROOT = Path(__file__).resolve().parent.parent
EARLY_CORE = "0004_attachments"
# Each built-in plugin's first migration (they need the core at 0008).
EARLY_PLUGINS = ["m001_minutes", "p001_portfolio", "b001_budget_tables", "ap001_action_plans"]
THEN = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
BODY = "# Situation in Łódź\n\nThe second revision.\n"
ATTACHMENT = b"minutes of the kick-off\n"
STORED_NAME = "0123456789abcdef0123456789abcdef"
CORE_TABLES = (
    "region", "partner", "user_account", "membership", "document", "revision", "comment",
    "attachment", "event", "region_plugin",
)  # fmt: skip
PLUGIN_TABLES = (
    "minutes_meeting", "minutes_agenda_item", "portfolio_practice", "budget_expenditure"
)  # fmt: skip


def insert(table: str, **values) -> None:
    """One row in raw SQL, with dates and amounts typed so that SQLite and PostgreSQL store them as
    the early release's models did."""
    names = ", ".join(values)
    statement = text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})")  # noqa: S608
    for name, value in values.items():
        if isinstance(value, datetime):
            statement = statement.bindparams(bindparam(name, type_=DateTime(timezone=True)))
        elif isinstance(value, date):
            statement = statement.bindparams(bindparam(name, type_=Date()))
        elif isinstance(value, Decimal):
            statement = statement.bindparams(bindparam(name, type_=Numeric(14, 6)))
    db.session.execute(statement, values)


def early_core_rows(storage: Path) -> None:
    """What the release with documents, comments and attachments held."""
    insert("region", id=1, slug="burgos", name="Castilla y León", country="ES", nuts2="ES41")
    insert(
        "partner", id=1, name="CEEI Burgos", short_name="CEEI", country="ES",
        legal_status="public", role="partner", region_id=1,
    )  # fmt: skip
    for id_, email, name, admin in [
        (1, "admin@pannon.example", "Anna Admin", True),
        (2, "editor@ceei.example", "Elena Editor", False),
    ]:
        insert(
            "user_account", id=id_, email=email, name=name, partner_id=1,
            password_hash=PASSWORD_HASH, is_admin=admin, active=True, session_version=1,
            created_at=THEN,
        )  # fmt: skip
    insert("membership", id=1, user_id=2, region_id=1, role="editor")
    insert(
        "document", id=1, title="Regional situation report", region_id=1, plugin=None,
        head=2, body=BODY, html="<h1>Situation in Łódź</h1>\n<p>The second revision.</p>",
        created_by_id=2, created_at=THEN, updated_at=THEN, updated_by_id=2, deleted_at=None,
    )  # fmt: skip
    for number, body in [(1, "# Situation\n"), (2, BODY)]:
        insert(
            "revision", id=number, document_id=1, number=number,
            title="Regional situation report", body=body, kind="edit",
            base_number=number - 1, author_id=2, created_at=THEN, save_token=None,
        )  # fmt: skip
    insert(
        "comment", id=1, document_id=1, author_id=1, body="Please add the **budget** figures.",
        html="<p>Please add the <strong>budget</strong> figures.</p>", created_at=THEN,
        resolved_at=None, resolved_by_id=None,
    )  # fmt: skip
    storage.mkdir(parents=True, exist_ok=True)
    (storage / STORED_NAME).write_bytes(ATTACHMENT)
    insert(
        "attachment", id=1, document_id=1, filename="kick-off.txt", stored_name=STORED_NAME,
        sha256="0" * 64, size=len(ATTACHMENT), uploaded_by_id=2, created_at=THEN,
    )  # fmt: skip
    insert(
        "event", id=1, created_at=THEN, actor_id=2, region_id=1, verb="document_created",
        target="doc:1", detail=json.dumps({}),
    )  # fmt: skip
    for id_, plugin in enumerate(["minutes", "portfolio", "budget", "action_plans"], 1):
        insert(
            "region_plugin", id=id_, region_id=1, plugin=plugin, enabled=True,
            settings=json.dumps({}), updated_at=THEN,
        )  # fmt: skip


def early_plugin_rows() -> None:
    """One record of each plugin, in the schema of its first migration."""
    insert(
        "minutes_meeting", id=1, region_id=1, title="Stakeholder group meeting 3",
        kind="stakeholder_group", starts_at=THEN, ends_at=THEN, timezone="Europe/Madrid",
        place="Burgos", online_url="", status="open", minutes_document_id=None,
        created_by_id=2, created_at=THEN, updated_at=THEN, version=1,
    )  # fmt: skip
    insert(
        "minutes_agenda_item", id=1, meeting_id=1, section="", title="Welcome and agenda",
        duration_minutes=15, presenter="Elena", position=0, notes="Quorum reached.",
    )  # fmt: skip
    insert(
        "portfolio_practice", id=1, region_id=1, partner_id=1, title="Border start-up voucher",
        institution="CEEI Burgos", country="ES", nuts="ES41", city="Burgos",
        linked_project="", summary="Vouchers for cross-border start-ups.", starts_on=None,
        ends_on=None, website="", contact="", topic="entrepreneurship", keywords="",
        document_id=None, status="draft", decision_note="", decided_by_id=None,
        decided_at=None, created_by_id=2, created_at=THEN, updated_at=THEN, version=1,
    )  # fmt: skip
    insert(
        "budget_expenditure", id=1, partner_id=1, period=1, category="staff",
        description="Project manager, March", invoice_number="2025-031",
        invoice_date=date(2025, 3, 31), payment_date=date(2025, 4, 2),
        amount=Decimal("4500.00"), vat=Decimal("0.00"), currency="EUR",
        rate=Decimal("1.000000"), amount_eur=Decimal("4500.00"), created_at=THEN,
        created_by_id=2,
    )  # fmt: skip


def continue_sequences(*tables: str) -> None:
    """On PostgreSQL, let new rows follow the ids written by hand, as they would follow
    the rows the early release inserted."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        )


def early_database(tmp_path: Path, **config) -> Flask:
    """A database as the early release left it, with its data; the app is this one."""
    app = bare_app(tmp_path, "upgrade", **config)
    with app.app_context():
        upgrade(revision=EARLY_CORE)
        early_core_rows(Path(app.config["STORAGE_PATH"]))
        continue_sequences(*CORE_TABLES)
        db.session.commit()
        for revision in EARLY_PLUGINS:
            upgrade(revision=revision)
        early_plugin_rows()
        continue_sequences(*PLUGIN_TABLES)
        db.session.commit()
    return app


def test_an_early_database_upgrades_to_heads_with_its_data(tmp_path):
    app = early_database(tmp_path, WTF_CSRF_ENABLED=False)
    with app.app_context():
        upgrade(revision="heads")
        revisions = db.session.scalars(text("SELECT body FROM revision ORDER BY number")).all()
        assert revisions == ["# Situation\n", BODY]
        row = db.session.execute(
            text("SELECT flexibility_rate FROM budget_settings")
        ).first()  # b003 added the column: no row was invented
        assert row is None
        assert db.session.scalar(
            text("SELECT amount_eur FROM budget_expenditure WHERE id = 1")
        ) == Decimal("4500.00")
        notes = db.session.execute(
            text("SELECT notes, notes_version FROM minutes_agenda_item WHERE id = 1")
        ).one()
        assert tuple(notes) == ("Quorum reached.", 1)

    editor = app.test_client()
    response = editor.post("/login", data={"email": "editor@ceei.example", "password": PASSWORD})
    assert response.status_code == 302, "the old password hash no longer signs in"
    page = editor.get("/docs/1").text
    assert "Situation in Łódź" in page
    assert "budget</strong> figures" in page
    assert "kick-off.txt" in page
    assert editor.get("/docs/1/history").status_code == 200
    with editor.get("/docs/1/attachments/1") as download:
        assert download.status_code == 200 and download.data == ATTACHMENT
    # The search index was built from the documents by 0005 and folded again by 0010.
    assert "Regional situation report" in editor.get("/search?q=lodz").text

    meeting = editor.get("/r/burgos/minutes/meetings/1").text
    assert "Stakeholder group meeting 3" in meeting and "Quorum reached." in meeting
    assert "Border start-up voucher" in editor.get("/r/burgos/portfolio/1").text


def test_the_budget_calendar_moves_to_the_core_with_its_values(tmp_path):
    """b006: a calendar saved in the budget's settings becomes the project's calendar
    (core 0020); the budget's rates stay where they were."""
    app = early_database(tmp_path, WTF_CSRF_ENABLED=False)
    with app.app_context():
        insert(
            "budget_settings", id=1, start_date=date(2024, 1, 1), phase1_months=18,
            phase1_period_months=6, phase2_months=12, phase2_period_months=12,
            erdf_rate_public=Decimal("80.00"), erdf_rate_private=Decimal("70.00"),
            office_rate=Decimal("15.00"), closed_through=1, version=3,
        )  # fmt: skip
        db.session.commit()
        upgrade(revision="heads")
        calendar = project_calendar()
        assert (calendar.start_date, calendar.phase1_months) == (date(2024, 1, 1), 18)
        assert (calendar.phase2_months, calendar.report_days, calendar.version) == (12, 14, 1)
        budget = db.session.execute(text("SELECT * FROM budget_settings")).one()._mapping
        assert "start_date" not in budget and budget["erdf_rate_public"] == Decimal("80.00")
    admin = app.test_client()
    response = admin.post("/login", data={"email": "admin@pannon.example", "password": PASSWORD})
    assert response.status_code == 302
    page = admin.get("/admin/calendar").text
    # 18 months in semesters, then a year: P4 is Phase 2, from 1 July 2025.
    assert "P4" in page and "P5" not in page
    assert "1 Jul 2025 – 30 Jun 2026" in page and "14 Jul 2026" in page


def readme_upgrade_steps() -> list[str]:
    """The commands of the README's "Upgrading" section, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Upgrading\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


# The steps this test cannot take on a working tree: it is already the new code.
NOT_RUN = [
    "git pull --ff-only",
    ".venv/bin/pip install -e .",
    ".venv/bin/python -m workspace.catalogs compile",  # `make test` compiled them
]


def test_the_readme_upgrade_steps_run_in_order(tmp_path):
    app = early_database(tmp_path, STORAGE_PATH=str(tmp_path / "instance" / "uploads"))
    env = clean_environment(
        WORKSPACE_INSTANCE_PATH=str(tmp_path / "instance"),
        WORKSPACE_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        WORKSPACE_PLUGINS="action_plans,budget,minutes,portfolio",
    )
    steps = readme_upgrade_steps()
    assert [step for step in steps if step in NOT_RUN] == NOT_RUN
    assert steps[0].startswith(".venv/bin/flask --app workspace backup")
    assert steps[-1].startswith("sudo systemctl restart")
    for step in steps[:-1]:
        if step in NOT_RUN:
            continue
        done = subprocess.run(
            shlex.split(step), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"{step}: {done.stderr[-3000:]}"
    backups = list((tmp_path / "instance" / "backups").glob("workspace-*.tar"))
    assert len(backups) == 1, "the backup before the upgrade is missing"

    # The restart: the workspace served by gunicorn, as the README serves it.
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--no-control-socket"]
            + ["-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(port, server, log)
        browser = Session(port)
        browser.sign_in("editor@ceei.example", PASSWORD)
        status, _, page = browser.request("GET", "/docs/1")
        assert status == 200 and "Situation in Łódź" in page
    finally:
        stop(server)
