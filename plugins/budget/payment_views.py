"""The payment chain's pages: the project's (``/p/budget/payments``), read by the
consortium, and one period of one partner, which the lead partner's admins keep
(``/p/budget/payments/<partner>/P<n>``): the progress report it went into, the ERDF
received and the ERDF forwarded, each an amount with its day."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from wtforms import StringField

from workspace.api import (
    Action,
    DayField,
    NumberError,
    StrippedForm,
    VersionField,
    can,
    date_example,
    db,
    format_number,
    input_value,
    parse_money,
    periods,
    record,
    render,
    require,
)

from .ledger import get_settings
from .models import Payment
from .payments import chains, totals
from .views import get_partner, project_pages, project_partners

STALE = _l("Someone else saved this payment a moment ago: here it is as it stands now.")


class PaymentForm(StrippedForm):
    version = VersionField()
    reported_on = DayField(_l("Included in the progress report of"))
    received_eur = StringField(_l("ERDF received by the lead partner (EUR)"))
    received_on = DayField(_l("Received on"))
    forwarded_eur = StringField(_l("ERDF forwarded to the partner (EUR)"))
    forwarded_on = DayField(_l("Forwarded on"))


@project_pages.get("/payments")
def payments() -> Response:
    require(Action.READ)
    partners = project_partners()
    links = chains(partners, get_settings())
    per_partner = {p.id: totals(links[p.id]) for p in partners}
    project = totals([link for p in partners for link in links[p.id]])
    cumulative = []
    running = {"planned": Decimal(0), "reported": Decimal(0), "certified": Decimal(0)}
    for period in periods():
        figures = project.by_period.get(period.number)
        for name in running:
            running[name] += getattr(figures, name) if figures else 0
        cumulative.append((period, dict(running)))
    return render(
        "budget/payments.html",
        partners=partners,
        links=links,
        per_partner=per_partner,
        project=project,
        cumulative=cumulative,
        editable=can(current_user, Action.ADMIN),
    )


def _checked(form: PaymentForm, erdf_due: Decimal | None) -> dict | None:
    """The form's values, or None with each field's message set."""
    values = {"reported_on": form.reported_on.data}
    for name in ("received", "forwarded"):
        amount_field, day_field = form[f"{name}_eur"], form[f"{name}_on"]
        amount = None
        if amount_field.data:
            try:
                amount = parse_money(amount_field.data, _("The amount"))
            except NumberError as error:
                amount_field.errors = [str(error)]
        if amount is not None and day_field.data is None and not day_field.errors:
            day_field.errors = [_("Say on which day.")]
        if day_field.data is not None and amount is None and not amount_field.errors:
            amount_field.errors = [_("Say how much.")]
        values[f"{name}_eur"], values[f"{name}_on"] = amount, day_field.data
    received, forwarded = values["received_eur"], values["forwarded_eur"]
    if received is not None and erdf_due is not None and received > erdf_due:
        form.received_eur.errors = [
            _(
                "More than the ERDF due on the certified expenditure (EUR %(amount)s).",
                amount=format_number(erdf_due),
            )
        ]
    if received is not None and erdf_due is None:
        form.received_eur.errors = [_("Nothing is certified for this period yet.")]
    if forwarded is not None and (received is None or forwarded > received):
        form.forwarded_eur.errors = [_("The lead partner forwards at most what it received.")]
    if (
        values["forwarded_on"]
        and values["received_on"]
        and values["forwarded_on"] < values["received_on"]
    ):
        form.forwarded_on.errors = [_("The ERDF is forwarded after it is received.")]
    if any(field.errors for field in form):
        return None
    return values


@project_pages.route("/payments/<int:partner_id>/P<int:number>", methods=["GET", "POST"])
def payment(partner_id: int, number: int) -> Response:
    require(Action.ADMIN)
    partner = get_partner(partner_id)
    link = next(
        (k for k in chains([partner], get_settings())[partner.id] if k.period.number == number),
        None,
    )
    if link is None:
        abort(404)
    saved = link.payment
    form = PaymentForm()
    status = 200
    if form.validate_on_submit():
        values = _checked(form, link.erdf_due)
        if values is not None:
            answer = _save(partner, number, saved, form.version.data, values)
            if answer is None:
                flash(
                    _(
                        "The payments of %(partner)s for %(period)s are saved.",
                        partner=partner.short_name,
                        period=link.period.label,
                    ),
                    "success",
                )
                return redirect(url_for("budget_project.payments") + f"#partner-{partner.id}", 303)
            form.form_errors.append(str(answer))
            status = 409
        else:
            status = 422
    elif form.is_submitted():
        status = 422
    else:
        # The form's own fields, not the CSRF token Flask-WTF adds when protection is on.
        fields = [name for name in form.data if name != "csrf_token"]
        shown = {name: getattr(saved, name) if saved else None for name in fields}
        shown["version"] = saved.version if saved else 0
        for name in ("received_eur", "forwarded_eur"):
            shown[name] = input_value(shown[name]) if shown[name] is not None else ""
        form = PaymentForm(formdata=None, data=shown)
    return render(
        "budget/payment.html",
        form=form,
        link=link,
        partner=partner,
        example=date_example(),
        status=status,
    )


def _save(partner, number: int, saved: Payment | None, version: int, values: dict) -> str | None:
    if saved is None:
        if version != 0:
            return STALE
        saved = Payment(partner_id=partner.id, period=number, version=1, **values)
        saved.updated_by_id = current_user.id
        db.session.add(saved)
    else:
        changed = db.session.execute(
            update(Payment)
            .where(Payment.id == saved.id, Payment.version == version)
            .values(version=version + 1, updated_by_id=current_user.id, **values)
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:
            db.session.rollback()
            return STALE
    record(
        "budget_payment_saved",
        region=partner.region,
        target=f"budget:partner:{partner.id}",
        period=f"P{number}",
        **{name: str(value) if value is not None else "" for name, value in values.items()},
    )
    try:
        db.session.commit()
    except IntegrityError:  # two first saves at once: one is told
        db.session.rollback()
        return STALE
    return None
