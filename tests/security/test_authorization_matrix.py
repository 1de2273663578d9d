"""The authorization matrix: every HTTP route and every socket command and room, against
every role. The expected table is data; a route, command or room rule missing from it
fails the test, so a new one cannot be left out.

A route is *refused* when the answer is 403, or a redirect to the sign-in page; *allowed*
when it is anything else but a server error or a rate limit. Forms are posted with a valid
CSRF token and with empty or harmless fields, so an allowed POST mostly answers with its form
errors; the one POST that would do damage with empty fields (cancelling a meetup) aims at a
meetup kept for it. A command is refused when its acknowledgement's code is `forbidden` or
`not_checked_in`; the arguments name real things or ids that do not exist, so an allowed
command either works or says what is missing.
"""

from tests.security.conftest import ROLES, client_id

EVERYONE = frozenset(ROLES)
STAFF = frozenset({"door", "fac_a", "fac_b", "host"})
HOST = frozenset({"host"})
FAC_A = frozenset({"fac_a", "host"})
CREW_A = frozenset({"door", "fac_a", "host"})
ATTENDEE_A = frozenset({"att_a"})
NONE_SUCH = 999_999

# (method, rule) -> (who may, the path with the cast's ids filled in by `path_for`)
ROUTES = {
    ("GET", "/"): (EVERYONE, "/"),
    ("GET", "/a/<slug>"): (EVERYONE, "/a/{slug_a}"),
    ("GET", "/a/<slug>/calendar.ics"): (EVERYONE, "/a/{slug_a}/calendar.ics"),
    ("GET", "/a/<slug>/dashboard"): (FAC_A, "/a/{slug_a}/dashboard"),
    ("GET", "/a/<slug>/edit"): (FAC_A, "/a/{slug_a}/edit"),
    ("POST", "/a/<slug>/edit"): (FAC_A, "/a/{slug_a}/edit"),
    ("GET", "/a/<slug>/meetups/new"): (FAC_A, "/a/{slug_a}/meetups/new"),
    ("POST", "/a/<slug>/meetups/new"): (FAC_A, "/a/{slug_a}/meetups/new"),
    ("GET", "/account"): (STAFF, "/account"),
    ("POST", "/account"): (STAFF, "/account"),
    ("GET", "/assemblies"): (EVERYONE, "/assemblies"),
    ("GET", "/assemblies/new"): (HOST, "/assemblies/new"),
    ("POST", "/assemblies/new"): (HOST, "/assemblies/new"),
    ("GET", "/calendar.ics"): (EVERYONE, "/calendar.ics"),
    ("GET", "/favicon.ico"): (EVERYONE, "/favicon.ico"),
    ("GET", "/healthz"): (EVERYONE, "/healthz"),
    ("GET", "/house"): (EVERYONE, "/house"),
    ("GET", "/house/answers"): (EVERYONE, "/house/answers"),
    ("GET", "/house/briefings"): (HOST, "/house/briefings"),
    ("GET", "/house/briefings/<int:pack_id>"): (HOST, "/house/briefings/{pack}"),
    ("POST", "/house/briefings/prepare"): (HOST, "/house/briefings/prepare"),
    ("GET", "/house/dashboard"): (HOST, "/house/dashboard"),
    ("GET", "/house/feed.atom"): (EVERYONE, "/house/feed.atom"),
    ("GET", "/house/feed.json"): (EVERYONE, "/house/feed.json"),
    ("GET", "/house/motions"): (EVERYONE, "/house/motions"),
    ("GET", "/house/motions/<int:motion_id>"): (EVERYONE, "/house/motions/{motion}"),
    ("GET", "/house/motions/<int:motion_id>.json"): (EVERYONE, "/house/motions/{motion}.json"),
    ("GET", "/house/motions/<int:motion_id>/revise"): (HOST, "/house/motions/{motion}/revise"),
    ("POST", "/house/motions/<int:motion_id>/revise"): (HOST, "/house/motions/{motion}/revise"),
    ("GET", "/house/motions/new"): (HOST, "/house/motions/new"),
    ("POST", "/house/motions/new"): (HOST, "/house/motions/new"),
    ("GET", "/house/outcomes.csv"): (EVERYONE, "/house/outcomes.csv"),
    ("GET", "/house/outcomes.json"): (EVERYONE, "/house/outcomes.json"),
    ("GET", "/house/referrals"): (HOST, "/house/referrals"),
    # An action that does not exist: a host gets 400 after the role check, nothing changes.
    ("POST", "/house/referrals/<int:referral_id>/<action>"): (
        HOST,
        "/house/referrals/{referral}/nothing",
    ),
    ("GET", "/j/<token>"): (EVERYONE, "/j/{join_a}"),
    ("POST", "/j/<token>"): (EVERYONE, "/j/{join_a}"),
    ("GET", "/m/<int:meetup_id>"): (EVERYONE, "/m/{meetup_a}"),
    ("GET", "/m/<int:meetup_id>.ics"): (EVERYONE, "/m/{meetup_a}.ics"),
    ("GET", "/m/<int:meetup_id>/attendance.csv"): (FAC_A, "/m/{meetup_a}/attendance.csv"),
    ("GET", "/m/<int:meetup_id>/cancel"): (FAC_A, "/m/{meetup_a}/cancel"),
    ("POST", "/m/<int:meetup_id>/cancel"): (FAC_A, "/m/{victim_meetup}/cancel"),
    ("GET", "/m/<int:meetup_id>/console"): (FAC_A, "/m/{meetup_a}/console"),
    ("GET", "/m/<int:meetup_id>/door"): (CREW_A, "/m/{meetup_a}/door"),
    ("GET", "/m/<int:meetup_id>/edit"): (FAC_A, "/m/{meetup_a}/edit"),
    ("POST", "/m/<int:meetup_id>/edit"): (FAC_A, "/m/{meetup_a}/edit"),
    ("GET", "/m/<int:meetup_id>/join-code"): (FAC_A, "/m/{meetup_a}/join-code"),
    ("GET", "/m/<int:meetup_id>/minutes"): (EVERYONE, "/m/{meetup_a}/minutes"),
    ("GET", "/m/<int:meetup_id>/minutes.csv"): (EVERYONE, "/m/{meetup_a}/minutes.csv"),
    ("GET", "/m/<int:meetup_id>/minutes.json"): (EVERYONE, "/m/{meetup_a}/minutes.json"),
    ("GET", "/m/<int:meetup_id>/minutes.md"): (EVERYONE, "/m/{meetup_a}/minutes.md"),
    ("GET", "/m/<int:meetup_id>/phone"): (EVERYONE, "/m/{meetup_a}/phone"),
    ("POST", "/m/<int:meetup_id>/register"): (EVERYONE, "/m/{meetup_a}/register"),
    ("GET", "/m/<int:meetup_id>/registrations.csv"): (FAC_A, "/m/{meetup_a}/registrations.csv"),
    ("GET", "/m/<int:meetup_id>/screen"): (FAC_A, "/m/{meetup_a}/screen"),
    ("GET", "/privacy"): (EVERYONE, "/privacy"),
    ("GET", "/sign-in"): (EVERYONE, "/sign-in"),
    ("POST", "/sign-in"): (EVERYONE, "/sign-in"),
    ("POST", "/sign-out"): (EVERYONE, "/sign-out"),
    ("GET", "/staff"): (HOST, "/staff"),
    ("POST", "/staff"): (HOST, "/staff"),
    ("GET", "/staff/<int:user_id>"): (HOST, "/staff/{door_user}"),
    ("POST", "/staff/<int:user_id>"): (HOST, "/staff/{door_user}"),
    ("POST", "/staff/<int:user_id>/revoke"): (HOST, "/staff/{door_user}/revoke"),
    ("GET", "/static/<path:filename>"): (EVERYONE, "/static/css/site.css"),
    ("GET", "/t/<token>"): (EVERYONE, "/t/{ticket}"),
    ("POST", "/t/<token>/bind"): (EVERYONE, "/t/{ticket}/bind"),
    ("POST", "/t/<token>/cancel"): (EVERYONE, "/t/{victim_ticket}/cancel"),
    ("GET", "/t/<token>/data"): (EVERYONE, "/t/{ticket}/data"),
    ("POST", "/t/<token>/data"): (EVERYONE, "/t/{victim_ticket}/data"),
    ("GET", "/v/<int:vote_id>"): (EVERYONE, "/v/{passed_vote}"),
    ("GET", "/v/<int:vote_id>.json"): (EVERYONE, "/v/{passed_vote}.json"),
    ("POST", "/v/<int:vote_id>/refer"): (FAC_A, "/v/{passed_vote}/refer"),
}

