"""Proposals, agenda items, votes, ballots and tally methods (later issues)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register yet: votes arrive with their own issue."""
