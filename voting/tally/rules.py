"""Decision rules on one choice each: yes/no with threshold and quorum, consent, temperature."""

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from math import ceil

from voting.tally.errors import RuleError
from voting.tally.parameters import YesNoRule, read_setting, read_yes_no
from voting.tally.result import Result, whole_percent
from voting.tally.tiebreak import TieBreak


def _tally_of(options: list[str], ballots: list[str]) -> dict[str, int]:
    counted = Counter(ballots)
    return {option: counted[option] for option in options}


def _shares_of(counts: dict[str, int], total: int) -> dict[str, Fraction]:
    return {option: Fraction(count, total) for option, count in counts.items()} if total else {}


def _listing(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {option}" for option, count in counts.items())


@dataclass(frozen=True)
class Base:
    """What a yes share is measured against, and how to say it."""

    total: int
    words: str
    when_zero: str


def _base(rule: YesNoRule, counts: dict[str, int], present: int | None) -> Base:
    """The number a yes share is measured against: those present, all cast, or yes + no."""
    yes, no, abstain = counts["yes"], counts["no"], counts["abstain"]
    if rule.base == "present":
        if present is None:
            raise RuleError("This rule measures against those present, but that is not known.")
        return Base(present, "present", "nobody recorded as present")
    if rule.abstentions_count:
        words = "cast (abstentions counted)" if abstain else "cast"
        return Base(yes + no + abstain, words, "no ballots cast")
    if abstain:
        aside = f"({abstain} abstaining not counted)"
        return Base(yes + no, f"yes/no votes {aside}", f"no yes or no votes {aside}")
    return Base(yes + no, "cast", "no ballots cast")


def _quorum_needed(rule: YesNoRule, present: int | None) -> int | None:
    """How many ballots must be cast, or None when the rule sets no quorum."""
    needs = [] if rule.quorum is None else [rule.quorum]
    if rule.quorum_share is not None:
        if present is None:
            raise RuleError("This quorum is a share of those present, but that is not known.")
        needs.append(ceil(rule.quorum_share * present))
    return max(needs) if needs else None


def _quorum_words(needed: int | None, met: bool | None, cast: int) -> str:
    if needed is None:
        return ""
    return f"; quorum {'met' if met else 'not met'}, {cast} voted of {needed} needed"


def _measure_words(rule: YesNoRule, yes: int, base: Base, part: Fraction | None) -> str:
    required = f"more than {rule.threshold}" if rule.strict else f"{rule.threshold}"
    if part is None:
        return f"zero base, {base.when_zero}, so {required} cannot be reached"
    percent = whole_percent(part)
    return f"{yes} yes of {base.total} {base.words}, {percent}% against {required} required"


def _reaches(rule: YesNoRule, part: Fraction) -> bool:
    return part > rule.threshold if rule.strict else part >= rule.threshold


def count_yes_no(
    options: list[str], ballots: list[str], rule: dict, tie: TieBreak, present: int | None
) -> Result:
    """Passed when the yes share of the base beats the threshold and the quorum is met."""
    terms = read_yes_no(rule)
    counts = _tally_of(options, ballots)
    base = _base(terms, counts, present)
    needed = _quorum_needed(terms, present)
    quorum_met = None if needed is None else len(ballots) >= needed
    part = Fraction(counts["yes"], base.total) if base.total else None
    passed = part is not None and _reaches(terms, part) and quorum_met is not False
    measure = _measure_words(terms, counts["yes"], base, part)
    quorum = _quorum_words(needed, quorum_met, len(ballots))
    shares = _shares_of({"yes": counts["yes"], "no": counts["no"]}, base.total)
    shares |= _shares_of({"abstain": counts["abstain"]}, len(ballots))
    return Result(
        method="yes_no",
        options=options,
        ballots_cast=len(ballots),
        counts=counts,
        passed=passed,
        quorum_met=quorum_met,
        summary=f"{'Passed' if passed else 'Not passed'}: {measure}{quorum}.",
        shares=shares,
        details={
            "base": base.total,
            "yes_share": part,
            "threshold": terms.threshold,
            "strict": terms.strict,
            "quorum_needed": needed,
        },
    )


def block_level(levels: list[str]) -> str:
    """The consent level that blocks: the one named "block", else the last level."""
    return "block" if "block" in levels else levels[-1]


def count_consent(
    options: list[str], ballots: list[str], rule: dict, tie: TieBreak, present: int | None
) -> Result:
    """Passed when there are ballots and no more blocks than the rule allows."""
    max_blocks = read_setting("consent", rule, "max_blocks", 0)
    counts = _tally_of(options, ballots)
    blocks = counts[block_level(options)]
    passed = bool(ballots) and blocks <= max_blocks
    if ballots:
        blocks_word = "block" if blocks == 1 else "blocks"
        reason = f"{blocks} {blocks_word}, at most {max_blocks} allowed ({_listing(counts)})"
    else:
        reason = f"no ballots cast (at most {max_blocks} blocks allowed)"
    return Result(
        method="consent",
        options=options,
        ballots_cast=len(ballots),
        counts=counts,
        passed=passed,
        summary=f"{'Passed' if passed else 'Not passed'}: {reason}.",
        shares=_shares_of(counts, len(ballots)),
        details={"blocks": blocks, "max_blocks": max_blocks},
    )


def count_temperature(
    options: list[str], ballots: list[str], rule: dict, tie: TieBreak, present: int | None
) -> Result:
    """Advisory only: the distribution of feelings, nothing passes or fails."""
    counts = _tally_of(options, ballots)
    return Result(
        method="temperature",
        options=options,
        ballots_cast=len(ballots),
        counts=counts,
        summary=f"Advisory: {_listing(counts)}.",
        shares=_shares_of(counts, len(ballots)),
    )
