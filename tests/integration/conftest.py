"""A meetup in session for live-meeting and vote tests: a module server, a fresh meetup per
test with check-in open, the facilitator's console client and walk-in phones."""

import os

import pytest

from app import create_app
from app.db import unit_of_work
from app.events import utcnow
from assemblies import meetups
from tests.clients import LiveClient, signed_in_session, walk_in
from tests.meetup_data import checkin_open_details
from tests.servers import DEMO_PASSWORD

COPIED = ("DATABASE_URL", "ASSEMBLY_INSTANCE", "SECRET_KEY")


@pytest.fixture(scope="module")
def module_app(module_server):
    """An in-process app on the module server's database, to create meetups."""
    saved = {
        key: os.environ.get(key) for key in (*COPIED, "ASSEMBLY_SCHEDULER", "ASSEMBLY_ASYNC_MODE")
    }
    os.environ.update({key: module_server.env[key] for key in COPIED})
    os.environ.update(ASSEMBLY_SCHEDULER="off", ASSEMBLY_ASYNC_MODE="threading")
    app = create_app({"TESTING": True})
    yield app
    app.extensions["scheduler"].shutdown()
    app.extensions["database"].engine.dispose()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def facilitator_http(module_server):
    """The facilitator, signed in once for the module (sign-ins are throttled)."""
    return signed_in_session(module_server.url, "facilitator@assembly.example.org", DEMO_PASSWORD)


@pytest.fixture
def meeting(request, module_server, module_app, facilitator_http):
    """A fresh meetup with check-in open, a facilitator console client, and walk-in phones
    (4 by default; a test marked `phones(N)` gets N)."""
    marker = request.node.get_closest_marker("phones")
    count = marker.args[0] if marker else 4
    url = module_server.url
    details = checkin_open_details("Live", hours=2, capacity=100)
    with module_app.app_context(), unit_of_work() as uow:
        meetup_id = meetups.schedule_meetup(uow, 1, details, None, utcnow())[0].id
    join_url = facilitator_http.get(f"{url}/m/{meetup_id}/join-code", timeout=10).headers[
        "X-Join-Url"
    ]
    console = LiveClient(url, cookies=facilitator_http.cookies.get_dict()).connect()
    assert console.call("join", {"room": f"meetup:{meetup_id}:crew"})["ok"]
    phones = [walk_in(url, join_url, f"Phone {n}", meetup_id) for n in range(count)]
    yield {"id": meetup_id, "console": console, "phones": phones, "url": url}
    for client in [console, *meeting_clients(phones)]:
        client.close()


def meeting_clients(phones):
    """The phones still connected at the end of a test."""
    return [phone for phone in phones if phone.client.connected]
