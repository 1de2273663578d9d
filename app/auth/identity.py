"""Who is signed in: the Flask-Login identity and the permission rules built on it."""

from dataclasses import dataclass, field
from functools import wraps

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin, LoginManager, current_user
from sqlmodel import select

from app.auth.models import ROLE_DOOR, ROLE_FACILITATOR, RoleGrant, User
from app.db import read_session


@dataclass(frozen=True)
class StaffIdentity:
    """A signed-in staff member, loaded once per request from the database."""

    id: int
    email: str
    display_name: str
    is_host: bool
    session_token: str
    roles: frozenset[tuple[int, str]] = field(default_factory=frozenset)

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """Id plus a fragment of the password hash: changing the password ends old sessions."""
        return f"{self.id}:{self.session_token}"

    def has_role(self, assembly_id: int, *roles: str) -> bool:
        """True if this person holds one of `roles` on the assembly."""
        return any((assembly_id, role) in self.roles for role in roles)

    def can_facilitate(self, assembly_id: int) -> bool:
        """Facilitators of the assembly, and national hosts, run its meetups."""
        return self.is_host or self.has_role(assembly_id, ROLE_FACILITATOR)

    def can_work_door(self, assembly_id: int) -> bool:
        """Door volunteers, facilitators and hosts may check people in."""
        return self.is_host or self.has_role(assembly_id, ROLE_FACILITATOR, ROLE_DOOR)

    @property
    def assembly_ids(self) -> set[int]:
        """Assemblies this person has any role on."""
        return {assembly_id for assembly_id, _role in self.roles}


class Anonymous(AnonymousUserMixin):
    """Nobody signed in. Answers the same permission questions, always with no."""

    id = None
    is_host = False
    roles: frozenset = frozenset()
    assembly_ids: set = set()

    def has_role(self, assembly_id: int, *roles: str) -> bool:
        """Anonymous visitors hold no roles."""
        return False

    def can_facilitate(self, assembly_id: int) -> bool:
        """Anonymous visitors run nothing."""
        return False

    def can_work_door(self, assembly_id: int) -> bool:
        """Anonymous visitors check nobody in."""
        return False


def session_token(user: User) -> str:
    """The fragment of the password hash that ties a session to the current password."""
    return user.password_hash[-16:]


def load_identity(user_id: str) -> StaffIdentity | None:
    """Flask-Login's user loader: `<id>:<token>` back to an identity, if still valid."""
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    with read_session() as session:
        user = session.get(User, int(raw_id))
        if user is None or not user.is_active or token != session_token(user):
            return None
        grants = session.exec(select(RoleGrant).where(RoleGrant.user_id == user.id))
        return identity_for(user, {(grant.assembly_id, grant.role) for grant in grants})


def identity_for(user: User, roles: set[tuple[int, str]]) -> StaffIdentity:
    """Build the identity of a loaded user."""
    return StaffIdentity(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        is_host=user.is_host,
        session_token=session_token(user),
        roles=frozenset(roles),
    )


def host_required(view):
    """Allow only national hosts; others get 403 (or are sent to sign in)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_host:
            abort(403)
        return view(*args, **kwargs)

    wrapped.required_role = "host"
    return wrapped


def make_login_manager() -> LoginManager:
    """A LoginManager configured for staff sign-in."""
    manager = LoginManager()
    manager.login_view = "auth.sign_in"
    manager.login_message = _l("Please sign in to see that page.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.anonymous_user = Anonymous
    manager.user_loader(load_identity)
    return manager


def require_facilitator(assembly_id: int) -> None:
    """Stop the request unless the current user may run this assembly (403, or sign in)."""
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    if not current_user.can_facilitate(assembly_id):
        abort(403)
