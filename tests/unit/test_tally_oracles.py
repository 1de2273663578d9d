"""Our ranked tallies against an independent implementation (pref_voting, test-only).

On thousands of random profiles, our winner must be one of pref_voting's winners (they report
every winner a tie could produce; we break ties with the seeded order), and the same winner
whenever theirs is unique.
"""

import random

import pytest
from pref_voting.profiles import Profile
from pref_voting.voting_methods import beat_path, instant_runoff_put, plurality

from voting.tally import tally

PROFILES = 1500
NAMES = ["Ana", "Bo", "Cy", "Di", "Ed"]


def random_profiles(seed: int):
    """Random complete rankings: 3 to 5 options, 3 to 40 voters."""
    rng = random.Random(seed)
    for _ in range(PROFILES):
        size = rng.randint(3, 5)
        voters = rng.randint(3, 40)
        rankings = [rng.sample(range(size), size) for _ in range(voters)]
        yield size, rankings


def ours(method: str, size: int, rankings: list[list[int]]) -> str:
    options = NAMES[:size]
    ballots = [[options[i] for i in ranking] for ranking in rankings]
    if method == "single":
        ballots = [ballot[0] for ballot in ballots]
    result = tally(method, options, ballots, {}, seed="oracle")
    return result.winners[0]


@pytest.mark.parametrize(
    ("method", "oracle", "seed"),
    [("irv", instant_runoff_put, 1), ("schulze", beat_path, 2), ("single", plurality, 3)],
)
def test_winners_agree_with_pref_voting(method, oracle, seed):
    unique = 0
    for size, rankings in random_profiles(seed):
        theirs = {NAMES[c] for c in oracle(Profile(rankings))}
        winner = ours(method, size, rankings)
        assert winner in theirs, (method, rankings)
        if len(theirs) == 1:
            unique += 1
            assert {winner} == theirs
    assert unique > PROFILES // 2  # most profiles have one clear winner: the test has teeth
