"""The live meeting with 20 real phones: submitting, supporting, moderation, amendments,
the speaking queue, signals, escaping, a phone that drops and resyncs, and the minutes."""

import re

import pytest
import requests

from tests.clients import LiveClient
from tests.clients import meeting_state as state

PHONES = 20


@pytest.mark.phones(PHONES)
def test_twenty_phones_submit_support_and_are_moderated(meeting):
    mid, console, phones = meeting["id"], meeting["console"], meeting["phones"]
    submitted = []
    for n, phone in enumerate(phones[:6]):
        ack = phone.call(
            "proposal.submit",
            {
                "meetup_id": mid,
                "client_id": f"client-{n:04d}",
                "title": f"Proposal {n}",
                "body": "Text " * 20,
            },
        )
        assert ack["ok"], ack
        submitted.append(ack["proposal_id"])
    retry = phones[0].call(
        "proposal.submit",
        {"meetup_id": mid, "client_id": "client-0000", "title": "Proposal 0", "body": ""},
    )
    assert retry == {"ok": True, "proposal_id": submitted[0], "repeated": True}
    moderation = state(console, mid)["moderation"]
    assert [p["id"] for p in moderation] == submitted
    for proposal_id in submitted[:4]:
        assert console.call("proposal.accept", {"meetup_id": mid, "proposal_id": proposal_id})["ok"]
    assert console.call(
        "proposal.return",
        {"meetup_id": mid, "proposal_id": submitted[4], "reason": "Please make it specific"},
    )["ok"]
    assert console.call("proposal.hide", {"meetup_id": mid, "proposal_id": submitted[5]})["ok"]
    mine = state(phones[4], mid)["mine"]
    assert mine[0]["status"] == "returned" and mine[0]["reason"] == "Please make it specific"

    for phone in phones:  # everybody supports proposal 0; half support proposal 1
        assert phone.call(
            "proposal.support", {"meetup_id": mid, "proposal_id": submitted[0], "on": True}
        )["ok"]
    for phone in phones[:10]:
        phone.call("proposal.support", {"meetup_id": mid, "proposal_id": submitted[1], "on": True})
    twice = phones[0].call(
        "proposal.support", {"meetup_id": mid, "proposal_id": submitted[0], "on": True}
    )
    assert twice["error"]["code"] == "already_supported"
    withdrawn = phones[19].call(
        "proposal.support", {"meetup_id": mid, "proposal_id": submitted[0], "on": False}
    )
    assert withdrawn == {"ok": True, "supports": PHONES - 1}
    console.wait_for(lambda e: e["type"] == "SupportChanged" and e["payload"]["supports"] == 19)
    phones[19].call("proposal.support", {"meetup_id": mid, "proposal_id": submitted[1], "on": True})

    # Merge proposal 1 into 0: supports carry over, and people who supported both count once.
    assert console.call(
        "proposal.merge", {"meetup_id": mid, "proposal_id": submitted[1], "into_id": submitted[0]}
    )["ok"]
    picture = state(phones[0], mid)
    kept = next(p for p in picture["proposals"] if p["id"] == submitted[0])
    assert kept["supports"] == PHONES
    assert submitted[1] not in [p["id"] for p in picture["proposals"]]


def test_amendments_come_before_their_proposal(meeting):
    mid, console, phones = meeting["id"], meeting["console"], meeting["phones"]
    parent = phones[0].call(
        "proposal.submit",
        {"meetup_id": mid, "client_id": "parent-0001", "title": "Parent", "body": ""},
    )["proposal_id"]
    early = phones[1].call(
        "proposal.submit",
        {"meetup_id": mid, "client_id": "amend-00001", "title": "Too early", "parent_id": parent},
    )
    assert early["error"]["code"] == "not_amendable"
    console.call("proposal.accept", {"meetup_id": mid, "proposal_id": parent})
    amendment = phones[1].call(
        "proposal.submit",
        {"meetup_id": mid, "client_id": "amend-00002", "title": "Amend it", "parent_id": parent},
    )
    console.call("proposal.accept", {"meetup_id": mid, "proposal_id": amendment["proposal_id"]})
    by_facilitator = console.call(
        "proposal.submit",
        {
            "meetup_id": mid,
            "client_id": "fac-amend-01",
            "title": "Facilitator's amendment",
            "parent_id": parent,
            "as_facilitator": True,
        },
    )
    assert by_facilitator["ok"]
    order = [(p["title"], p["parent_id"]) for p in state(phones[2], mid)["proposals"]]
    assert order == [("Amend it", parent), ("Facilitator's amendment", parent), ("Parent", None)]


