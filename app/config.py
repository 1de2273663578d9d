"""Configuration read from the environment, with local defaults (microblog style).

Every setting has a safe default for `make run` on one machine. A bad value stops start-up
with one line that names the variable, raised as `ConfigError`.
"""

import os
import secrets
from pathlib import Path

from limits import parse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ASYNC_MODES = ("gevent", "threading")


class ConfigError(Exception):
    """A setting from the environment is missing or malformed."""


def instance_path() -> Path:
    """Folder for local state: the SQLite file and the generated secret key."""
    return Path(os.environ.get("ASSEMBLY_INSTANCE", PROJECT_ROOT / "instance")).resolve()


def read_or_create_secret_key(folder: Path) -> str:
    """Return the secret key kept in `folder`, creating it (mode 0600) on first use."""
    key_file = folder / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


def _choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in allowed:
        raise ConfigError(f"{name}={value!r} is not valid; use one of: {', '.join(allowed)}")
    return value


def _url(name: str, default: str | None, schemes: tuple[str, ...]) -> str | None:
    value = os.environ.get(name, default)
    if value is None or value == "":
        return default
    if not value.startswith(tuple(f"{scheme}:" for scheme in schemes)):
        # Never echo the value: it may hold a password.
        shown = f" (got a {value.split('://', 1)[0][:20]!r} URL)" if "://" in value else ""
        raise ConfigError(f"{name} must start with one of: {', '.join(schemes)}{shown}")
    return value


def database_url(value: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs that name no driver."""
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value.removeprefix(prefix)
    return value


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} must be a positive whole number (got {raw!r})")
    return int(raw)


def _count(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise ConfigError(f"{name} must be 0 or a positive whole number (got {raw!r})")
    return int(raw)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekly_time(name: str, default: str) -> dict:
    """'mon 09:00' (London time) as APScheduler cron fields."""
    raw = (os.environ.get(name) or default).strip().lower()
    day, _, clock = raw.partition(" ")
    hour, _, minute = clock.partition(":")
    if (
        day not in WEEKDAYS
        or not (hour.isdigit() and minute.isdigit())
        or not (int(hour) < 24 and int(minute) < 60)
    ):
        raise ConfigError(f"{name} must look like 'mon 09:00' (got {raw!r})")
    return {"day_of_week": day, "hour": int(hour), "minute": int(minute)}


def _rate_limit(name: str, default: str) -> str:
    """A rate limit in the `limits` notation, such as '200 per 10 seconds'."""
    value = (os.environ.get(name) or default).strip()
    try:
        parse(value)
    except ValueError:
        raise ConfigError(f"{name} must look like '200 per 10 seconds' (got {value!r})") from None
    return value


def from_environment() -> dict:
    """Build the Flask configuration from environment variables."""
    folder = instance_path()
    default_db = f"sqlite:///{folder / 'assembly.db'}"
    secret_key = os.environ.get("SECRET_KEY") or read_or_create_secret_key(folder)
    if len(secret_key) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters long")
    return {
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url(
            _url(
                "DATABASE_URL",
                default_db,
                ("sqlite", "postgres", "postgresql", "postgresql+psycopg"),
            )
        ),
        "MESSAGE_QUEUE": _url("MESSAGE_QUEUE", None, ("redis", "rediss")),
        "SCHEDULER_ENABLED": _choice("ASSEMBLY_SCHEDULER", "on", ("on", "off")) == "on",
        "ASYNC_MODE": _choice("ASSEMBLY_ASYNC_MODE", "gevent", ASYNC_MODES),
        "SESSION_COOKIE_SECURE": _choice("ASSEMBLY_SECURE_COOKIES", "off", ("on", "off")) == "on",
        "SMTP_URL": _url("SMTP_URL", None, ("smtp", "smtps")),
        "SCHEDULER_WAKEUP_SECONDS": _positive_int("ASSEMBLY_SCHEDULER_WAKEUP", 2),
        "PROXY_HOPS": _count("ASSEMBLY_PROXY_HOPS", 0),
        "PUBLIC_URL": (_url("ASSEMBLY_PUBLIC_URL", None, ("https", "http")) or "").rstrip("/"),
        # Email addresses (and mail sent to them) are forgotten this many days after a meetup.
        "CONTACT_RETENTION_DAYS": _positive_int("ASSEMBLY_CONTACT_RETENTION_DAYS", 30),
        "BRIEFING_AT": _weekly_time("ASSEMBLY_BRIEFING_AT", "mon 09:00"),
        "MAIL_FROM": os.environ.get("MAIL_FROM") or "People's Assembly <no-reply@localhost>",
        "SOCKET_COMMAND_LIMIT": _rate_limit("ASSEMBLY_SOCKET_COMMAND_LIMIT", "200 per 10 seconds"),
    }


DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "assembly_session",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "Europe/London",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    # While the Redis that keeps the counts is down, each process counts in its own memory
    # (and checks Redis again now and then) instead of failing every rate-limited request.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "SIGN_IN_LIMIT": "10 per minute;50 per hour",
    "SOCKET_MAX_MESSAGE_BYTES": 64 * 1024,
}
