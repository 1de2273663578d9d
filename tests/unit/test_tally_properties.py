"""Properties of every counting method, checked on generated ballots."""

import json
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.tally import DEFAULT_RULES, METHODS, tally, tie_break_order

EXAMPLES = settings(max_examples=100, deadline=None)

NAMES = ["Ana", "Bo", "Cy", "Dee", "Ed"]
FIXED = {
    "yes_no": ["yes", "no", "abstain"],
    "consent": ["endorse", "agree", "reservations", "stand aside", "block"],
    "temperature": ["warm", "unsure", "cold"],
}
ONE_CHOICE = ("yes_no", "consent", "temperature", "single")
RANKED = ("irv", "stv", "schulze")

option_lists = st.lists(st.sampled_from(NAMES), min_size=2, max_size=5, unique=True)
seeds = st.text(max_size=12)


def ranking_of(options: list[str]):
    return st.permutations(options).flatmap(
        lambda order: st.integers(1, len(order)).map(lambda n: list(order[:n]))
    )


def dots_of(options: list[str], total: int):
    return st.lists(st.sampled_from(options), max_size=total).map(
        lambda picks: dict(Counter(picks))
    )


def ballot_of(method: str, options: list[str]):
    """One valid ballot, in canonical form, for the method."""
    if method in ONE_CHOICE:
        return st.sampled_from(options)
    if method == "approval":
        return st.sets(st.sampled_from(options)).map(sorted)
    if method == "dots":
        return dots_of(options, DEFAULT_RULES["dots"]["dots"])
    if method == "score":
        top = DEFAULT_RULES["score"]["max_score"]
        return st.tuples(*[st.integers(0, top) for _ in options]).map(
            lambda scores: dict(zip(options, scores, strict=True))
        )
    return ranking_of(options)


@st.composite
def votes(draw, method: str, min_ballots: int = 0, max_ballots: int = 30):
    """(options, ballots) for a method."""
    options = FIXED.get(method) or draw(option_lists)
    ballots = draw(st.lists(ballot_of(method, options), min_size=min_ballots, max_size=max_ballots))
    return options, ballots


def rule_for(method: str) -> dict:
    return {"seats": 2} if method == "stv" else {}


@pytest.mark.parametrize("method", [*ONE_CHOICE, "irv", "stv"])
@EXAMPLES
@given(data=st.data())
def test_counts_sum_to_ballots_cast(method, data):
    options, ballots = data.draw(votes(method))
    result = tally(method, options, ballots, rule_for(method), "seed", present=len(ballots))
    assert sum(result.counts.values()) == result.ballots_cast == len(ballots)


@pytest.mark.parametrize("method", METHODS)
@EXAMPLES
@given(data=st.data(), seed=seeds)
def test_winners_are_distinct_options_and_results_are_json(method, data, seed):
    options, ballots = data.draw(votes(method))
    result = tally(method, options, ballots, rule_for(method), seed, present=40)
    assert set(result.winners) <= set(options)
    assert len(set(result.winners)) == len(result.winners)
    assert result.ballots_cast == len(ballots)
    assert result.summary.endswith(".")
    assert json.loads(json.dumps(result.as_dict()))["summary"] == result.summary


@pytest.mark.parametrize("method", METHODS)
@EXAMPLES
@given(data=st.data(), seed=seeds)
def test_same_seed_same_result_whatever_the_ballot_order(method, data, seed):
    options, ballots = data.draw(votes(method))
    shuffled = data.draw(st.permutations(ballots))
    rule = rule_for(method)
    first = tally(method, options, ballots, rule, seed, present=40).as_dict()
    assert tally(method, options, ballots, rule, seed, present=40).as_dict() == first
    assert tally(method, options, shuffled, rule, seed, present=40).as_dict() == first


@pytest.mark.parametrize("method", ["single", "irv", "schulze", "stv"])
@EXAMPLES
@given(data=st.data())
def test_a_unanimous_first_preference_wins(method, data):
    options, ballots = data.draw(votes(method, min_ballots=1))
    favourite = data.draw(st.sampled_from(options))
    if method == "single":
        ballots = [favourite] * len(ballots)
    else:
        ballots = [[favourite, *[o for o in b if o != favourite]] for b in ballots]
    result = tally(method, options, ballots, {"seats": 1} if method == "stv" else {}, "seed")
    assert result.winners == [favourite]


