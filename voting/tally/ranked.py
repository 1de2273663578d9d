"""Ranked ballots counted by elimination and transfer: instant-runoff (IRV) and STV (Gregory).

A ballot always counts for its highest-ranked option still in the count; a ballot with none
left is exhausted. Ties for elimination go to the seeded order (the later option goes).
"""

from collections import Counter
from fractions import Fraction

from voting.tally.parameters import read_setting
from voting.tally.result import Result
from voting.tally.tiebreak import TieBreak, by_count_then_order, lowest

Ranking = tuple[str, ...]
Parcel = tuple[Ranking, Fraction]


def grouped(ballots: list[list[str]]) -> Counter:
    """Identical rankings counted together (the count never depends on ballot order)."""
    return Counter(tuple(ballot) for ballot in ballots)


def holder(ranking: Ranking, continuing: set[str] | list[str]) -> str | None:
    """The highest-ranked option on this ballot that is still in the count."""
    return next((option for option in ranking if option in continuing), None)


def first_preferences(options: list[str], ballots: list[list[str]]) -> dict[str, int]:
    """How many ballots rank each option first."""
    firsts = Counter(ballot[0] for ballot in ballots)
    return {option: firsts[option] for option in options}


def _tie_note(rounds: list[dict]) -> str:
    used = any(len(record["tied"]) > 1 for record in rounds)
    return "; a tie for elimination was broken by the seeded order" if used else ""


def _tie_record(rounds: list[dict], tie: TieBreak) -> dict | None:
    return tie.record() if any(len(record["tied"]) > 1 for record in rounds) else None


def _rounds_word(number: int) -> str:
    return "1 round" if number == 1 else f"{number} rounds"


def _irv_counts(rankings: Counter, continuing: list[str]) -> tuple[dict[str, int], int]:
    counts, exhausted = dict.fromkeys(continuing, 0), 0
    for ranking, number in rankings.items():
        option = holder(ranking, continuing)
        if option is None:
            exhausted += number
        else:
            counts[option] += number
    return counts, exhausted


def _irv_transfers(
    rankings: Counter, eliminated: str, continuing: list[str]
) -> tuple[dict[str, int], int]:
    """Where the eliminated option's ballots go: their next continuing preference, or out."""
    before = [*continuing, eliminated]
    moved, exhausted = {}, 0
    for ranking, number in rankings.items():
        if holder(ranking, before) != eliminated:
            continue
        option = holder(ranking, continuing)
        if option is None:
            exhausted += number
        else:
            moved[option] = moved.get(option, 0) + number
    return moved, exhausted


def _irv_round(rankings: Counter, continuing: list[str], tie: TieBreak, number: int) -> dict:
    """One round: a majority of continuing ballots wins, else the lowest is eliminated."""
    counts, exhausted = _irv_counts(rankings, continuing)
    live = sum(counts.values())
    leader = max(counts, key=counts.__getitem__)
    record = {
        "round": number,
        "counts": counts,
        "continuing_ballots": live,
        "exhausted": exhausted,
        "elected": None,
        "eliminated": None,
        "tied": [],
        "transfers": {},
        "newly_exhausted": 0,
    }
    if 2 * counts[leader] > live:
        return {**record, "elected": leader}
    eliminated, tied = lowest(counts, tie)
    continuing.remove(eliminated)
    moved, newly_exhausted = _irv_transfers(rankings, eliminated, continuing)
    tied = tied if len(tied) > 1 else []
    return {
        **record,
        "eliminated": eliminated,
        "tied": tied,
        "transfers": moved,
        "newly_exhausted": newly_exhausted,
    }


def count_irv(
    options: list[str], ballots: list[list[str]], rule: dict, tie: TieBreak, present: int | None
) -> Result:
    """Instant-runoff: eliminate the lowest until one option holds most continuing ballots."""
    rankings, continuing, rounds = grouped(ballots), list(options), []
    while ballots and continuing and not (rounds and rounds[-1]["elected"]):
        rounds.append(_irv_round(rankings, continuing, tie, len(rounds) + 1))
    winner = rounds[-1]["elected"] if rounds else None
    counts = first_preferences(options, ballots)
    if winner is None:
        summary = "No winner: no ballots cast."
    else:
        last = rounds[-1]
        summary = (
            f"Winner: {winner} after {_rounds_word(len(rounds))}, with "
            f"{last['counts'][winner]} of {last['continuing_ballots']} continuing ballots "
            f"(more than half needed{_tie_note(rounds)})."
        )
    return Result(
        method="irv",
        options=options,
        ballots_cast=len(ballots),
        counts=counts,
        winners=[winner] if winner else [],
        rounds=rounds,
        tie_break=_tie_record(rounds, tie),
        summary=summary,
        shares={o: Fraction(n, len(ballots)) for o, n in counts.items()} if ballots else {},
    )


def droop_quota(valid_ballots: int, seats: int) -> int:
    """The Droop quota: floor(valid ballots / (seats + 1)) + 1."""
    return valid_ballots // (seats + 1) + 1


