"""The cast for attack tests: one server, two assemblies with a meetup each in session, and
a signed-in (or checked-in) HTTP session and socket connection for every role.

Roles:
    anon      nobody signed in, no phone bound
    att_a     an attendee checked in to meetup A (Hackney) from this phone
    att_b     an attendee checked in to meetup B (Leeds Central) from this phone
    door      Hackney's door volunteer (demo account)
    fac_a     Hackney's facilitator (demo account)
    fac_b     Leeds Central's facilitator (made with `assembly user create`)
    host      the national host (demo account)
"""

import os
import time
import uuid
from dataclasses import dataclass, field

import pytest
import requests
from sqlmodel import select

from app import create_app
from app.db import read_session, unit_of_work
from app.events import utcnow
from assemblies import meetups, services
from tests.clients import LiveClient, csrf_token, signed_in_session
from tests.e2e.conftest import browser_type_launch_args  # noqa: F401 - Debian's Chromium
from tests.meetup_data import checkin_open_details
from tests.servers import DEMO_PASSWORD, run_cli

ROLES = ("anon", "att_a", "att_b", "door", "fac_a", "fac_b", "host")
STAFF_EMAILS = {
    "door": "door@assembly.example.org",
    "fac_a": "facilitator@assembly.example.org",
    "host": "host@assembly.example.org",
    "fac_b": "leeds-facilitator@assembly.example.org",
}
COPIED = ("DATABASE_URL", "ASSEMBLY_INSTANCE", "SECRET_KEY")


@dataclass
class Cast:
    """Everything the attack tests need, made once per module."""

    url: str
    app: object
    meetup_a: int
    meetup_b: int
    victim_meetup: int
    http: dict[str, requests.Session]
    registration: dict[str, int]
    ids: dict[str, object] = field(default_factory=dict)
    sockets: dict[str, LiveClient] = field(default_factory=dict)

    def clone(self, role: str) -> requests.Session:
        """A copy of a role's HTTP session: signing out or binding through it changes nothing
        for the role itself (the cookie session is signed, not stored on the server)."""
        copy = requests.Session()
        copy.cookies.update(self.http[role].cookies)
        return copy

    def socket(self, role: str) -> LiveClient:
        """The role's socket connection (made on first use)."""
        if role not in self.sockets or not self.sockets[role].client.connected:
            cookies = self.http[role].cookies.get_dict()
            self.sockets[role] = LiveClient(self.url, cookies=cookies).connect()
        return self.sockets[role]

    def form_post(self, http: requests.Session, path: str, data: dict | None = None):
        """POST a form with a valid CSRF token of this session."""
        token = page_token(http, self.url)
        return http.post(
            self.url + path,
            data={**(data or {}), "csrf_token": token},
            allow_redirects=False,
            timeout=20,
        )


def page_token(http: requests.Session, url: str) -> str:
    """A CSRF token for this session (every token of a session is valid for any form)."""
    return csrf_token(http.get(url + "/sign-in", timeout=20).text)


def client_id() -> str:
    """A fresh client-made id for commands that take one."""
    return uuid.uuid4().hex


@pytest.fixture(scope="module")
def cast_app(module_server):
    """An in-process app on the module server's database, to make meetups."""
    saved = {k: os.environ.get(k) for k in (*COPIED, "ASSEMBLY_SCHEDULER", "ASSEMBLY_ASYNC_MODE")}
    os.environ.update({key: module_server.env[key] for key in COPIED})
    os.environ.update(ASSEMBLY_SCHEDULER="off", ASSEMBLY_ASYNC_MODE="threading")
    application = create_app({"TESTING": True})
    yield application
    application.extensions["scheduler"].shutdown()
    application.extensions["database"].engine.dispose()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def meetup_in_session(app, slug: str, title: str) -> int:
    """A meetup of the assembly starting in 10 minutes, check-in open now."""
    details = checkin_open_details(title, hours=2, capacity=200)
    with app.app_context(), unit_of_work() as uow:
        assembly = services.find_by_slug(uow.session, slug)
        return meetups.schedule_meetup(uow, assembly.id, details, None, utcnow())[0].id


def walk_in_session(url: str, join_url: str, name: str) -> requests.Session:
    """A phone's HTTP session after walking in through the big screen's join QR."""
    http = requests.Session()
    path = "/" + join_url.split("://", 1)[1].split("/", 1)[1]
    token = csrf_token(http.get(url + path, timeout=20).text)
    response = http.post(
        url + path,
        data={"display_name": name, "csrf_token": token},
        allow_redirects=False,
        timeout=20,
    )
    assert response.status_code == 302, response.text[:300]
    return http


def join_url(http: requests.Session, url: str, meetup_id: int) -> str:
    """The big screen's current join link (facilitators only)."""
    response = http.get(f"{url}/m/{meetup_id}/join-code", timeout=20)
    assert response.ok, response.status_code
    return response.headers["X-Join-Url"]


