"""Events of the House of the People."""

from dataclasses import dataclass

from app.events import DomainEvent, EventRecord

MOTION_ROOMS = ["house", "house:motions"]


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
        """National news; consoles follow `house:motions` to reload their list of motions."""
        return MOTION_ROOMS


@dataclass(frozen=True)
class LocalAmendmentProposed(DomainEvent):
    """An assembly proposed a local amendment to a national motion: a separate motion, for
    that assembly only, linked to the national one."""

    motion_id: int
    amends_id: int
    assembly_id: int
    title: str
    wording_hash: str
    closes_at: str

    @property
    def stream(self) -> str:
        return f"motion:{self.motion_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """National news, like a published motion."""
        return MOTION_ROOMS
