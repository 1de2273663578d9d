"""Real-time core: Socket.IO server, command envelope, room rules, broadcast and resync.

Client → server messages are commands. Each gets an acknowledgement, either
`{ok: true, ...}` or `{ok: false, error: {code, message}}`; a handler never crashes the
connection. Rooms are joined only through the `join` command and the room rules that each
domain registers. Committed events are broadcast to the rooms their type names, carrying `seq`;
a client that missed some asks `resync` with the last seq it saw.
"""

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, request
from flask_login import current_user
from flask_socketio import SocketIO, join_room, leave_room, rooms
from limits import parse

from app.db import read_session
from app.errors import ServiceError
from app.events import DomainEvent, EventRecord, events_since, last_seq

log = logging.getLogger(__name__)

socketio = SocketIO()

RESYNC_BATCH = 500
MAX_ROOMS_PER_CLIENT = 20
# Events after which a staff member's open sockets must stop hearing what they may no longer
# hear: their rooms were joined under the old roles (commands re-check roles every time).
ACCESS_CHANGES = frozenset({"RoleRevoked", "PasswordChanged"})
ACCESS_WATCH_SECONDS = 5

CommandHandler = Callable[[dict], dict | None]
RoomCheck = Callable[[re.Match], bool]


@dataclass(frozen=True)
class Command:
    """A client → server command and who may send it (documented in docs/protocol.md)."""

    name: str
    handler: CommandHandler
    who: str


@dataclass(frozen=True)
class RoomRule:
    """Who may join the rooms whose names match `pattern` (checked on the server)."""

    pattern: re.Pattern
    check: RoomCheck
    who: str


@dataclass
class Coalescer:
    """Sends at most one message per key per interval, whatever the rate of changes.

    High-rate counters (turnout while 2,000 phones vote) mark their key as changed; a
    background loop calls each changed key's sender once its interval has passed since the
    key was last sent, so the latest change is always sent, and never more often than that.
    """

    app: Flask
    tick: float = 0.1
    pending: dict[str, tuple[Callable[[], None], float]] = field(default_factory=dict)
    last_sent: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: bool = False

    def mark(self, key: str, send: Callable[[], None], every: float = 0.3) -> None:
        """Remember that `key` changed; `send` runs once `every` seconds have passed since the
        key was last sent (at the next tick if it has not been sent lately)."""
        with self.lock:
            due = self.last_sent.get(key, 0.0) + every
            self.pending[key] = (send, due)
            if not self.started:
                self.started = True
                socketio.start_background_task(self._loop)

    def _loop(self) -> None:
        while True:
            socketio.sleep(self.tick)
            for send in self._take_due(time.monotonic()):
                try:
                    with self.app.app_context():
                        send()
                except Exception:
                    log.exception("coalesced send failed")

    def _take_due(self, now: float) -> list[Callable[[], None]]:
        with self.lock:
            due = [key for key, (_send, at) in self.pending.items() if at <= now]
            for key in due:
                self.last_sent[key] = now
            return [self.pending.pop(key)[0] for key in due]


