"""The indicators' pages (``/p/reports/indicators``), read by the consortium: the
project's figures per period and to date against the targets, each figure's evidence
(the records it counts), the partners' confirmations of suggested values, corrections
by hand (each with its reason, shown wherever the figure is), and the admins' names and
targets. The figures are tallied in ``figures``."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from wtforms import StringField, TextAreaField

from workspace.api import (
    INDICATORS,
    Action,
    Indicator,
    NumberError,
    Partner,
    Period,
    Region,
    StrippedForm,
    VersionField,
    db,
    error_response,
    format_number,
    input_value,
    now,
    parse_number,
    periods,
    record,
    render,
    require,
    to_xlsx,
)

from . import figures, overview
from .access import may_write, require_that
from .models import Confirmation, Correction, IndicatorSetting
from .phrases import PHRASES
from .views import pages

REASON_MAX = 2000
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
STALE = _l("Someone else changed this figure a moment ago: here it is as it stands now.")


def evidence_header() -> tuple[str, ...]:
    """The evidence sheet's headings, in the reader's language."""
    return (
        _("Indicator"),
        _("Day"),
        _("Period"),
        _("Record"),
        _("Detail"),
        _("Partner"),
        _("Amount"),
        _("State"),
        _("Link"),
    )


def chosen_period() -> Period:
    """The period asked for (``?period=N``), else the one running today (the last
    once the project has ended, the first before it starts)."""
    all_periods = periods()
    asked = request.args.get("period", "")
    if asked.isascii() and asked.isdigit() and 1 <= int(asked) <= len(all_periods):
        return all_periods[int(asked) - 1]
    today = overview.today()
    started = [p for p in all_periods if p.start <= today]
    return started[-1] if started else all_periods[0]


def indicator_or_404(key: str) -> Indicator:
    if key not in BY_KEY:
        abort(404)
    return BY_KEY[key]


def partners() -> list[Partner]:
    return overview.ordered(db.session.scalars(select(Partner)).all())


def shown(amount: Decimal, indicator: Indicator) -> str:
    return format_number(amount, places(indicator))


def chosen_scope() -> tuple[str, Partner | Region | None]:
    """The scope asked for (``?scope=region:<slug>`` or ``partner:<id>``), else the
    project; an unknown one is the project too."""
    asked = request.args.get("scope", "")
    kind, __, key = asked.partition(":")
    if kind == "region":
        region = db.session.scalar(select(Region).where(Region.slug == key[:60]))
        if region is not None:
            return asked, region
    if kind == "partner" and key.isascii() and key.isdigit() and len(key) < 9:
        partner = db.session.get(Partner, int(key))
        if partner is not None:
            return asked, partner
    return "", None


@pages.get("/indicators")
def indicators() -> Response:
    require(Action.READ)
    period = chosen_period()
    scope_key, scope = chosen_scope()
    tally = figures.Tally(scope)
    rows = tally.rows(period)
    if scope is not None:  # the targets are the project's
        for row in rows:
            row.target = None
    regions = db.session.scalars(select(Region).order_by(Region.name)).all()
    return render(
        "reports/indicators.html",
        period=period,
        periods=tally.periods,
        rows=rows,
        shown=shown,
        can_admin=current_user.is_admin,
        scope=scope,
        scope_key=scope_key,
        scopes=[("", _("The whole project"))]
        + [(f"region:{r.slug}", _("Region: %(name)s", name=r.name)) for r in regions]
        + [(f"partner:{p.id}", _("Partner: %(name)s", name=p.short_name)) for p in partners()],
    )


@pages.get("/indicators.xlsx")
def indicators_xlsx() -> Response:
    require(Action.READ)
    return spreadsheet(chosen_period())


def spreadsheet(period: Period) -> Response:
    """The indicators of ``period`` as a workbook: the project's figures, each
    partner's, and the evidence with what counted and what was corrected."""
    tally = figures.Tally(None)
    rows = tally.rows(period)
    everyone = partners()
    project = [
        (
            r.name,
            r.counted,
            r.figure,
            r.to_date,
            r.target,
            "; ".join(f"{c.partner.short_name}: {c.reason}" for c in r.corrections),
        )
        for r in rows
    ]
    per_partner = [
        (r.name, *[tally.figure(r.indicator.key, period.number, p.id) for p in everyone])
        for r in rows
    ]
    evidence = [
        (
            figures.names()[c.value.indicator],
            c.value.day,
            f"P{c.period}",
            c.value.title,
            c.value.detail,
            _partner_name(c.partner_id),
            c.value.amount,
            _("counted") if c.counts else _("suggested, not confirmed"),
            request.host_url.rstrip("/") + c.value.url if c.value.url.startswith("/") else "",
        )
        for r in rows
        for c in tally.evidence(r.indicator.key)
        if c.period <= period.number
    ]
    body = to_xlsx(
        [
            (
                _("Indicators %(period)s", period=period.label)[:31],
                (
                    _("Indicator"),
                    _("Counted %(period)s", period=period.label),
                    _("Figure %(period)s", period=period.label),
                    _("To date"),
                    _("Target"),
                    _("Corrections"),
                ),
                project,
            ),
            (
                _("By partner %(period)s", period=period.label)[:31],
                (_("Indicator"), *[p.short_name for p in everyone]),
                per_partner,
            ),
            (
                _("Evidence")[:31],
                evidence_header(),
                evidence,
            ),
        ]
    )
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="indicators-{period.label}.xlsx"'},
    )


