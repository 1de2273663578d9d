"""Staff accounts, sign-in and permissions."""

from flask import Flask

from app.auth.identity import make_login_manager
from app.auth.views import bp


def init_app(app: Flask) -> None:
    """Register the login manager and the sign-in pages."""
    make_login_manager().init_app(app)
    app.register_blueprint(bp)
