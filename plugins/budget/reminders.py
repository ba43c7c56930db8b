"""The budget's reminder: a reporting period closes in 7 days.

A scheduled job (``budget.period_closing``, every 6 hours) tells the coordinators of each
region where Budget is on, once per period, from 7 days before the period's last day
(in the project's time zone) until that day, so a worker that was down on the day
itself still tells them. Which region was told of which period is kept in
``budget_period_notice``: the job runs four times a day and tells each region once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workspace.api import (
    Membership,
    MembershipRole,
    NotificationKind,
    Region,
    User,
    by_language,
    db,
    format_day,
    in_language,
    notify,
    now,
    regions_on,
    scheduled,
)

from .ledger import Period, get_settings, periods
from .models import PeriodNotice
from .views import can_read

CLOSING = "budget.period_closing"
NOTICE = timedelta(days=7)

KINDS = [
    NotificationKind(
        CLOSING,
        _l("A reporting period closes in 7 days"),
        _l(
            "To the coordinators of the regions using Budget: record the period's expenditure "
            "before it closes."
        ),
        default="daily",
    )
]


@contextmanager
def _links() -> Iterator[None]:
    """Where ``url_for`` works in the worker, which has no request."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        yield


def closing_periods() -> list[Period]:
    """The open periods whose last day is at most 7 days away, today included."""
    today = now().astimezone(ZoneInfo(current_app.config["TIME_ZONE"])).date()
    return [
        period
        for period in periods(get_settings())
        if not period.closed and period.end - NOTICE <= today <= period.end
    ]


def _coordinators(region: Region) -> list[User]:
    """The region's coordinators who read budgets (partner staff, not external people)."""
    people = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.region_id == region.id, Membership.role == MembershipRole.COORDINATOR)
    )
    return [user for user in people if can_read(user)]


@scheduled(CLOSING, every=timedelta(hours=6))
def announce_closing_periods() -> None:
    """Tell each region where Budget is on, once, that a reporting period closes soon."""
    due = closing_periods()
    on = regions_on("budget")
    if not due or not on:
        return
    told = set(db.session.execute(select(PeriodNotice.region_id, PeriodNotice.period_end)).all())
    regions = db.session.scalars(select(Region).where(Region.id.in_(on)).order_by(Region.id)).all()
    for period in due:
        for region in regions:
            if (region.id, period.end) in told:
                continue
            with _links():
                url = url_for("budget.index", region=region.slug)
            for language, people in by_language(_coordinators(region)).items():
                with in_language(language):
                    notify(
                        people,
                        CLOSING,
                        _(
                            "Reporting period %(period)s closes on %(day)s",
                            period=period.label,
                            day=format_day(period.end),
                        ),
                        url,
                        body=_(
                            "%(period)s (%(span)s): record the expenditure of %(region)s's "
                            "partners before the period closes.",
                            period=period.label,
                            span=period.span,
                            region=region.name,
                        ),
                        region=region,
                    )
            db.session.add(
                PeriodNotice(
                    region_id=region.id,
                    period_end=period.end,
                    period_number=period.number,
                    sent_at=now(),
                )
            )
    db.session.commit()