def _partner_name(partner_id: int | None) -> str:
    partner = db.session.get(Partner, partner_id) if partner_id is not None else None
    return partner.short_name if partner is not None else ""


@pages.get("/indicators/<key>")
def indicator(key: str) -> Response:
    require(Action.READ)
    return show_indicator(indicator_or_404(key), chosen_period())


def show_indicator(indicator: Indicator, period: Period, status: int = 200) -> Response:
    tally = figures.Tally(None)
    everyone = partners()
    counted = figures.by_partner(tally, indicator.key, period.number)
    lines = [
        {
            "partner": p,
            "counted": counted.get(p.id, Decimal(0)),
            "figure": tally.figure(indicator.key, period.number, p.id),
            "correction": tally.correction(indicator.key, period.number, p.id),
            "can_correct": may_write(current_user, p),
        }
        for p in everyone
    ]
    evidence = tally.evidence(indicator.key, period.number)
    by_id = {p.id: p for p in everyone}
    row = next(r for r in tally.rows(period) if r.indicator.key == indicator.key)
    return render(
        "reports/indicator.html",
        status=status,
        indicator=indicator,
        row=row,
        period=period,
        periods=tally.periods,
        lines=lines,
        unassigned=counted.get(None, Decimal(0)),
        evidence=evidence,
        partner_of=by_id,
        may_confirm={p.id: may_write(current_user, p) for p in everyone},
        shown=shown,
    )


def _value_of(indicator: Indicator, ref: str):
    """The value ``ref`` of ``indicator`` as the current user sees it, or 404."""
    require(Action.READ)
    if not ref:
        abort(error_response(422, _("Choose the record to confirm.")))
    tally = figures.Tally(None)
    found = next((c for c in tally.evidence(indicator.key) if c.value.ref == ref), None)
    if found is None:
        abort(404)
    return found


def _back(indicator: Indicator, period: int) -> Response:
    return redirect(url_for("reports_project.indicator", key=indicator.key, period=period), 303)


@pages.post("/indicators/<key>/confirm")
def confirm(key: str) -> Response:
    """The partner confirms a suggested value (this person's capacity grew): it counts."""
    indicator = indicator_or_404(key)
    found = _value_of(indicator, request.form.get("ref", ""))
    partner = db.session.get(Partner, found.partner_id) if found.partner_id else None
    if partner is None or not found.value.suggested:
        return error_response(422, _("Only a suggestion credited to a partner is confirmed."))
    require_that(may_write(current_user, partner), partner)
    if found.confirmation is None:
        db.session.add(
            Confirmation(
                indicator=indicator.key,
                ref=found.value.ref,
                partner_id=partner.id,
                by_id=current_user.id,
            )
        )
        record(
            "indicator_confirmed",
            phrase=PHRASES["indicator_confirmed"],
            region=partner.region,
            target=found.value.ref,
            indicator=indicator.key,
        )
        try:
            db.session.commit()
        except IntegrityError:  # confirmed by someone else at the same moment
            db.session.rollback()
        flash(
            _(
                "“%(title)s” counts for %(partner)s.",
                title=found.value.title,
                partner=partner.short_name,
            ),
            "success",
        )
    return _back(indicator, found.period)


