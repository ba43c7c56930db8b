"""Planning a partner's budget: the grid by cost category and reporting period, saved
as a compare-and-swap on the plan's version; once contracted, a change is a budget
modification (``contract.py``). Also the admin's mark that fixes the plan as the
partner's contracted budget."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from workspace.api import (
    N_,
    Action,
    NumberError,
    Partner,
    StrippedForm,
    can,
    db,
    db_int,
    format_number,
    format_percent,
    input_value,
    parse_money,
    record,
    render,
    require,
)

from .contract import (
    Change,
    can_confirm,
    check_change,
    contract_grid,
    current_contract,
    fix_contract,
    flexibility_limit,
    grid_of,
    keep_modification,
    stored_cells,
    total_of,
)
from .ledger import cents, get_settings, partner_figures, periods
from .models import ENTERED, BudgetSettings, Category, Contract, PartnerPlan, PlanLine
from .partner_views import ContractForm, partner_context
from .views import get_partner, project_pages, require_edit

# ---------------------------------------------------------------- planning


class ModificationForm(StrippedForm):
    """The words beside the plan grid once a partner's budget is contracted."""

    reason = TextAreaField(
        _l("Reason for this modification"),
        validators=[Length(max=2000, message=_l("Keep the reason under 2,000 characters."))],
    )
    confirm = BooleanField(_l("I confirm this change beyond the flexibility"))


def _plan_values(partner: Partner) -> dict[str, str]:
    lines = db.session.scalars(select(PlanLine).where(PlanLine.partner_id == partner.id))
    return {f"{line.category}-{line.period}": input_value(line.amount) for line in lines}


def _read_grid(all_periods, values: dict[str, str], errors: dict[str, str]) -> dict:
    """The amounts typed into the plan grid, read in the reader's format; what was
    typed stays in ``values`` and what cannot be read goes to ``errors``."""
    amounts: dict[tuple[str, int], Decimal] = {}
    for category in ENTERED:
        for p in all_periods:
            key = f"{category.value}-{p.number}"
            values[key] = (request.form.get(key) or "").strip()
            try:
                amounts[category.value, p.number] = parse_money(
                    values[key] or "0",
                    _("%(category)s in %(period)s", category=category.label, period=p.label),
                )
            except NumberError as error:
                errors[key] = str(error)
    return amounts


@project_pages.route("/partners/<int:partner_id>/plan", methods=["GET", "POST"])
def plan(partner_id: int) -> Response:
    """The plan by category and period. A save is a compare-and-swap on the plan's
    version: a save based on an older version answers 409 and keeps what was typed.
    Once the partner's budget is contracted, a save that changes the plan is a budget
    modification (contract.py): it needs a reason, keeps the total unless an admin
    saves, and a change beyond the flexibility needs a coordinator's confirmation."""
    partner = get_partner(partner_id)
    require_edit(partner)
    settings = get_settings()
    all_periods = periods(settings)
    current = db.session.get(PartnerPlan, partner.id)
    version = current.version if current is not None else 1
    contract = current_contract(partner)
    values, errors, status = _plan_values(partner), {}, 200
    form = ModificationForm(formdata=None)
    amounts = stored_cells(partner)
    problems: list[str] = []
    if request.method == "POST":
        form = ModificationForm()
        form.validate()
        amounts = _read_grid(all_periods, values, errors)
        sent = request.form.get("version", type=db_int)
        change = None
        if not errors and contract is not None:
            change = check_change(contract, stored_cells(partner), amounts, settings, all_periods)
            problems = _modification_problems(partner, change, form)
        if errors or any(f.errors for f in form):
            status = 422
        elif sent != version:
            status, version = 409, _stale_plan(partner)
        elif change is not None and not change.changed:
            flash(
                _("Nothing changed in the budget of %(partner)s.", partner=partner.short_name),
                "info",
            )
            return redirect(url_for("budget_project.partner_page", partner_id=partner.id), 303)
        elif problems:
            status = 422
        elif _swap_version(partner, sent):
            _save_plan(partner, amounts)
            if change is None:
                total = partner_figures(partner, settings).total
                record(
                    "budget_plan_saved",
                    region=partner.region,
                    target=f"budget:partner:{partner.id}",
                    phrase=N_("saved"),
                    partner=partner.short_name,
                    total=str(total),
                )
                message = _(
                    "Budget of %(partner)s saved: EUR %(total)s in total.",
                    partner=partner.short_name,
                    total=format_number(total),
                )
            else:
                message = _record_modification(partner, change, form, sent + 1)
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("budget_project.partner_page", partner_id=partner.id), 303)
        else:
            status, version = 409, _stale_plan(partner)
    # What the page shows beside the grid: the typed plan against the contract.
    shown = None
    if contract is not None and not errors:
        shown = check_change(contract, stored_cells(partner), amounts, settings, all_periods)
    return render(
        "budget/plan.html",
        status=status,
        office=_office_row(values, all_periods, settings),
        partner=partner,
        periods=all_periods,
        categories=ENTERED,
        values=values,
        errors=errors,
        version=version,
        settings=settings,
        contract=contract,
        contracted=_contracted_inputs(contract),
        differs=_differing_inputs(contract, amounts) if not errors else set(),
        change=shown,
        limit=flexibility_limit(contract, settings) if contract is not None else None,
        saved_total=total_of(grid_of(stored_cells(partner), settings)),
        typed_total=total_of(grid_of(amounts, settings)) if not errors else None,
        form=form,
        problems=problems,
        may_confirm=can_confirm(current_user, partner),
        is_admin=can(current_user, Action.ADMIN),
    )


