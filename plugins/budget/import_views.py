"""Importing expenditure lines from a CSV file: a preview of every line and what is
wrong with it, read again in another encoding on request, then a confirmation whose
token makes the import happen once."""

from __future__ import annotations

import base64
import secrets
from decimal import Decimal

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workspace.api import (
    ENCODINGS,
    Partner,
    TextFileError,
    db,
    decode,
    format_number,
    number_example,
    record,
    render,
)

from .entries import flag_duplicate_invoices, read_csv
from .ledger import get_settings, periods
from .models import Expenditure, ImportBatch
from .views import get_partner, project_pages, require_edit

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
        return _preview(partner, message=_("Choose a CSV file to import."))
    if len(raw) > MAX_IMPORT_BYTES:
        return _preview(partner, message=_("Import files up to 2 MB; split the file."))
    return _preview(partner, raw, request.form.get("encoding") or None)


@project_pages.post("/partners/<int:partner_id>/import/confirm")
def import_confirm(partner_id: int) -> Response:
    partner = get_partner(partner_id)
    require_edit(partner)
    raw, encoding = _sent_file() or b"", request.form.get("encoding") or None
    token = request.form.get("token", "")
    if not 16 <= len(token) <= 64:
        return _preview(partner, raw, encoding, message=_("Check the file again, then import it."))
    done = db.session.scalar(select(ImportBatch).where(ImportBatch.token == token))
    if done is not None:
        flash(
            ngettext(
                "This %(num)d line was already imported.",
                "These %(num)d lines were already imported.",
                done.lines,
            ),
            "info",
        )
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
        flash(
            ngettext(
                "This %(num)d line was already imported.",
                "These %(num)d lines were already imported.",
                len(rows),
            ),
            "info",
        )
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
    flash(
        ngettext(
            "Imported %(num)d line, EUR %(amount)s in total.",
            "Imported %(num)d lines, EUR %(amount)s in total.",
            len(rows),
            amount=format_number(total),
        ),
        "success",
    )
    return redirect(url_for("budget_project.partner_page", partner_id=partner.id), 303)
