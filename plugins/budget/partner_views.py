"""One partner's budget page (``/p/budget/partners/<id>``): its figures, the
expenditure lines typed in one by one (add, remove) and the evidence folder where
invoices are attached. ``partner_context`` is everything the page shows; the HTMX
answers and the contract mark (``plan_views``) render from it too."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2_fragments.flask import render_blocks
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length

from workspace.api import (
    Action,
    Partner,
    StrippedForm,
    VersionField,
    attachments_of,
    can,
    create_document,
    db,
    error_response,
    format_number,
    number_example,
    options,
    record,
    render,
    wants_fragment,
)

from . import chart
from .contract import baseline
from .entries import check_line, flag_duplicate_invoices
from .ledger import get_settings, partner_figures, periods, plan_of, today
from .models import ENTERED, Category, Expenditure, PartnerPlan
from .views import NAME, can_edit, get_partner, project_pages, require_edit, switched_on_for


class ExpenditureForm(StrippedForm):
    """Rendering and CSRF only: the checks are ``entries.check_line``, shared with CSV."""

    category = SelectField(
        _l("Category"),
        choices=options([("", _l("Choose…")), *((c.value, c.label) for c in ENTERED)]),
        validate_choice=False,
    )
    description = StringField(_l("Description"))
    invoice_number = StringField(_l("Invoice number"))
    invoice_date = StringField(_l("Invoice date"))
    payment_date = StringField(_l("Payment date"))
    amount = StringField(_l("Amount (net)"))
    vat = StringField(_l("Non-recoverable VAT"), default="0")
    currency = StringField(_l("Currency"), default="EUR")
    rate = StringField(_l("Units per euro"), default="1")
    same_invoice = BooleanField(_l("Record it: this is another line of that invoice"))


class ContractForm(StrippedForm):
    version = VersionField()
    note = StringField(
        _l("Note"),
        validators=[Length(max=200, message=_l("Keep the note under 200 characters."))],
    )


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
    flash(
        _(
            "Recorded EUR %(amount)s for “%(description)s”.",
            amount=format_number(line.amount_eur),
            description=line.description,
        ),
        "success",
    )
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
        return error_response(
            422, _("%(period)s is closed; its lines stay as reported.", period=period.label)
        )
    if line.certified_at is not None:
        return error_response(
            422,
            _(
                "“%(description)s” is certified by the controller; it stays as reported.",
                description=line.description,
            ),
        )
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
    flash(_("Removed “%(description)s”.", description=line.description), "success")
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


def _contract_form(partner: Partner) -> ContractForm:
    current = db.session.get(PartnerPlan, partner.id)
    return ContractForm(formdata=None, version=current.version if current is not None else 1)
