"""Phase 2 by reporting period (each action's dated history, the page of a period), the
action plans' indicator values and project activities, on hand-made plans and the demo."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import Date, DateTime, bindparam, inspect, select, text

from plugins.action_plans.models import PeriodState, Plan, PlanAction
from workspace.api import (
    Region,
    User,
    db,
    indicator_values,
    period_of,
    periods,
    project_activities,
    project_calendar,
    utcnow,
)
from workspace.testing import bare_app, load_demo, switch_on

from .test_action_plans import BASE, endorsed, get_plan

ADMIN = "admin@pannon.example"
CHOOSE = "choose one of the listed options"
P5_DAY = "2021-11-10T09:00:00"  # Phase 2, in both calendars below
P6_DAY = "2022-04-01T09:00:00"  # P6 once Phase 2 has two periods of six months


def at(app, moment: str) -> None:
    """The app's clock (the ``NOW`` setting)."""
    app.config["NOW"] = moment


def six_month_phase2(app) -> None:
    """Phase 2 in two reporting periods: P5 (Aug 2021 – Jan 2022), P6 (Feb – Jul 2022)."""
    with app.app_context():
        calendar = project_calendar()
        calendar.id, calendar.phase2_period_months, calendar.version = 1, 6, 1
        db.session.add(calendar)
        db.session.commit()


def history(app, action_id: int) -> dict[int, dict]:
    with app.app_context():
        rows = db.session.scalars(
            select(PeriodState).where(PeriodState.action_id == action_id)
        ).all()
        return {
            r.period: {
                "progress": r.progress,
                "reason": r.reason,
                "evidence": r.evidence,
                "change": r.instrument_change,
                "day": r.day,
                "by": r.recorded_by_id,
            }
            for r in rows
        }


def current(app, action_id: int) -> tuple[str, str, str]:
    with app.app_context():
        action = db.session.get(PlanAction, action_id)
        return action.progress, action.reason, action.evidence


@pytest.fixture
def monitored(app, client, auth, world):
    """An endorsed plan of Burgos with two actions; the editor signed in to monitor."""
    switch_on(app, "burgos", "action_plans")
    switch_on(app, "pannon", "action_plans")
    plan_id = endorsed(app, auth, client, world)
    actions = [a[0] for a in get_plan(app, plan_id)["actions"]]
    auth.login(world.editor.email)
    return plan_id, actions


def save(client, plan_id, action_id, version, **data):
    return client.post(
        f"{BASE}/{plan_id}/actions/{action_id}/monitor", data={"version": str(version), **data}
    )


def version_of(app, action_id: int) -> int:
    with app.app_context():
        return db.session.get(PlanAction, action_id).version


# ---------------------------------------------------------------- history per period


def test_each_period_keeps_its_own_state(app, client, world, monitored):
    """A reporter records P5, then P6 a few months on: P5 keeps what was true then, the
    action shows P6's, and the page of each period shows its own."""
    plan_id, (action_id, _) = monitored
    six_month_phase2(app)
    at(app, P5_DAY)
    page = client.get(f"{BASE}/{plan_id}/actions/{action_id}/monitor").text
    assert "P5 (" in page and "P6 (" not in page  # P6 has not begun
    response = save(
        client, plan_id, action_id, version_of(app, action_id),
        period="5", progress="in_progress", evidence="The call text is drafted.",
    )  # fmt: skip
    assert response.status_code == 303
    at(app, P6_DAY)
    page = client.get(f"{BASE}/{plan_id}/actions/{action_id}/monitor").text
    # Both periods are offered, today's chosen, and the form starts from P5's state.
    assert '<option selected value="6">' in page or 'value="6" selected' in page
    assert "The call text is drafted." in page
    response = save(
        client, plan_id, action_id, version_of(app, action_id),
        period="6", progress="implemented", evidence="The call opened; 40 vouchers granted.",
        instrument_change="The programme has an export-voucher line.",
    )  # fmt: skip
    assert response.status_code == 303
    rows = history(app, action_id)
    assert rows[5]["progress"] == "in_progress"
    assert rows[5]["evidence"] == "The call text is drafted."
    assert rows[6]["progress"] == "implemented" and rows[6]["day"] == date(2022, 7, 31)
    assert rows[6]["change"] == "The programme has an export-voucher line."
    assert rows[6]["by"] == world.editor.id
    assert current(app, action_id) == ("implemented", "", "The call opened; 40 vouchers granted.")
    # The plan page shows the dated history.
    page = client.get(f"{BASE}/{plan_id}").text
    assert "Phase 2, by period" in page
    assert "The call text is drafted." in page and "export-voucher line" in page
    # The page of P5 shows P5's state, not today's.
    p5 = client.get(f"{BASE}/phase2", query_string={"period": 5}).text
    assert "Phase 2 in P5" in p5 and "The call text is drafted." in p5
    assert "40 vouchers" not in p5
    p6 = client.get("/p/action_plans/phase2", query_string={"period": 6}).text
    assert "40 vouchers granted" in p6 and "export-voucher line" in p6
    assert "Nothing recorded up to P6" in p6  # the plan's second action


