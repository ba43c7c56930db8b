"""Pages of the budget plugin.

The project-wide blueprint (``/p/budget/``) holds the whole-project view and one page per
partner, so the advisory partner, which has no region, is reachable like every other.
The region blueprint (``/r/<region>/budget/``) shows the region's partners and links
to their pages. Budgets are read by the consortium (partner staff and admins); a
partner's own editors and coordinators, and admins, change them.

A region's switch changes what the region shows, never the project's record: the
project pages, totals, exports and the project panel always cover every partner, and
every partner's page stays open, whatever the regions have switched (README.md, "When
a region switches Budget off").
"""

from __future__ import annotations

import base64
import secrets
from decimal import Decimal

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from jinja2_fragments.flask import render_blocks
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from workspace.api import (
    ENCODINGS,
    Action,
    DateError,
    NumberError,
    Partner,
    PartnerRole,
    Region,
    StrippedForm,
    TextFileError,
    User,
    VersionField,
    attachments_of,
    can,
    create_document,
    db,
    db_int,
    decode,
    enabled_in,
    error_response,
    format_day,
    format_number,
    format_percent,
    input_value,
    number_example,
    options,
    parse_date,
    parse_money,
    parse_number,
    record,
    render,
    require,
    to_csv,
    to_xlsx,
    wants_fragment,
)

