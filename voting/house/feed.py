"""The national feed: filters read from a query string, pages of the `house_outcome`
projection, and the same outcomes as Atom, JSON Feed, CSV and JSON documents.

Everything here reads only `house_outcome`: never ballots, votes or the assemblies' tables.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func
from sqlmodel import Session, select

from app.i18n import LONDON
from assemblies.models import REGIONS
from assemblies.services import SLUG_PATTERN
from voting.house.models import HouseOutcome

PER_PAGE = 50  # outcomes on a page of /house, and items in the Atom and JSON feeds
JSON_PER_PAGE = 500  # outcomes in one page of /house/outcomes.json
CSV_PER_PAGE = 1_000  # outcomes in one page of /house/outcomes.csv
DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
MOTION_TEXT = re.compile(r"\d{1,10}")
MAX_ID = 2**31 - 1
# Characters that XML 1.0 does not allow; a question typed with one must not break the feed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

BADGES = {
    True: ("passed", _l("Passed")),
    False: ("failed", _l("Not passed")),
}
ADVISORY = ("advisory", _l("Advisory"))
CHOSEN = ("chosen", _l("Chosen"))
ADVISORY_METHODS = ("temperature",)

EXPORT_FIELDS = (
    "vote_id",
    "url",
    "recorded_at",
    "assembly_id",
    "assembly_name",
    "assembly_slug",
    "region",
    "meetup_id",
    "meetup_title",
    "proposal_id",
    "motion_id",
    "question",
    "method",
    "passed",
    "summary",
    "ballots_cast",
    "present",
    "yes",
    "no",
    "abstain",
    "manual",
    "late",
    "chain_head",
    "seq",
)


@dataclass(frozen=True)
class Filters:
    """What the reader asked to see. Empty values mean no filter."""

    region: str = ""
    assembly: str = ""
    date_from: date | None = None
    date_to: date | None = None
    motion: int | None = None

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for links that keep them)."""
        args = {
            "region": self.region,
            "assembly": self.assembly,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "motion": str(self.motion) if self.motion else "",
        }
        return {name: value for name, value in args.items() if value}

    @property
    def active(self) -> bool:
        """True when any filter is set."""
        return bool(self.as_args())


def read_filters(args: Mapping[str, str], has_outcomes: Callable[[str], bool]):
    """Filters from a query string, and a note for each value that was ignored.

    `has_outcomes(slug)` says whether an assembly with that short name has outcomes; it is only
    called when an assembly is asked for. Bad values never raise: they are left out and noted.
    """
    notes: list[str] = []
    region = (args.get("region") or "").strip()
    if region and region not in REGIONS:
        notes.append(_("“%(value)s” is not a region: showing every region.", value=region[:60]))
        region = ""
    assembly = (args.get("assembly") or "").strip().lower()
    if assembly and (len(assembly) > 60 or not SLUG_PATTERN.fullmatch(assembly)):
        notes.append(
            _(
                "“%(value)s” is not an assembly's short name: showing every assembly.",
                value=assembly[:60],
            )
        )
        assembly = ""
    elif assembly and not has_outcomes(assembly):
        notes.append(
            _(
                "No outcomes are recorded for an assembly called “%(value)s”: showing every "
                "assembly.",
                value=assembly,
            )
        )
        assembly = ""
    date_from = _read_date(args.get("from"), _("From"), notes)
    date_to = _read_date(args.get("to"), _("To"), notes)
    if date_from and date_to and date_from > date_to:
        notes.append(_("The “from” date is after the “to” date: both were left out."))
        date_from = date_to = None
    motion = None
    motion_text = (args.get("motion") or "").strip()
    if motion_text:
        if MOTION_TEXT.fullmatch(motion_text) and 1 <= int(motion_text) <= MAX_ID:
            motion = int(motion_text)
        else:
            notes.append(
                _("“%(value)s” is not a motion number; it was left out.", value=motion_text[:20])
            )
    return Filters(region, assembly, date_from, date_to, motion), notes


