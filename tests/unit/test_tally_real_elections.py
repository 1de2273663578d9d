"""Our ranked tallies on real published elections, from the ballot files abiftool ships.

abiftool (test-only) ships the ranked ballots of two real elections in ABIF, one line per
distinct ballot ("count:First>Second>..."), and "A=B" where a voter gave two options the same
rank (an overvote):
- Burlington, Vermont, mayor, 2009 (instant runoff): 8,980 ballots. Officially Bob Kiss won
  the last round against Kurt Wright, 4,313 to 4,061 with 606 ballots exhausted, although Andy
  Montroll beat every other candidate head to head and Wright led on first preferences.
- San Francisco, mayor, June 2018 special election (instant runoff, three ranks): London Breed
  won the last round against Mark Leno.

Our ballots have no equal ranks, so a ballot here counts up to its first overvote and a ballot
whose first rank is an overvote counts for no one. Burlington's rules read those six ballots a
little differently, so we check its published first round exactly and the last round to within
those six ballots. pref_voting (IRV for truncated rankings; the Condorcet winner with an
unranked option below every ranked one, as our Schulze count reads a ballot) counts the same
ballots as an independent check.
"""

from collections import Counter
from importlib.metadata import files
from pathlib import Path

import pytest
from pref_voting.iterative_methods import instant_runoff_for_truncated_linear_orders
from pref_voting.profiles_with_ties import ProfileWithTies

from voting.tally import tally

BURLINGTON_FIRST_ROUND = {
    "Kiss": 2585,
    "Montroll": 2063,
    "Simpson": 35,
    "Smith": 1306,
    "Wright": 2951,
    "Write-in": 36,
}


def shipped(name: str) -> Path:
    """The path of a data file installed with abiftool."""
    found = [entry for entry in files("abiftool") if entry.name == name]
    assert found, f"abiftool no longer ships {name}"
    return Path(found[0].locate())


def read_abif(path: Path) -> tuple[list[str], list[list[str]]]:
    """The candidates and every ballot, each cut at its first overvote; empty ballots dropped."""
    options, ballots = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("="):
            options.append(line[1:].split(":", 1)[0])
        elif line[:1].isdigit():
            count, preferences = line.split(":", 1)
            ranking = []
            for rank in preferences.split(">") if preferences else []:
                if "=" in rank:
                    break
                ranking.append(rank)
            ballots += [ranking] * int(count) if ranking else []
    return options, ballots


def pref_voting_profile(options: list[str], ballots: list[list[str]]) -> ProfileWithTies:
    """The same ballots for pref_voting, an unranked option below every ranked one."""
    grouped = Counter(tuple(ballot) for ballot in ballots)
    rankings = [{option: rank for rank, option in enumerate(ranking, 1)} for ranking in grouped]
    profile = ProfileWithTies(rankings, rcounts=list(grouped.values()), candidates=options)
    profile.use_extended_strict_preference()
    return profile


@pytest.fixture(scope="module")
def burlington():
    return read_abif(shipped("burl2009.abif"))


@pytest.fixture(scope="module")
def san_francisco():
    return read_abif(shipped("sf2018special-results.abif"))


def test_burlington_2009_instant_runoff_matches_the_published_count(burlington):
    options, ballots = burlington
    result = tally("irv", options, ballots, {}, seed="burlington")
    assert result.winners == ["Kiss"]
    assert result.rounds[0]["counts"] == BURLINGTON_FIRST_ROUND
    last = result.rounds[-1]
    assert set(last["counts"]) == {"Kiss", "Wright"}
    assert last["counts"]["Kiss"] == 4313
    assert abs(last["counts"]["Wright"] - 4061) <= 6
    assert abs(last["exhausted"] - 606) <= 6


def test_burlington_2009_condorcet_and_plurality_winners(burlington):
    options, ballots = burlington
    schulze = tally("schulze", options, ballots, {}, seed="burlington")
    assert schulze.winners == ["Montroll"]
    assert schulze.counts["Montroll"] == len(options) - 1  # beats every other candidate
    firsts = tally("single", options, [ballot[0] for ballot in ballots], {}, seed="burlington")
    assert firsts.winners == ["Wright"]


def test_san_francisco_2018_instant_runoff_elects_breed_over_leno(san_francisco):
    options, ballots = san_francisco
    result = tally("irv", options, ballots, {}, seed="san-francisco")
    assert result.winners == ["LONDON_BREED"]
    assert set(result.rounds[-1]["counts"]) == {"LONDON_BREED", "MARK_LENO"}
    last = result.rounds[-1]
    assert last["counts"]["LONDON_BREED"] + last["counts"]["MARK_LENO"] + last["exhausted"] == len(
        ballots
    )


@pytest.mark.parametrize("election", ["burlington", "san_francisco"])
def test_real_elections_agree_with_pref_voting(election, request):
    options, ballots = request.getfixturevalue(election)
    profile = pref_voting_profile(options, ballots)
    irv = tally("irv", options, ballots, {}, seed=election)
    assert irv.winners == instant_runoff_for_truncated_linear_orders(profile)
    schulze = tally("schulze", options, ballots, {}, seed=election)
    assert schulze.winners == [profile.condorcet_winner()]
