"""Signed tokens: the ticket QR shown at the door and the projector's rotating join QR.

Both are itsdangerous signatures made with the app's secret key, so they cannot be forged or
altered. A ticket QR names the meetup, the registration and the registration's current nonce
(a new nonce revokes every QR issued before), and optionally a hash of the phone showing it,
so the door can bind that phone as the attendee's voting device. A join QR names the meetup
and a 30-second window; it stays valid for a short grace period.
"""

import hashlib
import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

TICKET_PREFIX = "PA1."
TICKET_MAX_AGE = 120 * 24 * 3600
JOIN_WINDOW_SECONDS = 30
JOIN_GRACE_SECONDS = 90


class TokenRefused(Exception):
    """A token was not accepted; `code` says why (forged, expired, ...)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class TicketClaim:
    """What a valid ticket QR says."""

    meetup_id: int
    registration_id: int
    nonce: str
    device_hash: str | None


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def device_hash(device_id: str) -> str:
    """What is stored about a phone: a hash of its random device id, never the id.

    128 bits of SHA-256 are plenty to tell phones apart and keep the ticket QR small.
    """
    return hashlib.sha256(device_id.encode()).hexdigest()[:32]


def ticket_qr_text(meetup_id: int, registration_id: int, nonce: str, device_id: str | None) -> str:
    """The text inside a ticket's QR code."""
    data = {"m": meetup_id, "r": registration_id, "n": nonce}
    if device_id:
        data["d"] = device_hash(device_id)
    return TICKET_PREFIX + _serializer("ticket-qr").dumps(data)


def read_ticket_qr(text: str) -> TicketClaim:
    """Check a scanned ticket QR; raises TokenRefused('forged' or 'expired')."""
    text = (text or "").strip()
    if not text.startswith(TICKET_PREFIX) or len(text) > 600:
        raise TokenRefused("not_a_ticket")
    try:
        data = _serializer("ticket-qr").loads(text[len(TICKET_PREFIX) :], max_age=TICKET_MAX_AGE)
    except SignatureExpired:
        raise TokenRefused("expired") from None
    except BadSignature:
        raise TokenRefused("forged") from None
    return TicketClaim(int(data["m"]), int(data["r"]), str(data["n"]), data.get("d"))


def current_join_window(now: float | None = None) -> int:
    """The number of the current 30-second window."""
    return int((now if now is not None else time.time()) // JOIN_WINDOW_SECONDS)


def join_token(meetup_id: int, window: int | None = None) -> str:
    """The token in the projector's join QR for this window."""
    return _serializer("join-qr").dumps({"m": meetup_id, "w": window or current_join_window()})


def read_join_token(token: str) -> int:
    """The meetup a join token is for; raises TokenRefused('forged' or 'expired')."""
    if not token or len(token) > 300:
        raise TokenRefused("forged")
    try:
        data = _serializer("join-qr").loads(token, max_age=JOIN_GRACE_SECONDS)
    except SignatureExpired:
        raise TokenRefused("expired") from None
    except BadSignature:
        raise TokenRefused("forged") from None
    return int(data["m"])
