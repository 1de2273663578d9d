"""Schema migrations with Alembic: the only way the schema is created or changed."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def import_all_models() -> None:
    """Import every module that defines tables, so the metadata is complete."""
    import app.auth.models  # noqa: F401
    import app.events  # noqa: F401
    import assemblies.models  # noqa: F401
    import voting.house.models  # noqa: F401
    import voting.models  # noqa: F401


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at this project's migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def is_current(engine: Engine) -> bool:
    """True if the database's schema is at the newest migration."""
    heads = set(ScriptDirectory.from_config(alembic_config(str(engine.url))).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision`."""
    command.upgrade(alembic_config(url), revision)


def make_revision(url: str, message: str) -> None:
    """Autogenerate a new migration by comparing the models with the database (developers)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
