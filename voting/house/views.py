"""The House of the People's public pages: the national feed (/house), and the same outcomes
as Atom, JSON Feed, CSV and JSON (blueprint `house`). No sign-in; everything reads only the
`house_outcome` projection."""

import json

from flask import Blueprint, Response, render_template, request, url_for

from app.csvexport import csv_response
from app.db import read_session
from app.events import last_seq
from assemblies.models import REGIONS
from voting.house import feed

bp = Blueprint("house", __name__)

FEED_CACHE = "public, max-age=60"


def _filters(session, every_assembly: bool = False):
    """The filters asked for, their notes, and assembly names by short name: every assembly
    with outcomes for the page's list, otherwise only the one asked for (documents list none,
    and at a national scale the full list is the costliest query of a request)."""
    if every_assembly:
        names = feed.assemblies_with_outcomes(session)
        filters, notes = feed.read_filters(request.args, names.__contains__)
        return filters, notes, names
    names: dict[str, str] = {}

    def has_outcomes(slug: str) -> bool:
        names.update(feed.assemblies_with_outcomes(session, slug))
        return slug in names

    filters, notes = feed.read_filters(request.args, has_outcomes)
    return filters, notes, names


def _vote_urls():
    """A vote page's absolute URL from its id. Built once and joined with each id, since an
    export page names a thousand votes and `url_for` is the slowest part of a row."""
    prefix = url_for("meeting.vote_page", vote_id=0, _external=True).removesuffix("0")
    return lambda vote_id: f"{prefix}{vote_id}"


def _links(endpoint: str, filters: feed.Filters) -> feed.FeedLinks:
    args = filters.as_args()
    return feed.FeedLinks(
        home=url_for("house.feed_page", _external=True, **args),
        self_url=url_for(endpoint, _external=True, **args),
        vote=_vote_urls(),
        assembly=lambda slug: url_for("assemblies.assembly_page", slug=slug, _external=True),
    )


def _json(document: dict, mimetype: str) -> Response:
    """JSON with <, > and & written as \\u escapes, so no reader can take it for HTML."""
    text = json.dumps(document, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Response(text, mimetype=mimetype)


@bp.get("/house")
def feed_page():
    """The national feed: every recorded outcome, newest first, filtered and paged."""
    page = feed.read_page(request.args.get("page"))
    with read_session() as session:
        seq = last_seq(session)
        filters, notes, choices = _filters(session, every_assembly=True)
        total = feed.count(session, filters)
        pages = max(1, -(-total // feed.PER_PAGE))
        page = min(page, pages)
        rows = feed.outcomes(session, filters, page)
    return render_template(
        "house/feed.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        args=filters.as_args(),
        notes=notes,
        regions=REGIONS,
        choices=choices,
        seq=seq,
        badge=feed.badge,
        turnout=feed.turnout,
        csv_per_page=feed.CSV_PER_PAGE,
        json_per_page=feed.JSON_PER_PAGE,
        per_page=feed.PER_PAGE,
    )


@bp.get("/house/feed.atom")
def feed_atom():
    """The newest outcomes as an Atom 1.0 feed, with the same filters as the page."""
    with read_session() as session:
        filters, _notes, choices = _filters(session)
        rows = feed.outcomes(session, filters)
    title = feed.feed_title(filters, choices)
    body = feed.atom(rows, _links("house.feed_atom", filters), title)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = FEED_CACHE
    return response


@bp.get("/house/feed.json")
def feed_json():
    """The newest outcomes as a JSON Feed 1.1, with the same filters as the page."""
    with read_session() as session:
        filters, _notes, choices = _filters(session)
        rows = feed.outcomes(session, filters)
    title = feed.feed_title(filters, choices)
    document = feed.json_feed(rows, _links("house.feed_json", filters), title)
    response = _json(document, "application/feed+json")
    response.headers["Cache-Control"] = FEED_CACHE
    return response


@bp.get("/house/outcomes.csv")
def outcomes_csv():
    """The matching outcomes as CSV, newest first, in pages of CSV_PER_PAGE (`page`), every
    cell spreadsheet-safe. A `Link: <...>; rel="next"` header names the next page."""
    page = feed.read_page(request.args.get("page"))
    with read_session() as session:
        filters, _notes, _choices = _filters(session)
        # One more than a page: whether there is a next page, without counting every match.
        rows = feed.outcomes(session, filters, page, feed.CSV_PER_PAGE, extra=1)
    more = len(rows) > feed.CSV_PER_PAGE
    rows = rows[: feed.CSV_PER_PAGE]
    vote_url = _links("house.outcomes_csv", filters).vote
    records = (feed.as_record(row, vote_url(row.vote_id)) for row in rows)
    body = ([record[name] for name in feed.EXPORT_FIELDS] for record in records)
    name = "house-outcomes.csv" if page == 1 else f"house-outcomes-{page}.csv"
    response = csv_response(list(feed.EXPORT_FIELDS), body, name)
    if more:
        args = filters.as_args()
        following = url_for("house.outcomes_csv", page=page + 1, _external=True, **args)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


@bp.get("/house/outcomes.json")
def outcomes_json():
    """The matching outcomes as JSON, newest first, in pages of JSON_PER_PAGE."""
    page = feed.read_page(request.args.get("page"))
    with read_session() as session:
        filters, notes, _choices = _filters(session)
        total = feed.count(session, filters)
        rows = feed.outcomes(session, filters, page, feed.JSON_PER_PAGE)
    args = filters.as_args()
    more = page * feed.JSON_PER_PAGE < total
    vote_url = _links("house.outcomes_json", filters).vote
    document = {
        "filters": args,
        "notes": notes,
        "total": total,
        "page": page,
        "per_page": feed.JSON_PER_PAGE,
        "next": url_for("house.outcomes_json", page=page + 1, _external=True, **args)
        if more
        else None,
        "outcomes": [feed.as_record(row, vote_url(row.vote_id)) for row in rows],
    }
    return _json(document, "application/json")
