"""The budget arithmetic: reporting periods, rounding, and what is planned, spent and left.

Money is ``Decimal`` throughout; a float never touches an amount. Rounding is to whole
cents, half up (``cents``), at exactly these points and nowhere else:

1. **Input.** Amounts typed or imported must already be whole cents (more decimals are
   refused, not rounded).
2. **Conversion.** An expenditure line's eligible euro amount is
   ``cents((amount + VAT) / rate)``, computed once when the line is saved and stored.
3. **Flat rate.** Office and administration of a partner in a period is
   ``cents(staff of that partner in that period x flat rate)``, for the plan and for
   the spending alike.
4. **ERDF.** A partner's ERDF is ``cents(partner total x the ERDF rate of its legal
   status)``. The project's ERDF is the sum of the partners' ERDF, never recomputed
   from the project total.
5. **Percentages** (co-financing blend, spend rate) are for display: two decimals,
   half up; no amount is ever derived from a percentage shown.

Every other figure (category, period, partner, region and project totals, remaining
amounts, cumulative curves, exports) is a sum of the cent amounts above, so the
partner views add up to the project view to the cent, in every table and export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Integer, cast, func, select

from workspace.api import LegalStatus, Partner, db, format_number, format_percent
from workspace.api import Period as CalendarPeriod
from workspace.api import periods as project_periods

from .models import ENTERED, BudgetSettings, Category, Expenditure, PartnerPlan, PlanLine

CENT = Decimal("0.01")
# A key as stored -> its Category: Category(key) is slow enough to show on a page that
# reads every partner's plan and spending cells.
CATEGORY_OF = {c.value: c for c in Category}
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    """Round to whole cents, half up (0.005 -> 0.01)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole``, two decimals half up; None when whole is 0."""
    if not whole:
        return None
    return (part * HUNDRED / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def today() -> date:
    """The day the figures are judged against; ``BUDGET_TODAY`` fixes it for tests."""
    fixed = current_app.config.get("BUDGET_TODAY")
    return date.fromisoformat(fixed) if fixed else date.today()


# ---------------------------------------------------------------- settings and periods


def get_settings() -> BudgetSettings:
    """The project's settings row, or unsaved defaults while nobody has saved any."""
    settings = db.session.scalar(select(BudgetSettings).order_by(BudgetSettings.id).limit(1))
    if settings is None:
        settings = default_settings()
    return settings


def default_settings() -> BudgetSettings:
    return BudgetSettings(
        erdf_rate_public=Decimal("85.00"),
        erdf_rate_private=Decimal("75.00"),
        office_rate=Decimal("15.00"),
        closed_through=0,
        version=1,
    )


@dataclass(frozen=True)
class Period(CalendarPeriod):
    """A reporting period of the project's calendar (the core's), and whether the
    budget has closed it: no expenditure is added to a closed period."""

    closed: bool = False


def periods(settings: BudgetSettings, calendar: list[CalendarPeriod] | None = None) -> list[Period]:
    """The project's reporting periods (``calendar``, or the core's calendar as saved),
    closed up to ``settings.closed_through``."""
    return [
        Period(p.number, p.phase, p.start, p.end, p.report_due, p.number <= settings.closed_through)
        for p in (calendar if calendar is not None else project_periods())
    ]


def project_end(settings: BudgetSettings) -> date:
    return periods(settings)[-1].end


def period_of(all_periods: list[Period], day: date) -> Period | None:
    return next((p for p in all_periods if p.contains(day)), None)


def erdf_rate(settings: BudgetSettings, partner: Partner) -> Decimal:
    if partner.legal_status is LegalStatus.PUBLIC:
        return settings.erdf_rate_public
    return settings.erdf_rate_private


def eligible_eur(amount: Decimal, vat: Decimal, rate: Decimal) -> Decimal:
    """Rounding point 2: the euro amount of a line, from its own currency."""
    return cents((amount + vat) / rate)


# ---------------------------------------------------------------- figures


Grid = dict[tuple[Category, int], Decimal]


