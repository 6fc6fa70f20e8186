"""Alembic environment shared by every service; each keeps its own versions folder and database."""
import importlib

from alembic import context
from sqlalchemy import create_engine

config = context.config
service_name = config.attributes["service_name"]
models = importlib.import_module(f"services.{service_name}.models")


def run_migrations_online():
    engine = create_engine(config.attributes["url"])
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=models.Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; give a database URL")
run_migrations_online()
