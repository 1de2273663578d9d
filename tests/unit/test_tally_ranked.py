"""Counting ranked ballots: instant-runoff, STV (Gregory) and Schulze, with published examples."""

from fractions import Fraction

from voting.tally import tally, tie_break_order

MEMPHIS, NASHVILLE, CHATTANOOGA, KNOXVILLE = "Memphis", "Nashville", "Chattanooga", "Knoxville"
TENNESSEE_OPTIONS = [MEMPHIS, NASHVILLE, CHATTANOOGA, KNOXVILLE]
TENNESSEE = (
    [[MEMPHIS, NASHVILLE, CHATTANOOGA, KNOXVILLE]] * 42
    + [[NASHVILLE, CHATTANOOGA, KNOXVILLE, MEMPHIS]] * 26
    + [[CHATTANOOGA, KNOXVILLE, NASHVILLE, MEMPHIS]] * 15
    + [[KNOXVILLE, CHATTANOOGA, NASHVILLE, MEMPHIS]] * 17
)


def rankings(*groups: tuple[int, str]) -> list[list[str]]:
    return [list(order) for number, order in groups for _ in range(number)]


def test_tennessee_irv_elects_knoxville_in_three_rounds():
    result = tally("irv", TENNESSEE_OPTIONS, TENNESSEE, {}, "seed")
    assert result.winners == [KNOXVILLE]
    assert [r["eliminated"] for r in result.rounds] == [CHATTANOOGA, NASHVILLE, None]
    assert result.rounds[0]["counts"] == {
        MEMPHIS: 42,
        NASHVILLE: 26,
        CHATTANOOGA: 15,
        KNOXVILLE: 17,
    }
    assert result.rounds[0]["transfers"] == {KNOXVILLE: 15}
    assert result.rounds[1]["counts"] == {MEMPHIS: 42, NASHVILLE: 26, KNOXVILLE: 32}
    assert result.rounds[1]["transfers"] == {KNOXVILLE: 26}
    assert result.rounds[2]["counts"] == {MEMPHIS: 42, KNOXVILLE: 58}
    assert result.rounds[2]["elected"] == KNOXVILLE
    assert result.counts == {MEMPHIS: 42, NASHVILLE: 26, CHATTANOOGA: 15, KNOXVILLE: 17}
    assert result.tie_break is None
    assert result.summary == (
        "Winner: Knoxville after 3 rounds, with 58 of 100 continuing ballots "
        "(more than half needed)."
    )


def test_tennessee_schulze_elects_nashville():
    result = tally("schulze", TENNESSEE_OPTIONS, TENNESSEE, {}, "seed")
    assert result.winners == [NASHVILLE]
    assert result.details["ranking"] == [NASHVILLE, CHATTANOOGA, KNOXVILLE, MEMPHIS]
    assert result.rounds[0]["pairwise"][NASHVILLE][MEMPHIS] == 58


WIKIPEDIA_SCHULZE = rankings(
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
)


def test_wikipedia_schulze_example_elects_e():
    result = tally("schulze", list("ABCDE"), WIKIPEDIA_SCHULZE, {}, "seed")
    assert result.winners == ["E"]
    assert result.ballots_cast == 45
    paths = result.rounds[0]["strongest_paths"]
    assert paths["A"] == {"B": 28, "C": 28, "D": 30, "E": 24}
    assert paths["E"] == {"A": 25, "B": 28, "C": 28, "D": 31}
    assert result.rounds[0]["pairwise"]["A"]["B"] == 20
    assert result.details["ranking"] == ["E", "A", "C", "B", "D"]
    assert result.summary == "Winner: E (unbeaten on strongest paths; beats 4 of 4 others)."


def test_schulze_unranked_options_are_below_ranked_ones():
    result = tally("schulze", ["A", "B", "C"], rankings((3, "A"), (2, "BA")), {}, "seed")
    assert result.rounds[0]["pairwise"]["A"]["B"] == 3
    assert result.rounds[0]["pairwise"]["A"]["C"] == 5
    assert result.rounds[0]["pairwise"]["B"]["C"] == 2
    assert result.rounds[0]["pairwise"]["C"]["B"] == 0
    assert result.winners == ["A"]


