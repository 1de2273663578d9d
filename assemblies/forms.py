"""Forms of the assemblies domain (CSRF-protected by Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.auth.models import ASSEMBLY_ROLES
from assemblies.models import REGIONS

ROLE_LABELS = {"facilitator": _l("Facilitator"), "door": _l("Door volunteer")}


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class StaffAccountForm(FlaskForm):
    """A national host creates a staff account, optionally with a first role."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    is_host = BooleanField(_l("National host (can manage every assembly and all staff)"))
    assembly_id = SelectField(_l("Assembly"), coerce=int)
    role = SelectField(_l("Role"), choices=choices([("", _l("No role yet")), *ROLE_LABELS.items()]))


class GrantRoleForm(FlaskForm):
    """Give an existing account a role on an assembly."""

    assembly_id = SelectField(_l("Assembly"), coerce=int)
    role = SelectField(_l("Role"), choices=choices(ROLE_LABELS.items()))


class RevokeRoleForm(FlaskForm):
    """Take a role away (hidden fields; the button is the form)."""

    assembly_id = StringField(validators=[DataRequired()])
    role = SelectField(choices=choices((role, role) for role in ASSEMBLY_ROLES))


class AssemblyForm(FlaskForm):
    """Create or edit an assembly."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(
        _l("Short name for web addresses"),
        validators=[DataRequired(), Length(min=2, max=60)],
        description=_l("Lower-case letters, digits and hyphens, e.g. leeds-central."),
    )
    area = StringField(
        _l("Area"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("A constituency, town or ward."),
    )
    region = SelectField(_l("Region"), choices=choices((r, r) for r in REGIONS))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    contact = StringField(
        _l("Public contact"),
        validators=[Optional(), Length(max=200)],
        description=_l("An email address or phone number people can use."),
    )


REPEAT_CHOICES = [
    ("none", _l("Does not repeat")),
    ("weekly", _l("Every week on the same day")),
    ("monthly", _l("Every month on the same weekday (e.g. every first Saturday)")),
    ("custom", _l("Custom repeat rule (iCalendar RRULE)")),
]
SCOPE_CHOICES = [
    ("one", _l("Only this meetup")),
    ("following", _l("This and all later meetups in the series")),
]


class MeetupForm(FlaskForm):
    """Schedule or edit a meetup. Times are Europe/London."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    agenda_summary = TextAreaField(_l("Agenda summary"), validators=[Optional(), Length(max=2000)])
    starts = DateTimeLocalField(
        _l("Starts (London time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    ends = DateTimeLocalField(
        _l("Ends (London time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    venue_name = StringField(_l("Venue name"), validators=[Optional(), Length(max=120)])
    venue_address = TextAreaField(_l("Venue address"), validators=[Optional(), Length(max=300)])
    accessibility_notes = TextAreaField(
        _l("Accessibility notes"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Step-free access, hearing loop, toilets, quiet room, nearest bus stop."),
    )
    online_link = StringField(
        _l("Online link"),
        validators=[Optional(), Length(max=300)],
        description=_l("For people joining online; leave empty for in-person only."),
    )
    capacity = IntegerField(_l("Capacity"), default=80, validators=[InputRequired()])
    registration_opens_days = IntegerField(
        _l("Registration opens (days before the start)"),
        default=28,
        validators=[InputRequired()],
    )
    registration_closes_minutes = IntegerField(
        _l("Registration closes (minutes before the start)"),
        default=0,
        validators=[InputRequired()],
    )
    checkin_opens_minutes = IntegerField(
        _l("Check-in opens (minutes before the start)"),
        default=30,
        validators=[InputRequired()],
    )
    repeat = SelectField(_l("Repeats"), choices=choices(REPEAT_CHOICES), default="none")
    repeat_count = IntegerField(
        _l("How many meetups in the series"),
        default=8,
        validators=[Optional(), NumberRange(min=2, max=60)],
    )
    rrule = StringField(
        _l("Repeat rule"),
        validators=[Optional(), Length(max=500)],
        description=_l(
            "For example FREQ=WEEKLY;BYDAY=TU;COUNT=8. Without COUNT or UNTIL, "
            "meetups are added six months ahead at a time."
        ),
    )
    scope = RadioField(_l("Apply the changes to"), choices=choices(SCOPE_CHOICES), default="one")


class CancelMeetupForm(FlaskForm):
    """Cancel a meetup (or the rest of its series)."""

    reason = StringField(
        _l("Reason (shown to attendees)"), validators=[Optional(), Length(max=300)]
    )
    scope = RadioField(_l("Cancel"), choices=choices(SCOPE_CHOICES), default="one")


class RegisterForm(FlaskForm):
    """Register for a meetup."""

    display_name = StringField(
        _l("Your name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("Shown on your ticket and to the organisers. A first name is enough."),
    )
    email = EmailField(
        _l("Email (optional)"),
        validators=[Optional(), Length(max=254)],
        description=_l(
            "Only used to send you reminders and news of a place from the waitlist. "
            "Never shown to anyone else, never used for anything else, and deleted "
            "after the meetup."
        ),
    )


class EraseForm(FlaskForm):
    """Erasing one's personal data: a box to tick, so one slip cannot do it."""

    confirm = BooleanField(
        _l("I understand: my name, email address and registrations are erased for good"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class ConfirmForm(FlaskForm):
    """A button that needs only the CSRF token."""


class WalkInForm(FlaskForm):
    """A walk-in gives a name to check in from their own phone."""

    display_name = StringField(
        _l("Your name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("Shown to the organisers. A first name is enough."),
    )
