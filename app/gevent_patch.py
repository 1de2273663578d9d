"""Monkey-patch for gevent before anything else is imported, when this process will serve.

gevent must patch the standard library before ssl, socket and threading are imported, so this
runs first thing in `app/__init__.py`. Only `assembly serve` in gevent mode (the default) is
patched; tests, migrations and other commands run unpatched.
"""

import os
import sys
from pathlib import Path


def serving_with_gevent(argv: list[str]) -> bool:
    """True when this process is `assembly serve` and the async mode is gevent."""
    mode = os.environ.get("ASSEMBLY_ASYNC_MODE", "gevent").strip().lower()
    return mode == "gevent" and Path(argv[0]).name == "assembly" and argv[1:2] == ["serve"]


def patch_if_serving() -> None:
    """Apply gevent's monkey patches if this process is a gevent server."""
    if serving_with_gevent(sys.argv):
        from gevent import monkey

        monkey.patch_all()
