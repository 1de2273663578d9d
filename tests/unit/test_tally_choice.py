"""Counting single-choice, approval, dot and score votes."""

from fractions import Fraction

from voting.tally import tally, tie_break_order

OPTIONS = ["Ana", "Bo", "Cy"]


def test_single_choice_plurality():
    result = tally("single", OPTIONS, ["Ana"] * 3 + ["Bo"] * 2, {}, "seed")
    assert result.winners == ["Ana"]
    assert result.counts == {"Ana": 3, "Bo": 2, "Cy": 0}
    assert result.tie_break is None
    assert result.summary == "Winner: Ana with 3 of 5 votes (most votes wins)."


def test_single_choice_tie_goes_to_the_seeded_order_and_is_recorded():
    result = tally("single", OPTIONS, ["Ana", "Bo", "Ana", "Bo", "Cy"], {}, "seed")
    order = tie_break_order(OPTIONS, "seed")
    expected = min(["Ana", "Bo"], key=order.index)
    loser = "Bo" if expected == "Ana" else "Ana"
    assert result.winners == [expected]
    assert result.tie_break == {"seed": "seed", "order": order}
    assert result.summary == (
        f"Winner: {expected} with 2 of 5 votes "
        f"(most votes wins; tied with {loser}, broken by the seeded order)."
    )


def test_single_choice_without_ballots_has_no_winner():
    result = tally("single", OPTIONS, [], {}, "seed")
    assert result.winners == []
    assert result.summary == "No winner: no ballots cast."


def test_approval_counts_each_approval_and_empty_ballots_abstain():
    ballots = [["Bo", "Ana"], ["Bo"], []]
    result = tally("approval", OPTIONS, ballots, {}, "seed")
    assert result.counts == {"Ana": 1, "Bo": 2, "Cy": 0}
    assert result.ballots_cast == 3
    assert result.winners == ["Bo"]
    assert result.summary == "Winner: Bo with 2 approvals on 3 ballots (most approvals wins)."
    assert result.shares["Bo"] == Fraction(2, 3)


def test_approval_with_only_abstentions_has_no_winner():
    result = tally("approval", OPTIONS, [[], []], {}, "seed")
    assert result.winners == []
    assert result.summary == "No winner: no approvals given."


def test_dots_most_dots_wins():
    ballots = [{"Ana": 3, "Bo": 2}, {"Bo": 5}, {}]
    result = tally("dots", OPTIONS, ballots, {"dots": 5}, "seed")
    assert result.counts == {"Ana": 3, "Bo": 7, "Cy": 0}
    assert result.ballots_cast == 3
    assert result.winners == ["Bo"]
    assert result.summary == "Winner: Bo with 7 of 10 dots (most dots wins)."


def test_score_highest_exact_mean_wins():
    ballots = [
        {"Ana": 5, "Bo": 3, "Cy": 0},
        {"Ana": 2, "Bo": 3, "Cy": 1},
        {"Ana": 3, "Bo": 5, "Cy": 0},
    ]
    result = tally("score", OPTIONS, ballots, {"max_score": 5}, "seed")
    assert result.counts == {"Ana": Fraction(10, 3), "Bo": Fraction(11, 3), "Cy": Fraction(1, 3)}
    assert result.winners == ["Bo"]
    assert result.summary == "Winner: Bo with mean score 3.67 of 5 (highest mean wins)."
    assert result.as_dict()["counts"]["Bo"] == "11/3"
    assert result.details["totals"] == {"Ana": 10, "Bo": 11, "Cy": 1}


def test_score_all_zero_still_has_a_winner_by_tie_break():
    ballots = [dict.fromkeys(OPTIONS, 0)] * 2
    result = tally("score", OPTIONS, ballots, {}, "seed")
    assert result.winners == [tie_break_order(OPTIONS, "seed")[0]]
    assert result.tie_break is not None
