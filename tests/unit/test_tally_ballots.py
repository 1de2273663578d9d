"""Ballots in canonical form, and bad ballots refused with a message for the voter."""

import pytest

from voting.tally import DEFAULT_RULES, METHODS, BallotError, RuleError, validate_ballot

OPTIONS = ["Ana", "Bo", "Cy"]


@pytest.mark.parametrize(
    ("method", "ballot", "canonical"),
    [
        ("yes_no", "abstain", "abstain"),
        ("consent", "stand aside", "stand aside"),
        ("temperature", "warm", "warm"),
        ("single", "Bo", "Bo"),
        ("approval", ["Cy", "Ana"], ["Ana", "Cy"]),
        ("approval", [], []),
        ("dots", {"Cy": 2, "Ana": 0, "Bo": 3}, {"Bo": 3, "Cy": 2}),
        ("dots", {}, {}),
        ("score", {"Cy": 0, "Ana": 5, "Bo": 2}, {"Ana": 5, "Bo": 2, "Cy": 0}),
        ("irv", ("Bo", "Ana"), ["Bo", "Ana"]),
        ("stv", ["Cy"], ["Cy"]),
        ("schulze", ["Cy", "Bo", "Ana"], ["Cy", "Bo", "Ana"]),
    ],
)
def test_canonical_forms(method, ballot, canonical):
    options = [] if method in ("yes_no", "consent", "temperature") else OPTIONS
    assert validate_ballot(method, options, DEFAULT_RULES[method], ballot) == canonical


BAD = [
    ("yes_no", "maybe", "not one of the options"),
    ("yes_no", ["yes"], "Choose one of"),
    ("yes_no", None, "Choose one of"),
    ("consent", "veto", "not one of the options"),
    ("temperature", "hot", "not one of the options"),
    ("single", "Dee", "not one of the options"),
    ("single", 1, "Choose one of"),
    ("approval", "Ana", "list of the options"),
    ("approval", ["Ana", "Ana"], "at most once"),
    ("approval", ["Dee"], "not one of the options"),
    ("dots", ["Ana"], "number of dots"),
    ("dots", {"Ana": 6}, "placed 6 dots but have only 5"),
    ("dots", {"Ana": 3, "Bo": 3}, "placed 6 dots but have only 5"),
    ("dots", {"Ana": -1}, "whole number from 0"),
    ("dots", {"Ana": 1.5}, "whole number from 0"),
    ("dots", {"Ana": True}, "whole number from 0"),
    ("dots", {"Dee": 1}, "not one of the options"),
    ("score", {"Ana": 1, "Bo": 2}, "missing: Cy"),
    ("score", {"Ana": 1, "Bo": 2, "Cy": 6}, "from 0 to 5"),
    ("score", {"Ana": 1, "Bo": 2, "Cy": -1}, "from 0 to 5"),
    ("score", {"Ana": 1, "Bo": 2, "Cy": "3"}, "from 0 to 5"),
    ("score", {"Ana": 1, "Bo": 2, "Cy": 3, "Dee": 1}, "not one of the options"),
    ("score", [1, 2, 3], "score from 0 to 5"),
    ("irv", [], "at least one"),
    ("irv", ["Ana", "Ana"], "only once; repeated: Ana"),
    ("irv", "Ana", "order of preference"),
    ("stv", ["Dee"], "not one of the options"),
    ("stv", [], "at least one"),
    ("schulze", ["Bo", "Cy", "Bo"], "only once"),
    ("schulze", {"Bo": 1}, "order of preference"),
]


@pytest.mark.parametrize(("method", "ballot", "message"), BAD)
def test_bad_ballots_are_refused_with_a_message(method, ballot, message):
    options = [] if method in ("yes_no", "consent", "temperature") else OPTIONS
    with pytest.raises(BallotError, match=message):
        validate_ballot(method, options, DEFAULT_RULES[method], ballot)


def test_every_method_has_bad_ballot_examples():
    assert {method for method, _, _ in BAD} == set(METHODS)


def test_tally_refuses_a_bad_ballot_too():
    from voting.tally import tally

    with pytest.raises(BallotError):
        tally("single", OPTIONS, ["Ana", "Dee"], {}, "seed")


def test_rule_settings_shape_ballots():
    assert validate_ballot("dots", OPTIONS, {"dots": 10}, {"Ana": 10}) == {"Ana": 10}
    with pytest.raises(BallotError, match="from 0 to 10"):
        validate_ballot("score", OPTIONS, {"max_score": 10}, {"Ana": 11, "Bo": 0, "Cy": 0})


def test_bad_options_and_methods_are_rule_errors():
    with pytest.raises(RuleError):
        validate_ballot("single", ["Ana", "Ana"], {}, "Ana")
    with pytest.raises(RuleError):
        validate_ballot("single", [], {}, "Ana")
    with pytest.raises(RuleError):
        validate_ballot("borda", OPTIONS, {}, ["Ana"])
    with pytest.raises(RuleError):
        validate_ballot("dots", OPTIONS, {"dots": 0}, {})