def _stale_plan(partner: Partner) -> int:
    """Someone saved in between: say so, and give the form the newest version."""
    db.session.rollback()
    flash(
        _(
            "Someone saved this budget while you were editing it. Your figures are "
            "still in the form: compare them with the current plan, then save again."
        ),
        "error",
    )
    current = db.session.get(PartnerPlan, partner.id)
    return current.version if current is not None else 1


def _contracted_inputs(contract: Contract | None) -> dict[str, Decimal]:
    """The contracted amount of each entered cell, keyed like the grid's inputs."""
    if contract is None:
        return {}
    return {
        f"{line.category}-{line.period}": line.amount
        for line in contract.lines
        if Category(line.category) in ENTERED
    }


def _differing_inputs(contract: Contract | None, amounts: dict) -> set[str]:
    """The grid's inputs whose amount is not the contracted one."""
    if contract is None:
        return set()
    contracted = {(line.category, line.period): line.amount for line in contract.lines}
    return {
        f"{category}-{number}"
        for category, number in set(contracted) | set(amounts)
        if Category(category) in ENTERED
        and amounts.get((category, number), 0) != contracted.get((category, number), 0)
    }


def _modification_problems(partner: Partner, change: Change, form: ModificationForm) -> list[str]:
    """Why a change of a contracted plan cannot be saved as it is (empty: it can)."""
    if not change.changed:
        return []
    problems = []
    if change.total_changed and not can(current_user, Action.ADMIN):
        difference = change.total_after - change.total_before
        problems.append(
            _(
                "The total of %(partner)s would change from EUR %(before)s to EUR %(after)s "
                "(%(difference)s). Only an admin changes a contracted partner's total: move "
                "amounts between categories and periods so that it stays EUR %(before)s "
                "(office and administration follows staff).",
                partner=partner.short_name,
                before=format_number(change.total_before),
                after=format_number(change.total_after),
                difference=("+" if difference > 0 else "−") + format_number(abs(difference)),
            )
        )
    if not (form.reason.data or "").strip():
        form.reason.errors = [_("Give the reason for this modification: it is kept with it.")]
    if change.beyond_flexibility:
        moved = {
            "moved": format_number(change.moved_after),
            "share": format_percent(change.share_after),
            "contracted": format_number(change.contract.total),
            "rate": format_percent(change.rate),
            "limit": format_number(change.limit),
        }
        if not can_confirm(current_user, partner):
            if partner.region is not None:
                problems.append(
                    _(
                        "With this change, EUR %(moved)s (%(share)s) of the contracted "
                        "EUR %(contracted)s would be moved between categories and periods: "
                        "more than the %(rate)s (EUR %(limit)s) allowed without a formal "
                        "modification. Only a coordinator of %(region)s or an admin can "
                        "confirm a change this large: ask them to save it, or move less.",
                        region=partner.region.name,
                        **moved,
                    )
                )
            else:
                problems.append(
                    _(
                        "With this change, EUR %(moved)s (%(share)s) of the contracted "
                        "EUR %(contracted)s would be moved between categories and periods: "
                        "more than the %(rate)s (EUR %(limit)s) allowed without a formal "
                        "modification. Only an admin can confirm a change this large: ask "
                        "them to save it, or move less.",
                        **moved,
                    )
                )
        elif not form.confirm.data:
            problems.append(
                _(
                    "With this change, EUR %(moved)s (%(share)s) of the contracted "
                    "EUR %(contracted)s would be moved between categories and periods: "
                    "more than the %(rate)s (EUR %(limit)s) allowed without a formal "
                    "modification. Tick the box below to confirm it.",
                    **moved,
                )
            )
    return problems


