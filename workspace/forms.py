"""Forms of the core pages (Flask-WTF: validation messages and the CSRF token)."""

from __future__ import annotations

import re

from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Regexp
from wtforms.widgets import HiddenInput

from .converters import MAX_ID, db_int
from .dates import DateError, parse_date
from .models import LegalStatus, MembershipRole, PartnerRole, User
from .numbers import format_number
from .password_rules import password_refusal

COUNTRY = Regexp(r"^[A-Z]{2}$", message=_l("Use the two-letter country code, e.g. HU."))


def _upper(value: str | None) -> str | None:
    return value.upper() if isinstance(value, str) else value


def labels(members) -> list[tuple[str, LazyString]]:
    """(value, label) pairs of an enum's members (``label`` a property), the labels
    read when shown: in the reader's language, though the form class is made once."""
    return [(m.value, LazyString(lambda m=m: m.label)) for m in members]


def options(pairs) -> list[SelectChoice]:
    """Choices of a select field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _no_control_characters(value: str | None) -> str | None:
    """NUL and other control characters never belong in a form field (and PostgreSQL
    refuses NUL): the field gets a message instead of reaching the database."""
    if isinstance(value, str) and any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValueError(_("Remove the invisible control characters from this field."))
    return value


# Line breaks: CR, LF, NEL and the Unicode line and paragraph separators.
_LINE_BREAKS = frozenset("\r\n\x85\u2028\u2029")


def _one_line(value: str | None) -> str | None:
    """A single-line field holds one line (a browser never sends a line break in one):
    a title with a line break would break a calendar file, a header or a CSV row."""
    if isinstance(value, str) and not _LINE_BREAKS.isdisjoint(value):
        raise ValueError(_("Keep this on one line: remove the line breaks."))
    return value


def _single_line(field_class) -> bool:
    return issubclass(field_class, StringField) and not issubclass(
        field_class, (PasswordField, TextAreaField)
    )


class _Translations:
    """WTForms' own messages ("This field is required.", "Field cannot be longer than
    %(max)d characters.") looked up in the workspace's catalogs, in the language of the
    page (or of ``workspace.i18n.in_language``).

    Flask-WTF's own i18n (``WTF_I18N_ENABLED``) would read WTForms' catalogs instead:
    no Lithuanian there, wordings unlike ours, and cached per request. The messages
    the forms rely on are marked for extraction in ``_wtforms_messages``; ours, given
    to the validators, are translated where they are written (lazily)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = _Translations()


def _wtforms_messages() -> None:  # pragma: no cover - never called
    """WTForms' messages of the validators and fields the core and the plugins use,
    written out so that the catalogs' extraction finds them (``_Translations``)."""
    _("This field is required.")
    _("Invalid input.")
    _("Invalid email address.")
    _("Invalid URL.")
    _("Field must be equal to %(other_name)s.")
    _("Field must be between %(min)d and %(max)d characters long.")
    _("Number must be at least %(min)s.")
    _("Number must be at most %(max)s.")
    _("Number must be between %(min)s and %(max)s.")
    _("Not a valid integer value.")
    _("Not a valid decimal value.")
    _("Not a valid float value.")
    _("Not a valid date value.")
    _("Not a valid datetime value.")
    _("Not a valid choice.")
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    )
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    )
    ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    )


