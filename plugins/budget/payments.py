"""The payment chain of each partner and period, after the control: planned, reported
(the expenditure filed), certified (what the controller found eligible, with the office
and administration flat rate on the certified staff costs), the ERDF due on it, the
progress report it went into, the ERDF the lead partner received and what it forwarded.

Rounding as in ``ledger``: the flat rate per partner and period (point 3), the ERDF per
partner and period (point 4); totals add the rounded figures, so they add up across the
partner, region and project views to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from workspace.api import Partner, db

from .ledger import (
    CATEGORY_OF,
    HUNDRED,
    ZERO,
    Period,
    all_partner_figures,
    cents,
    erdf_rate,
    spent_by_cell,
)
from .models import ENTERED, BudgetSettings, Category, Payment


@dataclass(frozen=True)
class Link:
    """One partner's chain for one period."""

    partner: Partner
    period: Period
    planned: Decimal
    reported: Decimal
    certified: Decimal | None  # None until the controller has certified the period
    erdf_due: Decimal | None
    payment: Payment | None

    @property
    def deduction(self) -> Decimal | None:
        return None if self.certified is None else self.reported - self.certified

    @property
    def received(self) -> Decimal | None:
        return self.payment.received_eur if self.payment else None

    @property
    def forwarded(self) -> Decimal | None:
        return self.payment.forwarded_eur if self.payment else None


@dataclass
class Totals:
    planned: Decimal = ZERO
    reported: Decimal = ZERO
    certified: Decimal = ZERO
    erdf_due: Decimal = ZERO
    received: Decimal = ZERO
    forwarded: Decimal = ZERO
    by_period: dict[int, Totals] = field(default_factory=dict)

    def add(self, link: Link, by_period: bool = True) -> None:
        self.planned += link.planned
        self.reported += link.reported
        self.certified += link.certified or ZERO
        self.erdf_due += link.erdf_due or ZERO
        self.received += link.received or ZERO
        self.forwarded += link.forwarded or ZERO
        if by_period:
            self.by_period.setdefault(link.period.number, Totals()).add(link, by_period=False)

    @property
    def deduction(self) -> Decimal:
        certified_reported = sum((t.reported for t in self.by_period.values() if t.certified), ZERO)
        return certified_reported - self.certified

    @property
    def still_to_come(self) -> Decimal:
        """ERDF due on certified expenditure that the lead partner has not received."""
        return self.erdf_due - self.received

    @property
    def to_forward(self) -> Decimal:
        return self.received - self.forwarded


def chains(partners: list[Partner], settings: BudgetSettings) -> dict[int, list[Link]]:
    """Each partner's links, period by period (three queries)."""
    ids = [p.id for p in partners]
    figures = all_partner_figures(partners, settings)
    certified: dict[tuple[int, int], dict[Category, Decimal]] = defaultdict(dict)
    for (partner_id, category_key, number), euro in spent_by_cell(ids, certified=True).items():
        category = CATEGORY_OF.get(category_key)
        if category in ENTERED:
            cell = certified[partner_id, number]
            cell[category] = cell.get(category, ZERO) + euro
    payments = {
        (p.partner_id, p.period): p
        for p in db.session.scalars(select(Payment).where(Payment.partner_id.in_(ids)))
    }
    office = settings.office_rate / HUNDRED
    result: dict[int, list[Link]] = {}
    for partner in partners:
        mine = figures[partner.id]
        rate = erdf_rate(settings, partner) / HUNDRED
        links = []
        for period in mine.periods:
            cell = certified.get((partner.id, period.number))
            total = None
            if cell is not None:
                staff = cell.get(Category.STAFF, ZERO)
                total = sum(cell.values(), ZERO) + cents(staff * office)
            links.append(
                Link(
                    partner,
                    period,
                    mine.planned_in(period=period.number),
                    mine.spent_in(period=period.number),
                    total,
                    None if total is None else cents(total * rate),
                    payments.get((partner.id, period.number)),
                )
            )
        result[partner.id] = links
    return result


def totals(links: list[Link]) -> Totals:
    summed = Totals()
    for link in links:
        summed.add(link)
    return summed