def test_correcting_an_earlier_period_keeps_the_latest_as_current(app, client, monitored):
    plan_id, (action_id, _) = monitored
    six_month_phase2(app)
    at(app, P6_DAY)
    for period, progress, evidence in [
        ("5", "in_progress", "Drafted."),
        ("6", "implemented", "Opened."),
        ("5", "in_progress", "Drafted and approved by the board."),
    ]:
        response = save(
            client, plan_id, action_id, version_of(app, action_id),
            period=period, progress=progress, evidence=evidence,
        )  # fmt: skip
        assert response.status_code == 303
    rows = history(app, action_id)
    assert len(rows) == 2 and rows[5]["evidence"] == "Drafted and approved by the board."
    assert current(app, action_id) == ("implemented", "", "Opened.")


def test_a_period_between_shows_the_latest_state_before_it(app, client, monitored):
    """An action recorded for P5 only stands so in P6 too, and says where it comes from."""
    plan_id, (action_id, _) = monitored
    six_month_phase2(app)
    at(app, P6_DAY)
    save(
        client, plan_id, action_id, version_of(app, action_id),
        period="5", progress="not_implemented", reason="The managing authority refused it.",
    )  # fmt: skip
    p6 = client.get(f"{BASE}/phase2", query_string={"period": 6}).text
    assert "The managing authority refused it." in p6 and "latest before P6" in p6
    p4 = client.get(f"{BASE}/phase2", query_string={"period": 4}).text
    assert "The managing authority refused it." not in p4
    assert client.get(f"{BASE}/phase2", query_string={"period": 99}).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "5", "progress": "not_implemented", "reason": ""},
         "Say why the action was not implemented."),
        ({"period": "6", "progress": "implemented", "reason": ""}, CHOOSE),  # not begun
        ({"period": "4", "progress": "implemented", "reason": ""}, CHOOSE),  # Phase 1
        ({"period": "five", "progress": "implemented", "reason": ""}, CHOOSE),
        ({"period": "5", "progress": "done", "reason": ""}, "Choose"),
    ],
)  # fmt: skip
def test_bad_monitoring_is_refused_with_the_text_kept(app, client, monitored, data, message):
    plan_id, (action_id, _) = monitored
    six_month_phase2(app)
    at(app, P5_DAY)
    before = version_of(app, action_id)
    typed = {"evidence": "Forty firms <applied>", "instrument_change": "A new call & criteria"}
    response = save(client, plan_id, action_id, before, **data, **typed)
    assert response.status_code == 422
    assert message in response.text
    assert "Forty firms &lt;applied&gt;" in response.text
    assert "A new call &amp; criteria" in response.text
    assert history(app, action_id) == {}
    assert version_of(app, action_id) == before
    assert current(app, action_id)[0] == "not_started"


