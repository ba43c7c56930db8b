"""The project's calendar (Admin → Calendar): periods P1..Pn with their report deadlines,
kept by an admin, offered to the modules before it changes (workspace.project_calendar)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.plugins import fixture_plugin
from workspace.extensions import db
from workspace.models import Event
from workspace.project_calendar import ProjectCalendar, period_of, periods, project_calendar

CALENDAR = {
    "start_date": "2019-08-01",
    "phase1_months": "24",
    "phase1_period_months": "6",
    "phase2_months": "12",
    "phase2_period_months": "12",
    "report_days": "14",
}


def test_until_an_admin_saves_one_the_calendar_is_interventures(app):
    with app.app_context():
        found = periods()
        assert project_calendar().version == 0  # not saved
    assert [(p.label, p.phase, p.start, p.end, p.report_due) for p in found] == [
        ("P1", 1, date(2019, 8, 1), date(2020, 1, 31), date(2020, 2, 14)),
        ("P2", 1, date(2020, 2, 1), date(2020, 7, 31), date(2020, 8, 14)),
        ("P3", 1, date(2020, 8, 1), date(2021, 1, 31), date(2021, 2, 14)),
        ("P4", 1, date(2021, 2, 1), date(2021, 7, 31), date(2021, 8, 14)),
        ("P5", 2, date(2021, 8, 1), date(2022, 7, 31), date(2022, 8, 14)),
    ]
    assert period_of(date(2021, 2, 1), found).label == "P4"
    assert period_of(date(2022, 8, 1), found) is None


def test_a_short_last_step_ends_with_its_phase():
    calendar = ProjectCalendar(
        start_date=date(2024, 1, 31), phase1_months=10, phase1_period_months=4,
        phase2_months=6, phase2_period_months=6, report_days=0,
    )  # fmt: skip
    assert [(p.phase, p.start, p.end, p.report_due) for p in periods(calendar)] == [
        (1, date(2024, 1, 31), date(2024, 5, 30), date(2024, 5, 30)),
        (1, date(2024, 5, 31), date(2024, 9, 29), date(2024, 9, 29)),
        (1, date(2024, 9, 30), date(2024, 11, 29), date(2024, 11, 29)),  # 10 months
        (2, date(2024, 11, 30), date(2025, 5, 29), date(2025, 5, 29)),
    ]


def test_the_admin_saves_a_calendar_and_sees_its_periods(app, client, auth, world):
    auth.login(world.admin.email)
    page = client.get("/admin/calendar").text
    assert "1 Aug 2019 – 31 Jan 2020" in page and "14 Feb 2020" in page
    fixture_plugin.CALLS.clear()
    calendar = {**CALENDAR, "phase1_period_months": "12", "report_days": "30"}
    response = client.post("/admin/calendar", data=calendar)
    assert response.status_code == 303
    assert ("calendar_changed", 3) in fixture_plugin.CALLS  # every module was asked
    page = client.get(response.headers["Location"]).text
    assert "The calendar is saved." in page
    assert "1 Aug 2020 – 31 Jul 2021" in page and "30 Aug 2021" in page
    with app.app_context():
        saved = db.session.scalars(select(ProjectCalendar)).one()
        assert (saved.phase1_period_months, saved.report_days, saved.version) == (12, 30, 1)
        event = db.session.scalar(select(Event).where(Event.verb == "calendar_changed"))
        assert event.actor_id == world.admin.id


def test_a_module_that_refuses_keeps_the_calendar_as_it_was(app, client, auth, world):
    """The fixture module files its notes in P2: a calendar of one period is refused,
    with its reason, and nothing is saved."""
    auth.login(world.admin.email)
    one_period = {**CALENDAR, "phase1_period_months": "24", "phase2_months": "0"}
    response = client.post("/admin/calendar", data=one_period)
    assert response.status_code == 422
    assert "Nothing was changed: a fixture note is filed in P2." in response.text
    assert "1 Aug 2019 – 31 Jan 2020" in response.text  # the periods as they are
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProjectCalendar)) == 0
        assert db.session.scalar(select(Event).where(Event.verb == "calendar_changed")) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start_date": "soon"}, "2022-03-15"),
        ({"start_date": ""}, "This field is required."),
        ({"phase1_months": "0"}, "Number must be between 1 and 120."),
        ({"phase1_period_months": "six"}, "Not a valid integer value."),
        ({"report_days": "-1"}, "Number must be between 0 and 365."),
    ],
)
def test_bad_input_is_422_and_changes_nothing(app, client, auth, world, change, message):
    auth.login(world.admin.email)
    response = client.post("/admin/calendar", data={**CALENDAR, **change})
    assert response.status_code == 422
    assert message in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProjectCalendar)) == 0


def test_only_admins_keep_the_calendar(client, auth, world):
    auth.login(world.coordinator.email)
    assert client.get("/admin/calendar").status_code == 403
    assert client.post("/admin/calendar", data=CALENDAR).status_code == 403


def test_two_first_saves_at_once_keep_one_calendar(app, client, auth, world, monkeypatch):
    """Both read "nothing saved yet"; the second to save is told to check, not lost."""
    auth.login(world.admin.email)
    assert client.post("/admin/calendar", data=CALENDAR).status_code == 303
    from workspace import project_calendar_views

    # The second admin's request read the calendar before the first one's was saved.
    unsaved = lambda: ProjectCalendar(**project_calendar_views.DEFAULT, version=0)  # noqa: E731
    monkeypatch.setattr(project_calendar_views, "project_calendar", unsaved)
    response = client.post("/admin/calendar", data={**CALENDAR, "report_days": "30"})
    assert response.status_code == 422
    assert "someone saved the calendar a moment ago" in response.text
    with app.app_context():
        (saved,) = db.session.scalars(select(ProjectCalendar)).all()
        assert saved.report_days == 14
