"""Test databases built the one way the services build theirs: with their alembic migrations.

Migrating costs about half a second per database, so each service is migrated once per test
session into a template (a SQLite file, or a PostgreSQL template database) and every test gets
a copy of it: a file copy, or ``CREATE DATABASE ... TEMPLATE``.
"""
import importlib
import os
import shutil
import socket
import uuid
from urllib.parse import urlsplit

import psycopg
import pytest

from shared.db import migrate

POSTGRES_SERVER = os.environ.get("BAKOHUMAS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def postgres_answers():
    address = urlsplit(POSTGRES_SERVER)
    try:
        with socket.create_connection((address.hostname or "127.0.0.1", address.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def require_postgres():
    """Skip a PostgreSQL test when no server answers; in CI (``CI=true``) fail it instead, loudly."""
    if postgres_answers():
        return
    reason = f"no PostgreSQL at {POSTGRES_SERVER} (set BAKOHUMAS_TEST_POSTGRES to a server URL)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def postgres_url(database):
    return f"{POSTGRES_SERVER.rsplit('/', 1)[0]}/{database}"


def create_postgres_database(template=None):
    """A new, uniquely named database on the test server (a copy of ``template`` if given)."""
    name = f"bakohumas_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return name


def drop_postgres_database(name):
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def models_of(service):
    return importlib.import_module(f"services.{service}.models")


class MigratedTemplates:
    """One migrated template database per service and backend for a test session."""

    def __init__(self, folder):
        self.folder = folder
        self.sqlite = {}
        self.postgres = {}

    def sqlite_copy(self, service, path):
        """A migrated SQLite file of ``service`` at ``path``; answers its URL."""
        if service not in self.sqlite:
            template = self.folder / f"{service}.db"
            migrate(service, f"sqlite:///{template}")
            self.sqlite[service] = template
        shutil.copyfile(self.sqlite[service], path)
        return f"sqlite:///{path}"

    def postgres_copy(self, service):
        """A migrated throwaway PostgreSQL database of ``service``; answers its name."""
        require_postgres()
        if service not in self.postgres:
            template = create_postgres_database()
            self.postgres[service] = template
            migrate(service, postgres_url(template))
        return create_postgres_database(template=self.postgres[service])

    def drop(self):
        for template in self.postgres.values():
            drop_postgres_database(template)