from . import chart
from .contract import (
    Change,
    baseline,
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
from .entries import (
    BUDGET_HEADER,
    EXPENDITURE_HEADER,
    SUMMARY_HEADER,
    budget_rows,
    check_line,
    expenditure_rows,
    flag_duplicate_invoices,
    read_csv,
    summary_rows,
)
from .ledger import (
    all_partner_figures,
    cents,
    combined,
    get_settings,
    partner_figures,
    periods,
    plan_of,
    today,
)
from .models import (
    ENTERED,
    BudgetSettings,
    Category,
    Contract,
    Expenditure,
    ImportBatch,
    PartnerPlan,
    PlanLine,
)

NAME = "budget"

region_pages = Blueprint(NAME, __name__, template_folder="templates")
project_pages = Blueprint(f"{NAME}_project", __name__, template_folder="templates")


# ---------------------------------------------------------------- who may do what


def can_read(user: User) -> bool:
    """Finance data is for the consortium: partner staff read every partner's budget."""
    return can(user, Action.READ, None)


def can_edit(user: User, partner: Partner) -> bool:
    """A partner's own editors and coordinators (in its region; for the advisory
    partner, project-wide) change its budget; admins change every budget."""
    if can(user, Action.ADMIN):
        return True
    return user.partner_id == partner.id and can(user, Action.EDIT, partner.region)


def require_edit(partner: Partner) -> None:
    if not can_edit(current_user, partner):
        require(Action.ADMIN, partner.region)  # records the refusal and answers 403


def project_partners() -> list[Partner]:
    """Every partner of the project, whatever its region has switched: the project's
    budget is the sum of all of them. The lead partner first, the advisory partner
    last, as in the application form."""
    partners = db.session.scalars(select(Partner).order_by(Partner.name)).all()
    order = {PartnerRole.LEAD: 0, PartnerRole.PARTNER: 1, PartnerRole.ADVISORY: 2}
    return sorted(partners, key=lambda p: order[p.role])


def switched_on_for(partner: Partner) -> bool:
    """Whether the partner's region shows the budget (the advisory partner, which has
    no region, always counts as shown)."""
    return partner.region is None or NAME in enabled_in(partner.region)


def region_shown_partners() -> list[Partner]:
    """Partners whose region shows the budget, and those without a region: what
    region-facing lists (search hits) may point at."""
    return [p for p in project_partners() if switched_on_for(p)]


def switched_off_regions() -> list[Region]:
    """Regions with partners where the budget is switched off, for the project page's note."""
    found = {p.region.id: p.region for p in project_partners() if not switched_on_for(p)}
    return sorted(found.values(), key=lambda r: r.name)


def get_partner(partner_id: int) -> Partner:
    """A partner's budget is part of the project's record: its page stays open when
    its region switches the budget off (only the region's own pages are gated)."""
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        abort(404)
    return partner


@region_pages.before_request
def consortium_only() -> None:
    require(Action.READ)


# ---------------------------------------------------------------- forms


class ExpenditureForm(StrippedForm):
    """Rendering and CSRF only: the checks are ``entries.check_line``, shared with CSV."""

    category = SelectField(
        "Category",
        choices=options([("", "Choose…"), *((c.value, c.label) for c in ENTERED)]),
        validate_choice=False,
    )
    description = StringField("Description")
    invoice_number = StringField("Invoice number")
    invoice_date = StringField("Invoice date")
    payment_date = StringField("Payment date")
    amount = StringField("Amount (net)")
    vat = StringField("Non-recoverable VAT", default="0")
    currency = StringField("Currency", default="EUR")
    rate = StringField("Units per euro", default="1")
    same_invoice = BooleanField("Record it: this is another line of that invoice")


class ModificationForm(StrippedForm):
    """The words beside the plan grid once a partner's budget is contracted."""

    reason = TextAreaField(
        "Reason for this modification",
        validators=[Length(max=2000, message="Keep the reason under 2,000 characters.")],
    )
    confirm = BooleanField("I confirm this change beyond the flexibility")


class ContractForm(StrippedForm):
    version = VersionField()
    note = StringField(
        "Note",
        validators=[Length(max=200, message="Keep the note under 200 characters.")],
    )


# ---------------------------------------------------------------- the project


@project_pages.get("/")
def project() -> Response:
    settings = get_settings()
    partners = project_partners()
    figures = all_partner_figures(partners, settings)
    total = combined(figures.values(), settings)
    on = today()
    return render(
        "budget/project.html",
        settings=settings,
        partners=partners,
        switched_off=switched_off_regions(),
        figures=figures,
        total=total,
        chart=chart.build(total, on),
        # The project's own warnings, and each partner's overspending, which the
        # project totals can hide.
        warnings=total.warnings(on)
        + [w for p in partners for w in figures[p.id].overspending(f"{p.short_name}: ")],
        on=on,
        editable={p.id for p in partners if can_edit(current_user, p)},
        is_admin=can(current_user, Action.ADMIN),
        contracted=_contracted_totals(),
    )


def _contracted_totals() -> dict[int, Decimal]:
    """Partner id -> total of its newest contract."""
    rows = db.session.execute(
        select(Contract.partner_id, Contract.total).order_by(Contract.contracted_at, Contract.id)
    )
    return {partner_id: total for partner_id, total in rows}


# ---------------------------------------------------------------- one partner


def partner_context(
    partner: Partner,
    form: ExpenditureForm | None = None,
    contract_form: ContractForm | None = None,
) -> dict:
    settings = get_settings()
    figures = partner_figures(partner, settings)
    lines = db.session.scalars(
        select(Expenditure)
        .where(Expenditure.partner_id == partner.id)
        .order_by(Expenditure.payment_date.desc(), Expenditure.id.desc())
    ).all()
    on = today()
    plan = db.session.get(PartnerPlan, partner.id)
    evidence = plan.evidence_document if plan is not None else None
    if evidence is not None and evidence.deleted_at is not None:
        evidence = None
    return {
        "baseline": baseline(partner, figures, settings),
        "region_off": not switched_on_for(partner),
        "is_admin": can(current_user, Action.ADMIN),
        "evidence": evidence,
        "evidence_files": len(attachments_of(evidence)) if evidence is not None else 0,
        "partner": partner,
        "settings": settings,
        "figures": figures,
        "lines": lines,
        "chart": chart.build(figures, on),
        "warnings": figures.warnings(on),
        "on": on,
        "can_edit": can_edit(current_user, partner),
        "form": form or ExpenditureForm(formdata=None),
        "contract_form": contract_form or _contract_form(partner),
        "open_periods": [p for p in figures.periods if not p.closed],
        "number_example": number_example(),
        "Category": Category,
    }


@project_pages.get("/partners/<int:partner_id>")
def partner_page(partner_id: int) -> Response:
    partner = get_partner(partner_id)
    return render("budget/partner.html", **partner_context(partner))


def _after_change(partner: Partner, blocks: list[str]) -> Response:
    """After a line is added or removed: for HTMX the first of ``blocks`` (the element
    that asked) and the others out of band, so figures, chart and list change in
    place; a redirect for a plain form post."""
    if not wants_fragment():
        return redirect(url_for("budget_project.partner_page", partner_id=partner.id), 303)
    context = partner_context(partner)
    oob = {f"oob_{name}": True for name in blocks[1:]}
    body = render_blocks("budget/partner.html", blocks, **oob, **context)
    if session.get("_flashes"):
        body += render_template("_flash.html", oob=True)
    return Response(body, mimetype="text/html")


@project_pages.post("/partners/<int:partner_id>/expenditure")
def add_line(partner_id: int) -> Response:
    partner = get_partner(partner_id)
    require_edit(partner)
    form = ExpenditureForm()
    checked = check_line(request.form, periods(get_settings()))
    if checked.ok and not form.same_invoice.data:
        flag_duplicate_invoices(partner.id, [checked])
        if checked.warnings:
            # Shown once; ticking the box beside it records the line.
            checked.errors["invoice_number"] = " ".join(checked.warnings)
            form.same_invoice.flags.offered = True
    if not checked.ok:
        for name, message in checked.errors.items():
            form[name].errors = [message]
        return render(
            "budget/partner.html", block="record", status=422, **partner_context(partner, form)
        )
    line = Expenditure(partner_id=partner.id, created_by_id=current_user.id, **checked.values)
    db.session.add(line)
    db.session.flush()
    record(
        "budget_expenditure_added",
        region=partner.region,
        target=f"budget:expenditure:{line.id}",
        partner=partner.short_name,
        amount_eur=str(line.amount_eur),
    )
    db.session.commit()
    flash(f"Recorded EUR {format_number(line.amount_eur)} for “{line.description}”.", "success")
    return _after_change(partner, ["record", "summary", "lines"])


@project_pages.post("/partners/<int:partner_id>/expenditure/<int:line_id>/delete")
def delete_line(partner_id: int, line_id: int) -> Response:
    partner = get_partner(partner_id)
    require_edit(partner)
    line = db.session.get(Expenditure, line_id)
    if line is None or line.partner_id != partner.id:
        abort(404)
    period = next((p for p in periods(get_settings()) if p.number == line.period), None)
    if period is not None and period.closed:
        return error_response(422, f"{period.label} is closed; its lines stay as reported.")
    record(
        "budget_expenditure_deleted",
        region=partner.region,
        target=f"budget:expenditure:{line.id}",
        partner=partner.short_name,
        amount_eur=str(line.amount_eur),
        description=line.description,
    )
    db.session.delete(line)
    db.session.commit()
    flash(f"Removed “{line.description}”.", "success")
    return _after_change(partner, ["lines", "summary"])


@project_pages.post("/partners/<int:partner_id>/evidence")
def evidence(partner_id: int) -> Response:
    """Open the partner's evidence folder: a core document where invoices and proofs
    of payment are attached, with the revisions, comments and search that come with it."""
    partner = get_partner(partner_id)
    require_edit(partner)
    plan = plan_of(partner)
    document = plan.evidence_document
    if document is None or document.deleted_at is not None:
        db.session.flush()
        # Commits the new document together with the plan row it is linked from.
        document = create_document(
            f"Expenditure evidence: {partner.short_name}",
            EVIDENCE_BODY.format(partner=partner.name),
            None,  # project-wide: partner staff read it; a region's stakeholders do not
            current_user,
            plugin=NAME,
        )
        plan.evidence_document_id = document.id
        db.session.commit()
    return redirect(url_for("documents.view", document_id=document.id), 303)


EVIDENCE_BODY = """Invoices and proofs of payment of {partner}, for the controller.

Attach each invoice below, with the invoice number at the start of the file name
(for example `ES-2020-007 hotel Rzeszow.pdf`), so that every expenditure line of the
budget can be matched with its evidence.
"""


# ---------------------------------------------------------------- planning


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
                    values[key] or "0", f"{category.label} in {p.label}"
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
            flash(f"Nothing changed in the budget of {partner.short_name}.", "info")
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
                    phrase="saved",
                    partner=partner.short_name,
                    total=str(total),
                )
                message = (
                    f"Budget of {partner.short_name} saved: EUR {format_number(total)} in total."
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
        "Someone saved this budget while you were editing it. Your figures are "
        "still in the form: compare them with the current plan, then save again.",
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
            f"The total of {partner.short_name} would change from "
            f"EUR {format_number(change.total_before)} to EUR {format_number(change.total_after)} "
            f"({'+' if difference > 0 else '−'}{format_number(abs(difference))}). Only an admin "
            "changes a contracted partner's total: move amounts between categories and periods "
            f"so that it stays EUR {format_number(change.total_before)} (office and "
            "administration follows staff)."
        )
    if not (form.reason.data or "").strip():
        form.reason.errors = ["Give the reason for this modification: it is kept with it."]
    if change.beyond_flexibility:
        moved = (
            f"With this change, EUR {format_number(change.moved_after)} "
            f"({format_percent(change.share_after)}) of the contracted "
            f"EUR {format_number(change.contract.total)} would be moved between categories "
            f"and periods: more than the {format_percent(change.rate)} "
            f"(EUR {format_number(change.limit)}) allowed without a formal modification."
        )
        if not can_confirm(current_user, partner):
            who = "an admin"
            if partner.region is not None:
                who = f"a coordinator of {partner.region.name} or an admin"
            problems.append(
                f"{moved} Only {who} can confirm a change this large: ask them to save it, "
                "or move less."
            )
        elif not form.confirm.data:
            problems.append(f"{moved} Tick the box below to confirm it.")
    return problems


