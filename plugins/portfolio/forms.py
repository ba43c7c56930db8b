"""Forms of the portfolio: a practice's fields, a rating, a decision, an analysis."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

from .models import SCORES, TOPIC_LABELS, TOPICS

NUTS = _l("NUTS 2 or 3 code, e.g. ES41 or ES412.")
# A NUTS code: the two-letter country code, then up to three letters or digits, one per
# level (HU, HU2, HU23, HU231). The country part is not checked against the country
# field: NUTS writes Greece EL where ISO writes GR.
NUTS_CODE = Regexp(
    r"^[A-Z]{2}[A-Z0-9]{0,3}$",
    message=_l(
        "A NUTS code is a two-letter country code and up to three letters or digits, "
        "e.g. ES41 or HU231."
    ),
)


def _upper(value):
    return value.upper() if isinstance(value, str) else value


class PracticeForm(StrippedForm):
    version = VersionField(validators=[Optional()])
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give the practice a title.")),
            Length(
                max=100, message=_l("Keep the title to 100 characters (the programme's limit).")
            ),
        ],
    )
    institution = StringField(_l("Main institution"), validators=[Length(max=200)])
    country = StringField(
        _l("Country"), validators=[Optional(), COUNTRY], filters=[_upper], description=_l("e.g. ES")
    )
    nuts = StringField(
        _l("NUTS region"), validators=[Optional(), NUTS_CODE], filters=[_upper], description=NUTS
    )
    city = StringField(_l("City"), validators=[Length(max=100)])
    linked_project = StringField(
        _l("Linked to a project"),
        validators=[Length(max=200)],
        description=_l("The project it came from, if any."),
    )
    summary = TextAreaField(
        _l("Short summary"),
        validators=[Length(max=2000, message=_l("Keep the summary under 2,000 characters."))],
    )
    starts_on = DayField(_l("Started"), validators=[Optional()])
    ends_on = DayField(
        _l("Ends"), validators=[Optional()], description=_l("Empty if it is ongoing.")
    )
    website = URLField(
        _l("Website"),
        validators=[
            Optional(),
            URL(message=_l("Enter a full address, starting https://")),
            Length(max=300),
        ],
    )
    contact = StringField(
        _l("Contact"),
        validators=[Length(max=300)],
        description=_l("Name and e-mail; shown only to people signed in to the workspace."),
    )
    topic = ChoiceField(
        _l("Topic"),
        choices=options([("", _l("Choose a topic")), *TOPIC_LABELS.items()]),
    )
    keywords = StringField(
        _l("Keywords"), validators=[Length(max=300)], description=_l("Comma-separated.")
    )

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_("The end date is before the start date."))

    def validate_topic(self, field) -> None:
        if field.data and field.data not in TOPICS:
            raise ValidationError(_("Choose one of the listed topics."))


class RatingForm(StrippedForm):
    score = WholeNumberField(
        _l("Interest"),
        invalid_value_message=_l("A score is 0, 1, 2 or 3."),
        validators=[
            InputRequired(_l("Choose a score from 0 to 3.")),
            NumberRange(0, 3, message=_l("A score is 0, 1, 2 or 3.")),
        ],
    )
    note = StringField(
        _l("Note"), validators=[Length(max=300, message=_l("Keep the note to 300 characters."))]
    )


class DecisionForm(StrippedForm):
    note = TextAreaField(
        _l("Message to the region"),
        validators=[Length(max=2000)],
        description=_l("Required when you return or decline a practice."),
    )


class AnalysisForm(StrippedForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Give the analysis a title.")), Length(max=200)],
        description=_l("e.g. Portfolio analysis of the thematic visit to Burgos"),
    )
    region_id = ChoiceField(_l("Visit hosted by"), coerce=int)
    visit_on = DayField(_l("Date of the visit"), validators=[Optional()])
    practices = MultiChoiceField(
        _l("Practices analysed"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        # InputRequired, not DataRequired: a forged value keeps its own message.
        validators=[InputRequired(_l("Choose at least one practice."))],
    )


def _score_options() -> dict[int | None, Markup]:
    """A rating select's score options for each score it can hold (None: not rated
    yet), each option's title the score's meaning in the reader's language. The
    transfer matrix has a select in each of its hundreds of cells: written out once per
    language, rather than looped over in every cell."""
    # str(): a lazy string counts as markup (its __html__), so Markup.format would not
    # escape a translation.
    choices = [
        (score, _("%(score)d: %(label)s", score=score, label=str(label)))
        for score, label in SCORES.items()
    ]
    return {
        selected: Markup('<option value=""{}>–</option>').format(
            "" if selected is not None else Markup(" selected")
        )
        + Markup("").join(
            Markup('<option value="{}" title="{}" {}>{}</option>').format(
                score, label, "selected" if score == selected else "", score
            )
            for score, label in choices
        )
        for selected in (None, *SCORES)
    }


_SCORE_OPTIONS: dict[str, dict[int | None, Markup]] = {}


def score_options() -> dict[int | None, Markup]:
    """The score options of a rating select (``_score_options``) in the reader's
    language, built once per language."""
    language = str(get_locale() or "en")
    found = _SCORE_OPTIONS.get(language)
    if found is None:
        found = _SCORE_OPTIONS[language] = _score_options()
    return found
