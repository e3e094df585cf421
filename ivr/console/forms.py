"""The console's forms (Flask-WTF): each carries its CSRF token. Labels and messages are in
the templates and the catalogue, in the operator's language; choices are filled per request
(`choices`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ivr.console.catalogue import N_

REQUIRED = N_("This field is required.")
NOT_A_MOMENT = N_("Not a valid datetime value.")  # WTForms' own words, translated in the page
MOMENT = "%Y-%m-%dT%H:%M"  # what <input type=datetime-local> sends


class Form(FlaskForm):
    """A form with nothing but its CSRF token: a button that does one thing."""


class LoginForm(FlaskForm):
    name = StringField(validators=[InputRequired(REQUIRED), Length(max=100)])
    password = PasswordField(validators=[InputRequired(REQUIRED), Length(max=200)])


class AccountForm(FlaskForm):
    """A counsellor's account a coordinator adds: its name and lines (checked in the page)."""

    name = StringField(validators=[InputRequired(REQUIRED), Length(max=100)])
    lines = SelectMultipleField(choices=[], validators=[InputRequired(REQUIRED)])
    language = SelectField(choices=[])


class ResetForm(FlaskForm):
    """One's own new password, set with the one-time code a coordinator handed over."""

    name = StringField(validators=[InputRequired(REQUIRED), Length(max=100)])
    code = StringField(validators=[InputRequired(REQUIRED), Length(max=40)])
    password = PasswordField(validators=[InputRequired(REQUIRED), Length(max=200)])
    again = PasswordField(validators=[InputRequired(REQUIRED), Length(max=200)])


class CodeForm(FlaskForm):
    """A second factor's code: 6 digits of the authenticator app, or a recovery code."""

    code = StringField(validators=[InputRequired(REQUIRED), Length(max=20)])


class LanguageForm(FlaskForm):
    language = SelectField(choices=[])
    back = HiddenField()


class DoneForm(FlaskForm):
    outcome = StringField(default="called back")  # called back, closed
    note = TextAreaField(validators=[Optional()])


class OverrideForm(FlaskForm):
    line = SelectField(choices=[], validators=[InputRequired(REQUIRED)])
    kind = StringField(default="closed")  # closed, open, redirect: ivr.console.overrides
    to = StringField(validators=[Optional(), Length(max=32)])
    starts = DateTimeLocalField(format=MOMENT, validators=[Optional()])
    until = DateTimeLocalField(format=MOMENT, validators=[InputRequired(REQUIRED)])
    reason = StringField(validators=[InputRequired(REQUIRED), Length(max=500)])


class TrialForm(FlaskForm):
    line = SelectField(choices=[], validators=[InputRequired(REQUIRED)])
    at = DateTimeLocalField(format=MOMENT, validators=[Optional()])
    language = SelectField(choices=[])
    keys = StringField(validators=[Optional(), Length(max=100)])
    result = SelectField(choices=[])


class DutyForm(FlaskForm):
    """A shift: its lines, the phone it answers on, its languages (none: the lines')."""

    lines = SelectMultipleField(choices=[])
    phone = StringField(validators=[Length(max=40)])
    languages = SelectMultipleField(choices=[], validators=[Optional()])


def choices(pairs) -> list[SelectChoice]:
    """[(value, label), ...] as a select's choices."""
    return [SelectChoice(value, label) for value, label in pairs]
