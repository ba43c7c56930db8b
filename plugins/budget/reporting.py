"""The budget's part of a partner report (the ``report_items`` hook) and what it keeps
of the report's control (the ``report_certified`` hook).

Every expenditure line the partner filed under the period is an item with its
``Expense`` facts, under its cost category; the office and administration flat rate is
listed as what it is (a share of staff costs, never controlled line by line); the
partner's evidence folder is one item whose attachments the controller may download.
Once a report is certified, each of its lines keeps the eligible amount and the reason
for a deduction; a certified line is no longer removed (``partner_views.delete_line``).
"""

from __future__ import annotations

from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from workspace.api import (
    CertifiedLine,
    Expense,
    Partner,
    Period,
    ReportItem,
    User,
    attachments_of,
    db,
    format_number,
    now,
)

from .ledger import HUNDRED, cents, get_settings
from .models import CATEGORY_LABELS, Category, Expenditure, PartnerPlan
from .views import can_read

PREFIX = "budget:expenditure:"


def items(partner: Partner, period: Period, user: User) -> list[ReportItem]:
    if not can_read(user):
        return []
    url = url_for("budget_project.partner_page", partner_id=partner.id)
    lines = db.session.scalars(
        select(Expenditure)
        .where(Expenditure.partner_id == partner.id, Expenditure.period == period.number)
        .order_by(Expenditure.payment_date, Expenditure.id)
    ).all()
    order = {category: n for n, category in enumerate(Category)}
    lines = sorted(lines, key=lambda line: order.get(Category(line.category), 99))
    found = [_line(line, url) for line in lines]
    staff = sum((line.amount_eur for line in lines if line.category == Category.STAFF), Decimal(0))
    if staff:
        rate = get_settings().office_rate
        found.append(
            ReportItem(
                _("Expenditure: %(category)s", category=Category.OFFICE.label),
                f"budget:office:{partner.id}:{period.number}",
                _("Flat rate of %(rate)s %% of staff costs", rate=format_number(rate)),
                url=url,
                detail=_(
                    "EUR %(amount)s, follows the certified staff costs",
                    amount=format_number(cents(staff * rate / HUNDRED)),
                ),
            )
        )
    plan = db.session.get(PartnerPlan, partner.id)
    evidence = plan.evidence_document if plan is not None else None
    files = attachments_of(evidence) if evidence is not None else []
    if files:
        found.append(
            ReportItem(
                _("Evidence"),
                f"budget:evidence:{partner.id}",
                _("Invoices and proofs of payment"),
                url=url_for("documents.view", document_id=evidence.id),
                detail=ngettext(
                    "%(num)d file in the partner's evidence folder",
                    "%(num)d files in the partner's evidence folder",
                    len(files),
                ),
                attachments=tuple(a.id for a in files),
            )
        )
    return found


def _line(line: Expenditure, url: str) -> ReportItem:
    category = str(CATEGORY_LABELS.get(Category(line.category), line.category))
    return ReportItem(
        _("Expenditure: %(category)s", category=category),
        line.ref,
        line.description,
        url=url,
        day=line.payment_date,
        detail=_("invoice %(number)s", number=line.invoice_number or "–"),
        expense=Expense(
            category=category,
            invoice_number=line.invoice_number,
            invoice_date=line.invoice_date,
            payment_date=line.payment_date,
            amount=line.amount + line.vat,
            currency=line.currency,
            rate=line.rate,
            amount_eur=line.amount_eur,
        ),
    )


def certified(partner: Partner, lines: list[CertifiedLine]) -> None:
    """Keep the eligible amount of each of the partner's lines in ``lines``."""
    results = {
        int(line.key[len(PREFIX) :]): line
        for line in lines
        if line.key.startswith(PREFIX) and line.key[len(PREFIX) :].isdigit()
    }
    if not results:
        return
    at = now()
    for expenditure in db.session.scalars(
        select(Expenditure).where(Expenditure.partner_id == partner.id, Expenditure.id.in_(results))
    ):
        result = results[expenditure.id]
        expenditure.eligible_eur = result.eligible_eur
        expenditure.deduction_reason = result.reason
        expenditure.certified_at = at
