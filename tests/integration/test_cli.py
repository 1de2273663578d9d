"""The `assembly` command, run as a real process against a real database."""

import sqlite3
import stat

import pytest

from tests.servers import DEMO_PASSWORD, run_cli, server_env


@pytest.fixture
def env(instance):
    environment = server_env(instance, f"sqlite:///{instance / 'cli.db'}")
    run_cli(environment, "db", "upgrade")
    return environment


def _event_count(instance) -> int:
    with sqlite3.connect(instance / "cli.db") as connection:
        return connection.execute("SELECT count(*) FROM event").fetchone()[0]


def test_demo_is_idempotent_and_prints_every_role(env, instance):
    first = run_cli(env, "demo")
    for email in ("host@", "facilitator@", "door@"):
        assert email in first.stdout
    count = _event_count(instance)
    second = run_cli(env, "demo")
    assert "(unchanged; set one with --password)" in second.stdout
    assert _event_count(instance) == count
    assert stat.S_IMODE((instance / "demo-accounts.txt").stat().st_mode) == 0o600


def test_demo_if_empty_skips_a_loaded_database(env):
    run_cli(env, "demo", "--password", DEMO_PASSWORD)
    again = run_cli(env, "demo", "--if-empty")
    assert "already loaded" in again.stdout


def test_user_create_reads_the_password_from_stdin(env):
    run_cli(env, "demo")
    done = run_cli(
        env,
        "user",
        "create",
        "--email",
        "Ada@Example.org",
        "--role",
        "facilitator",
        "--assembly",
        "cardiff",
        stdin="a-long-enough-password\n",
    )
    assert "Created facilitator account ada@example.org" in done.stdout
    again = run_cli(
        env,
        "user",
        "create",
        "--email",
        "ada@example.org",
        "--role",
        "host",
        stdin="a-long-enough-password\n",
        check=False,
    )
    assert again.returncode != 0
    assert "already exists" in again.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "door"], "--assembly is required"),
        (["--role", "door", "--assembly", "atlantis"], "No assembly 'atlantis'"),
        (["--role", "host"], "at least 10 characters"),
    ],
)
def test_user_create_refuses_bad_input(env, args, message):
    done = run_cli(
        env, "user", "create", "--email", "x@example.org", *args, stdin="short\n", check=False
    )
    assert done.returncode != 0
    assert message in done.stderr


def test_audit_verify_names_the_broken_link(env, instance):
    run_cli(env, "demo")
    assert "every chain is intact" in run_cli(env, "audit", "verify").stdout
    with sqlite3.connect(instance / "cli.db") as connection:
        seq, stream, version = connection.execute(
            "SELECT seq, stream, version FROM event WHERE type='AssemblyCreated' LIMIT 1"
        ).fetchone()
        connection.execute(
            "UPDATE event SET payload = json_set(payload, '$.name', 'Forged') WHERE seq = ?",
            (seq,),
        )
    broken = run_cli(env, "audit", "verify", check=False)
    assert broken.returncode == 1
    assert f"BROKEN: stream {stream}, version {version} (seq {seq})" in broken.stdout
    assert "altered" in broken.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://localhost/x"),
        ("ASSEMBLY_SCHEDULER", "sometimes"),
        ("ASSEMBLY_ASYNC_MODE", "eventlet"),
        ("MESSAGE_QUEUE", "amqp://localhost"),
        ("SECRET_KEY", "short"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(instance, variable, value):
    environment = server_env(instance, f"sqlite:///{instance / 'cli.db'}", **{variable: value})
    done = run_cli(environment, "db", "upgrade", check=False)
    assert done.returncode != 0
    error_lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(error_lines) == 1, done.stderr
    assert variable in error_lines[0]


def test_secret_key_is_generated_once_with_private_permissions(instance):
    environment = server_env(instance, f"sqlite:///{instance / 'cli.db'}")
    environment.pop("SECRET_KEY")
    run_cli(environment, "db", "upgrade")
    key_file = instance / "secret_key"
    key = key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    run_cli(environment, "db", "upgrade")
    assert key_file.read_text() == key


def test_serve_refuses_an_unmigrated_database(instance):
    environment = server_env(instance, f"sqlite:///{instance / 'empty.db'}")
    done = run_cli(environment, "serve", "--port", "1", check=False)
    assert done.returncode != 0
    assert "assembly db upgrade" in done.stderr