def test_speaking_queue_moves_people_who_have_not_spoken_up(meeting):
    mid, console, phones = meeting["id"], meeting["console"], meeting["phones"]
    a, b, c = phones[:3]
    a.call("hand.raise", {"meetup_id": mid, "up": True})
    assert console.call("queue.next", {"meetup_id": mid})["ok"]  # a speaks
    a.call("hand.raise", {"meetup_id": mid, "up": True})  # a wants to speak again
    b.call("hand.raise", {"meetup_id": mid, "up": True})
    c.call("hand.raise", {"meetup_id": mid, "up": True})
    names = state(console, mid)["queue"]["names"]
    assert names == ["Phone 1", "Phone 2", "Phone 0"]
    assert state(a, mid)["queue"]["position"] == 3
    console.call("queue.next", {"meetup_id": mid})
    assert state(b, mid)["queue"]["speaking_is_me"] is True
    console.call("queue.clear", {"meetup_id": mid})
    assert state(console, mid)["queue"]["waiting"] == 0


def test_hand_signals_are_counted_live(meeting):
    mid, console, phones = meeting["id"], meeting["console"], meeting["phones"]
    for phone in phones[:3]:
        phone.call("signal.set", {"meetup_id": mid, "kind": "agree", "up": True})
    phones[3].call("signal.set", {"meetup_id": mid, "kind": "process", "up": True})
    console.wait_for(
        lambda e: (
            e["type"] == "SignalsChanged"
            and e["payload"]["agree"] == 3
            and e["payload"]["process"] == 1
        )
    )
    bad = phones[0].call("signal.set", {"meetup_id": mid, "kind": "cheer", "up": True})
    assert bad["error"]["code"] == "bad_request"
    console.call("signals.clear", {"meetup_id": mid})
    assert state(console, mid)["signals"] == {"agree": 0, "clarify": 0, "process": 0}


@pytest.mark.parametrize(
    ("title", "body", "code"),
    [
        ("", "x", "empty_title"),
        ("   ", "", "empty_title"),
        ("x" * 121, "", "title_too_long"),
        ("ok", "y" * 2001, "body_too_long"),
    ],
)
def test_bad_proposals_are_refused_and_change_nothing(meeting, title, body, code):
    mid, console, phones = meeting["id"], meeting["console"], meeting["phones"]
    ack = phones[0].call(
        "proposal.submit",
        {"meetup_id": mid, "client_id": "bad-proposal-1", "title": title, "body": body},
    )
    assert ack["error"]["code"] == code
    assert state(console, mid)["moderation"] == []


def test_not_checked_in_phones_and_other_meetups_are_refused(meeting):
    mid, phones = meeting["id"], meeting["phones"]
    stranger = LiveClient(meeting["url"]).connect()
    try:
        ack = stranger.call(
            "proposal.submit",
            {"meetup_id": mid, "client_id": "stranger-01", "title": "Hi", "body": ""},
        )
        assert ack["error"]["code"] == "not_checked_in"
        assert (
            stranger.call("proposal.accept", {"meetup_id": mid, "proposal_id": 1})["error"]["code"]
            == "forbidden"
        )
        assert (
            stranger.call("hand.raise", {"meetup_id": mid, "up": True})["error"]["code"]
            == "not_checked_in"
        )
    finally:
        stranger.close()
    other_meetup = phones[0].call(
        "proposal.submit", {"meetup_id": mid + 100000, "client_id": "elsewhere-1", "title": "x"}
    )
    assert other_meetup["error"]["code"] == "no_such_meetup"
    assert (
        phones[0].call("agenda.add", {"meetup_id": mid, "title": "x", "minutes": 5})["error"][
            "code"
        ]
        == "forbidden"
    )