def _record_modification(
    partner: Partner, change: Change, form: ModificationForm, version: int
) -> str:
    """Keep the modification; the message for the person who saved it."""
    keep_modification(
        partner, change, form.reason.data.strip(), current_user._get_current_object(), version
    )
    if change.total_changed:
        return _(
            "Modification of the budget of %(partner)s recorded: EUR %(moved)s moved, "
            "total now EUR %(total)s.",
            partner=partner.short_name,
            moved=format_number(change.moved),
            total=format_number(change.total_after),
        )
    return _(
        "Modification of the budget of %(partner)s recorded: EUR %(moved)s moved.",
        partner=partner.short_name,
        moved=format_number(change.moved),
    )


def _swap_version(partner: Partner, sent: int | None) -> bool:
    """Move the plan from version ``sent`` to the next one, atomically; False when
    someone else saved in between."""
    if sent is None:
        return False
    if db.session.get(PartnerPlan, partner.id) is None:
        db.session.add(PartnerPlan(partner_id=partner.id, version=1))
        try:
            db.session.flush()
        except IntegrityError:
            # A parallel first save made the row: that save came first.
            db.session.rollback()
            return False
    swapped = db.session.execute(
        update(PartnerPlan)
        .where(PartnerPlan.partner_id == partner.id, PartnerPlan.version == sent)
        .values(version=PartnerPlan.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    if swapped.rowcount != 1:
        db.session.rollback()
        return False
    return True


def _save_plan(partner: Partner, amounts: dict[tuple[str, int], Decimal]) -> None:
    existing = {
        (line.category, line.period): line
        for line in db.session.scalars(select(PlanLine).where(PlanLine.partner_id == partner.id))
    }
    for (category, number), amount in amounts.items():
        line = existing.get((category, number))
        if line is None and amount:
            db.session.add(
                PlanLine(partner_id=partner.id, period=number, category=category, amount=amount)
            )
        elif line is not None and line.amount != amount:
            line.amount = amount
    db.session.flush()


def _office_row(values: dict[str, str], all_periods, settings: BudgetSettings) -> dict:
    """Office and administration per period, from the staff amounts in the form."""
    row = {}
    for p in all_periods:
        try:
            staff = parse_money(values.get(f"staff-{p.number}") or "0")
            row[p.number] = cents(staff * settings.office_rate / 100)
        except NumberError:
            row[p.number] = None
    return row


# ---------------------------------------------------------------- the contracted budget


@project_pages.post("/partners/<int:partner_id>/contract")
def mark_contracted(partner_id: int) -> Response:
    """An admin fixes the plan as it stands as the partner's contracted budget: at
    the start, and again after a formal modification approved by the programme."""
    partner = get_partner(partner_id)
    require(Action.ADMIN)
    form = ContractForm()
    settings = get_settings()
    current = db.session.get(PartnerPlan, partner.id)
    version = current.version if current is not None else 1
    status = 422
    if form.validate():
        grid = grid_of(stored_cells(partner), settings)
        existing = current_contract(partner)
        if form.version.data != version:
            status = 409
            flash(
                _(
                    "The plan changed since you opened this page: check it, then mark it as "
                    "contracted again."
                ),
                "error",
            )
        elif not total_of(grid):
            form.note.errors = [
                _("Plan the budget of %(partner)s first.", partner=partner.short_name)
            ]
        elif (
            existing is not None
            and total_of(grid) == existing.total
            and not _differs(existing, grid)
        ):
            form.note.errors = [_("The contracted budget is already this plan.")]
        else:
            made = fix_contract(
                partner,
                settings,
                version,
                current_user._get_current_object(),
                form.note.data or "",
            )
            db.session.commit()
            flash(
                _(
                    "The plan of %(partner)s is its contracted budget now: EUR %(total)s.",
                    partner=partner.short_name,
                    total=format_number(made.total),
                ),
                "success",
            )
            return redirect(url_for("budget_project.partner_page", partner_id=partner.id), 303)
    return render(
        "budget/partner.html",
        status=status,
        **partner_context(partner, contract_form=form),
    )


def _differs(existing: Contract, grid) -> bool:
    old = contract_grid(existing)
    return any(old.get(key, 0) != grid.get(key, 0) for key in set(old) | set(grid))