def test_irv_exhausted_ballots_leave_the_count():
    ballots = rankings((4, "A"), (3, "B"), (2, "CB"), (2, "D"))
    result = tally("irv", list("ABCD"), ballots, {}, "seed")
    first = result.rounds[0]
    order = tie_break_order(list("ABCD"), "seed")
    eliminated_first = max(["C", "D"], key=order.index)
    assert first["eliminated"] == eliminated_first
    assert first["tied"] == ["C", "D"]
    assert result.tie_break == {"seed": "seed", "order": order}
    assert "a tie for elimination was broken by the seeded order" in result.summary
    if eliminated_first == "D":
        assert first["newly_exhausted"] == 2
        assert result.rounds[1]["exhausted"] == 2
    else:
        assert first["transfers"] == {"B": 2}


def test_irv_majority_is_of_continuing_ballots():
    ballots = rankings((5, "A"), (4, "B"), (3, "C"))
    result = tally("irv", list("ABC"), ballots, {}, "seed")
    assert result.rounds[1]["counts"] == {"A": 5, "B": 4}
    assert result.rounds[1]["exhausted"] == 3
    assert result.winners == ["A"]
    assert result.summary.endswith(
        "after 2 rounds, with 5 of 9 continuing ballots (more than half needed)."
    )


FOOD = ["Oranges", "Pears", "Chocolate", "Strawberries", "Hamburgers"]
FOOD_BALLOTS = (
    [["Oranges"]] * 4
    + [["Pears", "Oranges"]] * 2
    + [["Chocolate", "Strawberries"]] * 8
    + [["Chocolate", "Hamburgers"]] * 4
    + [["Strawberries"]]
    + [["Hamburgers"]]
)


def test_stv_wikipedia_food_election():
    result = tally("stv", FOOD, FOOD_BALLOTS, {"seats": 3}, "seed")
    assert result.winners == ["Chocolate", "Oranges", "Strawberries"]
    assert result.details["quota"] == 6
    first, second = result.rounds[0], result.rounds[1]
    assert first["elected"] == ["Chocolate"]
    assert first["transfer_values"] == {"Chocolate": "1/2"}
    assert first["transfers"] == {"Strawberries": "4", "Hamburgers": "2"}
    assert second["counts"] == {
        "Oranges": "4",
        "Pears": "2",
        "Strawberries": "5",
        "Hamburgers": "3",
    }
    assert second["eliminated"] == "Pears"
    assert result.rounds[2]["elected"] == ["Oranges"]
    assert result.rounds[3]["eliminated"] == "Hamburgers"
    assert result.rounds[3]["newly_exhausted"] == "3"
    assert result.rounds[-1]["elected"] == ["Strawberries"]
    assert result.summary == "Elected: Chocolate, Oranges, Strawberries (quota 6)."


def test_stv_fractional_transfer_values_stay_exact():
    ballots = rankings((30, "AB"), (10, "BC"), (20, "CD"), (5, "D"))
    result = tally("stv", list("ABCD"), ballots, {"seats": 2}, "seed")
    assert result.details["quota"] == 22
    assert result.rounds[0]["transfer_values"] == {"A": "4/15"}
    assert result.rounds[0]["transfers"] == {"B": "8"}
    assert result.winners == ["A", "C"]
    assert result.summary == "Elected: A, C (quota 22)."


def test_stv_surplus_transfer_keeps_thirds():
    ballots = rankings((7, "AB"), (2, "AC"), (3, "C"), (3, "B"))
    result = tally("stv", list("ABC"), ballots, {"seats": 2}, "seed")
    assert result.details["quota"] == 6
    assert result.rounds[0]["transfer_values"] == {"A": "1/3"}
    assert result.rounds[0]["transfers"] == {"B": "7/3", "C": "2/3"}
    assert result.rounds[1]["counts"] == {"B": "16/3", "C": "11/3"}
    assert Fraction(result.rounds[1]["counts"]["B"]) == Fraction(16, 3)


def test_stv_elects_everyone_at_quota_in_one_round_largest_first():
    ballots = rankings((4, "B"), (5, "A"), (1, "C"))
    result = tally("stv", list("ABC"), ballots, {"seats": 2}, "seed")
    assert result.details["quota"] == 4
    assert result.rounds[0]["elected"] == ["A", "B"]
    assert result.winners == ["A", "B"]


def test_stv_with_no_ballots_elects_no_one():
    result = tally("stv", list("AB"), [], {"seats": 1}, "seed")
    assert result.winners == []
    assert result.summary == "No one elected: no ballots cast."
