"""Use cases for staff accounts: create, authenticate, change password, grant and revoke roles."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from app.auth.events import PasswordChanged, RoleGranted, RoleRevoked, StaffAccountCreated
from app.auth.models import ASSEMBLY_ROLES, RoleGrant, User
from app.db import UnitOfWork
from app.errors import ServiceError
from app.events import record

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def normalise_email(email: str) -> str:
    """Check an email address's syntax and return it in canonical lower-case form."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ServiceError("invalid_email", f"That email address is not valid: {error}") from None


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short or absurdly long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            "weak_password", f"The password must be at least {MIN_PASSWORD_LENGTH} characters."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ServiceError(
            "long_password", f"The password must be at most {MAX_PASSWORD_LENGTH} characters."
        )


def find_user_by_email(session: Session, email: str) -> User | None:
    """The account with this email, if any."""
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def create_staff_account(
    uow: UnitOfWork,
    email: str,
    display_name: str,
    password: str,
    is_host: bool = False,
    created_by: int | None = None,
) -> User:
    """Create a staff account with an Argon2id password hash."""
    email = normalise_email(email)
    display_name = display_name.strip()
    if not 1 <= len(display_name) <= 80:
        raise ServiceError("invalid_name", "The name must be between 1 and 80 characters.")
    check_password_rules(password)
    if find_user_by_email(uow.session, email):
        raise ServiceError("email_taken", "An account with that email address already exists.")
    user = User(
        email=email,
        display_name=display_name,
        password_hash=_hasher.hash(password),
        is_host=is_host,
    )
    uow.session.add(user)
    uow.session.flush()
    record(uow, StaffAccountCreated(user_id=user.id, is_host=is_host, created_by=created_by))
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active account matching email and password, or None (same cost either way)."""
    user = find_user_by_email(session, email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    return user


def change_password(uow: UnitOfWork, user_id: int, current: str, new: str) -> None:
    """Replace a user's password after checking the current one."""
    user = uow.session.get(User, user_id)
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise ServiceError("wrong_password", "Your current password is not correct.") from None
    check_password_rules(new)
    user.password_hash = _hasher.hash(new)
    uow.session.add(user)
    record(uow, PasswordChanged(user_id=user_id))


def set_password(uow: UnitOfWork, user_id: int, new: str) -> None:
    """Set a password without the old one (operators and the demo command only)."""
    check_password_rules(new)
    user = uow.session.get(User, user_id)
    user.password_hash = _hasher.hash(new)
    uow.session.add(user)
    record(uow, PasswordChanged(user_id=user_id))


def grant_role(
    uow: UnitOfWork, user_id: int, assembly_id: int, role: str, granted_by: int | None = None
) -> bool:
    """Give a user a role on an assembly; returns False when they already had it."""
    if role not in ASSEMBLY_ROLES:
        raise ServiceError("invalid_role", f"Role must be one of: {', '.join(ASSEMBLY_ROLES)}.")
    if uow.session.get(User, user_id) is None:
        raise ServiceError("no_such_user", "There is no such account.", 404)
    if _find_grant(uow.session, user_id, assembly_id, role):
        return False
    uow.session.add(RoleGrant(user_id=user_id, assembly_id=assembly_id, role=role))
    uow.session.flush()
    record(uow, RoleGranted(user_id, assembly_id, role, granted_by))
    return True


def revoke_role(
    uow: UnitOfWork, user_id: int, assembly_id: int, role: str, revoked_by: int | None = None
) -> bool:
    """Take a role away; returns False when the user did not have it."""
    grant = _find_grant(uow.session, user_id, assembly_id, role)
    if grant is None:
        return False
    uow.session.delete(grant)
    record(uow, RoleRevoked(user_id, assembly_id, role, revoked_by))
    return True


def _find_grant(session: Session, user_id: int, assembly_id: int, role: str) -> RoleGrant | None:
    query = select(RoleGrant).where(
        RoleGrant.user_id == user_id, RoleGrant.assembly_id == assembly_id, RoleGrant.role == role
    )
    return session.exec(query).first()


def roles_of(session: Session, user_id: int) -> list[RoleGrant]:
    """All of a user's role grants."""
    return list(session.exec(select(RoleGrant).where(RoleGrant.user_id == user_id)))