def _record_modification(
    partner: Partner, change: Change, form: ModificationForm, version: int
) -> str:
    """Keep the modification; the message for the person who saved it."""
    keep_modification(
        partner, change, form.reason.data.strip(), current_user._get_current_object(), version
    )
    message = (
        f"Modification of the budget of {partner.short_name} recorded: "
        f"EUR {format_number(change.moved)} moved"
    )
    if change.total_changed:
        message += f", total now EUR {format_number(change.total_after)}"
    return message + "."


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
                "The plan changed since you opened this page: check it, then mark it as "
                "contracted again.",
                "error",
            )
        elif not total_of(grid):
            form.note.errors = [f"Plan the budget of {partner.short_name} first."]
        elif (
            existing is not None
            and total_of(grid) == existing.total
            and not _differs(existing, grid)
        ):
            form.note.errors = ["The contracted budget is already this plan."]
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
                f"The plan of {partner.short_name} is its contracted budget now: "
                f"EUR {format_number(made.total)}.",
                "success",
            )
            return redirect(url_for("budget_project.partner_page", partner_id=partner.id), 303)
    return render(
        "budget/partner.html",
        status=status,
        **partner_context(partner, contract_form=form),
    )


def _contract_form(partner: Partner) -> ContractForm:
    current = db.session.get(PartnerPlan, partner.id)
    return ContractForm(formdata=None, version=current.version if current is not None else 1)


