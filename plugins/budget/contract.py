"""The contracted budget of a partner, and the budget modifications made to its plan since.

An admin marks a partner's plan as **contracted**: the plan, cell by cell (cost category
x reporting period, office and administration included as computed then), and its total
become the baseline. Each later save of the plan that changes it is a **modification**:
who, when, why, each changed cell before and after, and the total before and after.

**Moved** is what a plan takes out of some cells and puts into others, compared with
another plan (the contracted one, or the plan before a save)::

    moved = (sum over cells of |new - old|  -  |new total - old total|) / 2

When the total stays the same this is half the sum of the absolute differences: a euro
taken from travel in P2 and put into staff in P3 counts once, not twice. A change of the
total is set aside (it is not a move), so adding EUR 500 to one cell moves nothing.
Office and administration counts like any cell, since moving staff moves it too. The
result is always whole cents: the two sums differ by twice the smaller side.

The **flexibility** check compares the plan after a save with the contracted plan, not
with the plan before it: five saves of 5 % each are 25 % moved, as one save would be.
A save needs a coordinator's (or an admin's) confirmation when, after it, more than the
flexibility rate (a setting, 20 % by default) of the contracted total is moved, and it
moves more than was moved before; a save that brings the plan back towards the contract
never does. The total of a contracted partner changes only by an admin's save.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import N_, Action, Partner, User, can, db, record

from .ledger import ZERO, Figures, Grid, cents, percent, plan_grid
from .models import (
    ENTERED,
    BudgetSettings,
    Category,
    Contract,
    ContractLine,
    Modification,
    ModificationCell,
    PlanLine,
)

Cell = tuple[str, int]  # (category key, period number), as the plan grid's inputs


def current_contract(partner: Partner) -> Contract | None:
    """The partner's baseline: its newest contract, or None before any."""
    return db.session.scalar(
        select(Contract)
        .options(selectinload(Contract.lines), selectinload(Contract.contracted_by))
        .where(Contract.partner_id == partner.id)
        .order_by(Contract.contracted_at.desc(), Contract.id.desc())
        .limit(1)
    )


def contracts_count(partner: Partner) -> int:
    ids = db.session.scalars(select(Contract.id).where(Contract.partner_id == partner.id))
    return len(ids.all())


def contract_grid(contract: Contract) -> Grid:
    grid: Grid = {}
    for line in contract.lines:
        key = (Category(line.category), line.period)
        grid[key] = grid.get(key, ZERO) + line.amount
    return grid


def stored_cells(partner: Partner) -> dict[Cell, Decimal]:
    """The entered cells of the partner's plan as stored."""
    lines = db.session.scalars(select(PlanLine).where(PlanLine.partner_id == partner.id))
    return {(line.category, line.period): line.amount for line in lines}


def grid_of(cells: Mapping[Cell, Decimal], settings: BudgetSettings) -> Grid:
    return plan_grid(((c, p, amount) for (c, p), amount in cells.items()), settings)


def total_of(grid: Grid) -> Decimal:
    return sum(grid.values(), ZERO)


def moved(old: Grid, new: Grid) -> Decimal:
    """What ``new`` takes out of some cells of ``old`` and puts into others (see above)."""
    differences = [new.get(key, ZERO) - old.get(key, ZERO) for key in set(old) | set(new)]
    absolute = sum((abs(d) for d in differences), ZERO)
    return (absolute - abs(sum(differences, ZERO))) / 2


def flexibility_limit(contract: Contract, settings: BudgetSettings) -> Decimal:
    """The amount that may be moved from the contracted plan without a formal
    modification, in whole cents (half up)."""
    return cents(contract.total * settings.flexibility_rate / 100)


def fix_contract(
    partner: Partner,
    settings: BudgetSettings,
    version: int,
    user: User | None,
    note: str = "",
    *,
    cells: Mapping[Cell, Decimal] | None = None,
    at: datetime | None = None,
) -> Contract:
    """Make the partner's plan as it stands (or ``cells``) its contracted budget, and
    say so in the activity; the caller commits."""
    grid = grid_of(stored_cells(partner) if cells is None else cells, settings)
    contract = Contract(
        partner_id=partner.id,
        total=total_of(grid),
        plan_version=version,
        note=note,
        contracted_by_id=user.id if user is not None else None,
    )
    if at is not None:
        contract.contracted_at = at
    contract.lines = [
        ContractLine(category=category.value, period=number, amount=amount)
        for (category, number), amount in sorted(grid.items())
        if amount
    ]
    db.session.add(contract)
    db.session.flush()
    event = record(
        "budget_plan_contracted",
        region=partner.region,
        target=f"budget:partner:{partner.id}",
        actor=user,
        phrase=N_("marked as contracted"),
        partner=partner.short_name,
        contract=contract.id,
        total=str(contract.total),
        note=note,
    )
    if at is not None:
        event.created_at = at
    return contract


def can_confirm(user: User, partner: Partner) -> bool:
    """A change beyond the flexibility is confirmed by a coordinator of the partner's
    region or by an admin (the advisory partner, without a region: by an admin)."""
    if can(user, Action.ADMIN):
        return True
    return partner.region is not None and can(user, Action.MANAGE, partner.region)


# ---------------------------------------------------------------- a save, checked


