"""The Schulze method: pairwise preferences, strongest paths, and the options no one beats.

Unranked options count as below every ranked one, and level with each other.
"""

from collections import Counter
from fractions import Fraction

from voting.tally.ranked import first_preferences, grouped
from voting.tally.result import Result
from voting.tally.tiebreak import TieBreak

Matrix = dict[str, dict[str, int]]


def pairwise(options: list[str], rankings: Counter) -> Matrix:
    """d[a][b]: how many ballots prefer a to b."""
    preferred = {a: dict.fromkeys((b for b in options if b != a), 0) for a in options}
    for ranking, number in rankings.items():
        unranked = [option for option in options if option not in ranking]
        for place, above in enumerate(ranking):
            for below in [*ranking[place + 1 :], *unranked]:
                preferred[above][below] += number
    return preferred


def strongest_paths(options: list[str], preferred: Matrix) -> Matrix:
    """p[a][b]: the strength of the widest path from a to b (Floyd-Warshall)."""
    path = {
        a: {b: n if n > preferred[b][a] else 0 for b, n in row.items()}
        for a, row in preferred.items()
    }
    for via in options:
        for start in options:
            if start == via:
                continue
            for end in options:
                if end not in (start, via):
                    through = min(path[start][via], path[via][end])
                    path[start][end] = max(path[start][end], through)
    return path


def beats(path: Matrix, a: str, b: str) -> bool:
    """Whether a beats b on strongest paths."""
    return path[a][b] > path[b][a]


def count_schulze(
    options: list[str], ballots: list[list[str]], rule: dict, tie: TieBreak, present: int | None
) -> Result:
    """Schulze: the winner is an option no other beats on strongest paths."""
    preferred = pairwise(options, grouped(ballots))
    path = strongest_paths(options, preferred)
    wins = {a: sum(beats(path, a, b) for b in options if b != a) for a in options}
    unbeaten = [a for a in options if not any(beats(path, b, a) for b in options if b != a)]
    others = len(options) - 1
    common = {
        "method": "schulze",
        "options": options,
        "ballots_cast": len(ballots),
        "counts": wins,
        "rounds": [{"pairwise": preferred, "strongest_paths": path}],
        "shares": {a: Fraction(n, others) for a, n in wins.items()} if others else {},
        "details": {
            "ranking": sorted(options, key=lambda a: (-wins[a], tie.position(a))),
            "unbeaten": unbeaten,
            "first_preferences": first_preferences(options, ballots),
        },
    }
    if not ballots:
        return Result(**common, summary="No winner: no ballots cast.")
    winner = tie.winner_of(unbeaten)
    note = ""
    if len(unbeaten) > 1:
        tied = ", ".join(a for a in unbeaten if a != winner)
        note = f"; tied with {tied}, broken by the seeded order"
    return Result(
        **common,
        winners=[winner],
        tie_break=tie.record() if len(unbeaten) > 1 else None,
        summary=(
            f"Winner: {winner} (unbeaten on strongest paths; "
            f"beats {wins[winner]} of {others} others{note})."
        ),
    )