REFUSED_CODES = {"forbidden", "not_checked_in"}

# command -> (who may, its arguments; callables get the cast's ids)
COMMANDS = {
    "join": (EVERYONE, lambda ids: {"room": "house"}),
    "leave": (EVERYONE, lambda ids: {"room": "house"}),
    "resync": (EVERYONE, lambda ids: {"since": 0}),
    "ping": (EVERYONE, lambda ids: {}),
    "meeting.state": (EVERYONE, lambda ids: {"meetup_id": ids["meetup_a"]}),
    "door.scan": (CREW_A, lambda ids: {"qr": "not-a-ticket", "scan_id": client_id()}),
    "door.code": (CREW_A, lambda ids: {"code": "AAAA-AAAA", "scan_id": client_id()}),
    "door.admit": (CREW_A, lambda ids: {"registration_id": NONE_SUCH, "scan_id": client_id()}),
    "door.search": (CREW_A, lambda ids: {"q": "Attendee"}),
    "door.checkout": (CREW_A, lambda ids: {"registration_id": NONE_SUCH}),
    "door.attendance": (CREW_A, lambda ids: {}),
    "door.walk_ins": (FAC_A, lambda ids: {"enabled": True}),
    "proposal.submit": (
        ATTENDEE_A | FAC_A,
        lambda ids: {"client_id": client_id(), "title": "A proposal", "as_facilitator": True},
    ),
    "proposal.support": (ATTENDEE_A, lambda ids: {"proposal_id": ids["proposal"], "on": True}),
    "hand.raise": (ATTENDEE_A, lambda ids: {"up": True}),
    "signal.set": (ATTENDEE_A, lambda ids: {"kind": "agree", "up": True}),
    "vote.cast": (ATTENDEE_A, lambda ids: {"vote_id": ids["open_vote"], "ballot": "yes"}),
    "agenda.add": (FAC_A, lambda ids: {"title": "Item", "minutes": 5}),
    "agenda.move": (FAC_A, lambda ids: {"item_id": NONE_SUCH, "offset": 1}),
    "agenda.start": (FAC_A, lambda ids: {"item_id": NONE_SUCH}),
    "agenda.finish": (FAC_A, lambda ids: {"item_id": NONE_SUCH}),
    "proposal.accept": (FAC_A, lambda ids: {"proposal_id": NONE_SUCH}),
    "proposal.return": (FAC_A, lambda ids: {"proposal_id": NONE_SUCH, "reason": "why"}),
    "proposal.hide": (FAC_A, lambda ids: {"proposal_id": NONE_SUCH}),
    "proposal.merge": (FAC_A, lambda ids: {"proposal_id": NONE_SUCH, "into_id": NONE_SUCH - 1}),
    "proposal.discuss": (FAC_A, lambda ids: {"proposal_id": None}),
    "queue.next": (FAC_A, lambda ids: {}),
    "queue.clear": (FAC_A, lambda ids: {}),
    "signals.clear": (FAC_A, lambda ids: {}),
    "vote.open": (
        FAC_A,
        lambda ids: {"client_id": client_id(), "question": "Q?", "method": "yes_no"},
    ),
    "vote.close": (FAC_A, lambda ids: {"vote_id": NONE_SUCH}),
    "vote.manual": (FAC_A, lambda ids: {"vote_id": NONE_SUCH, "counts": {}}),
    "motion.amend": (FAC_A, lambda ids: {"motion_id": NONE_SUCH, "wording": "Amended"}),
    "motion.run": (FAC_A, lambda ids: {"motion_id": NONE_SUCH, "client_id": client_id()}),
}

