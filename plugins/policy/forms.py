"""Forms of the policy papers: a new paper's title, a step's remarks, an endorsement."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from workspace.api import DayField, StrippedForm, VersionField, date_example, now


class NewPaperForm(StrippedForm):
    kind = StringField(validators=[Optional()])
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give the paper a title.")),
            Length(max=200, message=_l("Keep the title to 200 characters.")),
        ],
    )


class StepForm(StrippedForm):
    version = VersionField(validators=[Optional()])
    remarks = TextAreaField(
        _l("Remarks"),
        validators=[Length(max=4000, message=_l("Keep the remarks under 4,000 characters."))],
    )


class TypedDayField(DayField):
    """A day as the person typed it, kept as typed when the form is shown again."""

    def _value(self) -> str:
        return getattr(self, "raw_text", "") or super()._value()


class EndorseForm(StrippedForm):
    version = VersionField(validators=[Optional()])
    endorsed_by = StringField(
        _l("Endorsed by"),
        validators=[
            DataRequired(_l("Say who endorsed it, e.g. the stakeholder group and its meeting.")),
            Length(max=300, message=_l("Keep this to 300 characters.")),
        ],
    )
    endorsed_on = TypedDayField(
        _l("Date of the endorsement"),
        validators=[InputRequired(_l("Give the day the stakeholder group endorsed it."))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.endorsed_on.description = _("e.g. %(example)s", example=date_example())

    def validate_endorsed_on(self, field) -> None:
        if field.data is not None and field.data > now().date():
            raise ValidationError(_("The endorsement cannot be in the future."))
