"""Counting yes/no (threshold, abstentions, base, quorum), consent and temperature votes."""

from fractions import Fraction

import pytest

from voting.tally import DEFAULT_RULES, RuleError, tally, validate_rule


def yes_no(yes: int, no: int, abstain: int = 0, present: int | None = None, **rule):
    ballots = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    return tally("yes_no", [], ballots, rule, "seed", present)


def test_two_thirds_with_quorum_states_the_rule_applied():
    result = yes_no(64, 26, threshold="2/3", strict=False, quorum=50)
    assert result.passed is True
    assert result.quorum_met is True
    assert result.summary == (
        "Passed: 64 yes of 90 cast, 71% against 2/3 required; quorum met, 90 voted of 50 needed."
    )
    assert result.counts == {"yes": 64, "no": 26, "abstain": 0}
    assert result.details["yes_share"] == Fraction(64, 90)


def test_two_thirds_met_exactly_passes_only_when_not_strict():
    met = yes_no(20, 10, threshold="2/3", strict=False)
    assert met.passed is True
    assert met.summary == "Passed: 20 yes of 30 cast, 67% against 2/3 required."
    missed = yes_no(20, 10, threshold="2/3", strict=True)
    assert missed.passed is False
    assert missed.summary == "Not passed: 20 yes of 30 cast, 67% against more than 2/3 required."


def test_three_quarters_one_short():
    result = yes_no(74, 26, threshold="3/4", strict=False)
    assert result.passed is False
    assert result.summary == "Not passed: 74 yes of 100 cast, 74% against 3/4 required."


def test_simple_majority_needs_more_than_half():
    assert yes_no(50, 50).passed is False
    assert yes_no(51, 50).passed is True
    assert yes_no(50, 50).summary == (
        "Not passed: 50 yes of 100 cast, 50% against more than 1/2 required."
    )


def test_abstentions_not_counted_leave_the_base_at_yes_plus_no():
    result = yes_no(6, 4, 3)
    assert result.passed is True
    assert result.ballots_cast == 13
    assert result.summary == (
        "Passed: 6 yes of 10 yes/no votes (3 abstaining not counted), "
        "60% against more than 1/2 required."
    )


def test_abstentions_counted_join_the_base():
    result = yes_no(6, 4, 3, abstentions_count=True)
    assert result.passed is False
    assert result.summary == (
        "Not passed: 6 yes of 13 cast (abstentions counted), 46% against more than 1/2 required."
    )


def test_base_present_measures_against_everyone_in_the_room():
    result = yes_no(30, 10, present=70, base="present")
    assert result.passed is False
    assert result.details["base"] == 70
    assert result.summary == "Not passed: 30 yes of 70 present, 43% against more than 1/2 required."
    assert yes_no(36, 0, present=70, base="present").passed is True


def test_base_present_needs_the_number_present():
    with pytest.raises(RuleError, match="present"):
        yes_no(3, 1, base="present")


def test_quorum_not_met_fails_even_with_a_clear_majority():
    result = yes_no(30, 10, quorum=50)
    assert result.passed is False
    assert result.quorum_met is False
    assert result.summary == (
        "Not passed: 30 yes of 40 cast, 75% against more than 1/2 required; "
        "quorum not met, 40 voted of 50 needed."
    )


def test_quorum_counts_abstentions_as_voting():
    assert yes_no(30, 10, 10, quorum=50).quorum_met is True


def test_quorum_share_of_present_rounds_up():
    short = yes_no(20, 13, present=100, quorum_share="1/3")
    assert short.details["quorum_needed"] == 34
    assert short.quorum_met is False
    assert short.passed is False
    assert yes_no(20, 14, present=100, quorum_share="1/3").passed is True


def test_the_larger_of_two_quorums_applies():
    result = yes_no(20, 20, present=100, quorum=10, quorum_share="1/2")
    assert result.details["quorum_needed"] == 50


def test_no_quorum_rule_leaves_quorum_met_unknown():
    assert yes_no(3, 1).quorum_met is None


def test_zero_base_fails_and_says_so():
    empty = yes_no(0, 0)
    assert empty.passed is False
    assert (
        empty.summary
        == "Not passed: zero base, no ballots cast, so more than 1/2 cannot be reached."
    )
    abstained = yes_no(0, 0, 4)
    assert abstained.passed is False
    assert "no yes or no votes (4 abstaining not counted)" in abstained.summary
    nobody = yes_no(0, 0, present=0, base="present")
    assert "nobody recorded as present" in nobody.summary


