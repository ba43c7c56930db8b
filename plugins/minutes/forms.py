"""Forms of the minutes plugin. Every message says what to type instead."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)
from wtforms.widgets import HiddenInput

from workspace.api import (
    ChoiceField,
    DayField,
    StrippedForm,
    VersionField,
    WholeNumberField,
    options,
)

from .models import (
    APPROVAL_STATE_LABELS,
    MEETING_KIND_LABELS,
    OUTCOME_KIND_LABELS,
    STAKEHOLDER_KIND_LABELS,
    ApprovalState,
    MeetingKind,
    OutcomeKind,
    StakeholderKind,
)

TIMEZONES = sorted(available_timezones() - {"localtime", "Factory"})
# The time zone a new meeting of a region starts with.
COUNTRY_ZONES = {
    "HU": "Europe/Budapest",
    "IT": "Europe/Rome",
    "PL": "Europe/Warsaw",
    "ES": "Europe/Madrid",
    "LT": "Europe/Vilnius",
    "DE": "Europe/Berlin",
    "BE": "Europe/Brussels",
}
DEFAULT_ZONE = "Europe/Brussels"
DATE_MESSAGE = _l("Enter the date, for example 15.04.2020 or 2020-04-15.")
TIME_MESSAGE = _l("Enter a time as HH:MM, for example 09:30.")
MINUTES_MESSAGE = _l("Enter the length in whole minutes, e.g. 15.")
WEB_ADDRESS_MESSAGE = _l("Enter a full address starting with https://.")


def web_address(form, field: StringField) -> None:
    """A link shown to readers: http or https only (never ``javascript:`` or a file)."""
    if field.data and not field.data.lower().startswith(("https://", "http://")):
        # Stop here: the URL check after it would say the same again.
        raise StopValidation(WEB_ADDRESS_MESSAGE)


class ClockField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(TIME_MESSAGE) from error


class WholeMinutesField(WholeNumberField):
    message = MINUTES_MESSAGE


class MeetingForm(StrippedForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=_l("Give the meeting a title.")), Length(max=200)],
    )
    kind = ChoiceField(
        _l("Kind"), choices=options((k.value, MEETING_KIND_LABELS[k.value]) for k in MeetingKind)
    )
    day = DayField(_l("Date"), validators=[InputRequired(message=DATE_MESSAGE)])
    start = ClockField(_l("Starts"), validators=[InputRequired(message=TIME_MESSAGE)])
    end = ClockField(_l("Ends"), validators=[InputRequired(message=TIME_MESSAGE)])
    timezone = StringField(
        _l("Time zone"),
        validators=[DataRequired(message=_l("Choose a time zone.")), Length(max=64)],
    )
    place = StringField(_l("Place"), validators=[Length(max=200)])
    online_url = StringField(
        _l("Online link"),
        validators=[
            Optional(),
            Length(max=500),
            web_address,
            URL(require_tld=False, message=WEB_ADDRESS_MESSAGE),
        ],
    )
    version = VersionField(validators=[Optional()])

    def validate_timezone(self, field: StringField) -> None:
        if field.data not in TIMEZONES:
            raise ValidationError(_("Choose a time zone from the list, e.g. Europe/Madrid."))

    def validate_end(self, field: ClockField) -> None:
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_("The meeting must end after it starts."))

    def times_utc(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(self.timezone.data)
        start = datetime.combine(self.day.data, self.start.data, tzinfo=zone)
        end = datetime.combine(self.day.data, self.end.data, tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)


class AgendaItemForm(StrippedForm):
    section = StringField(_l("Section"), validators=[Length(max=120)])
    title = StringField(
        _l("Agenda item"),
        validators=[DataRequired(message=_l("Give the agenda item a title.")), Length(max=200)],
    )
    duration_minutes = WholeMinutesField(
        _l("Length (minutes)"),
        default=15,
        validators=[
            InputRequired(message=MINUTES_MESSAGE),
            NumberRange(min=0, max=24 * 60, message=_l("Between 0 and 1440 minutes.")),
        ],
    )
    presenter = StringField(_l("Presenter"), validators=[Length(max=120)])


class NotesForm(StrippedForm):
    """The notes of one agenda item, with the version and the text they were based on:
    a save on an older version is merged with what was saved meanwhile."""

    notes = TextAreaField(_l("Notes"), validators=[Length(max=20_000)])
    version = VersionField(validators=[Optional()])
    # The notes the form was made from, sent back as they were (a hidden input; as a
    # TextAreaField its spaces and line breaks are kept): the base of the merge.
    base = TextAreaField(widget=HiddenInput(), validators=[Length(max=20_000)])


class OutcomeForm(StrippedForm):
    kind = ChoiceField(
        _l("Type"), choices=options((k.value, OUTCOME_KIND_LABELS[k.value]) for k in OutcomeKind)
    )
    text = TextAreaField(
        _l("What"),
        validators=[DataRequired(message=_l("Write the outcome first.")), Length(max=5000)],
    )
    owner_id = ChoiceField(_l("Owner"), coerce=int, default=0)
    due_date = DayField(_l("Due date"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.kind.data == OutcomeKind.ACTION:
            if not self.owner_id.data:
                self.owner_id.errors = [*self.owner_id.errors, _("An action item needs an owner.")]
                valid = False
            if self.due_date.data is None and not self.due_date.errors:
                self.due_date.errors = [
                    *self.due_date.errors,
                    _("An action item needs a due date."),
                ]
                valid = False
        return valid


class OutcomeEditForm(OutcomeForm):
    """An outcome changed after it was added, from the version the page showed."""

    version = VersionField(validators=[Optional()])


class ParticipantForm(StrippedForm):
    user_id = ChoiceField(_l("Person"), coerce=int, default=0)
    stakeholder_id = ChoiceField(_l("Member of the stakeholder group"), coerce=int, default=0)
    partner_id = ChoiceField(_l("Organisation"), coerce=int, default=0)
    guest_name = StringField(_l("Guest name"), validators=[Length(max=120)])
    guest_organisation = StringField(_l("Guest organisation"), validators=[Length(max=200)])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        chosen = [
            bool(self.user_id.data),
            bool(self.stakeholder_id.data),
            bool(self.partner_id.data),
            bool(self.guest_name.data),
        ]
        if sum(chosen) != 1:
            self.form_errors.append(
                _(
                    "Invite one at a time: a person, a member of the stakeholder group, an "
                    "organisation, or a guest by name."
                )
            )
            return False
        return True


class WebinarForm(StrippedForm):
    """A webinar's facts, from the meeting version the page showed."""

    speakers = StringField(
        _l("Speakers"),
        validators=[Length(max=500, message=_l("Keep the speakers under 500 characters."))],
    )
    attendee_count = WholeNumberField(
        _l("Attendees"),
        validators=[
            Optional(),
            NumberRange(max=1_000_000, message=_l("Enter the number of attendees, e.g. 45.")),
        ],
    )
    recording_url = StringField(
        _l("Recording"),
        validators=[
            Optional(),
            Length(max=500, message=_l("Keep the address under 500 characters.")),
            web_address,
            URL(require_tld=False, message=WEB_ADDRESS_MESSAGE),
        ],
    )
    version = VersionField(validators=[Optional()])


