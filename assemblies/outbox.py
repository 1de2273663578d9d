"""Email to attendees, through an outbox table.

Messages are written in the same transaction as the change that causes them. A scheduled job
delivers them through SMTP when `SMTP_URL` is set; otherwise they stay in the outbox, marked
as not sent, where the assembly's facilitators can see them. Nothing pretends to send.
"""

import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app, has_request_context, url_for
from sqlmodel import Session, select

from app.db import UnitOfWork, read_session, unit_of_work
from app.events import utcnow
from app.i18n import london_time
from assemblies.models import Meetup, OutboxMessage, Registration

MAX_ATTEMPT_AGE = timedelta(days=2)


def queue(
    uow: UnitOfWork,
    meetup: Meetup,
    registration: Registration,
    kind: str,
    subject: str,
    body: str,
) -> OutboxMessage | None:
    """Add a message for a registrant with an email address; once per (kind, registration)."""
    if not registration.email:
        return None
    key = f"{kind}:{registration.id}:{meetup.revision}"
    if uow.session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)).first():
        return None
    message = OutboxMessage(
        assembly_id=meetup.assembly_id,
        meetup_id=meetup.id,
        registration_id=registration.id,
        dedupe_key=key,
        kind=kind,
        to_address=registration.email,
        subject=subject[:200],
        body=body[:4000],
    )
    uow.session.add(message)
    return message


def ticket_url(registration: Registration) -> str:
    """The absolute link to a ticket page: ASSEMBLY_PUBLIC_URL, else the current request's."""
    public = current_app.config.get("PUBLIC_URL")
    if public:
        return f"{public}/t/{registration.ticket_token}"
    if has_request_context():
        return url_for("meetups.ticket", token=registration.ticket_token, _external=True)
    return f"/t/{registration.ticket_token}"


def _where(meetup: Meetup) -> str:
    return meetup.venue_address or meetup.online_link


def queue_promotion(uow: UnitOfWork, meetup: Meetup, registration: Registration) -> None:
    """Tell someone from the waitlist that they now have a place."""
    body = (
        f"Hello {registration.display_name},\n\n"
        f"A place came free and it is yours: {meetup.title}, {london_time(meetup.starts_at)}, "
        f"{_where(meetup)}.\n\nYour ticket: {ticket_url(registration)}\n"
        "If you cannot come, please cancel from your ticket so someone else can have the place.\n"
    )
    queue(uow, meetup, registration, "promoted", f"You have a place: {meetup.title}", body)


def queue_reminder(
    uow: UnitOfWork, meetup: Meetup, registration: Registration, kind: str
) -> OutboxMessage | None:
    """A reminder ('24h' or '1h') before the meetup."""
    when = "tomorrow" if kind == "24h" else "in an hour"
    body = (
        f"Hello {registration.display_name},\n\n"
        f"{meetup.title} starts {when}: {london_time(meetup.starts_at)}.\n"
        f"Where: {_where(meetup)}\n"
        + (f"Access: {meetup.accessibility_notes}\n" if meetup.accessibility_notes else "")
        + f"\nYour ticket: {ticket_url(registration)}\n"
    )
    return queue(uow, meetup, registration, f"reminder-{kind}", f"Reminder: {meetup.title}", body)


def queue_cancellation(uow: UnitOfWork, meetup: Meetup, registration: Registration) -> None:
    """Tell a registrant that the meetup is cancelled."""
    reason = f"\nReason: {meetup.cancel_reason}\n" if meetup.cancel_reason else ""
    body = (
        f"Hello {registration.display_name},\n\n{meetup.title} on "
        f"{london_time(meetup.starts_at)} is cancelled.{reason}\n"
    )
    queue(uow, meetup, registration, "cancelled", f"Cancelled: {meetup.title}", body)


def pending(session: Session, assembly_id: int | None = None) -> list[OutboxMessage]:
    """Messages not sent yet, oldest first."""
    query = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    if assembly_id is not None:
        query = query.where(OutboxMessage.assembly_id == assembly_id)
    return list(session.exec(query.order_by(OutboxMessage.id)))


def recent(session: Session, assembly_id: int, limit: int = 50) -> list[OutboxMessage]:
    """The assembly's latest messages, sent or not."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.assembly_id == assembly_id)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(session.exec(query))


def deliver_pending() -> int:
    """Send every pending message through SMTP_URL; returns how many were sent.

    Runs only in the job-running process. No transaction is held while talking to the mail
    server: each message is marked sent (or failed) in its own short write afterwards.
    """
    smtp_url = current_app.config.get("SMTP_URL")
    if not smtp_url:
        return 0
    with read_session() as session:
        messages = [m for m in pending(session) if utcnow() - m.created_at < MAX_ATTEMPT_AGE]
    if not messages:
        return 0
    sent = 0
    try:
        with _connect(smtp_url) as smtp:
            for message in messages:
                sent += _mark(message.id, _send_one(smtp, message))
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            _mark(message.id, f"Could not reach the mail server: {error}", only_if_unsent=True)
    return sent


def _send_one(smtp: smtplib.SMTP, message: OutboxMessage) -> str | None:
    """Send one message; returns None on success or the error text."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.body)
    try:
        smtp.send_message(email)
    except smtplib.SMTPException as error:
        return str(error)
    return None


def _mark(message_id: int, error: str | None, only_if_unsent: bool = False) -> int:
    with unit_of_work() as uow:
        message = uow.session.get(OutboxMessage, message_id)
        if message is None or (only_if_unsent and message.sent_at):
            return 0
        if error is None:
            message.sent_at, message.last_error = utcnow(), ""
        else:
            message.last_error = error[:300]
        uow.session.add(message)
    return 1 if error is None else 0


def _connect(smtp_url: str) -> smtplib.SMTP:
    """Open an SMTP connection from smtp://user:pass@host:port (smtps:// for TLS)."""
    parts = urlsplit(smtp_url)
    if parts.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(
            parts.hostname, parts.port or 465, timeout=10, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=10)
    if parts.username:
        smtp.login(unquote(parts.username), unquote(parts.password or ""))
    return smtp