@EXAMPLES
@given(data=st.data())
def test_irv_with_a_first_round_majority_ends_in_one_round(data):
    options, ballots = data.draw(votes("irv", min_ballots=1))
    result = tally("irv", options, ballots, {}, "seed")
    top = max(result.counts.values())
    if 2 * top > len(ballots):
        assert len(result.rounds) == 1
        assert result.rounds[0]["counts"][result.winners[0]] == top
    else:
        assert len(result.rounds) > 1


@EXAMPLES
@given(data=st.data(), seed=seeds)
def test_irv_ends_with_a_winner_and_eliminates_one_option_a_round(data, seed):
    options, ballots = data.draw(votes("irv", min_ballots=1))
    result = tally("irv", options, ballots, {}, seed)
    assert len(result.winners) == 1
    for number, record in enumerate(result.rounds[:-1]):
        continuing = sum(record["counts"].values())
        assert continuing + record["exhausted"] == len(ballots)
        assert record["eliminated"] not in result.rounds[number + 1]["counts"]


@EXAMPLES
@given(data=st.data(), seed=seeds)
def test_stv_with_one_seat_agrees_with_irv(data, seed):
    options, ballots = data.draw(votes("irv", min_ballots=1))
    irv = tally("irv", options, ballots, {}, seed)
    stv = tally("stv", options, ballots, {"seats": 1}, seed)
    assert stv.winners == irv.winners


@EXAMPLES
@given(data=st.data(), seats=st.integers(1, 6), seed=seeds)
def test_stv_never_elects_more_than_the_seats(data, seats, seed):
    options, ballots = data.draw(votes("stv", min_ballots=1))
    result = tally("stv", options, ballots, {"seats": seats}, seed)
    assert len(result.winners) == min(seats, len(options))
    assert len(set(result.winners)) == len(result.winners)


@EXAMPLES
@given(data=st.data(), seats=st.integers(1, 4))
def test_stv_conserves_every_vote_exactly(data, seats):
    options, ballots = data.draw(votes("stv", min_ballots=1))
    result = tally("stv", options, ballots, {"seats": seats}, "seed")
    quota = result.details["quota"]
    elected_before = 0
    for record in result.rounds:
        held = sum(Fraction(count) for count in record["counts"].values())
        assert held + Fraction(record["exhausted"]) + quota * elected_before == len(ballots)
        elected_before += len(record["elected"])


def pairwise_beats(ballots: list[list[str]], a: str, b: str) -> bool:
    def prefers(ballot, x, y):
        if x not in ballot:
            return False
        return y not in ballot or ballot.index(x) < ballot.index(y)

    return sum(prefers(v, a, b) for v in ballots) > sum(prefers(v, b, a) for v in ballots)


@EXAMPLES
@given(data=st.data(), seed=seeds)
def test_a_condorcet_winner_wins_schulze(data, seed):
    options, ballots = data.draw(votes("schulze", min_ballots=1))
    result = tally("schulze", options, ballots, {}, seed)
    for candidate in options:
        if all(
            pairwise_beats(ballots, candidate, other) for other in options if other != candidate
        ):
            assert result.winners == [candidate]
            assert result.tie_break is None


@EXAMPLES
@given(options=option_lists, seed=seeds)
def test_tie_break_order_is_a_seeded_permutation(options, seed):
    order = tie_break_order(options, seed)
    assert sorted(order) == sorted(options)
    assert tie_break_order(list(reversed(options)), seed) == order


@pytest.mark.parametrize(
    ("method", "ballots"),
    [
        ("single", ["Ana", "Bo"]),
        ("approval", [["Ana", "Bo"]]),
        ("dots", [{"Ana": 2, "Bo": 2}]),
        ("score", [{"Ana": 3, "Bo": 3}]),
        ("irv", [["Ana"], ["Bo"]]),
        ("stv", [["Ana"], ["Bo"]]),
        ("schulze", [["Ana", "Bo"], ["Bo", "Ana"]]),
    ],
)
def test_ties_go_different_ways_with_different_seeds_but_never_with_the_same(method, ballots):
    winners = set()
    for number in range(40):
        seed = f"seed-{number}"
        result = tally(method, ["Ana", "Bo"], ballots, {}, seed)
        assert tally(method, ["Ana", "Bo"], ballots, {}, seed).winners == result.winners
        assert result.tie_break == {"seed": seed, "order": tie_break_order(["Ana", "Bo"], seed)}
        assert result.winners == [result.tie_break["order"][0]]
        winners.add(result.winners[0])
    assert winners == {"Ana", "Bo"}
