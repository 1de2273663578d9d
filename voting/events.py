"""Events of the live meeting. All are on the meetup's stream, so its chain is the record
the minutes are made from. Payloads carry ids, texts of proposals, and counts; never names."""

from dataclasses import dataclass

from app.events import DomainEvent, EventRecord


def public_rooms(meetup_id: int) -> list[str]:
    """Phones, the crew and the projector."""
    return [f"meetup:{meetup_id}", f"meetup:{meetup_id}:crew", f"meetup:{meetup_id}:screen"]


@dataclass(frozen=True)
class MeetingEvent(DomainEvent):
    """Base: an event of the live meeting, seen by everyone in the meetup's rooms."""

    meetup_id: int

    @property
    def stream(self) -> str:
        return f"meetup:{self.meetup_id}"

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """Phones, the crew and the projector."""
        return public_rooms(record.payload["meetup_id"])


@dataclass(frozen=True)
class AgendaItemAdded(MeetingEvent):
    """The facilitator added an item to the agenda."""

    item_id: int
    title: str
    duration_minutes: int
    position: int


@dataclass(frozen=True)
class AgendaReordered(MeetingEvent):
    """The agenda's order changed."""

    item_ids: list[int]


@dataclass(frozen=True)
class AgendaItemStarted(MeetingEvent):
    """An agenda item is now running (its timer starts)."""

    item_id: int
    started_at: str
    duration_minutes: int


@dataclass(frozen=True)
class AgendaItemFinished(MeetingEvent):
    """An agenda item is done."""

    item_id: int


@dataclass(frozen=True)
class ProposalSubmitted(MeetingEvent):
    """An attendee (or the facilitator) submitted a proposal or an amendment for moderation."""

    proposal_id: int
    parent_id: int | None
    title: str
    body: str

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """Only the crew: it waits in the moderation queue."""
        return [f"meetup:{record.payload['meetup_id']}:crew"]


@dataclass(frozen=True)
class ProposalAccepted(MeetingEvent):
    """The facilitator put a proposal (or an amendment) on the agenda."""

    proposal_id: int
    parent_id: int | None
    title: str
    body: str
    supports: int


@dataclass(frozen=True)
class ProposalReturned(MeetingEvent):
    """The facilitator returned a proposal to its author with a reason."""

    proposal_id: int
    author_registration_id: int | None
    reason: str

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """The crew and the author's phone."""
        rooms = [f"meetup:{record.payload['meetup_id']}:crew"]
        if record.payload["author_registration_id"]:
            rooms.append(f"registration:{record.payload['author_registration_id']}")
        return rooms


@dataclass(frozen=True)
class ProposalHidden(MeetingEvent):
    """The facilitator hid an abusive proposal."""

    proposal_id: int


@dataclass(frozen=True)
class ProposalsMerged(MeetingEvent):
    """A duplicate was merged into another proposal; its supports were carried over."""

    proposal_id: int
    into_id: int
    supports: int


@dataclass(frozen=True)
class SupportChanged(MeetingEvent):
    """Someone supported a proposal or withdrew their support: the new count."""

    proposal_id: int
    supports: int


@dataclass(frozen=True)
class DiscussionStarted(MeetingEvent):
    """The room is now discussing this proposal (None: nothing in particular)."""

    proposal_id: int | None


@dataclass(frozen=True)
class SpeakingQueueChanged(MeetingEvent):
    """Someone raised or lowered a hand, was called, or the queue was cleared."""

    waiting: int
    speaking_registration_id: int | None


@dataclass(frozen=True)
class SignalsChanged(MeetingEvent):
    """The counts of hand signals held up (agree, clarify, point of process)."""

    agree: int
    clarify: int
    process: int


@dataclass(frozen=True)
class VoteEvent(DomainEvent):
    """Base: an event of one vote, on the vote's own stream (its chain seals the ballots)."""

    vote_id: int

    @property
    def stream(self) -> str:
        return f"vote:{self.vote_id}"


@dataclass(frozen=True)
class VoteOpened(VoteEvent):
    """A vote opened: every checked-in phone gets the ballot."""

    meetup_id: int
    question: str
    method: str
    options: list[str]
    rule: dict
    secret: bool
    live_results: bool
    changeable: bool
    closes_at: str | None
    proposal_id: int | None
    text: str | None = None  # the full text voted on, when the question is its title

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """Phones, the crew and the projector."""
        return public_rooms(record.payload["meetup_id"])


@dataclass(frozen=True)
class BallotCast(VoteEvent):
    """A ballot was accepted. No identity: a receipt, the choice, and the receipt it replaces
    (when a voter changed their ballot), so anyone can recount from the published log."""

    receipt: str
    choice: dict
    replaces: str | None


@dataclass(frozen=True)
class VoteClosed(VoteEvent):
    """A vote closed: no more ballots. Its stream's head now seals every ballot cast."""

    meetup_id: int
    ballots_cast: int
    manual: bool

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """Phones, the crew and the projector."""
        return public_rooms(record.payload["meetup_id"])


@dataclass(frozen=True)
class OutcomeRecorded(VoteEvent):
    """The counted result of a closed vote, with the chain head and tie-break seed that let
    anyone recount it; the national feed is made from these."""

    meetup_id: int
    assembly_id: int
    proposal_id: int | None
    question: str
    method: str
    manual: bool
    ballots_cast: int
    present: int
    chain_head: str
    seed: str
    result: dict
    motion_id: int | None = None

    @classmethod
    def rooms(cls, record: EventRecord) -> list[str]:
        """Phones, crew, projector, the assembly's followers and the national room."""
        payload = record.payload
        return [*public_rooms(payload["meetup_id"]), f"assembly:{payload['assembly_id']}", "house"]
