"""Events of the House of the People."""

from dataclasses import dataclass

from app.events import DomainEvent, EventRecord


@dataclass(frozen=True)
class NationalMotionPublished(DomainEvent):
    """A national host published a motion (or a new version of one) to assemblies."""

    motion_id: int
    title: str
    wording_hash: str
    version: int
    supersedes_id: int | None
    opens_at: str
    closes_at: str
    regions: list[str]
    assembly_ids: list[int]

    @property
    def stream(self) -> str:
        return f"motion:{self.motion_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """National news: the house room (assemblies' consoles reload their list from it)."""
        return ["house"]