def test_a_stale_form_saves_nothing(app, client, monitored):
    plan_id, (action_id, _) = monitored
    at(app, P5_DAY)
    old = version_of(app, action_id)
    assert save(client, plan_id, action_id, old, period="5", progress="in_progress").status_code
    response = save(
        client, plan_id, action_id, old, period="5", progress="implemented", evidence="Mine."
    )
    assert response.status_code == 409 and "Mine." in response.text
    assert history(app, action_id)[5]["progress"] == "in_progress"


def test_during_phase_1_the_current_period_is_offered(app, client, monitored):
    """A plan endorsed early is monitored from then on, under today's Phase 1 period."""
    plan_id, (action_id, _) = monitored
    at(app, "2021-03-01T09:00:00")
    page = client.get(f"{BASE}/{plan_id}/actions/{action_id}/monitor").text
    assert "P4 (" in page and "P5 (" not in page
    assert (
        save(
            client, plan_id, action_id, version_of(app, action_id), period="4",
            progress="in_progress",
        ).status_code
        == 303
    )  # fmt: skip
    assert history(app, action_id)[4]["day"] == date(2021, 7, 31)


def test_only_the_regions_editors_monitor(app, client, auth, world, monitored):
    plan_id, (action_id, _) = monitored
    auth.logout()
    auth.login(world.stakeholder.email)
    at(app, P5_DAY)
    response = save(client, plan_id, action_id, 1, period="5", progress="implemented")
    assert response.status_code == 403
    assert history(app, action_id) == {}


# ---------------------------------------------------------------- the calendar changes


def calendar_form(phase2_period_months: int) -> dict:
    return {
        "start_date": "2019-08-01", "phase1_months": "24", "phase1_period_months": "6",
        "phase2_months": "12", "phase2_period_months": str(phase2_period_months),
        "report_days": "14",
    }  # fmt: skip


def test_a_new_calendar_files_the_states_again(app, client, auth, world, monitored):
    plan_id, (action_id, _) = monitored
    at(app, P5_DAY)
    save(client, plan_id, action_id, version_of(app, action_id), period="5", progress="in_progress")
    auth.logout()
    auth.login(world.admin.email)
    # Phase 2 in halves: P5's state stands as of 31 July 2022, which is P6 now.
    response = client.post("/admin/calendar", data=calendar_form(6))
    assert response.status_code == 303, response.text
    assert list(history(app, action_id)) == [6]


def test_a_calendar_that_would_merge_two_states_is_refused(app, client, auth, world, monitored):
    plan_id, (action_id, _) = monitored
    six_month_phase2(app)
    at(app, P6_DAY)
    for period in ("5", "6"):
        save(
            client, plan_id, action_id, version_of(app, action_id), period=period,
            progress="in_progress",
        )  # fmt: skip
    auth.logout()
    auth.login(world.admin.email)
    response = client.post("/admin/calendar", data=calendar_form(12))
    assert response.status_code == 422
    assert "Nothing was changed" in response.text and "would both fall into P5" in response.text
    assert sorted(history(app, action_id)) == [5, 6]
    with app.app_context():
        assert project_calendar().phase2_period_months == 6


# ---------------------------------------------------------------- indicators on the demo


@pytest.fixture
def demo(app):
    load_demo(app)
    return app


def values_for(app, email=ADMIN, period=None, scope=None):
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == email))
        found = indicator_values(scope, period, user)
        return [v for v in found if v.ref.startswith("action_plans:")]


def by_indicator(values, key):
    return [v for v in values if v.indicator == key]


def demo_rows(app):
    """The demo's plans and Phase 2 rows, read straight from the tables."""
    with app.app_context():
        plans = db.session.execute(
            text(
                "SELECT id, region_id, partner_id, instrument_name, instrument_kind, endorsed_at "
                "FROM action_plans_plan WHERE deleted_at IS NULL"
            )
        ).all()
        implemented = db.session.execute(
            text(
                "SELECT a.id, a.plan_id, a.costs, MIN(s.period) FROM action_plans_period_state s "
                "JOIN action_plans_action a ON a.id = s.action_id "
                "JOIN action_plans_plan p ON p.id = a.plan_id "
                "WHERE s.progress = 'implemented' AND p.deleted_at IS NULL "
                "GROUP BY a.id, a.plan_id, a.costs"
            )
        ).all()
    return plans, implemented


