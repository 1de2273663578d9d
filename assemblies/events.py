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


def _meetup_rooms_and_crew(record: EventRecord) -> list[str]:
    meetup_id, assembly_id = record.payload["meetup_id"], record.payload["assembly_id"]
    return [
        f"meetup:{meetup_id}",
        f"meetup:{meetup_id}:crew",
        f"meetup:{meetup_id}:screen",
        f"assembly:{assembly_id}:crew",
    ]


@dataclass(frozen=True)
class AssemblyUpdated(DomainEvent):
    """An assembly's details were edited."""

    assembly_id: int
    changed: list[str]
    by: int | None

    @property
    def stream(self) -> str:
        return f"assembly:{self.assembly_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """Public: the assembly's room."""
        return [record.stream]


@dataclass(frozen=True)
class SeriesScheduled(DomainEvent):
    """A facilitator scheduled a recurring meetup."""

    series_id: int
    assembly_id: int
    rrule: str
    meetup_ids: list[int]

    @property
    def stream(self) -> str:
        return f"series:{self.series_id}"


@dataclass(frozen=True)
class SeriesCancelledFrom(DomainEvent):
    """A facilitator cancelled every occurrence of a series from a meetup onwards."""

    series_id: int
    from_meetup_id: int
    meetup_ids: list[int]
    reason: str

    @property
    def stream(self) -> str:
        return f"series:{self.series_id}"


@dataclass(frozen=True)
class MeetupScheduled(DomainEvent):
    """A meetup was put on the calendar (a one-off, or an occurrence of a series)."""

    meetup_id: int
    assembly_id: int
    series_id: int | None
    title: str
    starts_at: str
    ends_at: str

    @property
    def stream(self) -> str:
        return f"meetup:{self.meetup_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """Public: the assembly's room."""
        return [f"assembly:{record.payload['assembly_id']}"]


@dataclass(frozen=True)
class MeetupRescheduled(DomainEvent):
    """A meetup's details or times were edited."""

    meetup_id: int
    assembly_id: int
    changed: list[str]
    starts_at: str
    ends_at: str

    @property
    def stream(self) -> str:
        return f"meetup:{self.meetup_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """Everyone following the meetup."""
        return [*_meetup_rooms_and_crew(record), f"assembly:{record.payload['assembly_id']}"]


@dataclass(frozen=True)
class MeetupCancelled(DomainEvent):
    """A meetup was called off."""

    meetup_id: int
    assembly_id: int
    reason: str

    @property
    def stream(self) -> str:
        return f"meetup:{self.meetup_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """Everyone following the meetup."""
        return [*_meetup_rooms_and_crew(record), f"assembly:{record.payload['assembly_id']}"]


@dataclass(frozen=True)
class MeetupTransition(DomainEvent):
    """Base: a step in a meetup's life, seen by its rooms and its assembly's crew."""

    meetup_id: int
    assembly_id: int

    @property
    def stream(self) -> str:
        return f"meetup:{self.meetup_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """Everyone in the meetup's rooms, and the assembly's crew (their dashboard)."""
        return _meetup_rooms_and_crew(record)


@dataclass(frozen=True)
class CheckInOpened(MeetupTransition):
    """The meetup's check-in window opened."""


@dataclass(frozen=True)
class MeetupStarted(MeetupTransition):
    """The meetup's start time came."""


@dataclass(frozen=True)
class MeetupEnded(MeetupTransition):
    """The meetup's end time came."""


@dataclass(frozen=True)
class RegistrationChanged(DomainEvent):
    """Base for registration events: ids and the meetup's counts after the change, no names."""

    meetup_id: int
    assembly_id: int
    registration_id: int
    confirmed: int
    waitlisted: int

    @property
    def stream(self) -> str:
        return f"meetup:{self.meetup_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """The meetup page (places left) and the crew of the meetup and of its assembly."""
        return [
            f"meetup:{record.payload['meetup_id']}",
            f"meetup:{record.payload['meetup_id']}:crew",
            f"assembly:{record.payload['assembly_id']}:crew",
        ]


@dataclass(frozen=True)
class AttendeeRegistered(RegistrationChanged):
    """Someone registered; `status` says whether they got a place or joined the waitlist."""

    status: str = "confirmed"


@dataclass(frozen=True)
class RegistrationCancelled(RegistrationChanged):
    """Someone gave up their place (or left the waitlist)."""


@dataclass(frozen=True)
class WaitlistPromoted(RegistrationChanged):
    """The first person waiting got a place that came free."""


@dataclass(frozen=True)
class DoorEvent(DomainEvent):
    """Base: an event at the door, on the meetup's stream, seen by the crew and the projector."""

    meetup_id: int

    @property
    def stream(self) -> str:
        return f"meetup:{self.meetup_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """The crew (attendance list) and the projector (present count)."""
        meetup_id = record.payload["meetup_id"]
        return [f"meetup:{meetup_id}:crew", f"meetup:{meetup_id}:screen"]


@dataclass(frozen=True)
class AttendeeCheckedIn(DoorEvent):
    """Someone was admitted at the door or joined as a walk-in. Ids and counts, no names."""

    registration_id: int
    walk_in: bool
    present: int
    walk_ins: int


@dataclass(frozen=True)
class AttendeeCheckedOut(DoorEvent):
    """Someone left; they no longer count as present (and may not vote)."""

    registration_id: int
    present: int
    walk_ins: int


@dataclass(frozen=True)
class VotingDeviceMoved(DoorEvent):
    """An attendee's voting rights moved to another phone (the old one lost them)."""

    registration_id: int

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """The crew only."""
        return [f"meetup:{record.payload['meetup_id']}:crew"]


@dataclass(frozen=True)
class WalkInsSwitched(DoorEvent):
    """A facilitator turned walk-ins (the projector's join QR) on or off."""

    enabled: bool


@dataclass(frozen=True)
class PersonalDataErased(DomainEvent):
    """An attendee erased their personal data from a registration. Ids only: the event must
    not hold the data it records the deletion of."""

    meetup_id: int
    assembly_id: int
    registration_id: int

    @property
    def stream(self) -> str:
        return f"meetup:{self.meetup_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """The crew of the meetup and of its assembly (their lists change)."""
        return [
            f"meetup:{record.payload['meetup_id']}:crew",
            f"assembly:{record.payload['assembly_id']}:crew",
        ]
