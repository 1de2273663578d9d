"""Alembic environment: runs the migrations on the database named in the config."""

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

from app.migrate import import_all_models

import_all_models()
target_metadata = SQLModel.metadata


# Tables that other libraries manage at run time; migrations create them but the models
# do not describe them, so autogenerate must leave them alone.
EXTERNAL_TABLES = {"apscheduler_jobs"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Skip APScheduler's job table when comparing models with the database."""
    table = obj.table.name if type_ == "index" else name
    return table not in EXTERNAL_TABLES


def run_migrations_online() -> None:
    """Migrate through a live connection (offline SQL generation is not supported)."""
    url = context.config.get_main_option("sqlalchemy.url")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