def test_yes_no_options_are_fixed():
    result = tally("yes_no", ["whatever"], ["yes"], {}, "s")
    assert result.options == ["yes", "no", "abstain"]


def test_as_dict_renders_fractions_as_text_and_percent_for_display():
    data = yes_no(64, 26, threshold="2/3", strict=False, quorum=50).as_dict()
    assert data["details"]["yes_share"] == "32/45"
    assert data["details"]["threshold"] == "2/3"
    assert data["shares"]["yes"] == "32/45"
    assert data["percent"]["yes"] == 71.1


@pytest.mark.parametrize(
    "rule",
    [
        {"threshold": 0.5},
        {"threshold": "0"},
        {"threshold": "3/2"},
        {"threshold": "half"},
        {"base": "everyone"},
        {"strict": "yes"},
        {"quorum": -1},
        {"quorum": 2.5},
        {"quorum_share": "5/4"},
    ],
)
def test_bad_yes_no_rules_are_refused(rule):
    with pytest.raises(RuleError):
        yes_no(1, 0, present=5, **rule)


def test_validate_rule_fills_defaults_and_refuses_unknown_settings():
    assert validate_rule("dots", {}) == {"dots": 5}
    assert validate_rule("yes_no", {"threshold": "2/3"})["strict"] is True
    with pytest.raises(RuleError, match="treshold"):
        validate_rule("yes_no", {"treshold": "2/3"})
    with pytest.raises(RuleError):
        validate_rule("stv", {"seats": 0})
    with pytest.raises(RuleError):
        validate_rule("ranked_pairs", {})


def test_strict_none_means_strict_only_at_one_half():
    assert yes_no(20, 10, threshold="2/3", strict=None).passed is True
    assert yes_no(10, 10, threshold="1/2", strict=None).passed is False


def test_default_rules_are_a_copy_callers_may_change():
    DEFAULT_RULES["yes_no"]["threshold"] = "9/10"
    try:
        assert yes_no(6, 4).passed is True
    finally:
        DEFAULT_RULES["yes_no"]["threshold"] = "1/2"


CONSENT = ["endorse", "agree", "reservations", "stand aside", "block"]


def consent(counts: dict[str, int], **rule):
    ballots = [level for level, n in counts.items() for _ in range(n)]
    return tally("consent", [], ballots, rule, "seed")


def test_consent_passes_without_blocks():
    result = consent({"endorse": 5, "agree": 3, "reservations": 1})
    assert result.passed is True
    assert result.options == CONSENT
    assert result.summary == (
        "Passed: 0 blocks, at most 0 allowed "
        "(5 endorse, 3 agree, 1 reservations, 0 stand aside, 0 block)."
    )


def test_one_block_stops_consent_unless_the_rule_allows_it():
    result = consent({"endorse": 9, "block": 1})
    assert result.passed is False
    assert result.summary.startswith("Not passed: 1 block, at most 0 allowed (")
    assert consent({"endorse": 9, "block": 1}, max_blocks=1).passed is True


def test_consent_with_no_ballots_does_not_pass():
    result = consent({})
    assert result.passed is False
    assert result.summary == "Not passed: no ballots cast (at most 0 blocks allowed)."


def test_consent_levels_from_options_block_is_the_last():
    levels = ["love it", "live with it", "over my dead body"]
    result = tally("consent", levels, ["love it", "over my dead body"], {}, "s")
    assert result.passed is False
    assert result.details["blocks"] == 1


def test_temperature_is_advisory():
    ballots = ["warm"] * 12 + ["unsure"] * 3 + ["cold"]
    result = tally("temperature", [], ballots, {}, "s")
    assert result.passed is None
    assert result.winners == []
    assert result.summary == "Advisory: 12 warm, 3 unsure, 1 cold."
    assert result.shares["warm"] == Fraction(12, 16)


def test_temperature_levels_from_options():
    result = tally("temperature", ["hot", "cold"], ["hot", "hot"], {}, "s")
    assert result.summary == "Advisory: 2 hot, 0 cold."
