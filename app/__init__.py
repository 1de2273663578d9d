"""The composition root: `create_app` wires every subsystem with its `init_app`."""

from app import gevent_patch

gevent_patch.patch_if_serving()

# gevent must patch the standard library before anything below is imported.
import logging  # noqa: E402

from flask import Flask  # noqa: E402
from werkzeug.middleware.proxy_fix import ProxyFix  # noqa: E402

import assemblies  # noqa: E402
import voting  # noqa: E402
import voting.house  # noqa: E402
from app import auth, config, db, events, i18n, realtime, scheduler, security, web  # noqa: E402


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: defaults, then the environment, then `overrides` (used by tests)."""
    app = Flask(
        __name__,
        template_folder=str(config.PROJECT_ROOT / "templates"),
        static_folder=str(config.PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_mapping(config.from_environment())
    app.config.from_mapping(overrides or {})
    if app.config.get("MESSAGE_QUEUE"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config["MESSAGE_QUEUE"]
    if app.config.get("PROXY_HOPS"):
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for chatty in ("apscheduler", "alembic"):
        logging.getLogger(chatty).setLevel(logging.WARNING)

    db.init_app(app)
    events.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    realtime.init_app(app)
    scheduler.init_app(app)
    web.init_app(app)
    assemblies.init_app(app)
    voting.init_app(app)
    voting.house.init_app(app)
    return app
