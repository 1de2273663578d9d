"""Forms of the assemblies domain (CSRF-protected by Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.auth.models import ASSEMBLY_ROLES

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
