"""Forms of the portfolio: a practice's fields, a rating, a decision, an analysis."""

from __future__ import annotations

from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
    ValidationError,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from workspace.forms import COUNTRY, StrippedForm, options

from .models import SCORES, TOPICS

NUTS = "NUTS 2 or 3 code, e.g. ES41 or ES412."


def _upper(value):
    return value.upper() if isinstance(value, str) else value


class PracticeForm(StrippedForm):
    version = HiddenField()
    title = StringField(
        "Title",
        validators=[
            DataRequired("Give the practice a title."),
            Length(max=100, message="Keep the title to 100 characters (the programme's limit)."),
        ],
    )
    institution = StringField("Main institution", validators=[Length(max=200)])
    country = StringField(
        "Country", validators=[Optional(), COUNTRY], filters=[_upper], description="e.g. ES"
    )
    nuts = StringField(
        "NUTS region", validators=[Length(max=10)], filters=[_upper], description=NUTS
    )
    city = StringField("City", validators=[Length(max=100)])
    linked_project = StringField(
        "Linked to a project",
        validators=[Length(max=200)],
        description="The project it came from, if any.",
    )
    summary = TextAreaField(
        "Short summary",
        validators=[Length(max=2000, message="Keep the summary under 2,000 characters.")],
    )
    starts_on = DateField("Started", validators=[Optional()])
    ends_on = DateField("Ends", validators=[Optional()], description="Empty if it is ongoing.")
    website = URLField(
        "Website",
        validators=[
            Optional(),
            URL(message="Enter a full address, starting https://"),
            Length(max=300),
        ],
    )
    contact = StringField(
        "Contact",
        validators=[Length(max=300)],
        description="Name and e-mail; shown only to people signed in to the workspace.",
    )
    topic = SelectField(
        "Topic", choices=options([("", "Choose a topic"), *((t, t) for t in TOPICS)])
    )
    keywords = StringField("Keywords", validators=[Length(max=300)], description="Comma-separated.")

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The end date is before the start date.")

    def validate_topic(self, field) -> None:
        if field.data and field.data not in TOPICS:
            raise ValidationError("Choose one of the listed topics.")


class RatingForm(StrippedForm):
    score = IntegerField(
        "Interest",
        validators=[
            InputRequired("Choose a score from 0 to 3."),
            NumberRange(0, 3, message="A score is 0, 1, 2 or 3."),
        ],
    )
    note = StringField(
        "Note", validators=[Length(max=300, message="Keep the note to 300 characters.")]
    )


class DecisionForm(StrippedForm):
    note = TextAreaField(
        "Message to the region",
        validators=[Length(max=2000)],
        description="Required when you return or decline a practice.",
    )


class AnalysisForm(StrippedForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Give the analysis a title."), Length(max=200)],
        description="e.g. Portfolio analysis of the thematic visit to Burgos",
    )
    region_id = SelectField("Visit hosted by", coerce=int)
    visit_on = DateField("Date of the visit", validators=[Optional()])
    practices = SelectMultipleField(
        "Practices analysed",
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[DataRequired("Choose at least one practice.")],
    )


SCORE_CHOICES = [(score, f"{score}: {label}") for score, label in SCORES.items()]