def test_the_demos_indicators_count_its_records(demo):
    plans, implemented = demo_rows(demo)
    values = values_for(demo)
    endorsed_plans = {f"action_plans:plan:{p.id}" for p in plans if p.endorsed_at is not None}
    assert len(endorsed_plans) == 3
    found = by_indicator(values, "action_plans")
    assert {v.ref for v in found} == endorsed_plans
    partners = {f"action_plans:plan:{p.id}": p.partner_id for p in plans}
    assert all(v.partner == partners[v.ref] and v.amount == 1 for v in found)
    # One instrument per region and name.
    instruments = {(p.region_id, p.instrument_name) for p in plans}
    assert len(by_indicator(values, "instruments_addressed")) == len(instruments) == 6
    # Improved: the instruments of plans with an action recorded as implemented.
    plan_of = {p.id: p for p in plans}
    improved = {(plan_of[a[1]].region_id, plan_of[a[1]].instrument_name) for a in implemented}
    found = by_indicator(values, "instruments_improved")
    assert len(improved) >= 2 and len(found) == len(improved)
    assert {(v.region, v.title) for v in found} == improved
    with demo.app_context():
        assert all(period_of(v.day).number == 5 for v in found)
    # Funds: the costs of the implemented actions, by the kind of their plan's instrument.
    structural = sum(
        (a[2] for a in implemented if plan_of[a[1]].instrument_kind in ("igj", "etc") and a[2]),
        Decimal(0),
    )
    other = sum(
        (a[2] for a in implemented if plan_of[a[1]].instrument_kind == "other" and a[2]),
        Decimal(0),
    )
    assert structural > 0 and other > 0
    assert sum(v.amount for v in by_indicator(values, "structural_funds")) == structural
    assert sum(v.amount for v in by_indicator(values, "other_funds")) == other
    # Every value is evidence a reader can follow.
    assert all(v.url.startswith("/r/") and v.detail for v in values)
    assert any("the instrument:" in v.detail for v in by_indicator(values, "structural_funds"))


def test_a_period_counts_what_happened_in_it(demo):
    with demo.app_context():
        p2, p5 = periods()[1], periods()[4]
    in_p2 = values_for(demo, period=p2)
    assert len(by_indicator(in_p2, "action_plans")) == 2  # Pannon and Lombardia, June 2020
    assert by_indicator(in_p2, "instruments_improved") == []
    in_p5 = values_for(demo, period=p5)
    assert by_indicator(in_p5, "action_plans") == []
    assert len(by_indicator(in_p5, "instruments_improved")) == 3


def test_a_region_switched_off_or_unreadable_counts_for_nobody_here(demo):
    with demo.app_context():
        lombardy = db.session.scalar(select(Region.id).where(Region.slug == "lombardy"))
        pannon = db.session.scalar(select(Region.id).where(Region.slug == "pannon"))
    assert any(v.region == lombardy for v in values_for(demo))
    switch_on(demo, "lombardy", "action_plans", enabled=False)
    values = values_for(demo)
    assert values and not any(v.region == lombardy for v in values)
    # An external stakeholder of Pannon sees Pannon's figures only.
    values = values_for(demo, email="stakeholder@pannon.example")
    assert values and {v.region for v in values} == {pannon}


def test_a_trashed_plan_counts_for_nothing(demo):
    with demo.app_context():
        plan = db.session.scalar(select(Plan).join(Plan.region).where(Region.slug == "lombardy"))
        plan.deleted_at, ref = utcnow(), plan.ref
        db.session.commit()
    values = values_for(demo)
    assert ref not in {v.ref for v in values}
    assert len(by_indicator(values, "instruments_improved")) == 2