@dataclass
class Figures:
    """Planned and spent amounts of one partner, or of several added up, by category and
    period; ERDF and contributions already rounded per partner (rounding points 3, 4)."""

    periods: list[Period]
    planned: Grid = field(default_factory=lambda: defaultdict(lambda: ZERO))
    spent: Grid = field(default_factory=lambda: defaultdict(lambda: ZERO))
    erdf_planned: Decimal = ZERO
    erdf_spent: Decimal = ZERO
    public_contribution: Decimal = ZERO
    private_contribution: Decimal = ZERO

    def add(self, other: Figures) -> None:
        for key, value in other.planned.items():
            self.planned[key] += value
        for key, value in other.spent.items():
            self.spent[key] += value
        self.erdf_planned += other.erdf_planned
        self.erdf_spent += other.erdf_spent
        self.public_contribution += other.public_contribution
        self.private_contribution += other.private_contribution

    @staticmethod
    def _sum(grid: Grid, category: Category | None, period: int | None) -> Decimal:
        if category is None and period is None:
            return sum(grid.values(), ZERO)  # the totals: asked for on every row of a page
        return sum(
            (
                value
                for (c, p), value in grid.items()
                if (category is None or c is category) and (period is None or p == period)
            ),
            ZERO,
        )

    def planned_in(self, category: Category | None = None, period: int | None = None) -> Decimal:
        return self._sum(self.planned, category, period)

    def spent_in(self, category: Category | None = None, period: int | None = None) -> Decimal:
        return self._sum(self.spent, category, period)

    @property
    def total(self) -> Decimal:
        return self.planned_in()

    @property
    def total_spent(self) -> Decimal:
        return self.spent_in()

    @property
    def erdf_share(self) -> Decimal | None:
        return percent(self.erdf_planned, self.total)

    @staticmethod
    def _by(grid: Grid, part: int) -> dict:
        """The grid's sums per category (``part`` 0) or per period (1), in one pass:
        a page shows them for every partner."""
        sums: dict = defaultdict(lambda: ZERO)
        for key, value in grid.items():
            sums[key[part]] += value
        return sums

    def category_rows(self) -> list[Row]:
        planned, spent = self._by(self.planned, 0), self._by(self.spent, 0)
        return [Row(c.label, planned[c], spent[c], key=c.value) for c in Category]

    def period_rows(self) -> list[Row]:
        by_planned, by_spent = self._by(self.planned, 1), self._by(self.spent, 1)
        rows, planned, spent = [], ZERO, ZERO
        for p in self.periods:
            row = Row(p.label, by_planned[p.number], by_spent[p.number])
            planned += row.planned
            spent += row.spent
            row.cumulative_planned, row.cumulative_spent, row.period = planned, spent, p
            rows.append(row)
        return rows

    def total_row(self) -> Row:
        return Row(_("Total"), self.total, self.total_spent)

    def time_elapsed(self, on: date) -> Decimal:
        """Share of the project's days gone by on ``on``, in percent."""
        start, end = self.periods[0].start, self.periods[-1].end
        days = (end - start).days + 1
        gone = min(max((on - start).days + 1, 0), days)
        return percent(Decimal(gone), Decimal(days)) or ZERO

    def overspending(self, partner: str = "") -> list[str]:
        """A warning per cost category spent beyond its plan; naming ``partner`` (its
        short name) when given, as the project page lists every partner's."""
        found = []
        for row in self.category_rows():
            if row.spent <= row.planned:
                continue
            amounts = {
                "category": row.label,
                "over": format_number(-row.remaining),
                "spent": format_number(row.spent),
                "planned": format_number(row.planned),
            }
            if partner:
                found.append(
                    _(
                        "%(partner)s: %(category)s is over budget by EUR %(over)s "
                        "(spent EUR %(spent)s of EUR %(planned)s).",
                        partner=partner,
                        **amounts,
                    )
                )
            else:
                found.append(
                    _(
                        "%(category)s is over budget by EUR %(over)s "
                        "(spent EUR %(spent)s of EUR %(planned)s).",
                        **amounts,
                    )
                )
        return found

    def warnings(self, on: date) -> list[str]:
        found = self.overspending()
        for row in self.period_rows():
            if row.period.end < on and row.spent < row.planned:
                found.append(
                    _(
                        "%(period)s (%(span)s) is over and spending is below plan: "
                        "EUR %(spent)s of EUR %(planned)s (%(rate)s).",
                        period=row.label,
                        span=row.period.span,
                        spent=format_number(row.spent),
                        planned=format_number(row.planned),
                        rate=format_percent(row.rate or ZERO),
                    )
                )
        return found


@dataclass
class Row:
    label: str
    planned: Decimal
    spent: Decimal
    key: str = ""
    cumulative_planned: Decimal = ZERO
    cumulative_spent: Decimal = ZERO
    period: Period | None = None

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.spent

    @property
    def rate(self) -> Decimal | None:
        return percent(self.spent, self.planned)

    @property
    def over(self) -> bool:
        return self.spent > self.planned