def test_script_in_text_is_stored_as_text_and_escaped_in_pages(meeting):
    mid, console, phones = meeting["id"], meeting["console"], meeting["phones"]
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    pid = phones[0].call(
        "proposal.submit",
        {"meetup_id": mid, "client_id": "xss-test-01", "title": payload, "body": payload},
    )["proposal_id"]
    console.call("proposal.accept", {"meetup_id": mid, "proposal_id": pid})
    assert state(phones[1], mid)["proposals"][0]["title"] == payload
    minutes = requests.get(f"{meeting['url']}/m/{mid}/minutes", timeout=10).text
    assert payload not in minutes and "&lt;script&gt;" in minutes
    markdown = requests.get(f"{meeting['url']}/m/{mid}/minutes.md", timeout=10).text
    assert "<script>" not in markdown and "\\<script\\>" in markdown


def test_a_phone_that_drops_out_catches_up_by_resync(meeting):
    mid, console, phones = meeting["id"], meeting["console"], meeting["phones"]
    dropped = phones[3]
    last_seen = state(dropped, mid) and dropped.call("ping", {})["seq"]
    cookies = dropped.cookies
    dropped.close()
    console.call("agenda.add", {"meetup_id": mid, "title": "Welcome", "minutes": 10})
    pid = phones[0].call(
        "proposal.submit",
        {"meetup_id": mid, "client_id": "while-away-1", "title": "While you were away"},
    )["proposal_id"]
    console.call("proposal.accept", {"meetup_id": mid, "proposal_id": pid})
    back = LiveClient(meeting["url"], cookies=cookies).connect()
    meeting["phones"][3] = back
    assert back.call("join", {"room": f"meetup:{mid}"})["ok"]
    missed = back.call("resync", {"since": last_seen})
    types = [e["type"] for e in missed["events"]]
    assert "AgendaItemAdded" in types and "ProposalAccepted" in types
    assert "ProposalSubmitted" not in types  # moderation stays with the crew
    assert state(back, mid)["checked_in"] is True


def test_agenda_and_minutes(meeting):
    mid, console = meeting["id"], meeting["console"]
    ids = [
        console.call("agenda.add", {"meetup_id": mid, "title": t, "minutes": m})["item_id"]
        for t, m in (("Welcome", 10), ("Breakouts", 30), ("Votes", 15))
    ]
    console.call("agenda.move", {"meetup_id": mid, "item_id": ids[2], "offset": -1})
    console.call("agenda.start", {"meetup_id": mid, "item_id": ids[0]})
    console.call("agenda.start", {"meetup_id": mid, "item_id": ids[2]})
    picture = state(meeting["phones"][0], mid)
    assert [i["title"] for i in picture["agenda"]] == ["Welcome", "Votes", "Breakouts"]
    assert [i["state"] for i in picture["agenda"]] == ["done", "running", "pending"]
    bad = console.call("agenda.add", {"meetup_id": mid, "title": "x", "minutes": 0})
    assert bad["error"]["code"] == "bad_duration"
    minutes = requests.get(f"{meeting['url']}/m/{mid}/minutes.json", timeout=10).json()
    assert [i["title"] for i in minutes["agenda"]] == ["Welcome", "Breakouts", "Votes"]
    assert re.fullmatch(r"[0-9a-f]{64}", minutes["chain_head"])
    csv_text = requests.get(f"{meeting['url']}/m/{mid}/minutes.csv", timeout=10).text
    assert csv_text.startswith("id,title,text,amends,supports,merged into")
