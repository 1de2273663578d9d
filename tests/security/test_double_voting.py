"""One ballot per voter per vote, whatever the attendee tries: two phones, two tabs, moving
the vote to a new phone, and many casts at the same moment."""

import threading

import requests

from tests.clients import LiveClient
from tests.security.conftest import open_vote, register
from tests.security.test_tokens_and_sockets import scan, ticket_qr


def device_of(cast, http: requests.Session) -> str:
    """The device id inside a phone's signed session cookie."""
    serializer = cast.app.session_interface.get_signing_serializer(cast.app)
    return serializer.loads(http.cookies["assembly_session"])["device"]


def phone_with_ticket(cast, token: str) -> requests.Session:
    """A phone that has opened the ticket page (which gives it a device id)."""
    http = requests.Session()
    assert http.get(f"{cast.url}/t/{token}", timeout=20).ok
    return http


def socket_of(cast, http: requests.Session) -> LiveClient:
    """A socket connection carrying the phone's cookie (a tab)."""
    return LiveClient(cast.url, cookies=http.cookies.get_dict()).connect()


def box(cast, vote_id: int) -> list:
    """Close the vote from the console and return its published ballot box."""
    closed = cast.socket("fac_a").call(
        "vote.close", {"meetup_id": cast.meetup_a, "vote_id": vote_id}
    )
    assert closed["ok"], closed
    return requests.get(f"{cast.url}/v/{vote_id}.json", timeout=20).json()["ballot_box"]


def cast_together(tabs: list[LiveClient], vote_id: int, ballots: list[str]) -> list[dict]:
    """Every tab casts at the same moment; returns the acknowledgements."""
    barrier = threading.Barrier(len(ballots))
    answers: list[dict] = []

    def press(tab, ballot):
        barrier.wait()
        answers.append(tab.call("vote.cast", {"vote_id": vote_id, "ballot": ballot}, timeout=60))

    threads = [
        threading.Thread(target=press, args=(tabs[n % len(tabs)], ballot))
        for n, ballot in enumerate(ballots)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return answers


def test_two_phones_a_moved_vote_and_two_tabs_leave_one_ballot(cast):
    token = register(cast, cast.meetup_a, "Two phones")
    first, second = phone_with_ticket(cast, token), phone_with_ticket(cast, token)
    assert scan(cast, "door", cast.meetup_a, ticket_qr(cast, token))["admitted"]
    bound = cast.form_post(first, f"/t/{token}/bind")
    assert "/phone" in bound.headers["Location"]
    refused = cast.form_post(second, f"/t/{token}/bind")
    assert refused.headers["Location"].endswith(f"/t/{token}")  # another phone already votes
    vote_id = open_vote(cast, "Two phones?")
    first_tab, second_tab = socket_of(cast, first), socket_of(cast, second)
    ballot = {"vote_id": vote_id, "ballot": "yes"}
    assert second_tab.call("vote.cast", ballot)["error"]["code"] == "not_checked_in"
    assert first_tab.call("vote.cast", ballot)["ok"]
    moved = scan(cast, "door", cast.meetup_a, ticket_qr(cast, token, device_of(cast, second)))
    assert moved["admitted"] is not False, moved
    assert first_tab.call("vote.cast", ballot)["error"]["code"] == "not_checked_in"
    third_tab = socket_of(cast, second)
    answers = cast_together([second_tab, third_tab], vote_id, ["no", "yes", "no", "abstain"])
    assert all(answer["ok"] for answer in answers), answers
    assert len(box(cast, vote_id)) == 1
    for client in (first_tab, second_tab, third_tab):
        client.close()
    first.close()
    second.close()


def test_concurrent_casts_in_a_final_vote_store_one_ballot(cast):
    vote_id = open_vote(cast, "Final answer?", changeable=False)
    tabs = [cast.socket("att_a"), socket_of(cast, cast.http["att_a"])]
    answers = cast_together(tabs, vote_id, ["yes", "no"] * 5)
    accepted = [answer for answer in answers if answer["ok"]]
    assert len(accepted) == 1, answers
    assert {a["error"]["code"] for a in answers if not a["ok"]} == {"ballot_final"}
    published = box(cast, vote_id)
    assert len(published) == 1 and published[0]["receipt"] == accepted[0]["receipt"]
    tabs[1].close()
