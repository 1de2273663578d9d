"""Minutes of a meetup, made from its event stream (not from the current tables), so they
record what happened in the order it happened."""

from dataclasses import asdict, dataclass, field

from sqlmodel import Session, select

from app.events import EventRecord, format_time
from app.i18n import london_time
from voting.models import Vote

SHOWN_TYPES = {
    "MeetupStarted": "Meeting started",
    "MeetupEnded": "Meeting ended",
    "AgendaItemStarted": "Agenda item started",
    "AgendaItemFinished": "Agenda item finished",
    "ProposalAccepted": "Proposal put on the agenda",
    "ProposalsMerged": "Duplicate proposal merged",
    "ProposalHidden": "Proposal hidden by the facilitator",
    "DiscussionStarted": "Discussion",
}


@dataclass
class MinutesProposal:
    """A proposal as the minutes record it."""

    id: int
    title: str
    body: str
    amends: int | None
    supports: int = 0
    merged_into: int | None = None
    hidden: bool = False


@dataclass
class Minutes:
    """The record of a meetup: agenda, proposals with supports, and a timeline."""

    meetup_id: int
    chain_head: str = ""
    agenda: dict[int, dict] = field(default_factory=dict)
    proposals: dict[int, MinutesProposal] = field(default_factory=dict)
    timeline: list[dict] = field(default_factory=list)
    outcomes: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON-ready minutes."""
        return {
            "meetup_id": self.meetup_id,
            "chain_head": self.chain_head,
            "agenda": list(self.agenda.values()),
            "proposals": [asdict(p) for p in self.proposals.values() if not p.hidden],
            "timeline": self.timeline,
            "outcomes": self.outcomes,
        }


def minutes_for(session: Session, meetup_id: int) -> Minutes:
    """Replay the meetup's stream into its minutes."""
    rows = session.exec(
        select(EventRecord)
        .where(EventRecord.stream == f"meetup:{meetup_id}")
        .order_by(EventRecord.version)
    )
    minutes = Minutes(meetup_id)
    for row in rows:
        _apply(minutes, row)
        minutes.chain_head = row.hash
    minutes.outcomes = _outcomes(session, meetup_id)
    return minutes


def _outcomes(session: Session, meetup_id: int) -> list[dict]:
    """The recorded outcome of each closed vote of the meetup, from the votes' own streams."""
    streams = [
        f"vote:{vote_id}"
        for vote_id in session.exec(select(Vote.id).where(Vote.meetup_id == meetup_id))
    ]
    rows = session.exec(
        select(EventRecord)
        .where(EventRecord.stream.in_(streams), EventRecord.type == "OutcomeRecorded")
        .order_by(EventRecord.seq)
    )
    return [
        {
            "vote_id": row.payload["vote_id"],
            "question": row.payload["question"],
            "method": row.payload["method"],
            "summary": row.payload["result"]["summary"],
            "ballots_cast": row.payload["ballots_cast"],
            "manual": row.payload["manual"],
            "proposal_id": row.payload["proposal_id"],
            "chain_head": row.payload["chain_head"],
            "at": format_time(row.at),
        }
        for row in rows
    ]


def _apply(minutes: Minutes, row: EventRecord) -> None:
    data = row.payload
    if row.type == "AgendaItemAdded":
        minutes.agenda[data["item_id"]] = {
            "id": data["item_id"],
            "title": data["title"],
            "minutes": data["duration_minutes"],
            "started": None,
            "finished": None,
        }
    elif row.type == "AgendaItemStarted" and data["item_id"] in minutes.agenda:
        minutes.agenda[data["item_id"]]["started"] = format_time(row.at)
    elif row.type == "AgendaItemFinished" and data["item_id"] in minutes.agenda:
        minutes.agenda[data["item_id"]]["finished"] = format_time(row.at)
    elif row.type == "ProposalAccepted":
        minutes.proposals[data["proposal_id"]] = MinutesProposal(
            data["proposal_id"], data["title"], data["body"], data["parent_id"], data["supports"]
        )
    elif row.type == "SupportChanged" and data["proposal_id"] in minutes.proposals:
        minutes.proposals[data["proposal_id"]].supports = data["supports"]
    elif row.type == "ProposalsMerged":
        if data["proposal_id"] in minutes.proposals:
            minutes.proposals[data["proposal_id"]].merged_into = data["into_id"]
        if data["into_id"] in minutes.proposals:
            minutes.proposals[data["into_id"]].supports = data["supports"]
    elif row.type == "ProposalHidden" and data["proposal_id"] in minutes.proposals:
        minutes.proposals[data["proposal_id"]].hidden = True
    if row.type in SHOWN_TYPES:
        minutes.timeline.append(
            {
                "at": format_time(row.at),
                "london": london_time(row.at, "%H:%M"),
                "what": SHOWN_TYPES[row.type],
                "detail": _detail(minutes, row),
            }
        )


def _detail(minutes: Minutes, row: EventRecord) -> str:
    data = row.payload
    if "item_id" in data and data["item_id"] in minutes.agenda:
        return minutes.agenda[data["item_id"]]["title"]
    proposal = minutes.proposals.get(data.get("proposal_id") or 0)
    if proposal and not proposal.hidden:
        return proposal.title
    return ""


def as_markdown(minutes: Minutes, title: str, when: str) -> str:
    """The minutes as Markdown (texts are quoted as written; Markdown is not interpreted)."""
    lines = [f"# Minutes: {_md(title)}", "", when, "", "## Agenda", ""]
    for item in minutes.agenda.values():
        lines.append(f"- {_md(item['title'])} ({item['minutes']} min)")
    lines += ["", "## Proposals", ""]
    for p in minutes.proposals.values():
        if p.hidden:
            continue
        kind = f"Amendment to #{p.amends}" if p.amends else "Proposal"
        merged = f", merged into #{p.merged_into}" if p.merged_into else ""
        lines += [
            f"### #{p.id} {_md(p.title)}",
            "",
            f"{kind}; {p.supports} supports{merged}.",
            "",
            _md(p.body),
            "",
        ]
    lines += ["## Outcomes", ""]
    for outcome in minutes.outcomes:
        hands = " (counted by hand)" if outcome["manual"] else ""
        lines.append(f"- {_md(outcome['question'])}: {_md(outcome['summary'])}{hands}")
    lines += ["", "## Timeline", ""]
    lines += [f"- {t['london']} {t['what']}: {_md(t['detail'])}" for t in minutes.timeline]
    lines += ["", f"Chain head: `{minutes.chain_head}`", ""]
    return "\n".join(lines)


def _md(text: str) -> str:
    """Escape Markdown control characters so people's text is shown, not interpreted."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>" else c for c in text or "")
