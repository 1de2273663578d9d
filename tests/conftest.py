"""Shared fixtures: an in-process app on a fresh database, and real server processes."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import DEMO_PASSWORD, ServerProcess, run_cli, server_env

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def app(tmp_path, monkeypatch):
    """An app on a freshly migrated SQLite database, threading mode, scheduler not running."""
    from app import create_app, migrate

    monkeypatch.setenv("ASSEMBLY_INSTANCE", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("ASSEMBLY_ASYNC_MODE", "threading")
    monkeypatch.setenv("ASSEMBLY_SCHEDULER", "off")
    monkeypatch.delenv("MESSAGE_QUEUE", raising=False)
    database_url = f"sqlite:///{tmp_path / 'test.db'}"
    monkeypatch.setenv("DATABASE_URL", database_url)
    migrate.upgrade(database_url)
    application = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False})
    yield application
    application.extensions["scheduler"].shutdown()
    application.extensions["database"].engine.dispose()


@pytest.fixture
def client(app):
    """A Flask test client."""
    return app.test_client()


@pytest.fixture
def instance(tmp_path) -> Path:
    """An instance folder for a server process."""
    folder = tmp_path / "instance"
    folder.mkdir()
    return folder


@pytest.fixture
def server_factory(tmp_path, instance):
    """Make migrated, demo-loaded server processes on a fresh SQLite database."""
    started: list[ServerProcess] = []

    def make(database_url: str | None = None, demo: bool = True, **env: str) -> ServerProcess:
        url = database_url or f"sqlite:///{instance / 'server.db'}"
        environment = server_env(instance, url, **env)
        run_cli(environment, "db", "upgrade")
        if demo:
            run_cli(environment, "demo", "--password", DEMO_PASSWORD)
        server = ServerProcess(environment, log_path=tmp_path / f"server-{len(started)}.log")
        started.append(server)
        return server

    yield make
    for server in started:
        server.kill()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory) -> Iterator[ServerProcess]:
    """One running server with demo data, shared by the tests of a module.

    A test that changes data other tests rely on (the demo accounts' passwords, say) uses the
    function-scoped `live_server` instead.
    """
    folder = tmp_path_factory.mktemp("e2e-server")
    instance = folder / "instance"
    instance.mkdir()
    environment = server_env(instance, f"sqlite:///{instance / 'server.db'}")
    run_cli(environment, "db", "upgrade")
    run_cli(environment, "demo", "--password", DEMO_PASSWORD)
    server = ServerProcess(environment, log_path=folder / "server.log").start()
    yield server
    server.kill()


@pytest.fixture
def live_server(server_factory) -> ServerProcess:
    """One running server with demo data (demo password: tests.servers.DEMO_PASSWORD)."""
    return server_factory().start()


@pytest.fixture
def server_app(monkeypatch):
    """Build an in-process app on a server's own database (like a second process would).

    `server_app(server)` returns the app; make test data in it with `app.app_context()`.
    """
    from app import create_app

    made = []

    def make(server: ServerProcess):
        for key in ("DATABASE_URL", "ASSEMBLY_INSTANCE", "SECRET_KEY"):
            monkeypatch.setenv(key, server.env[key])
        monkeypatch.setenv("ASSEMBLY_SCHEDULER", "off")
        monkeypatch.setenv("ASSEMBLY_ASYNC_MODE", "threading")
        application = create_app({"TESTING": True})
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["scheduler"].shutdown()
        application.extensions["database"].engine.dispose()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots and other test output (ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_sessionfinish(session, exitstatus):
    """In CI (CI=true) any skipped test fails the run: every tool must be installed there."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") == "true" and skipped and exitstatus == 0:
        reporter.write_line(f"CI forbids skipping: {len(skipped)} test(s) skipped", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis server for this test session."""
    from tests.services import redis_server

    with redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server (a throwaway cluster) for this test session."""
    from tests.services import postgres_server

    with postgres_server() as url:
        yield url
