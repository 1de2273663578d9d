"""The two ways counting can refuse: a bad ballot (the voter's) or a bad rule (the organiser's)."""


class BallotError(ValueError):
    """A ballot that cannot be counted; the message is written for the voter."""


class RuleError(ValueError):
    """A rule or option list that cannot be applied; the message is written for the organiser."""