@dataclass
class CommandBudget:
    """A token bucket per connection: `burst` commands at once, refilled at `rate` a second.

    Kept in the process that holds the connection (a connection never moves), so counting
    costs no round trip to Redis. A connection's bucket is dropped when it disconnects.
    """

    burst: float
    rate: float
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_limit(cls, text: str) -> "CommandBudget":
        """A budget from a limit such as '200 per 10 seconds' (the burst is the amount)."""
        item = parse(text)
        return cls(burst=item.amount, rate=item.amount / item.get_expiry())

    def spend(self, sid: str, now: float) -> bool:
        """Take one command from the connection's bucket; False when it is empty."""
        with self.lock:
            tokens, then = self.buckets.get(sid, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            allowed = tokens >= 1
            self.buckets[sid] = (tokens - 1 if allowed else tokens, now)
            return allowed

    def forget(self, sid: str) -> None:
        """Drop a disconnected connection's bucket."""
        with self.lock:
            self.buckets.pop(sid, None)


@dataclass
class Realtime:
    """The app's command table and room rules; domains add to them in their init_app."""

    commands: dict[str, Command] = field(default_factory=dict)
    room_rules: list[RoomRule] = field(default_factory=list)
    coalescer: Coalescer | None = None
    budget: CommandBudget = field(default_factory=lambda: CommandBudget(200, 20))
    access_watch: "AccessWatch | None" = None

    def add_command(self, name: str, handler: CommandHandler, who: str) -> None:
        """Register a command; `who` says in words who may send it."""
        self.commands[name] = Command(name, handler, who)
        socketio.on_event(name, _dispatcher(name))

    def add_room_rule(self, pattern: str, check: RoomCheck, who: str) -> None:
        """Register who may join rooms whose whole name matches the regular expression."""
        self.room_rules.append(RoomRule(re.compile(pattern), check, who))

    def may_join(self, room: str) -> bool:
        """Apply the first rule whose pattern matches the room name; unknown rooms: no."""
        for rule in self.room_rules:
            match = rule.pattern.fullmatch(room)
            if match:
                return bool(rule.check(match))
        return False


def realtime() -> Realtime:
    """The current app's real-time registry."""
    return current_app.extensions["realtime"]


def realtime_of(app: Flask) -> Realtime:
    """An app's real-time registry (for init_app functions, before any request)."""
    return app.extensions["realtime"]


def _dispatcher(name: str):
    def dispatch(data=None):
        return run_command(name, data)

    dispatch.__name__ = f"command_{name}"
    return dispatch


def run_command(name: str, data) -> dict:
    """Run one command and wrap its outcome in the acknowledgement envelope."""
    if not within_command_limit():
        return ServiceError("rate_limited", "Too many messages: wait a moment.", 429).as_ack()
    if not isinstance(data, dict):
        return ServiceError("bad_request", "The message must be a JSON object.").as_ack()
    command = realtime().commands.get(name)
    try:
        result = command.handler(data) or {}
    except ServiceError as error:
        return error.as_ack()
    except Exception:
        log.exception("command %s failed", name)
        return ServiceError("internal", "Something went wrong on the server.").as_ack()
    return {"ok": True, **result}


def within_command_limit() -> bool:
    """Count one command against this connection's budget; False once it is spent."""
    return realtime().budget.spend(request.sid, time.monotonic())


TYPE_NAMES = {int: "a whole number", str: "text", bool: "true or false", list: "a list"}


def require_fields(data: dict, **types: type) -> None:
    """Refuse a command whose fields are missing or of the wrong type."""
    for key, kind in types.items():
        value = data.get(key)
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            name = TYPE_NAMES.get(kind, kind.__name__)
            raise ServiceError("bad_request", f"Field '{key}' must be {name}.")


def cmd_join(data: dict) -> dict:
    """Join a room if the room rules allow it; returns the current last seq."""
    require_fields(data, room=str)
    room = data["room"]
    if len(room) > 120 or not realtime().may_join(room):
        raise ServiceError("forbidden", f"You may not join the room '{room[:120]}'.", 403)
    if room not in rooms() and len(rooms()) > MAX_ROOMS_PER_CLIENT:
        raise ServiceError("too_many_rooms", "This connection is in too many rooms.")
    join_room(room)
    with read_session() as session:
        return {"room": room, "seq": last_seq(session)}


def cmd_leave(data: dict) -> dict:
    """Leave a room (never the connection's own private rooms)."""
    require_fields(data, room=str)
    if data["room"] == request.sid or data["room"].startswith("user:"):
        raise ServiceError("forbidden", "That room cannot be left.", 403)
    leave_room(data["room"])
    return {"room": data["room"]}


def cmd_resync(data: dict) -> dict:
    """Events after `since` that this connection's rooms may see, oldest first."""
    require_fields(data, since=int)
    since = max(0, data["since"])
    joined = set(rooms()) - {request.sid}
    with read_session() as session:
        batch = events_since(session, since, RESYNC_BATCH)
        newest = last_seq(session)
    visible = [row.as_message() for row in batch if joined & set(rooms_for(row))]
    reached = batch[-1].seq if batch else newest  # newest < since: the client is ahead (restore)
    return {"events": visible, "seq": reached, "more": reached < newest}


def cmd_ping(_data: dict) -> dict:
    """Liveness check; returns the server's last seq."""
    with read_session() as session:
        return {"seq": last_seq(session)}


def rooms_for(row: EventRecord) -> list[str]:
    """The rooms an event goes to, by its type's own rule."""
    cls = DomainEvent.registry.get(row.type)
    return cls.rooms(row) if cls else []


def broadcast(batch: list[EventRecord]) -> None:
    """Event-bus subscriber: send each committed event to the rooms that may see it."""
    for row in batch:
        targets = rooms_for(row)
        if targets:
            # One emit to the list of rooms: a client in several of them gets it once.
            socketio.emit("event", row.as_message(), to=targets)


def on_connect(auth=None):
    """Accept every connection; who it is comes from the Flask session cookie."""
    if current_user.is_authenticated:
        join_room(f"user:{current_user.id}")
        realtime().access_watch.start_once()


def on_disconnect(*_reason) -> None:
    """Forget the connection's command budget."""
    realtime().budget.forget(request.sid)


def on_unknown(name: str, _data=None) -> dict:
    """Catch-all: an unknown command gets an error acknowledgement."""
    if not within_command_limit():
        return ServiceError("rate_limited", "Too many messages: wait a moment.", 429).as_ack()
    return ServiceError("unknown_command", f"There is no command '{str(name)[:60]}'.").as_ack()


def disconnect_on_access_change(batch: list[EventRecord]) -> None:
    """Event-bus subscriber: when a staff member loses a role or changes their password,
    disconnect their sockets in this process. Their pages reconnect by themselves and join
    their rooms again, and the room rules are checked afresh."""
    for row in batch:
        if row.type in ACCESS_CHANGES:
            disconnect_user(row.payload["user_id"])


@dataclass
class AccessWatch:
    """Makes a role revoked, or a password changed, in *another* process disconnect this
    process's sockets of that person too: every few seconds it reads the log for such events
    recorded since it last looked (started by the first staff connection)."""

    app: Flask
    every: float = ACCESS_WATCH_SECONDS
    started: bool = False

    def start_once(self) -> None:
        """Start the watch in this process, once."""
        if not self.started:
            self.started = True
            socketio.start_background_task(self._run)

    def _run(self) -> None:
        with self.app.app_context(), read_session() as session:
            position = last_seq(session)
        while True:
            socketio.sleep(self.every)
            try:
                with self.app.app_context():
                    position = self.look(position)
            except Exception:
                log.exception("the access watch failed; it looks again later")

    @staticmethod
    def look(position: int) -> int:
        """Disconnect the people whose access changed after `position`; return the new one."""
        with read_session() as session:
            newest = last_seq(session)
            rows = events_since(session, position, RESYNC_BATCH, tuple(ACCESS_CHANGES))
        for row in rows:
            if row.seq <= newest:
                disconnect_user(row.payload["user_id"])
        return newest if len(rows) < RESYNC_BATCH else rows[-1].seq


def disconnect_user(user_id: int) -> None:
    """Disconnect every socket of this staff member connected to this process."""
    manager = socketio.server.manager
    for sid, _eio_sid in list(manager.get_participants("/", f"user:{user_id}")):
        socketio.server.disconnect(sid, namespace="/")


def _public(_match: re.Match) -> bool:
    return True


def _hosts(_match: re.Match) -> bool:
    return current_user.is_authenticated and current_user.is_host


def _assembly_crew(match: re.Match) -> bool:
    return current_user.can_work_door(int(match.group(1)))


def init_app(app: Flask) -> None:
    """Start Socket.IO in the configured async mode, with the Redis queue if configured."""
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config.get("MESSAGE_QUEUE"),
        manage_session=False,
        max_http_buffer_size=app.config["SOCKET_MAX_MESSAGE_BYTES"],
        ping_interval=20,
        ping_timeout=20,
        logger=False,
        engineio_logger=False,
    )
    budget = CommandBudget.from_limit(app.config["SOCKET_COMMAND_LIMIT"])
    registry = Realtime(coalescer=Coalescer(app), budget=budget, access_watch=AccessWatch(app))
    app.extensions["realtime"] = registry
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    socketio.on_event("*", on_unknown)
    registry.add_command("join", cmd_join, "anyone; the room rules decide")
    registry.add_command("leave", cmd_leave, "anyone")
    registry.add_command("resync", cmd_resync, "anyone; filtered to the rooms joined")
    registry.add_command("ping", cmd_ping, "anyone")
    registry.add_room_rule(r"house", _public, "anyone")
    registry.add_room_rule(r"house:hosts", _hosts, "national hosts")
    registry.add_room_rule(r"house:motions", _public, "anyone")
    registry.add_room_rule(r"assembly:(\d+)", _public, "anyone")
    registry.add_room_rule(r"assembly:(\d+):crew", _assembly_crew, "the assembly's crew, hosts")
    app.extensions["event_bus"].subscribe("realtime", broadcast)
    app.extensions["event_bus"].subscribe("realtime-access", disconnect_on_access_change)
