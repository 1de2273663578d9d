"""Staff accounts and their roles on assemblies."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.events import utcnow

ROLE_FACILITATOR = "facilitator"
ROLE_DOOR = "door"
ASSEMBLY_ROLES = (ROLE_FACILITATOR, ROLE_DOOR)
ROLE_HOST = "host"
ALL_ROLES = (ROLE_HOST, *ASSEMBLY_ROLES)


class User(SQLModel, table=True):
    """A staff account: national host, facilitator or door volunteer. Attendees are not users."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=80)
    password_hash: str = Field(max_length=200)
    is_host: bool = False
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class RoleGrant(SQLModel, table=True):
    """A user's role (facilitator or door volunteer) on one assembly."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("user_id", "assembly_id", "role", name="uq_role_grant"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    assembly_id: int = Field(foreign_key="assembly.id", index=True)
    role: str = Field(max_length=20)
    granted_at: datetime = Field(default_factory=utcnow)
