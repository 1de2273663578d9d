"""Random ballots for checking our tallies against independent implementations.

Every generator is seeded, so a failing profile can be reproduced from the test's seed.
"""

import random

NAMES = ["Ana", "Bo", "Cy", "Di", "Ed", "Fi"]


def random_rankings(rng: random.Random, options: list[str], truncate: bool) -> list[list[str]]:
    """3 to 40 rankings of the options; truncated ones rank 1 to all of them."""
    rankings = []
    for _ in range(rng.randint(3, 40)):
        ranking = rng.sample(options, len(options))
        rankings.append(ranking[: rng.randint(1, len(options))] if truncate else ranking)
    return rankings


def random_approvals(rng: random.Random, options: list[str]) -> list[list[str]]:
    """1 to 40 approval ballots, each approving any subset of the options (empty abstains)."""
    return [[option for option in options if rng.random() < 0.4] for _ in range(rng.randint(1, 40))]


def random_scores(rng: random.Random, options: list[str], top: int) -> list[dict[str, int]]:
    """1 to 40 score ballots, each scoring every option from 0 to `top`."""
    return [{option: rng.randint(0, top) for option in options} for _ in range(rng.randint(1, 40))]


def random_dots(
    rng: random.Random, options: list[str], dots: int, all_placed: bool
) -> list[dict[str, int]]:
    """1 to 40 dot ballots placing up to `dots` dots (exactly `dots` when all_placed)."""
    ballots = []
    for _ in range(rng.randint(1, 40)):
        placed = dots if all_placed else rng.randint(0, dots)
        chosen = [rng.choice(options) for _ in range(placed)]
        ballots.append({option: chosen.count(option) for option in set(chosen)})
    return ballots


def random_options(rng: random.Random, fewest: int = 3) -> list[str]:
    """The first 3 to 6 names."""
    return NAMES[: rng.randint(fewest, len(NAMES))]
