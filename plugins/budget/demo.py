"""The budget part of the InterVentures demo.

The eight partners' budgets add up to the project's EUR 1,376,708.00, with public
bodies at EUR 1,194,243.00 and private non-profit ones (CEEI-Burgos, AEBR) at
EUR 182,465.00, so that ERDF at 85 % / 75 % is EUR 1,151,955.30 (83.67 %), as in
DOMAIN.md. Every partner total is whole euros, so its ERDF needs no rounding.
Expenditure is recorded for the first two periods; the first is closed (reported).

These plans are the contracted budgets: each partner's is marked as contracted by the
admin on the project's start. One small modification follows: SODEBUR moves EUR 2,500
of its P2 travel to external services when the Burgos partner meeting of 15 April 2020
is held online.

Idempotent: settings, a partner's plan, its contract and its expenditure are only
created when missing, the modification only with a new contract, and the plugin is
switched on only where nobody has switched it yet.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from workspace.api import (
    DEMO_ADMIN_EMAIL,
    DEMO_REGION_SLUGS,
    Partner,
    Region,
    User,
    db,
    switch_on_once,
)

from .contract import check_change, fix_contract, keep_modification, stored_cells
from .ledger import (
    all_partner_figures,
    cents,
    default_settings,
    eligible_eur,
    erdf_rate,
    get_settings,
    periods,
)
from .models import (
    BudgetSettings,
    Category,
    Contract,
    Expenditure,
    PartnerPlan,
    Payment,
    PlanLine,
)

# short name -> (total budget in EUR, currency of its invoices, units per euro)
BUDGETS = {
    "Pannon EGTC": (312_243, "HUF", Decimal("330.520000")),
    "Unioncamere Lombardia": (176_000, "EUR", Decimal(1)),
    "RARR": (168_000, "PLN", Decimal("4.298500")),
    "CEEI-Burgos": (104_465, "EUR", Decimal(1)),
    "SODEBUR": (152_000, "EUR", Decimal(1)),
    "Klaipėda ID": (148_000, "EUR", Decimal(1)),
    "Klaipėda City": (238_000, "EUR", Decimal(1)),
    "AEBR": (78_000, "EUR", Decimal(1)),
}
# Share of each category's budget per period (four semesters, then the Phase 2 year).
PERIOD_WEIGHTS = [Decimal(w) for w in ("0.18", "0.22", "0.22", "0.22", "0.16")]
SHARES = {
    Category.STAFF: Decimal("0.44"),
    Category.TRAVEL: Decimal("0.14"),
    Category.EQUIPMENT: Decimal("0.02"),
}


def _whole(value: Decimal, step: int = 1) -> Decimal:
    return (value / step).quantize(Decimal(1)) * step


def plan_amounts(total: int, lead: bool) -> dict[tuple[Category, int], Decimal]:
    """A plausible plan adding up to ``total`` with office and administration at 15 %
    of staff: staff in multiples of EUR 20 keep the flat rate in whole euros."""
    total_d = Decimal(total)
    amounts: dict[tuple[Category, int], Decimal] = {}
    numbers = range(1, len(PERIOD_WEIGHTS) + 1)
    staff = _whole(total_d * SHARES[Category.STAFF], 20)
    travel = _whole(total_d * SHARES[Category.TRAVEL])
    for number, weight in zip(numbers, PERIOD_WEIGHTS, strict=True):
        amounts[Category.STAFF, number] = _whole(staff * weight, 20)
        amounts[Category.TRAVEL, number] = _whole(travel * weight)
    amounts[Category.STAFF, 5] += staff - sum(amounts[Category.STAFF, n] for n in numbers)
    amounts[Category.EQUIPMENT, 1] = _whole(total_d * SHARES[Category.EQUIPMENT])
    amounts[Category.PREPARATION, 1] = Decimal(4000 if lead else 1500)
    office = sum(amounts[Category.STAFF, n] for n in numbers) * Decimal("0.15")
    rest = total_d - sum(amounts.values()) - office
    for number, weight in zip(numbers, PERIOD_WEIGHTS, strict=True):
        amounts[Category.EXTERNAL, number] = _whole(rest * weight)
    amounts[Category.EXTERNAL, 5] += rest - sum(amounts[Category.EXTERNAL, n] for n in numbers)
    return {key: value.quantize(Decimal("0.01")) for key, value in amounts.items()}


CONTRACTED_ON = datetime(2019, 8, 1, 9, 0, tzinfo=UTC)
CONTRACT_NOTE = "Subsidy contract: the approved application form"
# Who modifies, when, which cells, and why.
MODIFICATION = (
    "SODEBUR",
    "coordinator@sodebur.example",
    datetime(2020, 4, 20, 10, 30, tzinfo=UTC),
    {("travel", 2): Decimal(-2500), ("external", 2): Decimal(2500)},
    "The partner meeting hosted by Burgos on 15 April 2020 was held online: EUR 2,500 "
    "of the P2 travel budget pays for the online platform and its facilitation instead.",
)

# (period, category, description, share of that period's plan, invoice date, payment date)
SPENDING = [
    (
        1,
        Category.PREPARATION,
        "Preparation lump sum",
        Decimal("1"),
        date(2019, 8, 1),
        date(2019, 9, 30),
    ),
    (
        1,
        Category.STAFF,
        "Staff costs August – October 2019",
        Decimal("0.46"),
        date(2019, 10, 31),
        date(2019, 11, 8),
    ),
    (
        1,
        Category.STAFF,
        "Staff costs November 2019 – January 2020",
        Decimal("0.47"),
        date(2020, 1, 24),
        date(2020, 1, 31),
    ),
    (
        1,
        Category.TRAVEL,
        "Interregional meeting 1, Pécs: travel and hotel",
        Decimal("0.88"),
        date(2019, 10, 18),
        date(2019, 11, 4),
    ),
    (
        1,
        Category.EXTERNAL,
        "Regional situation report: external expertise",
        Decimal("0.80"),
        date(2019, 12, 12),
        date(2020, 1, 10),
    ),
    (
        1,
        Category.EQUIPMENT,
        "Laptop for project management",
        Decimal("0.95"),
        date(2019, 9, 9),
        date(2019, 9, 20),
    ),
    (
        2,
        Category.STAFF,
        "Staff costs February – April 2020",
        Decimal("0.45"),
        date(2020, 4, 30),
        date(2020, 5, 8),
    ),
    (
        2,
        Category.STAFF,
        "Staff costs May – July 2020",
        Decimal("0.31"),
        date(2020, 6, 30),
        date(2020, 7, 6),
    ),
    (
        2,
        Category.TRAVEL,
        "Online partner meeting hosted by Burgos: platform fee",
        Decimal("0.12"),
        date(2020, 4, 10),
        date(2020, 4, 20),
    ),
    (
        2,
        Category.EXTERNAL,
        "Good practice analysis: external expertise",
        Decimal("0.55"),
        date(2020, 6, 15),
        date(2020, 7, 15),
    ),
    (
        3,
        Category.STAFF,
        "Staff costs August 2020 – January 2021",
        Decimal("0.90"),
        date(2021, 1, 25),
        date(2021, 1, 29),
    ),
    (
        3,
        Category.TRAVEL,
        "Interregional meeting 3, Rzeszów: travel and hotel",
        Decimal("0.80"),
        date(2020, 10, 15),
        date(2020, 10, 28),
    ),
    (
        3,
        Category.EXTERNAL,
        "Stakeholder group facilitation",
        Decimal("0.70"),
        date(2020, 11, 20),
        date(2020, 12, 10),
    ),
    (
        4,
        Category.STAFF,
        "Staff costs February – July 2021",
        Decimal("0.92"),
        date(2021, 7, 23),
        date(2021, 7, 30),
    ),
    (
        4,
        Category.TRAVEL,
        "Thematic visit, Klaipėda: travel and hotel",
        Decimal("0.75"),
        date(2021, 5, 20),
        date(2021, 6, 4),
    ),
    (
        4,
        Category.EXTERNAL,
        "Action plan drafting: external expertise",
        Decimal("0.85"),
        date(2021, 6, 30),
        date(2021, 7, 20),
    ),
    (
        5,
        Category.STAFF,
        "Staff costs August 2021 – July 2022 (monitoring)",
        Decimal("0.88"),
        date(2022, 7, 22),
        date(2022, 7, 29),
    ),
    (
        5,
        Category.TRAVEL,
        "Final conference, Brussels: travel and hotel",
        Decimal("0.70"),
        date(2022, 5, 12),
        date(2022, 5, 25),
    ),
]


def _enable_where_never_set() -> None:
    for slug in DEMO_REGION_SLUGS:
        region = db.session.scalar(select(Region).where(Region.slug == slug))
        if region is not None:
            switch_on_once(region, "budget")


def load() -> None:
    _enable_where_never_set()
    if db.session.scalar(select(BudgetSettings)) is None:
        settings = default_settings()
        settings.closed_through = 1
        db.session.add(settings)
        db.session.flush()
    settings = get_settings()
    all_periods = periods(settings)
    admin = db.session.scalar(select(User).where(User.email == DEMO_ADMIN_EMAIL))
    for short_name, (total, currency, rate) in BUDGETS.items():
        partner = db.session.scalar(select(Partner).where(Partner.short_name == short_name))
        if partner is None:
            continue
        amounts = plan_amounts(total, lead=partner.role.value == "lead")
        if db.session.get(PartnerPlan, partner.id) is None:
            plan = PartnerPlan(partner_id=partner.id, version=1)
            plan.lines = [
                PlanLine(category=category.value, period=number, amount=amount)
                for (category, number), amount in sorted(amounts.items())
                if amount
            ]
            db.session.add(plan)
            db.session.flush()
        has_contract = db.session.scalar(
            select(Contract.id).where(Contract.partner_id == partner.id).limit(1)
        )
        if has_contract is None:
            cells = {(c.value, n): amount for (c, n), amount in amounts.items()}
            contract = fix_contract(
                partner, settings, 1, admin, CONTRACT_NOTE, cells=cells, at=CONTRACTED_ON
            )
            if short_name == MODIFICATION[0]:
                _modify(partner, contract, settings, all_periods)
        has_spending = db.session.scalar(
            select(Expenditure.id).where(Expenditure.partner_id == partner.id).limit(1)
        )
        if has_spending is None:
            _spend(partner, amounts, currency, rate, all_periods)
    db.session.flush()
    _pay(settings, all_periods, admin)


# The programme paid the ERDF of P1–P3 (certified in full: the reports demo's deductions
# are all in P4) about three months after each deadline; the lead partner forwarded each
# share two weeks later. Days after a period's report deadline.
PAID_PERIODS = 3
IN_PROGRESS_REPORT, RECEIVED, FORWARDED = 45, 95, 109


def _pay(settings, all_periods, admin) -> None:
    partners = db.session.scalars(select(Partner)).all()
    figures = all_partner_figures(partners, settings)
    for partner in partners:
        if db.session.scalar(select(Payment.id).where(Payment.partner_id == partner.id)):
            continue
        rate = erdf_rate(settings, partner) / 100
        for period in all_periods[:PAID_PERIODS]:
            erdf = cents(figures[partner.id].spent_in(period=period.number) * rate)
            if not erdf:
                continue
            due = period.report_due
            db.session.add(
                Payment(
                    partner_id=partner.id,
                    period=period.number,
                    reported_on=due + timedelta(days=IN_PROGRESS_REPORT),
                    received_eur=erdf,
                    received_on=due + timedelta(days=RECEIVED),
                    forwarded_eur=erdf,
                    forwarded_on=due + timedelta(days=FORWARDED),
                    updated_by_id=admin.id if admin else None,
                )
            )


def _modify(partner, contract, settings, all_periods) -> None:
    """The one recorded modification of the demo, made on the plan as contracted."""
    _, email, when, moves, reason = MODIFICATION
    before = stored_cells(partner)
    after = dict(before)
    for key, difference in moves.items():
        after[key] = after.get(key, Decimal(0)) + difference
    if any(amount < 0 for amount in after.values()):
        return  # a plan changed by hand since: leave it alone
    plan = db.session.get(PartnerPlan, partner.id)
    lines = {(line.category, line.period): line for line in plan.lines}
    for key in moves:
        if key in lines:
            lines[key].amount = after[key]
        else:
            plan.lines.append(PlanLine(category=key[0], period=key[1], amount=after[key]))
    plan.version += 1
    db.session.flush()
    change = check_change(contract, before, after, settings, all_periods)
    who = db.session.scalar(select(User).where(User.email == email))
    keep_modification(partner, change, reason, who, plan.version, at=when)


def _spend(partner, amounts, currency, rate, all_periods) -> None:
    for number, (period, category, description, share, invoiced, paid) in enumerate(SPENDING, 1):
        if period > len(all_periods):
            continue
        eur = cents(amounts.get((category, period), Decimal(0)) * share)
        if not eur:
            continue
        # Lump sums are declared in euro; invoices in the partner's own currency.
        line_currency, line_rate = (
            ("EUR", Decimal(1)) if category is Category.PREPARATION else (currency, rate)
        )
        amount = cents(eur * line_rate)
        db.session.add(
            Expenditure(
                partner_id=partner.id,
                period=period,
                category=category.value,
                description=description,
                invoice_number=f"{partner.country}-{paid.year}-{number:03d}",
                invoice_date=invoiced,
                payment_date=paid,
                amount=amount,
                vat=Decimal("0.00"),
                currency=line_currency,
                rate=line_rate,
                amount_eur=eligible_eur(amount, Decimal("0.00"), line_rate),
            )
        )
