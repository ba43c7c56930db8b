"""Forms of the portfolio: a practice's fields, a rating, a decision, an analysis."""

from __future__ import annotations

from markupsafe import Markup
from wtforms import (
    StringField,
    TextAreaField,
    URLField,
    ValidationError,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.widgets import CheckboxInput, ListWidget

from workspace.api import (
    COUNTRY,
    ChoiceField,
    DayField,
    MultiChoiceField,
    StrippedForm,
    VersionField,
    WholeNumberField,
    options,
)

from .models import SCORES, TOPICS

NUTS = "NUTS 2 or 3 code, e.g. ES41 or ES412."
# A NUTS code: the two-letter country code, then up to three letters or digits, one per
# level (HU, HU2, HU23, HU231). The country part is not checked against the country
# field: NUTS writes Greece EL where ISO writes GR.
NUTS_CODE = Regexp(
    r"^[A-Z]{2}[A-Z0-9]{0,3}$",
    message="A NUTS code is a two-letter country code and up to three letters or digits, "
    "e.g. ES41 or HU231.",
)


def _upper(value):
    return value.upper() if isinstance(value, str) else value


class PracticeForm(StrippedForm):
    version = VersionField(validators=[Optional()])
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
        "NUTS region", validators=[Optional(), NUTS_CODE], filters=[_upper], description=NUTS
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
    starts_on = DayField("Started", validators=[Optional()])
    ends_on = DayField("Ends", validators=[Optional()], description="Empty if it is ongoing.")
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
    topic = ChoiceField(
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
    score = WholeNumberField(
        "Interest",
        invalid_value_message="A score is 0, 1, 2 or 3.",
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
    region_id = ChoiceField("Visit hosted by", coerce=int)
    visit_on = DayField("Date of the visit", validators=[Optional()])
    practices = MultiChoiceField(
        "Practices analysed",
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        # InputRequired, not DataRequired: a forged value keeps its own message.
        validators=[InputRequired("Choose at least one practice.")],
    )


SCORE_CHOICES = [(score, f"{score}: {label}") for score, label in SCORES.items()]
# A rating select's score options for each score it can hold (None: not rated yet).
# The transfer matrix has a select in each of its hundreds of cells: written out once
# here, rather than looped over in every cell.
SCORE_OPTIONS: dict[int | None, Markup] = {
    selected: Markup('<option value=""{}>–</option>').format(
        "" if selected is not None else Markup(" selected")
    )
    + Markup("").join(
        Markup('<option value="{}" title="{}" {}>{}</option>').format(
            score, label, "selected" if score == selected else "", score
        )
        for score, label in SCORE_CHOICES
    )
    for selected in (None, *SCORES)
}
