"""The seeded tie-break: one published permutation of the options decides every tie.

`tie_break_order(options, seed)` sorts a copy of the options, then shuffles it with
`random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big"))`. Anyone who
knows the seed can redo it. When options tie for a win, the one EARLIER in that order wins;
when they tie for elimination, the one LATER in that order is eliminated.
"""

import hashlib
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


def tie_break_order(options: Iterable[str], seed: str) -> list[str]:
    """A deterministic permutation of the options from the seed; earlier beats later in a tie."""
    order = sorted(options)
    seed_number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    random.Random(seed_number).shuffle(order)
    return order


@dataclass(frozen=True)
class TieBreak:
    """The seed and the order it gives, with the two ways a tie is settled."""

    seed: str
    order: tuple[str, ...]

    @classmethod
    def from_seed(cls, options: Iterable[str], seed: str) -> "TieBreak":
        """The tie-break for these options and this seed."""
        return cls(seed, tuple(tie_break_order(options, seed)))

    def position(self, option: str) -> int:
        """Where the option stands in the order (0 is first)."""
        return self.order.index(option)

    def winner_of(self, tied: Iterable[str]) -> str:
        """The tied option that wins: the earliest in the order."""
        return min(tied, key=self.position)

    def loser_of(self, tied: Iterable[str]) -> str:
        """The tied option that is eliminated: the latest in the order."""
        return max(tied, key=self.position)

    def record(self) -> dict:
        """What a result publishes when this tie-break decided something."""
        return {"seed": self.seed, "order": list(self.order)}


def highest(counts: Mapping[str, object], tie: TieBreak) -> tuple[str, list[str]]:
    """The option with the highest count, and every option tied with it."""
    best = max(counts.values())
    tied = [option for option, count in counts.items() if count == best]
    return tie.winner_of(tied), tied


def lowest(counts: Mapping[str, object], tie: TieBreak) -> tuple[str, list[str]]:
    """The option with the lowest count, and every option tied with it."""
    worst = min(counts.values())
    tied = [option for option, count in counts.items() if count == worst]
    return tie.loser_of(tied), tied


def by_count_then_order(counts: Mapping[str, object], tie: TieBreak) -> list[str]:
    """The options from highest count to lowest, ties in the seeded order."""
    return sorted(counts, key=lambda option: (-counts[option], tie.position(option)))
