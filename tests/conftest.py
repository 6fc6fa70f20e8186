"""Test bootstrap: eventlet patches the standard library before anything else is imported.

Beside that, only what more than one layer needs: each layer keeps its own fixtures in its
``conftest.py`` (unit, integration, e2e).
"""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import pytest  # noqa: E402

from shared.db import Store  # noqa: E402
from tests.databases import MigratedTemplates, drop_postgres_database, models_of, postgres_url  # noqa: E402

# The browser tests are their own pass, without eventlet (see the Makefile's `test`).
collect_ignore = ["browser"]


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory):
    templates = MigratedTemplates(tmp_path_factory.mktemp("migrated-templates"))
    try:
        yield templates
    finally:
        templates.drop()


@pytest.fixture
def service_db(tmp_path, migrated_templates):
    """``service_db("calendar")`` -> a :class:`Store` on a freshly migrated database of that service.

    SQLite by default, in ``tmp_path/calendar.db``: where the service itself looks for it when its
    config has ``DATA_DIR=tmp_path``. ``backend="postgresql"`` gives a throwaway PostgreSQL
    database instead (skipped without a server, failed in CI), dropped after the test.
    """
    opened = []

    def build(service, backend="sqlite"):
        dropped = None
        if backend == "sqlite":
            url = migrated_templates.sqlite_copy(service, tmp_path / f"{service}.db")
        elif backend == "postgresql":
            dropped = migrated_templates.postgres_copy(service)
            url = postgres_url(dropped)
        else:
            raise ValueError(f"no test database backend {backend!r}")
        store = Store(url, models_of(service))
        opened.append((store, dropped))
        return store

    try:
        yield build
    finally:
        for store, dropped in opened:
            store.dispose()
            if dropped:
                drop_postgres_database(dropped)