def registration_of(app, meetup_id: int, name: str):
    """The registration row of the named attendee at a meetup."""
    from assemblies.models import Registration

    with app.app_context(), read_session() as session:
        query = select(Registration).where(
            Registration.meetup_id == meetup_id, Registration.display_name == name
        )
        return session.exec(query).one()


@pytest.fixture(scope="module")
def cast(module_server, cast_app) -> Cast:
    """Every role, signed in or checked in, with the ids the attack tests use."""
    url = module_server.url
    run_cli(
        module_server.env,
        *("user", "create", "--email", STAFF_EMAILS["fac_b"], "--name", "Lee Leeds"),
        *("--role", "facilitator", "--assembly", "leeds-central"),
        stdin=DEMO_PASSWORD + "\n",
    )
    http = {
        role: signed_in_session(url, email, DEMO_PASSWORD) for role, email in STAFF_EMAILS.items()
    }
    http["anon"] = requests.Session()
    meetup_a = meetup_in_session(cast_app, "hackney", "Meetup A")
    meetup_b = meetup_in_session(cast_app, "leeds-central", "Meetup B")
    victim = meetup_in_session(cast_app, "hackney", "Meetup to cancel")
    http["att_a"] = walk_in_session(url, join_url(http["fac_a"], url, meetup_a), "Attendee A")
    http["att_b"] = walk_in_session(url, join_url(http["fac_b"], url, meetup_b), "Attendee B")
    registration = {
        "att_a": registration_of(cast_app, meetup_a, "Attendee A").id,
        "att_b": registration_of(cast_app, meetup_b, "Attendee B").id,
    }
    made = Cast(url, cast_app, meetup_a, meetup_b, victim, http, registration)
    made.ids.update(_objects(made))
    yield made
    for client in made.sockets.values():
        if client.client.connected:
            client.close()
    for http in made.http.values():
        http.close()


def _objects(cast: Cast) -> dict:
    """Ids the routes and commands need: a ticket, a proposal, votes, a referral, a motion,
    a briefing pack, a staff member."""
    ids = {"slug_a": "hackney", "slug_b": "leeds-central"}
    ids["ticket"] = register(cast, cast.meetup_a, "Ticket holder")
    ids["victim_ticket"] = register(cast, cast.meetup_a, "Ticket to cancel")
    ids["join_a"] = join_url(cast.http["fac_a"], cast.url, cast.meetup_a).rsplit("/", 1)[1]
    console = cast.socket("fac_a")
    proposal = console.call(
        "proposal.submit",
        {
            "meetup_id": cast.meetup_a,
            "client_id": client_id(),
            "title": "More benches in the park",
            "as_facilitator": True,
        },
    )
    assert proposal["ok"], proposal
    ids["proposal"] = proposal["proposal_id"]
    ids["passed_vote"] = passed_vote(cast, ids["proposal"])
    ids["open_vote"] = open_vote(cast, "Open question")
    with cast.clone("fac_a") as http:
        cast.form_post(http, f"/v/{ids['passed_vote']}/refer")
    with cast.clone("host") as http:
        cast.form_post(http, "/house/briefings/prepare")
    ids.update(_house_ids(cast))
    return ids


def register(cast: Cast, meetup_id: int, name: str) -> str:
    """Register someone through the meetup page; returns their ticket token."""
    response = cast.form_post(
        requests.Session(), f"/m/{meetup_id}/register", {"display_name": name}
    )
    assert response.status_code == 302, response.text[:300]
    return response.headers["Location"].rsplit("/", 1)[1]


def open_vote(cast: Cast, question: str, **extra) -> int:
    """Open a yes/no vote at meetup A from the facilitator's console."""
    ack = cast.socket("fac_a").call(
        "vote.open",
        {
            "meetup_id": cast.meetup_a,
            "client_id": client_id(),
            "question": question,
            "method": "yes_no",
            **extra,
        },
    )
    assert ack["ok"], ack
    return ack["vote_id"]


def passed_vote(cast: Cast, proposal_id: int) -> int:
    """A vote on the proposal that attendee A passes, closed."""
    vote_id = open_vote(cast, "Benches?", proposal_id=proposal_id)
    phone = cast.socket("att_a")
    assert phone.call("vote.cast", {"vote_id": vote_id, "ballot": "yes"})["ok"]
    closed = cast.socket("fac_a").call(
        "vote.close", {"meetup_id": cast.meetup_a, "vote_id": vote_id}
    )
    assert closed["ok"] and closed["result"]["passed"], closed
    return vote_id


def _house_ids(cast: Cast) -> dict:
    from app.auth.models import User
    from voting.house.models import BriefingPack, NationalMotion, Referral

    deadline = time.monotonic() + 30
    with cast.app.app_context():
        while True:
            with read_session() as session:
                pack = session.exec(select(BriefingPack.id)).first()
                referral = session.exec(select(Referral.id)).first()
                motion = session.exec(select(NationalMotion.id)).first()
                door = session.exec(select(User.id).where(User.email == STAFF_EMAILS["door"])).one()
            if (pack and referral and motion) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert pack and referral and motion, (pack, referral, motion)
    return {"pack": pack, "referral": referral, "motion": motion, "door_user": door}