class StrippedForm(FlaskForm):
    """Every field refuses control characters; all but passwords and long texts
    (where spaces can matter, as in Markdown) are stripped, and single-line text fields
    refuse line breaks. A hidden field's error (a damaged or stale form) is shown at
    the top of the form, since the field itself is not on the page. WTForms' own
    messages come from the workspace's catalogs (``_Translations``)."""

    class Meta:
        def get_translations(self, form) -> _Translations:
            return _TRANSLATIONS

        def bind_field(self, form, unbound_field, options):
            own = unbound_field.kwargs.get("filters", ())
            if unbound_field.field_class in (PasswordField, TextAreaField):
                options["filters"] = [_no_control_characters, *own]
            elif _single_line(unbound_field.field_class):
                options["filters"] = [_no_control_characters, _strip, _one_line, *own]
            else:
                options["filters"] = [_no_control_characters, _strip, *own]
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Messages are translated now, as text: a lazy one (a validator's message made
        # at import) would fail where a view joins, compares or stores them.
        self.form_errors = [str(message) for message in self.form_errors]
        for field in self:
            if isinstance(field.errors, list | tuple):
                field.errors = [str(message) for message in field.errors]
            if field.errors and _hidden(field) and field is not getattr(self, "csrf_token", None):
                for message in field.errors:
                    if message not in self.form_errors:
                        self.form_errors.append(message)
        return valid


def _hidden(field) -> bool:
    return isinstance(field.widget, HiddenInput)


CHOOSE = _l("Not a valid choice: choose one of the listed options.")


class ChoiceField(SelectField):
    """A select whose wrong value, typed into a forged request or left by a stale page,
    reads as a human message (never "Invalid Choice: could not coerce."). With
    ``coerce=int`` a value must be written with the digits 0-9 and fit the database."""

    def __init__(self, label=None, validators=None, coerce=str, **kwargs) -> None:
        kwargs.setdefault("invalid_value_message", CHOOSE)
        kwargs.setdefault("invalid_choice_message", CHOOSE)
        super().__init__(label, validators, coerce=db_int if coerce is int else coerce, **kwargs)


class MultiChoiceField(SelectMultipleField):
    """Several choices (checkboxes), with the same human messages as ``ChoiceField``."""

    def __init__(self, label=None, validators=None, coerce=str, **kwargs) -> None:
        kwargs.setdefault("invalid_value_message", CHOOSE)
        kwargs.setdefault("invalid_choice_message", CHOOSE)
        super().__init__(label, validators, coerce=db_int if coerce is int else coerce, **kwargs)


class WholeNumberField(IntegerField):
    """A whole number from 0 to ``MAX_ID`` in the digits 0-9 (surrounding spaces are
    fine). Anything else is a message on the field: never a 500 from the database, and
    never another number ("١٢", "1e3" and "1_000" are refused, not read as 12 or 1000)."""

    message = LazyString(
        lambda: _(
            "Enter a whole number with the digits 0-9, at most %(max)s.",
            max=format_number(MAX_ID, 0),
        )
    )

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        value = valuelist[0]
        try:
            self.data = db_int(value.strip(" \t") if isinstance(value, str) else value)
        except ValueError as error:
            self.data = None
            raise ValueError(str(self.invalid_value_message or self.message)) from error


class VersionField(WholeNumberField):
    """The revision or record version an edit form started from, in a hidden input.

    Always rendered from ``data`` (what the server sets after a conflict), never from
    what was posted. A value that is not a version is a form error shown at the top
    of the form (status 422), so the save is refused rather than compared with a
    number the database cannot hold."""

    widget = HiddenInput()
    message = _l("This form is damaged or out of date: reload the page and make your change again.")

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


def acceptable_password(form: NewPasswordForm, field: PasswordField) -> None:
    """The rule of ``workspace.password_rules``, for the account the form is for."""
    reason = password_refusal(field.data or "", form.account)
    if reason:
        raise ValidationError(reason)


WRONG_LENGTH = _l("E-mail or password is incorrect.")


class LoginForm(StrippedForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    # No real password is longer (the rule allows 1,024): a longer one is not hashed.
    password = PasswordField(
        _l("Password"), validators=[InputRequired(), Length(max=1024, message=WRONG_LENGTH)]
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class NewPasswordForm(StrippedForm):
    """A new password for ``account``: the password rule needs to know whose it is."""

    password = PasswordField(_l("New password"), validators=[InputRequired(), acceptable_password])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

    def __init__(self, *args, account: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.account = account


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired()])


class UserForm(StrippedForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail.")), Length(max=254)],
    )
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    partner_id = ChoiceField(_l("Organisation"), coerce=int)
    is_admin = BooleanField(_l("Administrator (lead partner coordinator)"))


class PartnerForm(StrippedForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[DataRequired(), Length(max=40)])
    country = StringField(_l("Country"), filters=[_upper], validators=[DataRequired(), COUNTRY])
    legal_status = ChoiceField(_l("Legal status"), choices=options(labels(LegalStatus)))
    role = ChoiceField(_l("Role"), choices=options(labels(PartnerRole)))
    region_id = ChoiceField(_l("Region"), coerce=int)


# Region slugs that would be mistaken for another address: /calendar/<token>/mine.ics
# is a person's own calendar feed, not the feed of a region "mine".
RESERVED_SLUGS = frozenset({"mine"})


class RegionForm(StrippedForm):
    slug = StringField(
        _l("Slug (address)"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(
                r"^[a-z][a-z0-9-]*$",
                message=_l("Lower-case letters, digits and hyphens, starting with a letter."),
            ),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    country = StringField(_l("Country"), filters=[_upper], validators=[DataRequired(), COUNTRY])
    nuts2 = StringField(
        _l("NUTS 2 code"),
        filters=[_upper],
        validators=[
            DataRequired(),
            Regexp(r"^[A-Z]{2}[A-Z0-9]{2}$", message=_l("A NUTS 2 code looks like HU23.")),
        ],
    )

    def validate_slug(self, field: StringField) -> None:
        if field.data in RESERVED_SLUGS:
            raise ValidationError(
                _("“%(slug)s” is taken by the workspace's own addresses.", slug=field.data)
            )

    def validate_nuts2(self, field: StringField) -> None:
        country = (self.country.data or "").upper()
        if re.match(r"^[A-Z]{2}$", country) and not field.data.startswith(country):
            raise ValidationError(
                _("A NUTS 2 code of %(country)s starts with %(country)s.", country=country)
            )


class MembershipForm(StrippedForm):
    user_id = ChoiceField(_l("Person"), coerce=int)
    role = ChoiceField(_l("Role"), choices=options(labels(MembershipRole)))


class RoleForm(StrippedForm):
    role = ChoiceField(_l("Role"), choices=options(labels(MembershipRole)))


TITLE_MAX = 200
BODY_MAX = 500_000


class DocumentForm(StrippedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    body = TextAreaField(
        _l("Text (Markdown)"),
        validators=[Length(max=BODY_MAX, message=_l("The text is too long (500,000 characters)."))],
    )


class EditForm(DocumentForm):
    # The revision this form started from, and a token that makes a resubmit harmless.
    base = VersionField(validators=[InputRequired(VersionField.message)])
    save_token = HiddenField(validators=[Length(max=64)])


class NewDocumentForm(DocumentForm):
    region_id = ChoiceField(_l("Where"), coerce=int)


class CommentForm(StrippedForm):
    body = TextAreaField(
        _l("Comment"),
        validators=[DataRequired(message=_l("Write something first.")), Length(max=20_000)],
    )


class DayField(StringField):
    """A day typed as ISO (what a date picker sends) or in the reader's habit:
    15.03.2022, 15/03/2022, 2022. 03. 15. (``workspace.dates.parse_date``). What
    cannot be read is refused with a message naming the forms understood, and stays
    in the field."""

    def process_formdata(self, valuelist) -> None:
        self.raw_text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if self.raw_text:
            try:
                self.data = parse_date(self.raw_text, _("The date"))
            except DateError as error:
                raise ValueError(str(error)) from None

    def _value(self) -> str:
        if self.data is not None:
            return self.data.isoformat()
        return getattr(self, "raw_text", "")
