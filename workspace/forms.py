"""Forms of the core pages (Flask-WTF: validation messages and the CSRF token)."""

from __future__ import annotations

import re

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Regexp
from wtforms.widgets import HiddenInput

from .models import LegalStatus, MembershipRole, PartnerRole

COUNTRY = Regexp(r"^[A-Z]{2}$", message="Use the two-letter country code, e.g. HU.")


def _upper(value: str | None) -> str | None:
    return value.upper() if isinstance(value, str) else value


def options(pairs) -> list[SelectChoice]:
    """Choices of a select field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _no_control_characters(value: str | None) -> str | None:
    """NUL and other control characters never belong in a form field (and PostgreSQL
    refuses NUL): the field gets a message instead of reaching the database."""
    if isinstance(value, str) and any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValueError("Remove the invisible control characters from this field.")
    return value


class StrippedForm(FlaskForm):
    """Every field refuses control characters; all but passwords and long texts
    (where spaces can matter, as in Markdown) are stripped."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            own = unbound_field.kwargs.get("filters", ())
            if unbound_field.field_class in (PasswordField, TextAreaField):
                options["filters"] = [_no_control_characters, *own]
            else:
                options["filters"] = [_no_control_characters, _strip, *own]
            return unbound_field.bind(form=form, **options)


def long_enough(form: FlaskForm, field: PasswordField) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(f"Use at least {minimum} characters.")


class LoginForm(StrippedForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired()])
    remember = BooleanField("Keep me signed in on this device")


class NewPasswordForm(StrippedForm):
    password = PasswordField("New password", validators=[InputRequired(), long_enough])
    confirm = PasswordField(
        "Repeat the new password",
        validators=[InputRequired(), EqualTo("password", message="The passwords differ.")],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[InputRequired()])


class UserForm(StrippedForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Email(message="Enter a valid e-mail."), Length(max=254)],
    )
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    partner_id = SelectField("Organisation", coerce=int)
    is_admin = BooleanField("Administrator (lead partner coordinator)")


class PartnerForm(StrippedForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    short_name = StringField("Short name", validators=[DataRequired(), Length(max=40)])
    country = StringField("Country", filters=[_upper], validators=[DataRequired(), COUNTRY])
    legal_status = SelectField(
        "Legal status", choices=options((s.value, s.label) for s in LegalStatus)
    )
    role = SelectField("Role", choices=options((r.value, r.label) for r in PartnerRole))
    region_id = SelectField("Region", coerce=int)


class RegionForm(StrippedForm):
    slug = StringField(
        "Slug (address)",
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(
                r"^[a-z][a-z0-9-]*$",
                message="Lower-case letters, digits and hyphens, starting with a letter.",
            ),
        ],
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    country = StringField("Country", filters=[_upper], validators=[DataRequired(), COUNTRY])
    nuts2 = StringField(
        "NUTS 2 code",
        filters=[_upper],
        validators=[
            DataRequired(),
            Regexp(r"^[A-Z]{2}[A-Z0-9]{2}$", message="A NUTS 2 code looks like HU23."),
        ],
    )

    def validate_nuts2(self, field: StringField) -> None:
        country = (self.country.data or "").upper()
        if re.match(r"^[A-Z]{2}$", country) and not field.data.startswith(country):
            raise ValidationError(f"A NUTS 2 code of {country} starts with {country}.")


class MembershipForm(StrippedForm):
    user_id = SelectField("Person", coerce=int)
    role = SelectField("Role", choices=options((r.value, r.label) for r in MembershipRole))


class RoleForm(StrippedForm):
    role = SelectField("Role", choices=options((r.value, r.label) for r in MembershipRole))


TITLE_MAX = 200
BODY_MAX = 500_000


class DocumentForm(StrippedForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    body = TextAreaField(
        "Text (Markdown)",
        validators=[Length(max=BODY_MAX, message="The text is too long (500,000 characters).")],
    )


class EditForm(DocumentForm):
    # The revision this form started from, and a token that makes a resubmit harmless.
    base = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    save_token = HiddenField(validators=[Length(max=64)])


class NewDocumentForm(DocumentForm):
    region_id = SelectField("Where", coerce=int)


class CommentForm(StrippedForm):
    body = TextAreaField(
        "Comment",
        validators=[DataRequired(message="Write something first."), Length(max=20_000)],
    )