STAKEHOLDER_KINDS = options((k.value, STAKEHOLDER_KIND_LABELS[k.value]) for k in StakeholderKind)


class StakeholderForm(StrippedForm):
    """A member of a region's stakeholder group: added, or changed from the version the
    page showed."""

    person = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Write the member's name.")), Length(max=120)],
    )
    organisation = StringField(
        _l("Organisation"),
        validators=[DataRequired(message=_l("Write the member's organisation.")), Length(max=200)],
    )
    kind = ChoiceField(_l("Kind of organisation"), choices=STAKEHOLDER_KINDS)
    position = StringField(_l("Position"), validators=[Length(max=120)])
    email = StringField(
        _l("E-mail (optional)"),
        validators=[
            Optional(),
            Length(max=254),
            Email(
                message=_l("Enter an e-mail address such as name@example.org, or leave it empty.")
            ),
        ],
    )
    joined_on = DayField(_l("Joined on"), validators=[InputRequired(message=DATE_MESSAGE)])
    left_on = DayField(_l("Left on"), validators=[Optional()])
    version = VersionField(validators=[Optional()])

    def validate_left_on(self, field: DayField) -> None:
        if field.data and self.joined_on.data and field.data < self.joined_on.data:
            raise ValidationError(_("A member leaves after joining: check the two dates."))


class LeaveForm(StrippedForm):
    """A member leaves the group on a day, from the version the page showed."""

    left_on = DayField(_l("Left on"), validators=[InputRequired(message=DATE_MESSAGE)])
    version = VersionField(validators=[Optional()])


class ApprovalForm(StrippedForm):
    state = ChoiceField(
        _l("Your word"),
        choices=options((s.value, APPROVAL_STATE_LABELS[s.value]) for s in ApprovalState),
    )
    comment = TextAreaField(_l("Comment"), validators=[Length(max=5000)])

    def validate_comment(self, field: TextAreaField) -> None:
        if self.state.data == ApprovalState.COMMENTED and not (field.data or "").strip():
            raise ValidationError(_("Write the comment your organisation has on the minutes."))


class VersionForm(StrippedForm):
    """A status change: carries the meeting version the page showed."""

    version = VersionField(validators=[Optional()])
    to = HiddenField()


class CancelForm(StrippedForm):
    """Cancelling a meeting: the version the page showed and, optionally, why."""

    version = VersionField(validators=[Optional()])
    reason = StringField(
        _l("Reason (optional)"),
        validators=[Length(max=500, message=_l("Keep the reason under 500 characters."))],
    )