@pages.post("/indicators/<key>/unconfirm")
def unconfirm(key: str) -> Response:
    indicator = indicator_or_404(key)
    found = _value_of(indicator, request.form.get("ref", ""))
    partner = db.session.get(Partner, found.partner_id) if found.partner_id else None
    if partner is None or found.confirmation is None:
        return error_response(422, _("This value is not a confirmed suggestion."))
    require_that(may_write(current_user, partner), partner)
    db.session.execute(delete(Confirmation).where(Confirmation.id == found.confirmation.id))
    record(
        "indicator_unconfirmed",
        phrase=PHRASES["indicator_unconfirmed"],
        region=partner.region,
        target=found.value.ref,
    )
    db.session.commit()
    flash(
        _("“%(title)s” no longer counts: it is a suggestion again.", title=found.value.title),
        "success",
    )
    return _back(indicator, found.period)


class CorrectionForm(StrippedForm):
    version = VersionField()
    value = StringField(_l("Figure"))
    reason = TextAreaField(_l("Why the counted figure is not right"))


CORRECTION = "/indicators/<key>/P<int:number>/<int:partner_id>/correction"


def _correction_target(key: str, number: int, partner_id: int):
    indicator = indicator_or_404(key)
    all_periods = periods()
    partner = db.session.get(Partner, partner_id)
    if partner is None or not 1 <= number <= len(all_periods):
        abort(404)
    require_that(may_write(current_user, partner), partner)
    return indicator, all_periods[number - 1], partner


@pages.route(CORRECTION, methods=["GET", "POST"])
def correction(key: str, number: int, partner_id: int) -> Response:
    indicator, period, partner = _correction_target(key, number, partner_id)
    tally = figures.Tally(partner)
    counted = tally.counted(indicator.key, period.number, partner.id)
    saved = tally.correction(indicator.key, period.number, partner.id)
    form = CorrectionForm()
    status = 200
    if form.validate_on_submit():
        value = _checked(form, indicator)
        if value is not None:
            answer = _save(indicator, period, partner, saved, form, value, counted)
            if answer is None:
                flash(
                    _(
                        "%(partner)s's figure for “%(indicator)s” in %(period)s is now "
                        "%(value)s (counted %(counted)s).",
                        partner=partner.short_name,
                        indicator=figures.names()[indicator.key],
                        period=period.label,
                        value=shown(value, indicator),
                        counted=shown(counted, indicator),
                    ),
                    "success",
                )
                return _back(indicator, period.number)
            form.form_errors.append(str(answer))
            status = 409
        else:
            status = 422
    elif form.is_submitted():
        status = 422
    else:
        form = CorrectionForm(
            formdata=None,
            data={
                "version": saved.version if saved else 0,
                "value": input_value(saved.value if saved else counted, places(indicator)),
                "reason": saved.reason if saved else "",
            },
        )
    return render(
        "reports/correction.html",
        status=status,
        form=form,
        indicator=indicator,
        name=figures.names()[indicator.key],
        period=period,
        partner=partner,
        counted=counted,
        saved=saved,
        shown=shown,
    )


def places(indicator: Indicator) -> int:
    return 2 if indicator.money else 0


def _checked(form: CorrectionForm, indicator: Indicator) -> Decimal | None:
    value = None
    try:
        value = parse_number(form.value.data, _("The figure"), decimals=places(indicator))
    except NumberError as error:
        form.value.errors = [str(error)]
    reason = (form.reason.data or "").strip()
    if not reason:
        form.reason.errors = [_("Say why: a figure is corrected by hand only with a reason.")]
    elif len(reason) > REASON_MAX:
        form.reason.errors = [
            ngettext("At most %(num)d character.", "At most %(num)d characters.", REASON_MAX)
        ]
    if form.value.errors or form.reason.errors:
        return None
    return value


