"""The whole project's budget page (``/p/budget/``) and the exports, as XLSX or CSV, of
the project and of each partner; ``export_tables`` also feeds a region's archive."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from workspace.api import Action, Partner, can, db, render, to_csv, to_xlsx

from . import chart
from .entries import (
    ERDF_SHARE_HEADING,
    RATE_HEADING,
    budget_header,
    budget_rows,
    expenditure_header,
    expenditure_rows,
    summary_header,
    summary_rows,
)
from .ledger import all_partner_figures, combined, get_settings, today
from .models import Contract, Expenditure
from .views import can_edit, get_partner, project_pages, project_partners, switched_off_regions


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
        switched_off=switched_off_regions(partners),
        figures=figures,
        total=total,
        chart=chart.build(total, on),
        # The project's own warnings, and each partner's overspending, which the
        # project totals can hide.
        warnings=total.warnings(on)
        + [w for p in partners for w in figures[p.id].overspending(p.short_name)],
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


# ---------------------------------------------------------------- exports


def _download(content: str | bytes, filename: str, mimetype: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_KINDS = {"summary", "budget", "expenditure"}


def xlsx_formats() -> dict[str, str]:
    """Number formats by column heading, in the reader's language as the headings are.
    Commission rates have up to six decimals; two would hide what the amounts came from."""
    return {str(RATE_HEADING): "#,##0.0000##", str(ERDF_SHARE_HEADING): "0.00"}


def _sheet_title(kind: str) -> str:
    """The name of an export's sheet, in the reader's language."""
    return {"summary": _("Summary"), "budget": _("Budget"), "expenditure": _("Expenditure")}[kind]


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
        "summary": (summary_header(), summary_rows(partners, figures, total)),
        "budget": (budget_header(), budget_rows(partners, figures)),
        "expenditure": (expenditure_header(), expenditure_rows(lines)),
    }


def _export(partners: list[Partner], stem: str, kind: str, fmt: str) -> Response:
    tables = export_tables(partners)
    stamp = today().strftime("%Y%m%d")
    if fmt == "xlsx":
        sheets = [
            (_sheet_title(name), *tables[name]) for name in ("summary", "budget", "expenditure")
        ]
        return _download(to_xlsx(sheets, xlsx_formats()), f"{stem}-{stamp}.xlsx", XLSX)
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
