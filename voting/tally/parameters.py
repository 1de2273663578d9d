"""Rules and options: the defaults per method, and reading them into checked, exact values."""

import copy
from dataclasses import dataclass
from fractions import Fraction

from voting.tally.errors import RuleError

METHODS = (
    "yes_no",
    "consent",
    "temperature",
    "single",
    "approval",
    "dots",
    "score",
    "irv",
    "stv",
    "schulze",
)

YES_NO_OPTIONS = ("yes", "no", "abstain")
CONSENT_LEVELS = ("endorse", "agree", "reservations", "stand aside", "block")
TEMPERATURE_LEVELS = ("warm", "unsure", "cold")
DEFAULT_LEVELS = {"consent": CONSENT_LEVELS, "temperature": TEMPERATURE_LEVELS}

_DEFAULTS: dict[str, dict] = {
    "yes_no": {
        "threshold": "1/2",
        "strict": True,
        "base": "cast",
        "abstentions_count": False,
        "quorum": None,
        "quorum_share": None,
    },
    "consent": {"max_blocks": 0},
    "temperature": {},
    "single": {},
    "approval": {},
    "dots": {"dots": 5},
    "score": {"max_score": 5},
    "irv": {},
    "stv": {"seats": 1},
    "schulze": {},
}


def default_rules() -> dict[str, dict]:
    """A fresh copy of the default rule of every method."""
    return copy.deepcopy(_DEFAULTS)


def check_method(method: str) -> None:
    """Refuse a method this module does not count."""
    if method not in METHODS:
        raise RuleError(f"Unknown voting method {method!r}; use one of: {', '.join(METHODS)}.")


def merged_rule(method: str, rule: dict | None) -> dict:
    """The method's default rule overridden by the given one."""
    check_method(method)
    return {**_DEFAULTS[method], **(rule or {})}


def method_options(method: str, options: list[str] | None) -> list[str]:
    """The options to count: fixed for yes_no, defaulted for consent and temperature."""
    check_method(method)
    if method == "yes_no":
        return list(YES_NO_OPTIONS)
    if not options and method in DEFAULT_LEVELS:
        return list(DEFAULT_LEVELS[method])
    options = list(options or [])
    if not options:
        raise RuleError("Give at least one option.")
    if not all(isinstance(option, str) and option for option in options):
        raise RuleError("Each option must be a non-empty piece of text.")
    if len(set(options)) != len(options):
        raise RuleError("Each option must be different.")
    return options


def whole_number(value: object, name: str, minimum: int) -> int:
    """An int of at least `minimum`, or a RuleError naming the setting."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RuleError(f"The rule's {name!r} must be a whole number of at least {minimum}.")
    return value


def share(value: object, name: str) -> Fraction:
    """An exact fraction in (0, 1] from "p/q", a decimal string, an int or a Fraction."""
    if isinstance(value, bool) or not isinstance(value, str | int | Fraction):
        raise RuleError(f'The rule\'s {name!r} must be written as a fraction such as "2/3".')
    try:
        fraction = Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise RuleError(f"The rule's {name!r} ({value!r}) is not a fraction.") from None
    if not 0 < fraction <= 1:
        raise RuleError(f"The rule's {name!r} must be more than 0 and at most 1.")
    return fraction


@dataclass(frozen=True)
class YesNoRule:
    """A yes/no rule read into exact values."""

    threshold: Fraction
    strict: bool
    base: str
    abstentions_count: bool
    quorum: int | None
    quorum_share: Fraction | None


def read_yes_no(rule: dict | None) -> YesNoRule:
    """The yes/no rule; "strict": None means strict only for a 1/2 threshold."""
    values = merged_rule("yes_no", rule)
    threshold = share(values["threshold"], "threshold")
    strict = values["strict"]
    if strict is None:
        strict = threshold == Fraction(1, 2)
    if not isinstance(strict, bool) or not isinstance(values["abstentions_count"], bool):
        raise RuleError("The rule's 'strict' and 'abstentions_count' must be true or false.")
    if values["base"] not in ("cast", "present"):
        raise RuleError('The rule\'s \'base\' must be "cast" or "present".')
    quorum, quorum_share = values["quorum"], values["quorum_share"]
    return YesNoRule(
        threshold=threshold,
        strict=strict,
        base=values["base"],
        abstentions_count=values["abstentions_count"],
        quorum=None if quorum is None else whole_number(quorum, "quorum", 0),
        quorum_share=None if quorum_share is None else share(quorum_share, "quorum_share"),
    )


def read_setting(method: str, rule: dict | None, name: str, minimum: int) -> int:
    """One whole-number setting of a rule (max_blocks, dots, max_score, seats)."""
    return whole_number(merged_rule(method, rule)[name], name, minimum)


SETTING_MINIMUMS = {
    "consent": ("max_blocks", 0),
    "dots": ("dots", 1),
    "score": ("max_score", 1),
    "stv": ("seats", 1),
}


def validate_rule(method: str, rule: dict | None) -> dict:
    """The full rule (defaults filled in), or RuleError for unknown keys or bad values."""
    values = merged_rule(method, rule)
    unknown = sorted(set(values) - set(_DEFAULTS[method]))
    if unknown:
        raise RuleError(f"The {method} rule has no setting {', '.join(map(repr, unknown))}.")
    if method == "yes_no":
        read_yes_no(values)
    elif method in SETTING_MINIMUMS:
        read_setting(method, values, *SETTING_MINIMUMS[method])
    return values


def check_present(present: object) -> int | None:
    """The number present, if known: a whole number from 0."""
    if present is None:
        return None
    if isinstance(present, bool) or not isinstance(present, int) or present < 0:
        raise RuleError("The number present must be a whole number from 0.")
    return present
