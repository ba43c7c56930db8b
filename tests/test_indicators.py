"""The core's side of the indicators (``indicator_values``) and of the progress report's
activities (``project_activities``), with the fixture plugin: what a region where the
plugin is off holds is left out, as is what the reader may not read; values are kept
to the scope and period asked, counted once, and only for the programme's indicators."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from workspace.api import Partner, Region, User, db, indicator_values, periods, project_activities
from workspace.testing import switch_on


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