def plan_grid(
    cells: Iterable[tuple[str, int, Decimal]],
    settings: BudgetSettings,
    all_periods: list[Period] | None = None,
) -> Grid:
    """A plan as a grid: the entered (category, period, amount) cells of known periods,
    and office and administration per period from staff (rounding point 3). The same
    grid serves the figures, the contracted baseline and the check of a plan save."""
    known = {p.number for p in (all_periods or periods(settings))}
    grid: Grid = defaultdict(lambda: ZERO)
    for category_key, number, amount in cells:
        category = CATEGORY_OF[category_key]
        if number in known and category in ENTERED:
            grid[category, number] += amount
    office = settings.office_rate / HUNDRED
    for number in sorted(known):
        grid[Category.OFFICE, number] = cents(grid[Category.STAFF, number] * office)
    return grid


Cell = tuple[str, int, Decimal]  # (category key, period number, amount)


def partner_figures(partner: Partner, settings: BudgetSettings) -> Figures:
    """The figures of one partner."""
    return all_partner_figures([partner], settings)[partner.id]


def all_partner_figures(partners: list[Partner], settings: BudgetSettings) -> dict[int, Figures]:
    """Figures of every partner given, in two queries of the columns the sums need, as
    Core rows: lines as objects, or as ORM rows, cost a dashboard more than the rest."""
    ids = [p.id for p in partners]
    plan: dict[int, list[Cell]] = defaultdict(list)
    lines = PlanLine.__table__.c
    query = select(lines.partner_id, lines.category, lines.period, lines.amount)
    for partner_id, category, period, amount in db.session.execute(
        query.where(lines.partner_id.in_(ids))
    ):
        plan[partner_id].append((category, period, amount))
    spent: dict[int, list[Cell]] = defaultdict(list)
    for (partner_id, category, period), amount in spent_by_cell(ids).items():
        spent[partner_id].append((category, period, amount))
    all_periods = periods(settings)
    return {p.id: _figures(p, settings, all_periods, plan[p.id], spent[p.id]) for p in partners}


def spent_by_cell(
    partner_ids: list[int], certified: bool = False
) -> dict[tuple[int, str, int], Decimal]:
    """Euros spent per (partner, category key, period), exact to the cent; with
    ``certified``, the eligible euros of the lines a controller has certified.

    A database that keeps decimals (PostgreSQL) adds them up itself. SQLite keeps a
    ``Numeric`` as a binary float, so its ``SUM`` would add floats, which is not exact
    to the cent; there each amount (whole cents, so a float within half a cent of
    them) is turned into an integer number of cents first, and the integers added up."""
    lines = Expenditure.__table__.c
    key = (lines.partner_id, lines.category, lines.period)
    query = select(*key).where(lines.partner_id.in_(partner_ids)).group_by(*key)
    amount = lines.amount_eur
    if certified:
        query, amount = query.where(lines.certified_at.is_not(None)), lines.eligible_eur
    if db.session.get_bind().dialect.supports_native_decimal:
        rows = db.session.execute(query.add_columns(func.sum(amount)))
        return {
            (partner_id, category, period): total for partner_id, category, period, total in rows
        }
    in_cents = cast(func.round(amount * 100), Integer)
    rows = db.session.execute(query.add_columns(func.sum(in_cents)))
    return {
        (partner_id, category, period): Decimal(cents_total).scaleb(-2)
        for partner_id, category, period, cents_total in rows
    }


def _figures(
    partner: Partner,
    settings: BudgetSettings,
    all_periods: list[Period],
    plan_cells: list[Cell],
    spent_cells: list[Cell],
) -> Figures:
    """One partner's figures from its plan cells and its spending, summed per cell."""
    figures = Figures(all_periods)
    known = {p.number for p in all_periods}
    figures.planned.update(plan_grid(plan_cells, settings, all_periods))
    for category_key, number, euro in spent_cells:
        category = CATEGORY_OF[category_key]
        if number in known and category in ENTERED:
            figures.spent[category, number] += euro
    office = settings.office_rate / HUNDRED
    for number in sorted(known):
        # Rounding point 3, per partner and period.
        figures.spent[Category.OFFICE, number] = cents(
            figures.spent[Category.STAFF, number] * office
        )
    rate = erdf_rate(settings, partner) / HUNDRED
    figures.erdf_planned = cents(figures.total * rate)  # rounding point 4
    figures.erdf_spent = cents(figures.total_spent * rate)
    contribution = figures.total - figures.erdf_planned
    if partner.legal_status is LegalStatus.PUBLIC:
        figures.public_contribution = contribution
    else:
        figures.private_contribution = contribution
    return figures


def combined(figures: Iterable[Figures], settings: BudgetSettings) -> Figures:
    """Several partners' figures added up (the project or a region)."""
    total = Figures(periods(settings))
    for one in figures:
        total.add(one)
    return total


def plan_of(partner: Partner) -> PartnerPlan:
    plan = db.session.get(PartnerPlan, partner.id)
    if plan is None:
        plan = PartnerPlan(partner_id=partner.id, version=1)
        db.session.add(plan)
    return plan
