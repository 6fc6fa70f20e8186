"""The PostgreSQL server the tests use: the local one, or BAKOHUMAS_TEST_POSTGRES."""
import os
import socket

import pytest

SERVER = os.environ.get("BAKOHUMAS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def postgres_answers():
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            return True
    except OSError:
        return False


def skip_without_postgresql():
    if not postgres_answers() and "BAKOHUMAS_TEST_POSTGRES" not in os.environ:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 (set BAKOHUMAS_TEST_POSTGRES to a server URL)")