def _differs(existing: Contract, grid) -> bool:
    old = contract_grid(existing)
    return any(old.get(key, 0) != grid.get(key, 0) for key in set(old) | set(grid))


# ---------------------------------------------------------------- CSV import


MAX_IMPORT_BYTES = 2 * 1024 * 1024


def _preview(
    partner: Partner, raw: bytes = b"", encoding: str | None = None, message: str = ""
) -> Response:
    """The preview of an import: each line as it will be stored, and what is wrong.
    The file's bytes travel with the page, so a person can read them again in
    another encoding, and confirm with the token that makes the import happen once."""
    rows, decoded, file_error = [], None, message
    if not file_error:
        try:
            decoded = decode(raw, encoding)
            rows = read_csv(decoded.text, periods(get_settings()))
        except TextFileError as error:
            file_error = str(error)
    flag_duplicate_invoices(partner.id, [row.checked for row in rows if row.checked.ok])
    rejected = [row for row in rows if not row.checked.ok]
    return render(
        "budget/import.html",
        status=422 if (file_error or rejected) else 200,
        partner=partner,
        rows=rows,
        rejected=rejected,
        flagged=[row for row in rows if row.checked.warnings],
        file_error=file_error,
        raw=base64.b64encode(raw).decode("ascii"),
        decoded=decoded,
        encodings=ENCODINGS,
        token=secrets.token_urlsafe(24),
        number_example=number_example(),
        total=sum((row.checked.values.get("amount_eur", 0) for row in rows), Decimal("0.00")),
    )