def _give(
    parcels: list[Parcel], value: Fraction, continuing: list[str], piles: dict[str, list[Parcel]]
) -> tuple[dict[str, Fraction], Fraction]:
    """Pass each parcel, its weight times `value`, to its next continuing preference."""
    moved, exhausted = {}, Fraction(0)
    for ranking, weight in parcels:
        weight *= value
        option = holder(ranking, continuing)
        if not weight:
            continue
        if option is None:
            exhausted += weight
        else:
            piles[option].append((ranking, weight))
            moved[option] = moved.get(option, Fraction(0)) + weight
    return moved, exhausted


def _elect_by_quota(
    reached: dict[str, Fraction],
    seats_left: int,
    quota: int,
    continuing: list[str],
    piles: dict[str, list[Parcel]],
    tie: TieBreak,
) -> dict:
    """Elect everyone at quota (largest first), then pass on each surplus at value surplus/votes."""
    elected = by_count_then_order(reached, tie)[:seats_left]
    for option in elected:
        continuing.remove(option)
    values, moved, exhausted = {}, Counter(), Fraction(0)
    if len(elected) < seats_left:
        for option in elected:
            values[option] = (reached[option] - quota) / reached[option]
            given, lost = _give(piles.pop(option), values[option], continuing, piles)
            moved.update(given)
            exhausted += lost
    return {
        "elected": elected,
        "transfer_values": values,
        "transfers": dict(moved),
        "newly_exhausted": exhausted,
    }


def _eliminate(
    counts: dict[str, Fraction],
    continuing: list[str],
    piles: dict[str, list[Parcel]],
    tie: TieBreak,
) -> dict:
    """Eliminate the lowest; its ballots move on at their current values."""
    eliminated, tied = lowest(counts, tie)
    continuing.remove(eliminated)
    moved, exhausted = _give(piles.pop(eliminated), Fraction(1), continuing, piles)
    return {
        "eliminated": eliminated,
        "tied": tied if len(tied) > 1 else [],
        "transfers": moved,
        "newly_exhausted": exhausted,
    }


def _stv_round(
    piles: dict[str, list[Parcel]],
    continuing: list[str],
    seats_left: int,
    quota: int,
    tie: TieBreak,
) -> dict:
    """One round: elect at quota, or fill the last seats, or eliminate the lowest."""
    counts = {option: sum((w for _, w in piles[option]), Fraction(0)) for option in continuing}
    record = {
        "counts": counts,
        "elected": [],
        "eliminated": None,
        "tied": [],
        "transfer_values": {},
        "transfers": {},
        "newly_exhausted": Fraction(0),
    }
    reached = {option: count for option, count in counts.items() if count >= quota}
    if reached:
        return {**record, **_elect_by_quota(reached, seats_left, quota, continuing, piles, tie)}
    if len(continuing) <= seats_left:
        elected = by_count_then_order(counts, tie)
        continuing.clear()
        return {**record, "elected": elected}
    return {**record, **_eliminate(counts, continuing, piles, tie)}


def _as_text(record: dict) -> dict:
    """A round with its exact values written as "p/q" strings."""
    text = dict(record)
    for key in ("counts", "transfer_values", "transfers"):
        text[key] = {option: str(value) for option, value in record[key].items()}
    for key in ("exhausted", "newly_exhausted"):
        text[key] = str(record[key])
    return text


def _stv_rounds(
    ballots: list[list[str]], options: list[str], seats: int, tie: TieBreak
) -> tuple[list[dict], list[str]]:
    """Every round of the count, and who was elected in order."""
    quota = droop_quota(len(ballots), seats)
    piles: dict[str, list[Parcel]] = {option: [] for option in options}
    for ranking, number in grouped(ballots).items():
        piles[ranking[0]].append((ranking, Fraction(number)))
    continuing, elected, exhausted, rounds = list(options), [], Fraction(0), []
    while ballots and continuing and len(elected) < seats:
        record = _stv_round(piles, continuing, seats - len(elected), quota, tie)
        record = {"round": len(rounds) + 1, "quota": quota, "exhausted": exhausted, **record}
        elected += record["elected"]
        exhausted += record["newly_exhausted"]
        rounds.append(_as_text(record))
    return rounds, elected


def count_stv(
    options: list[str], ballots: list[list[str]], rule: dict, tie: TieBreak, present: int | None
) -> Result:
    """Single transferable vote: Droop quota, Gregory surplus transfers at exact values."""
    seats = read_setting("stv", rule, "seats", 1)
    quota = droop_quota(len(ballots), seats)
    rounds, elected = _stv_rounds(ballots, options, seats, tie)
    counts = first_preferences(options, ballots)
    if elected:
        summary = f"Elected: {', '.join(elected)} (quota {quota}{_tie_note(rounds)})."
    else:
        summary = "No one elected: no ballots cast."
    return Result(
        method="stv",
        options=options,
        ballots_cast=len(ballots),
        counts=counts,
        winners=elected,
        rounds=rounds,
        tie_break=_tie_record(rounds, tie),
        summary=summary,
        shares={o: Fraction(n, len(ballots)) for o, n in counts.items()} if ballots else {},
        details={"quota": quota, "seats": seats},
    )
