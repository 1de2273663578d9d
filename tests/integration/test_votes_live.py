"""Live votes with real phones: opening, casting with receipts, changing, secrecy, closing
(by hand, by the timer, across a restart), manual counts, every method, and the published
ballot box that anyone can recount."""

import threading
import time

import pytest
import requests

from tests.clients import LiveClient, meeting_state, signed_in_session, walk_in
from tests.meetup_data import add_meetup
from tests.servers import DEMO_PASSWORD
from voting.tally import tally

BALLOTS = {
    "yes_no": ("yes", "maybe"),
    "consent": ("agree", "loud"),
    "temperature": ("warm", "hot"),
    "single": ("Red", "Purple"),
    "approval": (["Red", "Blue"], ["Red", "Purple"]),
    "dots": ({"Red": 3, "Blue": 2}, {"Red": 9}),
    "score": ({"Red": 5, "Blue": 1, "Green": 0}, {"Red": 9, "Blue": 1, "Green": 0}),
    "irv": (["Blue", "Red"], ["Blue", "Blue"]),
    "stv": (["Green", "Red", "Blue"], []),
    "schulze": (["Red", "Green"], ["Nope"]),
}
COLOURS = ["Red", "Blue", "Green"]


def open_vote(meeting, method="yes_no", **extra):
    ack = meeting["console"].call(
        "vote.open",
        {
            "meetup_id": meeting["id"],
            "client_id": f"vote-{method}-{time.monotonic_ns()}",
            "question": f"Do we agree? ({method})",
            "method": method,
            "options": COLOURS,
            **extra,
        },
    )
    assert ack["ok"], ack
    return ack["vote_id"]


def cast(phone, vote_id, ballot):
    return phone.call("vote.cast", {"vote_id": vote_id, "ballot": ballot})


def test_opening_puts_the_ballot_on_every_phone(meeting):
    # How fast is measured by the benchmark (`make bench`), not here.
    vote_id = open_vote(meeting)
    for phone in meeting["phones"]:
        event = phone.wait_for(lambda e: e["type"] == "VoteOpened", timeout=10)
        assert event["payload"]["vote_id"] == vote_id


