"""Choosing among options by one count each: single choice, approval, dots and score."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from voting.tally.parameters import read_setting
from voting.tally.result import Result, display_decimal
from voting.tally.tiebreak import TieBreak, highest


@dataclass(frozen=True)
class Standing:
    """A finished count before the winner is picked: the highest count wins."""

    method: str
    options: list[str]
    ballots_cast: int
    counts: dict
    shares: dict[str, Fraction]
    rule_words: str
    describe: Callable[[str], str]
    no_winner_because: str | None = None
    details: dict = field(default_factory=dict)


def _tie_note(tied: list[str], winner: str) -> str:
    others = [option for option in tied if option != winner]
    return f"; tied with {', '.join(others)}, broken by the seeded order" if others else ""


def _decide(standing: Standing, tie: TieBreak) -> Result:
    """The result: the highest count wins, the seeded order breaks a tie."""
    common = {
        "method": standing.method,
        "options": standing.options,
        "ballots_cast": standing.ballots_cast,
        "counts": standing.counts,
        "shares": standing.shares,
        "details": standing.details,
    }
    if standing.no_winner_because:
        return Result(**common, summary=f"No winner: {standing.no_winner_because}.")
    winner, tied = highest(standing.counts, tie)
    reason = f"{standing.rule_words}{_tie_note(tied, winner)}"
    return Result(
        **common,
        winners=[winner],
        tie_break=tie.record() if len(tied) > 1 else None,
        summary=f"Winner: {winner} with {standing.describe(winner)} ({reason}).",
    )


def _fractions_of(counts: dict[str, int], total: int) -> dict[str, Fraction]:
    return {option: Fraction(count, total) for option, count in counts.items()} if total else {}


def _per_option(options: list[str], counted: Counter) -> dict[str, int]:
    return {option: counted[option] for option in options}


def count_single(
    options: list[str], ballots: list[str], rule: dict, tie: TieBreak, present: int | None
) -> Result:
    """Plurality: the option chosen on most ballots wins."""
    counts, cast = _per_option(options, Counter(ballots)), len(ballots)
    standing = Standing(
        method="single",
        options=options,
        ballots_cast=cast,
        counts=counts,
        shares=_fractions_of(counts, cast),
        rule_words="most votes wins",
        describe=lambda winner: f"{counts[winner]} of {cast} votes",
        no_winner_because=None if cast else "no ballots cast",
    )
    return _decide(standing, tie)


def count_approval(
    options: list[str], ballots: list[list[str]], rule: dict, tie: TieBreak, present: int | None
) -> Result:
    """Approval: the option approved on most ballots wins; an empty ballot abstains."""
    counts = _per_option(options, Counter(option for ballot in ballots for option in ballot))
    cast = len(ballots)
    standing = Standing(
        method="approval",
        options=options,
        ballots_cast=cast,
        counts=counts,
        shares=_fractions_of(counts, cast),
        rule_words="most approvals wins",
        describe=lambda winner: f"{counts[winner]} approvals on {cast} ballots",
        no_winner_because=_nothing_given(cast, sum(counts.values()), "approvals given"),
    )
    return _decide(standing, tie)


def _nothing_given(cast: int, given: int, what: str) -> str | None:
    if not cast:
        return "no ballots cast"
    return None if given else f"no {what}"


def count_dots(
    options: list[str], ballots: list[dict], rule: dict, tie: TieBreak, present: int | None
) -> Result:
    """Dot voting: the option with most dots wins."""
    counted = Counter()
    for ballot in ballots:
        counted.update(ballot)
    counts = _per_option(options, counted)
    placed = sum(counts.values())
    standing = Standing(
        method="dots",
        options=options,
        ballots_cast=len(ballots),
        counts=counts,
        shares=_fractions_of(counts, placed),
        rule_words="most dots wins",
        describe=lambda winner: f"{counts[winner]} of {placed} dots",
        no_winner_because=_nothing_given(len(ballots), placed, "dots placed"),
        details={"dots_placed": placed},
    )
    return _decide(standing, tie)


def count_score(
    options: list[str], ballots: list[dict], rule: dict, tie: TieBreak, present: int | None
) -> Result:
    """Score voting: the highest mean score wins, as an exact fraction."""
    top = read_setting("score", rule, "max_score", 1)
    cast = len(ballots)
    totals = {option: sum(ballot[option] for ballot in ballots) for option in options}
    means = {option: Fraction(total, cast or 1) for option, total in totals.items()}
    standing = Standing(
        method="score",
        options=options,
        ballots_cast=cast,
        counts=means,
        shares={option: mean / top for option, mean in means.items()} if cast else {},
        rule_words="highest mean wins",
        describe=lambda winner: f"mean score {display_decimal(means[winner])} of {top}",
        no_winner_because=None if cast else "no ballots cast",
        details={"totals": totals, "max_score": top},
    )
    return _decide(standing, tie)
