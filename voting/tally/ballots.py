"""Checking a ballot and putting it in its canonical form, with messages for the voter."""

from voting.tally.errors import BallotError
from voting.tally.parameters import read_setting


def _named(options: list[str], choice: object) -> str:
    if not isinstance(choice, str) or choice not in options:
        raise BallotError(f"{choice!r} is not one of the options: {', '.join(options)}.")
    return choice


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def one_choice(options: list[str], rule: dict, ballot: object) -> str:
    """A single option (yes_no, consent, temperature, single)."""
    if not isinstance(ballot, str):
        raise BallotError(f"Choose one of: {', '.join(options)}.")
    return _named(options, ballot)


def approvals(options: list[str], rule: dict, ballot: object) -> list[str]:
    """A sorted list of distinct approved options; an empty list abstains."""
    if not isinstance(ballot, list | tuple | set | frozenset):
        raise BallotError("Give a list of the options you approve (an empty list abstains).")
    chosen = [_named(options, choice) for choice in ballot]
    if len(set(chosen)) != len(chosen):
        raise BallotError("Approve each option at most once.")
    return sorted(chosen)


def dots(options: list[str], rule: dict, ballot: object) -> dict[str, int]:
    """Dots per option, whole numbers from 0, no more in all than the rule allows."""
    allowed = read_setting("dots", rule, "dots", 1)
    if not isinstance(ballot, dict):
        raise BallotError("Give the number of dots you place on each option.")
    for option, count in ballot.items():
        _named(options, option)
        if not _whole(count) or count < 0:
            raise BallotError(f"Dots on {option!r} must be a whole number from 0.")
    placed = sum(ballot.values())
    if placed > allowed:
        raise BallotError(f"You placed {placed} dots but have only {allowed}.")
    return {option: ballot[option] for option in options if ballot.get(option)}


def scores(options: list[str], rule: dict, ballot: object) -> dict[str, int]:
    """A whole-number score from 0 to max_score for every option."""
    top = read_setting("score", rule, "max_score", 1)
    if not isinstance(ballot, dict):
        raise BallotError(f"Give every option a score from 0 to {top}.")
    for option in ballot:
        _named(options, option)
    missing = [option for option in options if option not in ballot]
    if missing:
        raise BallotError(f"Score every option; missing: {', '.join(missing)}.")
    for option in options:
        score = ballot[option]
        if not _whole(score) or not 0 <= score <= top:
            raise BallotError(f"Scores run from 0 to {top}; {option!r} got {score!r}.")
    return {option: ballot[option] for option in options}


def ranking(options: list[str], rule: dict, ballot: object) -> list[str]:
    """Distinct options in order of preference, at least one; the rest count as unranked."""
    if not isinstance(ballot, list | tuple):
        raise BallotError("Give the options in your order of preference.")
    ranked = [_named(options, choice) for choice in ballot]
    if not ranked:
        raise BallotError("Rank at least one option.")
    repeated = sorted({choice for choice in ranked if ranked.count(choice) > 1})
    if repeated:
        raise BallotError(f"Rank each option only once; repeated: {', '.join(repeated)}.")
    return ranked


VALIDATORS = {
    "yes_no": one_choice,
    "consent": one_choice,
    "temperature": one_choice,
    "single": one_choice,
    "approval": approvals,
    "dots": dots,
    "score": scores,
    "irv": ranking,
    "stv": ranking,
    "schulze": ranking,
}
