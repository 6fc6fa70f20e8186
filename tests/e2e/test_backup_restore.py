"""The restore drill of bench/backup.py, reduced: a demo forum with a day of activity, backed up
while writes go on, the data folder wiped, restored and started again (see bench/backup.py for
what it holds the system to). Run with ``-s`` to see the figures."""
import shutil
import socket

import pytest

from bench import backup

pytestmark = pytest.mark.e2e


def report(result):
    print(f"\nrestore drill: rows before {sum(result.records_before.values())}, "
          f"after {sum(result.records_after.values())}; backup {result.backup_seconds:.2f} s, "
          f"restore {result.restore_seconds:.2f} s, archive {result.archive_bytes} bytes; writes {dict(result.writes)}")


def check(result):
    report(result)
    assert result.problems == []
    assert result.writes["item before"] > 0 and result.writes["complaint before"] > 0, \
        "the write load did not run before the backup"
    for table in ("directory.agencies", "calendar.items", "distribution.content_items", "distribution.deliveries",
                  "complaints.complaints"):
        assert result.records_before[table] > 0, f"the drill made no {table}"
    for service in ("directory", "calendar", "distribution", "complaints"):
        assert result.records_before[f"{service}.outbox"] > 0
    for service in ("calendar", "distribution", "complaints"):
        assert result.records_before[f"{service}.handled_events"] > 0
    assert all(result.records_after[name] >= count for name, count in result.records_before.items())


def test_a_backup_taken_under_load_restores_everything_once():
    check(backup.drill(size=24))


def postgres_tools_and_server():
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            pass
    except OSError:
        return False
    return bool(shutil.which("pg_dump") and shutil.which("pg_restore"))


@pytest.mark.skipif(not postgres_tools_and_server(), reason="needs PostgreSQL on 127.0.0.1:5432 and pg_dump")
def test_services_on_postgresql_come_back_from_pg_dump():
    check(backup.drill(size=12, postgresql=("distribution", "complaints")))
