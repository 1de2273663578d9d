"""Counting votes: pure functions, exact fractions, seeded tie-breaks, every round recorded.

    tally(method, options, ballots, rule, seed, present=None) -> Result
    validate_ballot(method, options, rule, ballot) -> the ballot in canonical form
    validate_rule(method, rule) -> the full rule, or RuleError (call it when a vote opens)

Canonical ballots: yes_no, consent, temperature, single: one option; approval: sorted list of
distinct options (empty abstains); dots: {option: dots > 0}, at most rule["dots"] in all;
score: {option: 0..rule["max_score"]} for every option; irv, stv, schulze: distinct options in
order of preference, at least one. Ties go to the seeded order of `tie_break_order`.

Result.counts: votes per option (yes_no, consent, temperature, single), approvals, dots, exact
mean scores, first preferences (irv, stv), or options beaten on strongest paths (schulze).
Winners stay empty for yes_no, consent and temperature: read `passed`. No ballots, no winner.
A bad ballot raises BallotError (for the voter); a bad rule or option list raises RuleError.
"""

from voting.tally.ballots import VALIDATORS
from voting.tally.choice import count_approval, count_dots, count_score, count_single
from voting.tally.errors import BallotError, RuleError
from voting.tally.parameters import (
    METHODS,
    check_present,
    default_rules,
    merged_rule,
    method_options,
    validate_rule,
)
from voting.tally.ranked import count_irv, count_stv
from voting.tally.result import Result
from voting.tally.rules import count_consent, count_temperature, count_yes_no
from voting.tally.schulze import count_schulze
from voting.tally.tiebreak import TieBreak, tie_break_order

__all__ = [
    "DEFAULT_RULES",
    "METHODS",
    "BallotError",
    "Result",
    "RuleError",
    "tally",
    "tie_break_order",
    "validate_ballot",
    "validate_rule",
]

DEFAULT_RULES = default_rules()

COUNTERS = {
    "yes_no": count_yes_no,
    "consent": count_consent,
    "temperature": count_temperature,
    "single": count_single,
    "approval": count_approval,
    "dots": count_dots,
    "score": count_score,
    "irv": count_irv,
    "stv": count_stv,
    "schulze": count_schulze,
}


def validate_ballot(method: str, options: list[str], rule: dict, ballot) -> object:
    """Return the ballot in canonical form, or raise BallotError(message for people)."""
    options = method_options(method, options)
    return VALIDATORS[method](options, merged_rule(method, rule), ballot)


def tally(
    method: str,
    options: list[str],
    ballots: list,
    rule: dict,
    seed: str,
    present: int | None = None,
) -> Result:
    """Count validated ballots."""
    options = method_options(method, options)
    rule = merged_rule(method, rule)
    canonical = [VALIDATORS[method](options, rule, ballot) for ballot in ballots]
    tie = TieBreak.from_seed(options, seed)
    return COUNTERS[method](options, canonical, rule, tie, check_present(present))
