"""The Result of a count, and the exact-to-display conversions it uses."""

from dataclasses import dataclass, field, fields
from fractions import Fraction
from math import floor


def half_up(value: Fraction, places: int = 0) -> Fraction:
    """Round an exact value half-up to a number of decimal places."""
    scale = 10**places
    return Fraction(floor(value * scale + Fraction(1, 2)), scale)


def whole_percent(part: Fraction) -> int:
    """A share as a whole percent, rounded half-up (2/3 -> 67, 64/90 -> 71)."""
    return int(half_up(part * 100))


def display_decimal(value: Fraction, places: int = 2) -> str:
    """An exact value as a short decimal for people (17/5 -> "3.4")."""
    rounded = half_up(value, places)
    text = f"{float(rounded):.{places}f}".rstrip("0").rstrip(".")
    return text or "0"


def jsonable(value: object) -> object:
    """The value with Fractions as "p/q" strings and tuples as lists, ready for JSON."""
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


@dataclass(frozen=True, kw_only=True)
class Result:
    """The outcome of one count: exact numbers, the rule applied in words, every round."""

    method: str
    options: list[str]
    ballots_cast: int
    counts: dict[str, Fraction | int]
    winners: list[str] = field(default_factory=list)
    passed: bool | None = None
    quorum_met: bool | None = None
    rounds: list[dict] = field(default_factory=list)
    tie_break: dict | None = None
    summary: str
    shares: dict[str, Fraction] = field(default_factory=dict)
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """JSON-ready: Fractions as "p/q" strings, plus "percent" floats for display only."""
        data = {item.name: jsonable(getattr(self, item.name)) for item in fields(self)}
        data["percent"] = {
            option: float(half_up(part * 100, 1)) for option, part in self.shares.items()
        }
        return data
