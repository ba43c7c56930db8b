"""The budget's reminder (issue 16, item 3): 7 days before a reporting period ends, the
worker tells the coordinators of the regions where Budget is on, once per period, in
their inbox and in the daily digest, with a link to the region's budget page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from plugins.budget.ledger import default_settings
from workspace.api import MembershipRole, db
from workspace.testing import sign_in, switch_on

# The default calendar: P1 runs from 1 Aug 2019 to 31 Jan 2020.
CLOSING = "Reporting period P1 closes on 31 Jan 2020"


def inbox(app, user) -> list[tuple[str, str]]:
    """(link, subject) of each notification the person's inbox page lists."""
    page = sign_in(app, user.email).get("/inbox").text
    return re.findall(r'<a href="(/inbox/\d+)">([^<]+)</a>', page)


def mails(app, user) -> list[tuple[str, str]]:
    """(subject, text) of the mails queued for the person."""
    table = db.metadata.tables["outbox_message"]
    with app.app_context():
        rows = db.session.execute(select(table.c.recipients, table.c.subject, table.c.text_body))
        return [(subject, text) for to, subject, text in rows if user.email in to]


def worker_at(app, moment: str) -> None:
    """One look of the worker at ``moment`` (UTC), as ``flask worker --once`` does."""
    app.config["NOW"] = moment
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def people(app, make, world):
    switch_on(app, "burgos", "budget")
    pannon_partner = make.partner("Pannon Agency", world.pannon)
    world.pannon_coordinator = make.user(
        "pcoord@example.org",
        partner=pannon_partner,
        memberships={world.pannon: MembershipRole.COORDINATOR},
    )
    # A coordinator from outside the consortium: budgets are for partner staff.
    world.external = make.user(
        "ext@example.org", memberships={world.burgos: MembershipRole.COORDINATOR}
    )
    return world


def test_the_coordinators_hear_once_a_week_before_a_period_ends(app, people):
    # 23 Jan, 13:00 in Brussels: eight days before the end, too early.
    worker_at(app, "2020-01-23T12:00:00+00:00")
    assert inbox(app, people.coordinator) == []
    # 24 Jan, 04:00 in Brussels: seven days before.
    worker_at(app, "2020-01-24T03:00:00+00:00")
    assert [s for _, s in inbox(app, people.coordinator)] == [CLOSING]
    assert mails(app, people.coordinator) == []  # the daily digest's, by default
    # The job runs again six hours later: nobody is told twice. At 10:00 in Brussels
    # the digest has gone out, with the reminder in it.
    worker_at(app, "2020-01-24T09:00:00+00:00")
    [(link, subject)] = inbox(app, people.coordinator)
    assert subject == CLOSING
    [(_, text)] = mails(app, people.coordinator)
    assert CLOSING in text
    client = sign_in(app, people.coordinator.email)
    response = client.get(link)
    assert response.headers["Location"] == "/r/burgos/budget/"
    assert client.get("/r/burgos/budget/").status_code == 200
    # Not the region's editor, nor an external coordinator, nor Pannon (Budget off).
    for person in (people.editor, people.external, people.pannon_coordinator):
        assert inbox(app, person) == []


def test_a_region_switching_budget_on_in_the_week_is_told_too(app, people):
    worker_at(app, "2020-01-24T03:00:00+00:00")
    switch_on(app, "pannon", "budget")
    worker_at(app, "2020-01-27T10:00:00+00:00")
    assert [s for _, s in inbox(app, people.pannon_coordinator)] == [CLOSING]
    assert [s for _, s in inbox(app, people.coordinator)] == [CLOSING]


def test_nothing_where_budget_is_off_or_after_the_period(app, people):
    switch_on(app, "burgos", "budget", False)
    worker_at(app, "2020-01-24T03:00:00+00:00")
    assert inbox(app, people.coordinator) == []
    switch_on(app, "burgos", "budget")
    # 1 Feb: P1 is over, P2 ends on 31 Jul.
    worker_at(app, "2020-02-01T10:00:00+00:00")
    assert inbox(app, people.coordinator) == []
    # P2 closed early in the settings: its last week is not announced.
    with app.app_context():
        settings = default_settings()
        settings.closed_through = 2
        db.session.add(settings)
        db.session.commit()
    worker_at(app, "2020-07-25T10:00:00+00:00")
    assert inbox(app, people.coordinator) == []
