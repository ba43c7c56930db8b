"""The budget's reminder (issue 16, item 3): 7 days before a reporting period ends, the
worker tells the coordinators of the regions where Budget is on, once per period, in
their inbox and in the daily digest, with a link to the region's budget page."""

from __future__ import annotations

import pytest

from plugins.budget.ledger import default_settings
from workspace.api import MembershipRole, db
from workspace.testing import inbox, queued_mails, run_worker, sign_in, switch_on

# The default calendar: P1 runs from 1 Aug 2019 to 31 Jan 2020.
CLOSING = "Reporting period P1 closes on 31 Jan 2020"


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
    run_worker(app, "2020-01-23T12:00:00+00:00")
    assert inbox(app, people.coordinator) == []
    # 24 Jan, 04:00 in Brussels: seven days before.
    run_worker(app, "2020-01-24T03:00:00+00:00")
    assert [s for s, _ in inbox(app, people.coordinator)] == [CLOSING]
    assert queued_mails(app, people.coordinator) == []  # the daily digest's, by default
    # The job runs again six hours later: nobody is told twice. At 10:00 in Brussels
    # the digest has gone out, with the reminder in it.
    run_worker(app, "2020-01-24T09:00:00+00:00")
    [(subject, link)] = inbox(app, people.coordinator)
    assert subject == CLOSING
    [(_, text)] = queued_mails(app, people.coordinator)
    assert CLOSING in text
    client = sign_in(app, people.coordinator.email)
    response = client.get(link)
    assert response.headers["Location"] == "/r/burgos/budget/"
    assert client.get("/r/burgos/budget/").status_code == 200
    # Not the region's editor, nor an external coordinator, nor Pannon (Budget off).
    for person in (people.editor, people.external, people.pannon_coordinator):
        assert inbox(app, person) == []


def test_the_digest_leaves_out_a_reminder_of_a_module_switched_off_since(app, people):
    run_worker(app, "2020-01-24T03:00:00+00:00")  # queued for the 09:00 digest
    switch_on(app, "burgos", "budget", False)
    run_worker(app, "2020-01-24T09:00:00+00:00")
    assert queued_mails(app, people.coordinator) == []
    assert [s for s, _ in inbox(app, people.coordinator)] == [CLOSING]  # kept, unmailed
    # Switched on again before the next morning: the reminder is mailed then.
    switch_on(app, "burgos", "budget")
    run_worker(app, "2020-01-25T09:00:00+00:00")
    [(_, text)] = queued_mails(app, people.coordinator)
    assert CLOSING in text


def test_a_region_switching_budget_on_in_the_week_is_told_too(app, people):
    run_worker(app, "2020-01-24T03:00:00+00:00")
    switch_on(app, "pannon", "budget")
    run_worker(app, "2020-01-27T10:00:00+00:00")
    assert [s for s, _ in inbox(app, people.pannon_coordinator)] == [CLOSING]
    assert [s for s, _ in inbox(app, people.coordinator)] == [CLOSING]


def test_nothing_where_budget_is_off_or_after_the_period(app, people):
    switch_on(app, "burgos", "budget", False)
    run_worker(app, "2020-01-24T03:00:00+00:00")
    assert inbox(app, people.coordinator) == []
    switch_on(app, "burgos", "budget")
    # 1 Feb: P1 is over, P2 ends on 31 Jul.
    run_worker(app, "2020-02-01T10:00:00+00:00")
    assert inbox(app, people.coordinator) == []
    # P2 closed early in the settings: its last week is not announced.
    with app.app_context():
        settings = default_settings()
        settings.closed_through = 2
        db.session.add(settings)
        db.session.commit()
    run_worker(app, "2020-07-25T10:00:00+00:00")
    assert inbox(app, people.coordinator) == []
