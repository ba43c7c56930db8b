"""Forms of the action plans: a plan's general information, an action, its monitoring."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from workspace.api import ChoiceField, NumberError, StrippedForm, VersionField, options, parse_money

from .models import INSTRUMENT_KINDS, PROGRESS_LABELS, Progress

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class PlanForm(StrippedForm):
    version = VersionField(validators=[Optional()])
    instrument_name = StringField(
        _l("Name of the policy instrument"),
        validators=[DataRequired(_l("Name the policy instrument.")), Length(max=200)],
        description=_l("e.g. ROP Castilla y León 2014-2020, priority 3"),
    )
    instrument_kind = ChoiceField(
        _l("Kind of instrument"), choices=options(list(INSTRUMENT_KINDS.items()))
    )
    other_partners = StringField(
        _l("Other partner organisations"),
        validators=[Length(max=300)],
        description=_l("For a joint plan; empty otherwise."),
    )
    contact = StringField(_l("Contact person"), validators=[Length(max=300)])
    language = StringField(
        _l("Language of the plan"),
        validators=[
            DataRequired(_l("Say which language the plan is written in.")),
            Length(max=40),
        ],
        description=_l("Plans in another language than English need an English summary."),
    )

    def validate_instrument_kind(self, field) -> None:
        if field.data not in INSTRUMENT_KINDS:
            raise ValidationError(_("Choose one of the three kinds."))


def _month(field) -> None:
    if field.data and not MONTH.match(field.data):
        raise ValidationError(_("Give a month as YYYY-MM, e.g. 2019-03."))


class ActionForm(StrippedForm):
    version = VersionField(validators=[Optional()])
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the action a title.")), Length(max=200)]
    )
    start_month = StringField(_l("Starts (month)"), description=_l("YYYY-MM"))
    end_month = StringField(_l("Ends (month)"), description=_l("YYYY-MM"))
    costs = StringField(_l("Costs (EUR)"), description=_l("Optional; in your number format."))
    funding_sources = StringField(
        _l("Funding sources"), validators=[Length(max=300)], description=_l("Optional.")
    )

    def validate_start_month(self, field) -> None:
        _month(field)

    def validate_end_month(self, field) -> None:
        _month(field)
        if (
            field.data
            and self.start_month.data
            and MONTH.match(self.start_month.data)
            and field.data < self.start_month.data
        ):
            raise ValidationError(_("The end month is before the start month."))

    def validate_costs(self, field) -> None:
        self.cost_value = None
        if field.data:
            try:
                self.cost_value = parse_money(field.data, _("The costs"))
            except NumberError as error:
                raise ValidationError(str(error)) from None


class NewActionForm(StrippedForm):
    title = StringField(
        _l("New action"),
        validators=[DataRequired(_l("Give the action a title.")), Length(max=200)],
    )


class MonitorForm(StrippedForm):
    """An action's Phase 2 state for one reporting period; the view sets the periods
    offered (``monitoring.offered_periods``)."""

    version = VersionField(validators=[Optional()])
    period = ChoiceField(_l("Reporting period"), coerce=int, choices=[])
    progress = ChoiceField(
        _l("State"), choices=options([(p.value, PROGRESS_LABELS[p.value]) for p in Progress])
    )
    reason = TextAreaField(_l("Why it was not implemented"), validators=[Length(max=4000)])
    evidence = TextAreaField(
        _l("Evidence"), validators=[Length(max=8000)], description=_l("What shows the progress.")
    )
    instrument_change = TextAreaField(
        _l("How the policy instrument changed"),
        validators=[Length(max=8000)],
        description=_l(
            "New calls, selection criteria, funds or rules the action brought "
            "into the instrument; empty while nothing changed."
        ),
    )

    def offer(self, periods) -> None:
        self.period.choices = options(
            (
                p.number,
                _("%(period)s (%(span)s) · Phase 1", period=p.label, span=p.span)
                if p.phase == 1
                else f"{p.label} ({p.span})",
            )
            for p in periods
        )

    def validate_progress(self, field) -> None:
        if field.data not in {p.value for p in Progress}:
            raise ValidationError(_("Choose one of the states."))

    def validate_reason(self, field) -> None:
        if self.progress.data == Progress.NOT_IMPLEMENTED.value and not field.data:
            raise ValidationError(_("Say why the action was not implemented."))


__all__ = ["ActionForm", "MonitorForm", "NewActionForm", "Optional", "PlanForm"]