def _read_date(text: str | None, label: str, notes: list[str]) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    if DATE_TEXT.fullmatch(text):
        try:
            day = date.fromisoformat(text)
            _london_midnight(day)  # refuses days whose midnight is out of range
            return day
        except (ValueError, OverflowError):
            pass
    notes.append(
        _(
            "%(label)s: “%(value)s” is not a date like 2026-05-02; it was left out.",
            label=label,
            value=text[:20],
        )
    )
    return None


def _london_midnight(day: date) -> datetime:
    """The start of a London day, in UTC."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def _filtered(query, filters: Filters):
    if filters.region:
        query = query.where(HouseOutcome.region == filters.region)
    if filters.assembly:
        query = query.where(HouseOutcome.assembly_slug == filters.assembly)
    if filters.date_from:
        query = query.where(HouseOutcome.recorded_at >= _london_midnight(filters.date_from))
    if filters.date_to and filters.date_to < date.max:
        end = _london_midnight(filters.date_to + timedelta(days=1))
        query = query.where(HouseOutcome.recorded_at < end)
    if filters.motion:
        query = query.where(HouseOutcome.motion_id == filters.motion)
    return query


def count(session: Session, filters: Filters) -> int:
    """How many outcomes match."""
    return session.exec(_filtered(select(func.count()).select_from(HouseOutcome), filters)).one()


def outcomes(
    session: Session, filters: Filters, page: int = 1, per_page: int = PER_PAGE, extra: int = 0
):
    """One page of matching outcomes, newest first (in the order they were recorded), and
    `extra` more after it if there are (to tell whether a next page exists).

    The rows are plain rows with the projection's columns as attributes, not ORM objects:
    making a thousand ORM objects costs more than the query (read-only, nothing is lost)."""
    query = _filtered(select(HouseOutcome.__table__), filters).order_by(HouseOutcome.seq.desc())
    page_query = query.offset((page - 1) * per_page).limit(per_page + extra)
    return list(session.execute(page_query))  # rows, not `exec`'s first-column scalars


def assemblies_with_outcomes(session: Session, slug: str | None = None) -> dict[str, str]:
    """The short names and names of assemblies that have outcomes, by name (for the filter);
    with `slug`, only that assembly (if it has outcomes). Read from the (slug, name) index."""
    query = (
        select(HouseOutcome.assembly_slug, func.max(HouseOutcome.assembly_name))
        .where(HouseOutcome.assembly_slug != "")
        .group_by(HouseOutcome.assembly_slug)
    )
    if slug:
        query = query.where(HouseOutcome.assembly_slug == slug)
    return dict(sorted(session.exec(query).all(), key=lambda pair: pair[1].lower()))


def read_page(text: str | None) -> int:
    """A page number from the query string; anything odd is page 1."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and 1 <= int(text) <= 100_000 else 1


def badge(outcome: HouseOutcome) -> tuple[str, str]:
    """The outcome's badge: a CSS suffix and its words (passed, not passed, advisory, chosen)."""
    if outcome.passed in BADGES:
        kind, words = BADGES[outcome.passed]
    elif outcome.method in ADVISORY_METHODS:
        kind, words = ADVISORY
    else:
        kind, words = CHOSEN
    return kind, str(words)


def turnout(outcome: HouseOutcome) -> str:
    """Ballots cast of those present, in words (only the ballots when a count by hand had
    more than the people checked in)."""
    if outcome.ballots_cast > outcome.present:
        return ngettext("%(num)d ballot", "%(num)d ballots", outcome.ballots_cast)
    return ngettext(
        "%(num)d ballot of %(present)d present",
        "%(num)d ballots of %(present)d present",
        outcome.ballots_cast,
        present=outcome.present,
    )


def item_title(outcome: HouseOutcome) -> str:
    """A feed item's title: the assembly and the question."""
    return f"{outcome.assembly_name}: {outcome.question}"


def item_text(outcome: HouseOutcome) -> str:
    """A feed item's plain text."""
    details = [badge(outcome)[1], turnout(outcome)]
    if outcome.manual:
        details.append(_("counted by hand"))
    if outcome.late:
        details.append(_("recorded after the motion closed"))
    where = ", ".join(part for part in (outcome.assembly_name, outcome.region) if part)
    lines = [
        outcome.summary,
        " · ".join(details),
        f"{outcome.meetup_title} ({where})" if outcome.meetup_title else where,
        _("Chain head: %(head)s", head=outcome.chain_head),
    ]
    return "\n".join(line for line in lines if line)


