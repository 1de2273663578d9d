"""Events of the House of the People."""

from dataclasses import dataclass

from app.events import DomainEvent, EventRecord

MOTION_ROOMS = ["house", "house:motions"]


@dataclass(frozen=True)
class MotionEvent(DomainEvent):
    """Base: an event of one motion, on the motion's own stream; national news, which
    consoles also follow (in `house:motions`) to reload their list of motions."""

    motion_id: int

    @property
    def stream(self) -> str:
        return f"motion:{self.motion_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """The house room and `house:motions`."""
        return MOTION_ROOMS


@dataclass(frozen=True)
class NationalMotionPublished(MotionEvent):
    """A national host published a motion (or a new version of one) to assemblies."""

    title: str
    wording_hash: str
    version: int
    supersedes_id: int | None
    opens_at: str
    closes_at: str
    regions: list[str]
    assembly_ids: list[int]
    method: str = "yes_no"


@dataclass(frozen=True)
class LocalAmendmentProposed(MotionEvent):
    """An assembly proposed a local amendment to a national motion: a separate motion, for
    that assembly only, linked to the national one."""

    amends_id: int
    assembly_id: int
    title: str
    wording_hash: str
    closes_at: str