@dataclass
class Change:
    """What a save of the plan grid would do to a contracted partner's plan."""

    contract: Contract
    cells: list[tuple[str, int, Decimal, Decimal]]  # category key, period, before, after
    total_before: Decimal
    total_after: Decimal
    moved: Decimal  # by this save
    moved_before: Decimal  # from the contract, before the save
    moved_after: Decimal  # from the contract, after the save
    limit: Decimal
    rate: Decimal

    @property
    def changed(self) -> bool:
        return bool(self.cells)

    @property
    def total_changed(self) -> bool:
        return self.total_after != self.total_before

    @property
    def share_after(self) -> Decimal | None:
        return percent(self.moved_after, self.contract.total)

    @property
    def beyond_flexibility(self) -> bool:
        return self.moved_after > self.limit and self.moved_after > self.moved_before


def check_change(
    contract: Contract,
    before: Mapping[Cell, Decimal],
    after: Mapping[Cell, Decimal],
    settings: BudgetSettings,
    all_periods,
) -> Change:
    cells = []
    for category in ENTERED:
        for p in all_periods:
            key = (category.value, p.number)
            old, new = before.get(key, ZERO), after.get(key, ZERO)
            if old != new:
                cells.append((category.value, p.number, old, new))
    old_grid, new_grid = grid_of(before, settings), grid_of(after, settings)
    baseline = contract_grid(contract)
    return Change(
        contract=contract,
        cells=cells,
        total_before=total_of(old_grid),
        total_after=total_of(new_grid),
        moved=moved(old_grid, new_grid),
        moved_before=moved(baseline, old_grid),
        moved_after=moved(baseline, new_grid),
        limit=flexibility_limit(contract, settings),
        rate=settings.flexibility_rate,
    )


def keep_modification(
    partner: Partner,
    change: Change,
    reason: str,
    user: User | None,
    version: int,
    *,
    at: datetime | None = None,
) -> Modification:
    """Keep a saved change of a contracted plan with its cells, and in the activity and
    audit trail; the caller has saved the plan and commits. A change beyond the
    flexibility was confirmed by ``user`` (the views check that they may)."""
    confirmed = change.beyond_flexibility
    modification = Modification(
        partner_id=partner.id,
        contract_id=change.contract.id,
        reason=reason,
        total_before=change.total_before,
        total_after=change.total_after,
        moved=change.moved,
        moved_from_contract=change.moved_after,
        confirmed_by_id=user.id if confirmed and user is not None else None,
        plan_version=version,
        created_by_id=user.id if user is not None else None,
    )
    if at is not None:
        modification.created_at = at
    modification.cells = [
        ModificationCell(category=category, period=number, before=before, after=after)
        for category, number, before, after in change.cells
    ]
    db.session.add(modification)
    db.session.flush()
    event = record(
        "budget_plan_modified",
        region=partner.region,
        target=f"budget:partner:{partner.id}",
        actor=user,
        phrase=N_("recorded a modification of"),
        partner=partner.short_name,
        modification=modification.id,
        reason=reason,
        total_before=str(change.total_before),
        total_after=str(change.total_after),
        moved=str(change.moved),
        moved_from_contract=str(change.moved_after),
        confirmed_beyond_flexibility=confirmed,
        cells=[
            {"category": c, "period": n, "before": str(b), "after": str(a)}
            for c, n, b, a in change.cells
        ],
    )
    if at is not None:
        event.created_at = at
    return modification


# ---------------------------------------------------------------- the partner page


@dataclass
class BaselineRow:
    label: str
    key: str
    contracted: Decimal
    current: Decimal

    @property
    def difference(self) -> Decimal:
        return self.current - self.contracted


@dataclass
class Baseline:
    """The contracted budget against the current plan, for the partner page."""

    contract: Contract
    rows: list[BaselineRow]
    total: BaselineRow
    moved: Decimal
    limit: Decimal
    rate: Decimal
    modifications: list[Modification] = field(default_factory=list)
    earlier_contracts: int = 0

    @property
    def share(self) -> Decimal | None:
        return percent(self.moved, self.contract.total)

    @property
    def beyond(self) -> bool:
        return self.moved > self.limit


def baseline(partner: Partner, figures: Figures, settings: BudgetSettings) -> Baseline | None:
    contract = current_contract(partner)
    if contract is None:
        return None
    grid = contract_grid(contract)
    rows = [
        BaselineRow(
            c.label,
            c.value,
            sum((v for (cat, _), v in grid.items() if cat is c), ZERO),
            figures.planned_in(category=c),
        )
        for c in Category
    ]
    modifications = db.session.scalars(
        select(Modification)
        .options(
            selectinload(Modification.cells),
            selectinload(Modification.created_by),
            selectinload(Modification.confirmed_by),
        )
        .where(Modification.contract_id == contract.id)
        .order_by(Modification.created_at.desc(), Modification.id.desc())
    ).all()
    return Baseline(
        contract=contract,
        rows=rows,
        total=BaselineRow(_("Total"), "total", contract.total, figures.total),
        moved=moved(grid, dict(figures.planned)),
        limit=flexibility_limit(contract, settings),
        rate=settings.flexibility_rate,
        modifications=list(modifications),
        earlier_contracts=contracts_count(partner) - 1,
    )
