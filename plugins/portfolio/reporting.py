"""The portfolio's part of a partner report (the ``report_items`` hook): the good
practices the partner identified (submitted to the portfolio) and those approved in
the period."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import url_for
from sqlalchemy import select

from workspace.api import Action, Partner, Period, ReportItem, User, can, db, format_day

from .models import IN_PORTFOLIO, Practice, Status


def items(partner: Partner, period: Period, user: User) -> list[ReportItem]:
    start = datetime.combine(period.start, time(), UTC)
    end = datetime.combine(period.end + timedelta(days=1), time(), UTC)
    practices = db.session.scalars(
        select(Practice)
        .where(
            Practice.partner_id == partner.id,
            Practice.not_trashed(),
            Practice.status.in_(IN_PORTFOLIO),
        )
        .order_by(Practice.created_at)
    ).all()
    practices = [p for p in practices if can(user, Action.READ, p.region)]
    identified = [
        _item("Good practices identified", p, p.created_at, Status(p.status).label)
        for p in practices
        if start <= p.created_at < end
    ]
    approved = [
        _item("Good practices approved", p, p.decided_at, f"approved {format_day(p.decided_at)}")
        for p in practices
        if p.status == Status.APPROVED and p.decided_at and start <= p.decided_at < end
    ]
    return identified + approved


def _item(section: str, practice: Practice, when: datetime, state: str) -> ReportItem:
    return ReportItem(
        section,
        f"portfolio:practice:{practice.id}",
        practice.title,
        url=url_for("portfolio.view", region=practice.region.slug, practice_id=practice.id),
        day=when.date(),
        detail=" · ".join(part for part in (practice.institution, state) if part),
    )
