"""Property-based fuzzing of the socket commands and the forms, against a real server.

Socket commands get random JSON-ish arguments: the server must always answer with the
acknowledgement envelope, never `internal`. Forms get random field values: never a 500.
The number of examples is bounded so that the module stays fast.
"""

import string

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.test_authorization_matrix import ROUTES, fill

FIELDS = [
    "meetup_id",
    "vote_id",
    "proposal_id",
    "into_id",
    "parent_id",
    "item_id",
    "registration_id",
    "motion_id",
    "client_id",
    "scan_id",
    "title",
    "body",
    "question",
    "method",
    "options",
    "rule",
    "ballot",
    "counts",
    "reason",
    "room",
    "since",
    "code",
    "qr",
    "q",
    "up",
    "on",
    "kind",
    "enabled",
    "offset",
    "minutes",
    "duration_seconds",
    "secret",
    "changeable",
    "live_results",
    "as_facilitator",
    "device",
]
FORM_FIELDS = [
    "display_name",
    "email",
    "name",
    "slug",
    "area",
    "region",
    "description",
    "contact",
    "title",
    "agenda_summary",
    "starts",
    "ends",
    "venue_name",
    "venue_address",
    "accessibility_notes",
    "online_link",
    "capacity",
    "registration_opens_days",
    "registration_closes_minutes",
    "checkin_opens_minutes",
    "repeat",
    "repeat_count",
    "rrule",
    "scope",
    "reason",
    "answer",
    "current",
    "new",
    "password",
    "is_host",
    "assembly_id",
    "role",
    "wording",
    "opens_at",
    "closes_at",
    "threshold",
    "abstentions_count",
    "regions",
]
NASTY_TEXT = st.sampled_from(
    ["", " ", "0", "-1", "1e309", "99999999999999999999", "null", "\x00", "\ud7ff", "<>\"'&"]
)
TEXT = st.text(max_size=300) | NASTY_TEXT | st.text(string.digits + "-:T ", max_size=25)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=20,
)
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def command_arguments(meetup_id: int):
    """Random arguments, mostly for the real meetup so the handlers get past the first check."""
    return st.dictionaries(st.sampled_from(FIELDS), JSONISH, max_size=8).flatmap(
        lambda data: st.sampled_from([{**data, "meetup_id": meetup_id}, data])
    )


@FUZZ
@given(data=st.data())
def test_random_arguments_to_every_command_get_an_envelope_never_internal(cast, data):
    commands = sorted(cast.app.extensions["realtime"].commands)
    name = data.draw(st.sampled_from(commands))
    role = data.draw(st.sampled_from(["fac_a", "att_a", "anon"]))
    arguments = data.draw(command_arguments(cast.meetup_a))
    ack = cast.socket(role).call(name, arguments, timeout=30)
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
    if not ack["ok"]:
        assert set(ack["error"]) >= {"code", "message"}
        assert ack["error"]["code"] != "internal", (name, arguments, ack)


POST_PATHS = sorted(
    template
    for (method, _rule), (_allowed, template) in ROUTES.items()
    if method == "POST" and "sign-out" not in template
)


@FUZZ
@given(data=st.data())
def test_random_form_values_never_cause_a_server_error(cast, data):
    path = fill(data.draw(st.sampled_from(POST_PATHS)), cast)
    role = data.draw(st.sampled_from(["host", "fac_a", "anon"]))
    form = data.draw(st.dictionaries(st.sampled_from(FORM_FIELDS), TEXT, max_size=10))
    with cast.clone(role) as http:
        response = cast.form_post(http, path, form)
    assert response.status_code < 500, (path, form, response.status_code)


@settings(max_examples=60, deadline=None)
@given(
    query=st.dictionaries(
        st.sampled_from(["q", "region", "assembly", "from", "to", "motion", "page", "receipt"]),
        TEXT,
        max_size=4,
    )
)
def test_random_query_strings_never_cause_a_server_error(cast, query):
    for path in (
        "/house",
        "/house/feed.atom",
        "/house/outcomes.csv",
        "/assemblies",
        f"/v/{cast.ids['passed_vote']}",
    ):
        response = requests.get(cast.url + path, params=query, timeout=20)
        assert response.status_code < 500, (path, query, response.status_code)
