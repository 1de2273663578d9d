"""Events about staff accounts. They carry ids only, never emails or names."""

from dataclasses import dataclass

from app.events import DomainEvent, EventRecord


@dataclass(frozen=True)
class StaffAccountCreated(DomainEvent):
    """A staff account was created (by a host, or by an operator on the command line)."""

    user_id: int
    is_host: bool
    created_by: int | None

    @property
    def stream(self) -> str:
        return f"user:{self.user_id}"


@dataclass(frozen=True)
class PasswordChanged(DomainEvent):
    """A staff member changed their password."""

    user_id: int

    @property
    def stream(self) -> str:
        return f"user:{self.user_id}"


@dataclass(frozen=True)
class RoleGranted(DomainEvent):
    """A user was given a role on an assembly."""

    user_id: int
    assembly_id: int
    role: str
    granted_by: int | None

    @property
    def stream(self) -> str:
        return f"assembly:{self.assembly_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """The assembly's crew sees changes to its team."""
        return [f"{record.stream}:crew"]


@dataclass(frozen=True)
class RoleRevoked(DomainEvent):
    """A user's role on an assembly was taken away."""

    user_id: int
    assembly_id: int
    role: str
    revoked_by: int | None

    @property
    def stream(self) -> str:
        return f"assembly:{self.assembly_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """The assembly's crew sees changes to its team."""
        return [f"{record.stream}:crew"]
