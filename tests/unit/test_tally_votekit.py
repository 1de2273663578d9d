"""Our tallies against a second independent implementation (VoteKit, test-only).

VoteKit counts STV with exact fractions when asked (`exact=True`), a Droop quota of
floor(ballots / (seats + 1)) + 1 fixed for the whole count, simultaneous election of everyone
at quota, and "fractional" surplus transfers that pass every ballot on at its weight times
surplus / votes (the weighted inclusive Gregory method). Ours is the same count, so the elected
set must be the same, with complete and with truncated rankings.

Where the conventions differ, we compare only where they cannot matter:
- Tie-breaks. We break every tie with the published seeded order; VoteKit breaks a tie for
  elimination by the tied options' first preferences in round one, then at random. So STV and
  IRV profiles whose count met a tie (the result publishes a tie-break) are left out, and
  winner ties in approval, score and dots are checked against pref_voting instead
  (test_tally_oracles.py): VoteKit is asked only where the top is unique.
- IRV. VoteKit's IRV is STV for one seat, with the quota fixed on all ballots; ours needs a
  majority of the ballots still continuing. They agree when no ballot is exhausted, so IRV is
  compared on complete rankings.
- Dots. VoteKit's cumulative voting ties the number of dots to the number of seats, so dots
  are compared with its general rating election (at most k per option, k in all), which also
  takes ballots that leave dots unplaced.
"""

import random
import warnings
from collections import Counter

from votekit import RankBallot, RankProfile, ScoreBallot, ScoreProfile
from votekit.elections import IRV, STV, Approval, GeneralRating, Rating, Schulze

from tests.unit.profiles import (
    random_approvals,
    random_dots,
    random_options,
    random_rankings,
    random_scores,
)
from voting.tally import tally

RANKED_PROFILES = 300
GRADED_PROFILES = 150


def ranked_profile(options: list[str], rankings: list[list[str]]) -> RankProfile:
    """Identical rankings grouped into one weighted VoteKit ballot."""
    grouped = Counter(tuple(ranking) for ranking in rankings)
    ballots = [
        RankBallot(ranking=tuple(frozenset([option]) for option in ranking), weight=number)
        for ranking, number in grouped.items()
    ]
    return RankProfile(ballots=ballots, candidates=options)


def scored_profile(options: list[str], ballots: list[dict[str, int]]) -> ScoreProfile | None:
    """VoteKit drops zero scores, and refuses a ballot with none, so those ballots are left out."""
    given = [ScoreBallot(scores=ballot) for ballot in ballots if any(ballot.values())]
    return ScoreProfile(ballots=given, candidates=options) if given else None


def elected(election) -> set[str]:
    return {option for group in election.get_elected() for option in group}


def quietly(build):
    """Run a VoteKit election, muting its own warnings (pandas internals, not our concern)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build()


def test_stv_elects_the_same_as_votekit():
    rng, compared = random.Random(11), 0
    for _ in range(RANKED_PROFILES):
        options = random_options(rng)
        seats = rng.randint(2, len(options) - 1)
        rankings = random_rankings(rng, options, truncate=rng.random() < 0.5)
        ours = tally("stv", options, rankings, {"seats": seats}, seed="oracle")
        if ours.tie_break:
            continue
        profile = ranked_profile(options, rankings)
        theirs = quietly(
            lambda p=profile, s=seats: STV(p, n_seats=s, exact=True, tiebreak="random")
        )
        assert set(ours.winners) == elected(theirs), (options, seats, rankings, ours.rounds)
        compared += 1
    assert compared > RANKED_PROFILES // 2


def test_irv_and_schulze_agree_with_votekit():
    rng, compared = random.Random(12), Counter()
    for _ in range(RANKED_PROFILES):
        options = random_options(rng)
        rankings = random_rankings(rng, options, truncate=False)
        profile = ranked_profile(options, rankings)
        irv = tally("irv", options, rankings, {}, seed="oracle")
        if not irv.tie_break:
            theirs = quietly(lambda p=profile: IRV(p, tiebreak="random"))
            assert irv.winners == list(elected(theirs)), (options, rankings)
            compared["irv"] += 1
        schulze = tally("schulze", options, rankings, {}, seed="oracle")
        if not schulze.tie_break:
            theirs = quietly(lambda p=profile: Schulze(p))
            assert schulze.winners == list(elected(theirs)), (options, rankings)
            compared["schulze"] += 1
    assert min(compared.values()) > RANKED_PROFILES // 4, compared


def unique_top(result) -> bool:
    """True when one option alone has the highest count (VoteKit refuses ties without a rule)."""
    counts = list(result.counts.values())
    return bool(result.winners) and counts.count(max(counts)) == 1


def compare_graded(method, options, ballots, rule, build, scores=None) -> bool:
    """Our winner against VoteKit's on the same ballots; False when the top is tied.

    `scores` gives the ballots as VoteKit's score ballots when ours are not already {option: n}.
    """
    ours = tally(method, options, ballots, rule, seed="oracle")
    if not unique_top(ours):
        return False
    profile = scored_profile(options, scores or ballots)
    assert ours.winners == list(elected(quietly(lambda: build(profile)))), (rule, ballots)
    return True


def test_approval_score_and_dots_agree_with_votekit():
    rng, compared = random.Random(13), Counter()
    for _ in range(GRADED_PROFILES):
        options, top, dots = random_options(rng), rng.randint(1, 10), rng.randint(1, 6)
        approvals = random_approvals(rng, options)
        compared["approval"] += compare_graded(
            "approval",
            options,
            approvals,
            {},
            lambda p: Approval(p),
            scores=[dict.fromkeys(ballot, 1) for ballot in approvals],
        )
        compared["score"] += compare_graded(
            "score",
            options,
            random_scores(rng, options, top),
            {"max_score": top},
            lambda p, top=top: Rating(p, per_candidate_limit=top),
        )
        compared["dots"] += compare_graded(
            "dots",
            options,
            random_dots(rng, options, dots, all_placed=False),
            {"dots": dots},
            lambda p, dots=dots: GeneralRating(p, per_candidate_limit=dots, budget=dots),
        )
    assert min(compared.values()) > GRADED_PROFILES // 2, compared