def rfc3339(moment: datetime) -> str:
    """A stored time as RFC 3339 in UTC, to the second."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_record(outcome: HouseOutcome, url: str) -> dict:
    """One outcome as an export row (JSON object; CSV row in EXPORT_FIELDS order)."""
    row = dict(outcome._mapping)
    row["url"] = url
    row["recorded_at"] = rfc3339(outcome.recorded_at)
    return {name: row[name] for name in EXPORT_FIELDS}


@dataclass(frozen=True)
class FeedLinks:
    """Absolute URLs a feed document needs."""

    home: str  # the /house page with the same filters
    self_url: str  # this document
    vote: Callable[[int], str]  # a vote's public page (also the item id)
    assembly: Callable[[str], str]  # an assembly's page, by slug


def atom(items: list[HouseOutcome], links: FeedLinks, title: str) -> bytes:
    """An Atom 1.0 document (made with feedgen, so every text is escaped)."""
    feed = FeedGenerator()
    feed.id(links.home)
    feed.title(_xml(title))
    feed.subtitle(_("Every recorded outcome of the People's Assemblies, newest first."))
    feed.author({"name": _("People's Assembly")})
    feed.link(href=links.home, rel="alternate", type="text/html")
    feed.link(href=links.self_url, rel="self", type="application/atom+xml")
    feed.language("en")
    newest = items[0].recorded_at if items else datetime(2026, 1, 1, tzinfo=UTC)
    feed.updated(rfc3339(newest))
    for outcome in items:
        entry = feed.add_entry(order="append")
        url = links.vote(outcome.vote_id)
        entry.id(url)
        entry.title(_xml(item_title(outcome)))
        entry.link(href=url, rel="alternate", type="text/html")
        entry.published(rfc3339(outcome.recorded_at))
        entry.updated(rfc3339(outcome.recorded_at))
        author = {"name": _xml(outcome.assembly_name)}
        if outcome.assembly_slug:
            author["uri"] = links.assembly(outcome.assembly_slug)
        entry.author(author)
        if outcome.region:
            entry.category(term=outcome.region, label=outcome.region)
        entry.content(_xml(item_text(outcome)), type="text")
    return feed.atom_str(pretty=True)


def json_feed(items: list[HouseOutcome], links: FeedLinks, title: str) -> dict:
    """A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1)."""
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": links.home,
        "feed_url": links.self_url,
        "description": _("Every recorded outcome of the People's Assemblies, newest first."),
        "language": "en",
        "items": [
            {
                "id": links.vote(outcome.vote_id),
                "url": links.vote(outcome.vote_id),
                "title": item_title(outcome),
                "content_text": item_text(outcome),
                "date_published": rfc3339(outcome.recorded_at),
                "authors": [_author(outcome, links)],
                "tags": [outcome.region] if outcome.region else [],
                "_house": as_record(outcome, links.vote(outcome.vote_id)),
            }
            for outcome in items
        ],
    }


def _author(outcome: HouseOutcome, links: FeedLinks) -> dict:
    author = {"name": outcome.assembly_name}
    if outcome.assembly_slug:
        author["url"] = links.assembly(outcome.assembly_slug)
    return author


def feed_title(filters: Filters, names: Mapping[str, str]) -> str:
    """The feed's title, naming the filters in use (`names`: assembly names by slug)."""
    parts = [filters.region, names.get(filters.assembly, filters.assembly)]
    if filters.motion:
        parts.append(_("motion %(id)d", id=filters.motion))
    if filters.date_from or filters.date_to:
        parts.append(
            "–".join(
                [
                    filters.date_from.isoformat() if filters.date_from else "",
                    filters.date_to.isoformat() if filters.date_to else "",
                ]
            )
        )
    named = ", ".join(part for part in parts if part)
    title = _("House of the People")
    return f"{title}: {named}" if named else title


def _xml(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)
