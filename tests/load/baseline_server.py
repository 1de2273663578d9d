"""A bare Flask-SocketIO server, the benchmark's baseline for this machine.

It runs in the same async mode as `assembly serve` (gevent, monkey-patched first) with the
same heartbeat, and offers only what the swarm needs: `join` (the room `all`), `echo` (an
acknowledged command that does no work) and `broadcast` (one message to every client in
`all`). Run it as `python -m tests.load.baseline_server --port N`.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO, emit, join_room  # noqa: E402

ROOM = "all"


def create_baseline_app() -> tuple[Flask, SocketIO]:
    """The bare app and its Socket.IO server, with the three events registered."""
    app = Flask(__name__)
    server = SocketIO(
        app, async_mode="gevent", ping_interval=20, ping_timeout=20, manage_session=False
    )

    @server.on("join")
    def on_join(_data):
        join_room(ROOM)
        return {"ok": True, "room": ROOM}

    @server.on("echo")
    def on_echo(data):
        return {"ok": True, "echo": data}

    @server.on("broadcast")
    def on_broadcast(data):
        emit("message", data, to=ROOM)
        return {"ok": True}

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    return app, server


def main() -> None:
    """Serve on loopback until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    app, server = create_baseline_app()
    server.run(app, host="127.0.0.1", port=arguments.port, log_output=False)


if __name__ == "__main__":
    main()