def test_the_indicator_day_follows_a_late_record(app, client, world, monitored):
    """Recorded for P5 once P6 has begun: it counts in P5, on P5's last day."""
    plan_id, (action_id, _) = monitored
    six_month_phase2(app)
    at(app, P6_DAY)
    save(client, plan_id, action_id, version_of(app, action_id), period="5",
         progress="implemented")  # fmt: skip
    values = values_for(app, world.admin.email)
    improved = by_indicator(values, "instruments_improved")
    assert [v.day for v in improved] == [date(2022, 1, 31)]
    assert [v.amount for v in by_indicator(values, "structural_funds")] == [Decimal(45000)]


# ---------------------------------------------------------------- project activities


def test_the_periods_activities_list_the_plans(demo):
    with demo.test_request_context():
        admin = db.session.scalar(select(User).where(User.email == ADMIN))
        found = project_activities(periods()[1], admin)
        plans = [i for i in found if i.section == "Action plans"]
        outsider = db.session.scalar(select(User).where(User.email == "stakeholder@pannon.example"))
        theirs = [i for i in project_activities(periods()[1], outsider) if i.key in {
            p.key for p in plans}]  # fmt: skip
        regions = {r.id: r.slug for r in db.session.scalars(select(Region))}
    assert sorted(regions[i.region] for i in plans) == ["lombardy", "pannon"]
    assert all("endorsed" in i.detail and i.url for i in plans)
    assert [regions[i.region] for i in theirs] == ["pannon"]


# ---------------------------------------------------------------- the upgrade


def insert(table: str, **values) -> None:
    names = ", ".join(values)
    statement = text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})")  # noqa: S608
    for name, value in values.items():
        if isinstance(value, datetime):
            statement = statement.bindparams(bindparam(name, type_=DateTime(timezone=True)))
        elif isinstance(value, date):
            statement = statement.bindparams(bindparam(name, type_=Date()))
    db.session.execute(statement, values)


def test_the_upgrade_keeps_each_monitored_state_under_its_period(tmp_path, workspace_config):
    app = bare_app(tmp_path, "ap003", **workspace_config)
    then = datetime(2020, 1, 1, tzinfo=UTC)
    with app.app_context():
        upgrade(revision="heads")
        downgrade(revision="ap002_trash")
        insert("region", id=1, slug="burgos", name="Castilla y León", country="ES", nuts2="ES41")
        insert(
            "action_plans_plan", id=1, region_id=1, other_partners="", instrument_name="ROP",
            instrument_kind="igj", contact="", language="English", status="endorsed",
            created_at=then, updated_at=then, version=1,
        )  # fmt: skip
        for id_, monitored_at in [
            (1, datetime(2021, 12, 15, 9, tzinfo=UTC)),  # P5
            (2, datetime(2020, 3, 2, 9, tzinfo=UTC)),  # P2
            (3, datetime(2026, 1, 5, 9, tzinfo=UTC)),  # after the end: the last period
            (4, None),  # never monitored
        ]:
            insert(
                "action_plans_action", id=id_, plan_id=1, position=id_, title=f"Action {id_}",
                start_month="", end_month="", funding_sources="", progress="not_implemented"
                if id_ == 1 else "in_progress", reason="No budget." if id_ == 1 else "",
                evidence="" if id_ == 1 else "Half done.", monitored_at=monitored_at, version=1,
            )  # fmt: skip
        db.session.commit()
        upgrade(revision="heads")
        rows = db.session.execute(
            text(
                "SELECT action_id, period, day, progress, reason, evidence "
                "FROM action_plans_period_state ORDER BY action_id"
            )
        ).all()
        assert [(r[0], r[1], str(r[2]), r[3], r[4], r[5]) for r in rows] == [
            (1, 5, "2022-07-31", "not_implemented", "No budget.", ""),
            (2, 2, "2020-07-31", "in_progress", "", "Half done."),
            (3, 5, "2022-07-31", "in_progress", "", "Half done."),
        ]
        db.session.commit()  # the read's transaction ends before the tables change
        downgrade(revision="ap002_trash")
        with db.engine.connect() as connection:
            tables = inspect(connection).get_table_names()
        assert "action_plans_plan" in tables and "action_plans_period_state" not in tables