# room rule pattern -> (who may join, an example room)
ROOMS = {
    "house": (EVERYONE, "house"),
    "house:hosts": (HOST, "house:hosts"),
    "house:motions": (EVERYONE, "house:motions"),
    r"assembly:(\d+)": (EVERYONE, "assembly:1"),
    r"assembly:(\d+):crew": (CREW_A, "assembly:1:crew"),
    r"meetup:(\d+)": (EVERYONE, "meetup:{meetup_a}"),
    r"meetup:(\d+):crew": (CREW_A, "meetup:{meetup_a}:crew"),
    r"meetup:(\d+):screen": (FAC_A, "meetup:{meetup_a}:screen"),
    r"registration:(\d+)": (ATTENDEE_A, "registration:{att_a_registration}"),
}


def app_routes(app) -> set[tuple[str, str]]:
    """Every (method, rule) the app serves, HEAD and OPTIONS aside."""
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def fill(template: str, cast) -> str:
    """A path or room with the cast's ids in it."""
    values = {
        **cast.ids,
        "meetup_a": cast.meetup_a,
        "victim_meetup": cast.victim_meetup,
        "att_a_registration": cast.registration["att_a"],
    }
    return template.format(**values)


def refused(response) -> bool:
    """A 403, or a redirect to the sign-in page."""
    location = response.headers.get("Location", "")
    return response.status_code == 403 or (
        response.status_code in (301, 302, 303) and "/sign-in" in location
    )


