"""The one error type services raise when a rule is broken.

Views show its message on the form; socket handlers return it as an error acknowledgement
`{ok: false, error: {code, message}}`.
"""


class ServiceError(Exception):
    """A request broke a rule. `code` is stable for clients; `message` is for people."""

    def __init__(self, code: str, message: str, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.field = field  # the form field the problem is about, when there is one

    def as_ack(self) -> dict:
        """The error acknowledgement envelope of the real-time protocol."""
        return {"ok": False, "error": {"code": self.code, "message": self.message}}
