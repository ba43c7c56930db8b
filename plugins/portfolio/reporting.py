"""The portfolio's part of a partner report (the ``report_items`` hook): the good
practices the partner identified (submitted to the portfolio) and those approved in
the period."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import select

from workspace.api import (
    Action,
    IndicatorValue,
    Partner,
    Period,
    ReportItem,
    User,
    can,
    db,
    format_day,
)

from .models import IN_PORTFOLIO, Practice, Status


def items(partner: Partner, period: Period, user: User) -> list[ReportItem]:
    start, end = period.moments
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
        _item("Good practices identified", p, found, Status(p.status).label)
        for p, found in ((p, identified_at(p)) for p in practices)
        if start <= found < end
    ]
    approved = [
        _item("Good practices approved", p, p.decided_at, f"approved {format_day(p.decided_at)}")
        for p in practices
        if p.status == Status.APPROVED and p.decided_at and start <= p.decided_at < end
    ]
    return identified + approved


def identified_at(practice: Practice) -> datetime:
    """When the partner identified the practice: when it entered it, or when it was
    approved if that came first (a practice recorded after the fact)."""
    if practice.decided_at is not None and practice.decided_at < practice.created_at:
        return practice.decided_at
    return practice.created_at


def _item(section: str, practice: Practice, when: datetime, state: str) -> ReportItem:
    return ReportItem(
        section,
        f"portfolio:practice:{practice.id}",
        practice.title,
        url=url_for("portfolio.view", region=practice.region.slug, practice_id=practice.id),
        day=when.date(),
        detail=" · ".join(part for part in (practice.institution, state) if part),
    )


def _approved(user: User, period: Period | None) -> list[Practice]:
    query = select(Practice).where(
        Practice.not_trashed(), Practice.status == Status.APPROVED, Practice.decided_at.is_not(None)
    )
    if period is not None:
        start, end = period.moments
        query = query.where(Practice.decided_at >= start, Practice.decided_at < end)
    practices = db.session.scalars(query.order_by(Practice.decided_at)).all()
    return [p for p in practices if can(user, Action.READ, p.region)]


def indicator_values(period: Period | None, user: User) -> list[IndicatorValue]:
    """ "Good practices identified": the approved practices (DOMAIN.md: approval is what
    counts), on the day of the approval, credited to the practice's partner."""
    return [
        IndicatorValue(
            "good_practices",
            f"portfolio:practice:{p.id}",
            p.title,
            p.decided_at.date(),
            url=url_for("portfolio.view", region=p.region.slug, practice_id=p.id),
            detail=" · ".join(
                part for part in (p.institution, f"approved {format_day(p.decided_at)}") if part
            ),
            region=p.region_id,
            partner=p.partner_id,
        )
        for p in _approved(user, period)
    ]


def activities(period: Period, user: User) -> list[ReportItem]:
    """The practices approved in ``period``, for the progress report."""
    return [
        ReportItem(
            "Good practices",
            f"portfolio:practice:{p.id}",
            p.title,
            url=url_for("portfolio.view", region=p.region.slug, practice_id=p.id),
            day=p.decided_at.date(),
            detail=" · ".join(
                part
                for part in (p.institution, p.partner.short_name if p.partner else "", "approved")
                if part
            ),
            region=p.region_id,
        )
        for p in _approved(user, period)
    ]
