"""The core's side of the indicators (``indicator_values``) and of the progress report's
activities (``project_activities``), with the fixture plugin: what a region where the
plugin is off holds is left out, as is what the reader may not read; values are kept
to the scope and period asked, counted once, and only for the programme's indicators."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from plugins.portfolio.models import Practice
from plugins.reports.models import MediaAppearance, ProgressReport
from workspace.api import (
    DEMO_ADMIN_EMAIL,
    DEMO_REGION_SLUGS,
    Partner,
    Region,
    User,
    db,
    indicator_values,
    parse_number,
    periods,
    project_activities,
)
from workspace.testing import DEMO_PASSWORD, load_demo, switch_on


def titles(values) -> list[str]:
    return sorted(value.title for value in values)


def test_values_are_screened_scoped_and_counted_once(app, world):
    switch_on(app, "burgos", "fixture")
    switch_on(app, "pannon", "fixture")
    with app.test_request_context():
        admin = db.session.get(User, world.admin.id)
        burgos = db.session.scalar(select(Region).where(Region.slug == "burgos"))
        ceei = db.session.scalar(select(Partner).where(Partner.short_name == "CEEI-Burgos"))
        everything = indicator_values(None, None, admin)
        # Another plugin's reference and an indicator the programme does not have: out.
        assert titles(everything) == [
            "Fixture note on Castilla y León",
            "Fixture note on Dél-Dunántúl",
        ]
        assert {v.indicator for v in everything} == {"media"}
        assert titles(indicator_values(burgos, None, admin)) == ["Fixture note on Castilla y León"]
        assert titles(indicator_values(ceei, None, admin)) == ["Fixture note on Castilla y León"]
        first, second = periods()[:2]
        assert len(indicator_values(None, first, admin)) == 2  # 2 Sep 2019 is in P1
        assert indicator_values(None, second, admin) == []
        assert first.contains(date(2019, 9, 2))


def test_a_region_with_the_plugin_off_and_an_unreadable_region_are_left_out(app, world):
    switch_on(app, "burgos", "fixture")
    switch_on(app, "pannon", "fixture", enabled=False)
    with app.test_request_context():
        admin = db.session.get(User, world.admin.id)
        assert titles(indicator_values(None, None, admin)) == ["Fixture note on Castilla y León"]
        first = periods()[0]
        activities = project_activities(first, admin)
        assert [(a.section, a.title) for a in activities] == [
            ("Fixture notes", "Note of Castilla y León")
        ]
    switch_on(app, "pannon", "fixture")
    with app.test_request_context():
        outsider = db.session.get(User, world.outsider.id)  # a stakeholder of Pannon only
        assert titles(indicator_values(None, None, outsider)) == ["Fixture note on Dél-Dunántúl"]
        assert [a.title for a in project_activities(periods()[0], outsider)] == [
            "Note of Dél-Dunántúl"
        ]


def test_the_demo_counts_add_up(app, client):
    """On the demo: the good practices are the approved practices and the media the
    logged appearances, counted from the rows; every indicator's partner figures add up
    to the project's; P1–P4's progress reports are approved and P5's is a draft; with
    the portfolio switched off in a region its practices no longer count."""
    load_demo(app)
    for slug in DEMO_REGION_SLUGS:  # the fixture plugin's notes would count as media
        switch_on(app, slug, "fixture", enabled=False)
    client.post("/login", data={"email": DEMO_ADMIN_EMAIL, "password": DEMO_PASSWORD})
    with app.app_context():
        approved = db.session.scalars(
            select(Practice.decided_at).where(
                Practice.status == "approved", Practice.deleted_at.is_(None)
            )
        ).all()
        media = db.session.scalar(select(func.count(MediaAppearance.id)))
        states = dict(db.session.execute(select(ProgressReport.period, ProgressReport.state)).all())
        last = len(periods())
    assert states == {1: "approved", 2: "approved", 3: "approved", 4: "approved", 5: "draft"}
    page = client.get(f"/p/reports/indicators?period={last}").text
    assert to_date(page, "good_practices") == len(approved) > 0
    assert to_date(page, "media") == media > 0
    for key in ("good_practices", "media"):
        for number in range(1, last + 1):
            evidence = client.get(f"/p/reports/indicators/{key}?period={number}").text
            partners = re.findall(r'data-partner-figure="\d+">([\d,.]+)<', evidence)
            total = re.search(r"<strong data-figure>([\d,.]+)<", evidence).group(1)
            assert sum(parse_number(v, fmt="en") for v in partners) == parse_number(total, fmt="en")
    switch_on(app, "burgos", "portfolio", enabled=False)
    with app.app_context():
        burgos = db.session.scalar(
            select(func.count(Practice.id)).where(
                Practice.status == "approved",
                Practice.region.has(slug="burgos"),
                Practice.deleted_at.is_(None),
            )
        )
    page = client.get(f"/p/reports/indicators?period={last}").text
    assert burgos > 0 and to_date(page, "good_practices") == len(approved) - burgos


def to_date(page: str, key: str) -> int:
    return int(re.search(rf'data-to-date="{key}">([\d,.]+)<', page).group(1))
