"""Forms of the policy papers: a new paper's title, a step's remarks, an endorsement."""

from __future__ import annotations

from wtforms import StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from workspace.api import DayField, StrippedForm, VersionField, date_example, now


class NewPaperForm(StrippedForm):
    kind = StringField(validators=[Optional()])
    title = StringField(
        "Title",
        validators=[
            DataRequired("Give the paper a title."),
            Length(max=200, message="Keep the title to 200 characters."),
        ],
    )


class StepForm(StrippedForm):
    version = VersionField(validators=[Optional()])
    remarks = TextAreaField(
        "Remarks",
        validators=[Length(max=4000, message="Keep the remarks under 4,000 characters.")],
    )


class TypedDayField(DayField):
    """A day as the person typed it, kept as typed when the form is shown again."""

    def _value(self) -> str:
        return getattr(self, "raw_text", "") or super()._value()


class EndorseForm(StrippedForm):
    version = VersionField(validators=[Optional()])
    endorsed_by = StringField(
        "Endorsed by",
        validators=[
            DataRequired("Say who endorsed it, e.g. the stakeholder group and its meeting."),
            Length(max=300, message="Keep this to 300 characters."),
        ],
    )
    endorsed_on = TypedDayField(
        "Date of the endorsement",
        validators=[InputRequired("Give the day the stakeholder group endorsed it.")],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.endorsed_on.description = f"e.g. {date_example()}"

    def validate_endorsed_on(self, field) -> None:
        if field.data is not None and field.data > now().date():
            raise ValidationError("The endorsement cannot be in the future.")