def request_as(cast, role: str, method: str, path: str):
    """One request as the role, through a copy of its session."""
    with cast.clone(role) as http:
        if method == "POST":
            return cast.form_post(http, path)
        return http.get(cast.url + path, allow_redirects=False, timeout=20)


def test_every_route_is_in_the_matrix(cast):
    served = app_routes(cast.app)
    assert served - set(ROUTES) == set(), "routes missing from the matrix"
    assert set(ROUTES) - served == set(), "the matrix lists routes that no longer exist"


def test_every_command_and_room_rule_is_in_the_matrix(cast):
    registry = cast.app.extensions["realtime"]
    assert set(registry.commands) == set(COMMANDS)
    assert {rule.pattern.pattern for rule in registry.room_rules} == set(ROOMS)


def test_routes_allow_and_refuse_each_role_as_designed(cast):
    wrong = []
    for (method, _rule), (allowed, template) in sorted(ROUTES.items()):
        path = fill(template, cast)
        for role in ROLES:
            response = request_as(cast, role, method, path)
            expected = "allowed" if role in allowed else "refused"
            got = "refused" if refused(response) else "allowed"
            if response.status_code >= 500 or response.status_code == 429 or got != expected:
                wrong.append(f"{method} {path} as {role}: {response.status_code}, want {expected}")
    assert wrong == []


def test_commands_allow_and_refuse_each_role_as_designed(cast):
    ids = {**cast.ids, "meetup_a": cast.meetup_a}
    wrong = []
    for name, (allowed, arguments) in sorted(COMMANDS.items()):
        for role in ROLES:
            ack = cast.socket(role).call(name, {"meetup_id": cast.meetup_a, **arguments(ids)})
            code = None if ack["ok"] else ack["error"]["code"]
            expected = "allowed" if role in allowed else "refused"
            got = "refused" if code in REFUSED_CODES else "allowed"
            if code in ("internal", "rate_limited") or got != expected:
                wrong.append(f"{name} as {role}: {code or 'ok'}, want {expected}")
    assert wrong == []


def test_rooms_admit_each_role_as_designed(cast):
    wrong = []
    for allowed, template in ROOMS.values():
        room = fill(template, cast)
        for role in ROLES:
            client = cast.socket(role)
            ack = client.call("join", {"room": room})
            expected = "allowed" if role in allowed else "refused"
            got = "allowed" if ack["ok"] else "refused"
            if got != expected:
                wrong.append(f"join {room} as {role}: {ack}, want {expected}")
            if ack["ok"] and room not in ("house", "meetup:" + str(cast.meetup_a)):
                client.call("leave", {"room": room})
    assert wrong == []


def test_meeting_state_shows_the_speaking_queue_names_only_to_crew(cast):
    phone = cast.socket("att_a")
    phone.call("hand.raise", {"meetup_id": cast.meetup_a, "up": False})
    assert phone.call("hand.raise", {"meetup_id": cast.meetup_a, "up": True})["ok"]
    for role in ROLES:
        ack = cast.socket(role).call("meeting.state", {"meetup_id": cast.meetup_a})
        state = ack["state"]
        shows_names = "Attendee A" in repr(state)
        assert shows_names == (role in CREW_A), f"{role} sees names: {shows_names}"