@pytest.mark.phones(12)
def test_a_burst_of_casts_is_acknowledged_and_every_receipt_is_in_the_box(meeting):
    vote_id = open_vote(meeting)
    phones = meeting["phones"]
    answers = {}
    barrier = threading.Barrier(len(phones))

    def press(index, phone):
        barrier.wait()
        answers[index] = cast(phone, vote_id, ["yes", "no", "abstain"][index % 3])

    threads = [threading.Thread(target=press, args=pair) for pair in enumerate(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(answers) == len(phones) and all(a["ok"] for a in answers.values()), answers
    meeting["console"].call("vote.close", {"meetup_id": meeting["id"], "vote_id": vote_id})
    box = requests.get(f"{meeting['url']}/v/{vote_id}.json", timeout=10).json()["ballot_box"]
    assert sorted(b["receipt"] for b in box) == sorted(a["receipt"] for a in answers.values())


def test_cast_change_close_and_recount_from_the_published_box(meeting):
    phones, console = meeting["phones"], meeting["console"]
    vote_id = open_vote(meeting)
    receipts = [
        cast(p, vote_id, b)["receipt"]
        for p, b in zip(phones, ["yes", "yes", "no", "abstain"], strict=True)
    ]
    changed = cast(phones[2], vote_id, "yes")
    assert changed["changed"] is True and changed["receipt"] != receipts[2]
    assert meeting_state(phones[2], meeting["id"])["votes"][0]["my_receipt"] == changed["receipt"]
    assert console.call("vote.close", {"meetup_id": meeting["id"], "vote_id": vote_id})["ok"]
    outcome = console.wait_for(lambda e: e["type"] == "OutcomeRecorded")
    assert outcome["payload"]["ballots_cast"] == 4
    assert outcome["payload"]["result"]["summary"].startswith("Passed")
    published = requests.get(f"{meeting['url']}/v/{vote_id}.json", timeout=10).json()
    box = {row["receipt"]: row["ballot"] for row in published["ballot_box"]}
    assert box == {
        receipts[0]: "yes",
        receipts[1]: "yes",
        changed["receipt"]: "yes",
        receipts[3]: "abstain",
    }
    assert all(row["name"] is None for row in published["ballot_box"])  # secret ballot
    recount = tally(
        published["method"],
        published["options"],
        list(box.values()),
        published["rule"],
        published["tie_break_seed"],
        published["present"],
    )
    assert recount.as_dict()["summary"] == published["result"]["summary"]
    page = requests.get(f"{meeting['url']}/v/{vote_id}?receipt={receipts[0]}", timeout=10).text
    assert "Found: this ballot was counted as" in page
    stale = requests.get(f"{meeting['url']}/v/{vote_id}?receipt={receipts[2]}", timeout=10).text
    assert "No ballot has that receipt" in stale
    assert cast(phones[0], vote_id, "no")["error"]["code"] == "vote_closed"


def test_final_ballots_cannot_be_changed(meeting):
    vote_id = open_vote(meeting, changeable=False)
    phone = meeting["phones"][0]
    assert cast(phone, vote_id, "yes")["ok"]
    assert cast(phone, vote_id, "no")["error"]["code"] == "ballot_final"


def test_concurrent_duplicate_casts_store_one_ballot(meeting):
    vote_id = open_vote(meeting)
    phone = meeting["phones"][0]
    answers = []
    barrier = threading.Barrier(5)

    def press():
        barrier.wait()
        answers.append(cast(phone, vote_id, "yes"))

    threads = [threading.Thread(target=press) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert all(answer["ok"] for answer in answers)
    meeting["console"].call("vote.close", {"meetup_id": meeting["id"], "vote_id": vote_id})
    box = requests.get(f"{meeting['url']}/v/{vote_id}.json", timeout=10).json()["ballot_box"]
    assert len(box) == 1


def test_people_not_checked_in_or_checked_out_cannot_vote(meeting):
    vote_id = open_vote(meeting)
    stranger = LiveClient(meeting["url"]).connect()
    try:
        assert cast(stranger, vote_id, "yes")["error"]["code"] == "not_checked_in"
    finally:
        stranger.close()
    console = meeting["console"]
    me = meeting_state(meeting["phones"][1], meeting["id"])
    people = console.call("door.attendance", {"meetup_id": meeting["id"]})["people"]
    leaving = next(p for p in people if p["name"] == "Phone 1")
    assert me["checked_in"] is True
    console.call(
        "door.checkout", {"meetup_id": meeting["id"], "registration_id": leaving["registration_id"]}
    )
    assert cast(meeting["phones"][1], vote_id, "yes")["error"]["code"] == "not_checked_in"


@pytest.mark.parametrize("method", sorted(BALLOTS))
def test_every_method_takes_good_ballots_and_refuses_bad_ones(meeting, method):
    extra = {"rule": {"seats": 2}} if method == "stv" else {}
    vote_id = open_vote(meeting, method, **extra)
    good, bad = BALLOTS[method]
    receipt = cast(meeting["phones"][0], vote_id, good)
    assert receipt["ok"], receipt
    refused = cast(meeting["phones"][1], vote_id, bad)
    assert refused["error"]["code"] == "bad_ballot" and refused["error"]["message"]
    closed = meeting["console"].call("vote.close", {"meetup_id": meeting["id"], "vote_id": vote_id})
    assert closed["ok"] and closed["result"]["summary"]


def test_named_votes_publish_names(meeting):
    vote_id = open_vote(meeting, secret=False)
    cast(meeting["phones"][0], vote_id, "no")
    meeting["console"].call("vote.close", {"meetup_id": meeting["id"], "vote_id": vote_id})
    box = requests.get(f"{meeting['url']}/v/{vote_id}.json", timeout=10).json()["ballot_box"]
    assert box[0]["name"] == "Phone 0"


def test_manual_counts_from_a_show_of_hands(meeting):
    vote_id = open_vote(meeting)
    ack = meeting["console"].call(
        "vote.manual",
        {"meetup_id": meeting["id"], "vote_id": vote_id, "counts": {"yes": 30, "no": 10}},
    )
    assert ack["ok"] and ack["result"]["manual"] is True
    document = requests.get(f"{meeting['url']}/v/{vote_id}.json", timeout=10).json()
    assert document["manual"] is True and document["ballot_box"] == []
    assert "30 yes" in document["result"]["summary"]


def test_only_facilitators_open_and_close_votes(meeting):
    phone = meeting["phones"][0]
    ack = phone.call(
        "vote.open",
        {
            "meetup_id": meeting["id"],
            "client_id": "sneaky-0001",
            "question": "x",
            "method": "yes_no",
        },
    )
    assert ack["error"]["code"] == "forbidden"
    vote_id = open_vote(meeting)
    assert (
        phone.call("vote.close", {"meetup_id": meeting["id"], "vote_id": vote_id})["error"]["code"]
        == "forbidden"
    )


@pytest.mark.phones(20)
def test_turnout_is_coalesced_not_one_broadcast_per_ballot(meeting):
    vote_id = open_vote(meeting)
    console = meeting["console"]
    for phone in meeting["phones"]:
        cast(phone, vote_id, "yes")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(
        t["cast"] == 20 for t in console.turnouts if t["vote_id"] == vote_id
    ):
        time.sleep(0.1)
    messages = [t for t in console.turnouts if t["vote_id"] == vote_id]
    assert messages[-1]["cast"] == 20
    assert len(messages) < 20


def test_the_timer_closes_the_vote(meeting):
    vote_id = open_vote(meeting, duration_seconds=10)
    cast(meeting["phones"][0], vote_id, "yes")
    outcome = meeting["console"].wait_for(
        lambda e: e["type"] == "OutcomeRecorded" and e["payload"]["vote_id"] == vote_id,
        timeout=25,
    )
    assert outcome["payload"]["ballots_cast"] == 1


def test_a_timed_vote_closes_after_a_restart(server_factory, server_app):
    server = server_factory().start()
    meetup_id = add_meetup(
        server_app(server), start_in=600, length=7200, checkin_before_minutes=30
    ).id
    http = signed_in_session(server.url, "facilitator@assembly.example.org", DEMO_PASSWORD)
    join = http.get(f"{server.url}/m/{meetup_id}/join-code", timeout=10).headers["X-Join-Url"]
    console = LiveClient(server.url, cookies=http.cookies.get_dict()).connect()
    phone = walk_in(server.url, join, "Voter", meetup_id)
    vote_id = console.call(
        "vote.open",
        {
            "meetup_id": meetup_id,
            "client_id": "restart-vote-1",
            "question": "Close me",
            "method": "yes_no",
            "duration_seconds": 10,
        },
    )["vote_id"]
    assert cast(phone, vote_id, "yes")["ok"]
    phone.close()
    console.close()
    server.stop()
    time.sleep(11)  # the deadline passes while no server runs
    server.start()
    deadline = time.monotonic() + 20
    document = {}
    while time.monotonic() < deadline:
        document = requests.get(f"{server.url}/v/{vote_id}.json", timeout=10).json()
        if document["status"] == "closed":
            break
        time.sleep(0.3)
    assert document["status"] == "closed"
    assert len(document["ballot_box"]) == 1


def test_a_retried_cast_with_the_same_client_id_changes_nothing(meeting):
    vote_id = open_vote(meeting)
    phone = meeting["phones"][0]
    first = phone.call(
        "vote.cast", {"vote_id": vote_id, "ballot": "yes", "client_id": "cast-retry-1"}
    )
    retry = phone.call(
        "vote.cast", {"vote_id": vote_id, "ballot": "yes", "client_id": "cast-retry-1"}
    )
    assert retry["receipt"] == first["receipt"]
    meeting["console"].call("vote.close", {"meetup_id": meeting["id"], "vote_id": vote_id})
    document = requests.get(f"{meeting['url']}/v/{vote_id}.json", timeout=10).json()
    assert [row["receipt"] for row in document["ballot_box"]] == [first["receipt"]]
