"""Events of the assemblies domain."""

from dataclasses import dataclass

from app.events import DomainEvent, EventRecord


@dataclass(frozen=True)
class AssemblyCreated(DomainEvent):
    """A national host created an assembly."""

    assembly_id: int
    slug: str
    name: str
    region: str
    created_by: int | None

    @property
    def stream(self) -> str:
        return f"assembly:{self.assembly_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """Public news: the assembly's room and the national room."""
        return [record.stream, "house"]
