"""Alembic environment: runs the migrations on the database named in the config."""

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

from app.migrate import import_all_models

import_all_models()
target_metadata = SQLModel.metadata


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
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
