"""Our tallies against an independent implementation (pref_voting, test-only).

On thousands of random profiles, our winner must be one of pref_voting's winners (they report
every winner a tie could produce; we break ties with the seeded order), and the same winner
whenever theirs is unique. Conventions compared:
- IRV: pref_voting's "parallel universe" IRV reports every winner any elimination order could
  give, so our seeded elimination order must land on one of them.
- approval: an empty ballot approves nothing (pref_voting: ungraded counts as 0).
- score: we rank by mean score, pref_voting by the sum; every ballot scores every option, so
  the two orders are the same.
- dots: pref_voting's cumulative voting needs every ballot to place all its dots, so these
  profiles do; ballots that place fewer are checked against VoteKit (test_tally_votekit.py).
"""

import random

import pytest
from pref_voting.grade_methods import approval, cumulative_voting, score_voting
from pref_voting.grade_profiles import GradeProfile
from pref_voting.profiles import Profile
from pref_voting.voting_methods import beat_path, instant_runoff_put, plurality

from tests.unit.profiles import (
    NAMES,
    random_approvals,
    random_dots,
    random_options,
    random_scores,
)
from voting.tally import tally

PROFILES = 1500
GRADED_PROFILES = 400


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


def graded(options: list[str], ballots: list[dict[str, int]], grades: list[int]) -> GradeProfile:
    """A pref_voting grade profile: every option graded on every ballot (0 when not given)."""
    maps = [{option: ballot.get(option, 0) for option in options} for ballot in ballots]
    return GradeProfile(maps, grades, candidates=options)


def assert_agrees(ours_result, theirs: list[str], case) -> bool:
    """Our winner is one of theirs, and theirs when it is unique; True when it is unique."""
    assert ours_result.winners[0] in theirs, case
    if len(theirs) == 1:
        assert ours_result.winners == theirs, case
    return len(theirs) == 1


def test_approval_agrees_with_pref_voting():
    rng, unique = random.Random(4), 0
    for _ in range(GRADED_PROFILES):
        options = random_options(rng)
        ballots = random_approvals(rng, options)
        result = tally("approval", options, ballots, {}, seed="oracle")
        if not any(ballots):
            assert result.winners == []  # nothing approved: no winner (pref_voting: all tie)
            continue
        marks = [dict.fromkeys(ballot, 1) for ballot in ballots]
        theirs = approval(graded(options, marks, [0, 1]))
        unique += assert_agrees(result, theirs, (options, ballots))
    assert unique > GRADED_PROFILES // 2


def test_score_agrees_with_pref_voting():
    rng, unique = random.Random(5), 0
    for _ in range(GRADED_PROFILES):
        options, top = random_options(rng), rng.randint(1, 10)
        ballots = random_scores(rng, options, top)
        result = tally("score", options, ballots, {"max_score": top}, seed="oracle")
        theirs = score_voting(graded(options, ballots, list(range(top + 1))))
        unique += assert_agrees(result, theirs, (options, top, ballots))
    assert unique > GRADED_PROFILES // 2


def test_dots_agree_with_pref_voting_cumulative_voting():
    rng, unique = random.Random(6), 0
    for _ in range(GRADED_PROFILES):
        options, dots = random_options(rng), rng.randint(1, 6)
        ballots = random_dots(rng, options, dots, all_placed=True)
        result = tally("dots", options, ballots, {"dots": dots}, seed="oracle")
        profile = graded(options, ballots, list(range(dots + 1)))
        theirs = cumulative_voting(profile, max_total_grades=dots)
        unique += assert_agrees(result, theirs, (options, dots, ballots))
    assert unique > GRADED_PROFILES // 2
