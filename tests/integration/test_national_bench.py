"""The national roll-up benchmark, run small: generated data that the audit accepts, copied
to PostgreSQL, and every measured House page answering on both databases."""

import secrets

from sqlalchemy import create_engine, text

from tests.load import national, national_pages
from tests.servers import run_cli, server_env

TINY = national.Plan(assemblies=6, motions=2, ballots=300)


def _every_page_answers(results: dict[str, dict]) -> None:
    assert set(results) == {page.label for page in national_pages.PAGES}
    assert {label: row["status"] for label, row in results.items()} == {
        label: 200 for label in results
    }


def _fresh_database(server_url: str) -> str:
    name = f"national_{secrets.token_hex(4)}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


def test_generated_country_is_consistent_and_served_on_sqlite_and_postgres(tmp_path, postgres_url):
    sqlite_url = f"sqlite:///{tmp_path / 'national.sqlite'}"
    report = national.generate(sqlite_url, TINY)

    assert report.rows["ballot"] == TINY.ballots
    assert report.rows["assembly"] == TINY.assemblies
    assert report.rows["house_outcome"] == report.rows["vote"]
    env = server_env(tmp_path, sqlite_url, SECRET_KEY=national.BENCH_SECRET)
    assert "every chain is intact" in run_cli(env, "audit", "verify").stdout
    _every_page_answers(national_pages.serve_and_time(sqlite_url, 1, tmp_path))

    pg_url = _fresh_database(postgres_url)
    copied = national.copy_to_postgres(sqlite_url, pg_url)

    assert copied.rows["ballot"] == TINY.ballots
    assert copied.rows["house_outcome"] == report.rows["house_outcome"]
    pg_env = server_env(tmp_path, pg_url, SECRET_KEY=national.BENCH_SECRET)
    assert "every chain is intact" in run_cli(pg_env, "audit", "verify").stdout
    _every_page_answers(national_pages.serve_and_time(pg_url, 1, tmp_path))