def _sent_file() -> bytes | None:
    """The file's bytes, from an upload or from the preview page's hidden copy."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.read(MAX_IMPORT_BYTES + 1)
    try:
        return base64.b64decode(request.form.get("raw", ""), validate=True) or None
    except ValueError:
        return None


@project_pages.post("/partners/<int:partner_id>/import")
def import_preview(partner_id: int) -> Response:
    """Show what an uploaded CSV would add; nothing is saved until it is confirmed."""
    partner = get_partner(partner_id)
    require_edit(partner)
    raw = _sent_file()
    if raw is None:
        return _preview(partner, message="Choose a CSV file to import.")
    if len(raw) > MAX_IMPORT_BYTES:
        return _preview(partner, message="Import files up to 2 MB; split the file.")
    return _preview(partner, raw, request.form.get("encoding") or None)


@project_pages.post("/partners/<int:partner_id>/import/confirm")
def import_confirm(partner_id: int) -> Response:
    partner = get_partner(partner_id)
    require_edit(partner)
    raw, encoding = _sent_file() or b"", request.form.get("encoding") or None
    token = request.form.get("token", "")
    if not 16 <= len(token) <= 64:
        return _preview(partner, raw, encoding, message="Check the file again, then import it.")
    done = db.session.scalar(select(ImportBatch).where(ImportBatch.token == token))
    if done is not None:
        flash(f"These {done.lines} lines were already imported.", "info")
        return redirect(url_for("budget_project.partner_page", partner_id=partner.id), 303)
    try:
        decoded = decode(raw, encoding)
        rows = read_csv(decoded.text, periods(get_settings()))
    except TextFileError as error:
        return _preview(partner, raw, encoding, message=str(error))
    if any(not row.checked.ok for row in rows):
        # The file is checked again: a period may have closed since the preview.
        return _preview(partner, raw, encoding)
    total = sum((row.checked.values["amount_eur"] for row in rows), Decimal("0.00"))
    db.session.add(
        ImportBatch(
            token=token,
            partner_id=partner.id,
            lines=len(rows),
            amount_eur=total,
            encoding=decoded.encoding,
            created_by_id=current_user.id,
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        # The same confirmation, sent twice at once: the other one imports.
        db.session.rollback()
        flash(f"These {len(rows)} lines were already imported.", "info")
        return redirect(url_for("budget_project.partner_page", partner_id=partner.id), 303)
    for row in rows:
        db.session.add(
            Expenditure(partner_id=partner.id, created_by_id=current_user.id, **row.checked.values)
        )
    record(
        "budget_expenditure_imported",
        region=partner.region,
        target=f"budget:partner:{partner.id}",
        partner=partner.short_name,
        lines=len(rows),
        amount_eur=str(total),
        encoding=decoded.encoding,
    )
    db.session.commit()
    flash(f"Imported {len(rows)} lines, EUR {format_number(total)} in total.", "success")
    return redirect(url_for("budget_project.partner_page", partner_id=partner.id), 303)


# ---------------------------------------------------------------- exports


def _download(content: str | bytes, filename: str, mimetype: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Commission rates have up to six decimals; two would hide what the amounts came from.
XLSX_FORMATS = {"Rate to EUR": "#,##0.0000##", "ERDF %": "0.00"}
CSV_KINDS = {"summary", "budget", "expenditure"}


def export_tables(partners: list[Partner]) -> dict[str, tuple[list[str], list[list]]]:
    settings = get_settings()
    figures = all_partner_figures(partners, settings)
    total = combined(figures.values(), settings)
    by_id = {p.id: p for p in partners}
    lines = db.session.scalars(
        select(Expenditure)
        .where(Expenditure.partner_id.in_(list(by_id)))
        .order_by(Expenditure.partner_id, Expenditure.payment_date, Expenditure.id)
    ).all()
    lines.sort(
        key=lambda line: (partners.index(by_id[line.partner_id]), line.payment_date, line.id)
    )
    return {
        "summary": (SUMMARY_HEADER, summary_rows(partners, figures, total)),
        "budget": (BUDGET_HEADER, budget_rows(partners, figures)),
        "expenditure": (EXPENDITURE_HEADER, expenditure_rows(lines)),
    }


def _export(partners: list[Partner], stem: str, kind: str, fmt: str) -> Response:
    tables = export_tables(partners)
    stamp = today().strftime("%Y%m%d")
    if fmt == "xlsx":
        sheets = [(name.title(), *tables[name]) for name in ("summary", "budget", "expenditure")]
        return _download(to_xlsx(sheets, XLSX_FORMATS), f"{stem}-{stamp}.xlsx", XLSX)
    if kind not in CSV_KINDS:
        abort(404)
    return _download(to_csv(*tables[kind]), f"{stem}-{kind}-{stamp}.csv", "text/csv")


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "partner"


@project_pages.get("/export.xlsx", defaults={"kind": "all", "fmt": "xlsx"})
@project_pages.get("/export-<kind>.csv", defaults={"fmt": "csv"})
def project_export(kind: str, fmt: str) -> Response:
    return _export(project_partners(), "budget-project", kind, fmt)


@project_pages.get(
    "/partners/<int:partner_id>/export.xlsx", defaults={"kind": "all", "fmt": "xlsx"}
)
@project_pages.get("/partners/<int:partner_id>/export-<kind>.csv", defaults={"fmt": "csv"})
def partner_export(partner_id: int, kind: str, fmt: str) -> Response:
    partner = get_partner(partner_id)
    return _export([partner], f"budget-{_slug(partner.short_name)}", kind, fmt)


# ---------------------------------------------------------------- settings


class SettingsForm(StrippedForm):
    start_date = StringField("Project start")
    phase1_months = StringField("Phase 1 length (months)")
    phase1_period_months = StringField("Phase 1 reporting period (months)")
    phase2_months = StringField("Phase 2 length (months)")
    phase2_period_months = StringField("Phase 2 reporting period (months)")
    erdf_rate_public = StringField("ERDF rate, public bodies (%)")
    erdf_rate_private = StringField("ERDF rate, private non-profit bodies (%)")
    office_rate = StringField("Office and administration (% of staff)")
    flexibility_rate = StringField(
        "Flexibility without a formal modification (% of a partner's contracted budget)"
    )
    closed_through = StringField("Closed periods (reported up to period number)")


MONTH_FIELDS = ("phase1_months", "phase1_period_months", "phase2_months", "phase2_period_months")
RATE_FIELDS = ("erdf_rate_public", "erdf_rate_private", "office_rate", "flexibility_rate")


def _check_settings(form: SettingsForm) -> dict:
    values = {}
    try:
        values["start_date"] = parse_date(form.start_date.data, "The project start")
    except DateError as error:
        form.start_date.errors = [str(error)]
    for name in MONTH_FIELDS:
        text = form[name].data or ""
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 120:
            form[name].errors = ["A whole number of months from 1 to 120."]
        else:
            values[name] = int(text)
    for name in RATE_FIELDS:
        try:
            rate = parse_number(form[name].data, "The rate")
        except NumberError as error:
            form[name].errors = [str(error)]
        else:
            if rate > 100:
                form[name].errors = ["A rate is at most 100 %."]
            values[name] = rate
    text = form.closed_through.data or "0"
    if not (text.isascii() and text.isdigit()):
        form.closed_through.errors = ["A period number, or 0 when none is closed."]
    else:
        values["closed_through"] = int(text)
    return values


@project_pages.route("/settings", methods=["GET", "POST"])
def settings_page() -> Response:
    require(Action.ADMIN)
    settings = get_settings()
    status = 200
    if request.method == "POST":
        form = SettingsForm()
        values = _check_settings(form)
        if not any(f.errors for f in form):
            trial = BudgetSettings(**{**_settings_dict(settings), **values})
            new_periods = periods(trial)
            if values["closed_through"] > len(new_periods):
                form.closed_through.errors = [f"The project has {len(new_periods)} periods."]
            else:
                moved = _repartition(new_periods)
                if moved is not None:
                    form.start_date.errors = [moved]
        if any(f.errors for f in form):
            db.session.rollback()
            status = 422
        else:
            if settings.id is None:
                db.session.add(settings)
            else:
                settings.version += 1
            for name, value in values.items():
                setattr(settings, name, value)
            record(
                "budget_settings_saved",
                target="budget:settings",
                **{k: str(v) for k, v in values.items()},
            )
            db.session.commit()
            flash("Budget settings saved.", "success")
            return redirect(url_for("budget_project.settings_page"), 303)
    else:
        shown = _settings_dict(settings)
        # What the form shows is read back in the same format: 85,00 for an Italian.
        shown.update({name: input_value(shown[name]) for name in RATE_FIELDS})
        shown["start_date"] = shown["start_date"].isoformat()
        form = SettingsForm(formdata=None, data=shown)
    return render(
        "budget/settings.html",
        status=status,
        form=form,
        periods=periods(settings),
        settings=settings,
    )


def _settings_dict(settings: BudgetSettings) -> dict:
    names = ("start_date", *MONTH_FIELDS, *RATE_FIELDS, "closed_through")
    return {name: getattr(settings, name) for name in names}


def _repartition(new_periods) -> str | None:
    """Put every expenditure line in its period under the new calendar; a message when
    a line would fall outside the project."""
    start, end = new_periods[0].start, new_periods[-1].end
    for line in db.session.scalars(select(Expenditure)):
        found = next((p for p in new_periods if p.contains(line.payment_date)), None)
        if found is None:
            return (
                f"Expenditure paid on {format_day(line.payment_date)} would fall outside the "
                f"project ({format_day(start)} – {format_day(end)})."
            )
        line.period = found.number
    return None


# ---------------------------------------------------------------- a region


@region_pages.get("/")
def index() -> Response:
    region: Region = g.region
    settings = get_settings()
    partners = list(region.partners)
    figures = all_partner_figures(partners, settings)
    total = combined(figures.values(), settings)
    on = today()
    return render(
        "budget/region.html",
        region=region,
        partners=partners,
        figures=figures,
        total=total,
        chart=chart.build(total, on),
        on=on,
        editable={p.id for p in partners if can_edit(current_user, p)},
    )