def _save(indicator, period, partner, saved, form, value, counted) -> str | None:
    version = form.version.data or 0
    reason = form.reason.data.strip()
    if saved is None:
        if version != 0:
            return STALE
        db.session.add(
            Correction(
                indicator=indicator.key,
                partner_id=partner.id,
                period=period.number,
                counted=counted,
                value=value,
                reason=reason,
                by_id=current_user.id,
                version=1,
            )
        )
    else:
        changed = db.session.execute(
            update(Correction)
            .where(Correction.id == saved.id, Correction.version == version)
            .values(
                version=version + 1,
                counted=counted,
                value=value,
                reason=reason,
                by_id=current_user.id,
                at=now(),
            )
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:
            db.session.rollback()
            return STALE
    record(
        "indicator_corrected",
        phrase=PHRASES["indicator_corrected"],
        region=partner.region,
        target=f"partner:{partner.id}",
        indicator=indicator.key,
        period=period.label,
        counted=str(counted),
        value=str(value),
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return STALE
    return None


@pages.post(f"{CORRECTION}/remove")
def remove_correction(key: str, number: int, partner_id: int) -> Response:
    indicator, period, partner = _correction_target(key, number, partner_id)
    version = request.form.get("version", "")
    removed = db.session.execute(
        delete(Correction).where(
            Correction.indicator == indicator.key,
            Correction.partner_id == partner.id,
            Correction.period == period.number,
            Correction.version == (int(version) if version.isdigit() and len(version) < 9 else -1),
        )
    )
    if removed.rowcount != 1:
        db.session.rollback()
        flash(str(STALE), "error")
        return show_indicator(indicator, period, 409)
    record(
        "indicator_correction_removed",
        phrase=PHRASES["indicator_correction_removed"],
        region=partner.region,
        target=f"partner:{partner.id}",
        indicator=indicator.key,
        period=period.label,
    )
    db.session.commit()
    flash(
        _("%(partner)s's figure is counted again, not set by hand.", partner=partner.short_name),
        "success",
    )
    return _back(indicator, period.number)


# ---------------------------------------------------------------------- names and targets


@pages.route("/indicators/settings", methods=["GET", "POST"])
def indicator_settings() -> Response:
    """Names and targets of the indicators, kept by admins. Every line carries the
    version it was shown with; one line changed meanwhile refuses the whole form."""
    require(Action.ADMIN)
    saved = figures.settings()
    errors: dict[str, dict[str, str]] = {}
    typed: dict[str, dict[str, str]] = {}
    status = 200
    if request.method == "POST":
        checked = {}
        for indicator in INDICATORS:
            name = request.form.get(f"{indicator.key}-name", "").strip()
            target_text = request.form.get(f"{indicator.key}-target", "").strip()
            typed[indicator.key] = {"name": name, "target": target_text}
            mine = errors.setdefault(indicator.key, {})
            if not name:
                mine["name"] = _("Give the indicator a name.")
            elif len(name) > 200 or any(ord(c) < 32 for c in name):
                mine["name"] = ngettext(
                    "One line of at most %(num)d character.",
                    "One line of at most %(num)d characters.",
                    200,
                )
            target = None
            if target_text:
                try:
                    target = parse_number(target_text, _("The target"))
                except NumberError as error:
                    mine["target"] = str(error)
            checked[indicator.key] = (name, target)
        errors = {key: e for key, e in errors.items() if e}
        if errors:
            status = 422
        else:
            answer = _save_settings(saved, checked)
            if answer is None:
                flash(_("The indicators' names and targets are saved."), "success")
                return redirect(url_for("reports_project.indicators"), 303)
            flash(answer, "error")
            saved = figures.settings()
            status = 409
    lines = []
    for indicator in INDICATORS:
        setting = saved.get(indicator.key)
        lines.append(
            {
                "indicator": indicator,
                "name": typed.get(indicator.key, {}).get(
                    "name", figures.name_of(indicator, setting)
                ),
                "target": typed.get(indicator.key, {}).get(
                    "target",
                    input_value(setting.target, places(indicator))
                    if setting and setting.target is not None
                    else "",
                ),
                "version": setting.version if setting else 0,
                "errors": errors.get(indicator.key, {}),
            }
        )
    return render("reports/indicator_settings.html", status=status, lines=lines)


def _save_settings(saved: dict[str, IndicatorSetting], checked: dict) -> str | None:
    stale = _("Someone else changed the names or targets a moment ago: here they are now.")
    for indicator in INDICATORS:
        name, target = checked[indicator.key]
        name = figures.own_name(indicator, name)
        posted = request.form.get(f"{indicator.key}-version", "")
        version = int(posted) if posted.isdigit() and len(posted) < 9 else -1
        setting = saved.get(indicator.key)
        if setting is None:
            if version != 0:
                return stale
            db.session.add(
                IndicatorSetting(
                    indicator=indicator.key,
                    name=name,
                    target=target,
                    updated_by_id=current_user.id,
                    version=1,
                )
            )
            continue
        changed = db.session.execute(
            update(IndicatorSetting)
            .where(IndicatorSetting.id == setting.id, IndicatorSetting.version == version)
            .values(name=name, target=target, version=version + 1, updated_by_id=current_user.id)
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:
            db.session.rollback()
            return stale
    record(
        "indicator_targets_saved",
        phrase=PHRASES["indicator_targets_saved"],
        target="reports:indicators",
        **{key: str(target or "") for key, (__, target) in checked.items()},
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return stale
    return None
