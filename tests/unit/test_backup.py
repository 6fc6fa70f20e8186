"""``bakohumas backup`` / ``restore`` on SQLite databases: the archive, its checks, its refusals."""
import gzip
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bakohumas import backup, cli
from services import SERVICE_NAMES

MOMENT = datetime(2026, 12, 1, 22, 15, tzinfo=timezone.utc)


def make_database(path, rows):
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, event_id TEXT, "
                       "claimed_by TEXT, claimed_until TEXT, published_at TEXT)")
    connection.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT)")
    connection.executemany("INSERT INTO notes (text) VALUES (?)", [(row,) for row in rows])
    connection.commit()
    return connection


def notes(path):
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT text FROM notes ORDER BY id")]


@pytest.fixture
def system(tmp_path, monkeypatch):
    """A stopped system's DATA_DIR: every service database, the gateway secret and one other file."""
    root = tmp_path / "data"
    root.mkdir()
    for service in SERVICE_NAMES:
        make_database(root / f"{service}.db", [f"{service} before"]).close()
    (root / "gateway.secret").write_text("the-secret")
    (root / "gateway.secret").chmod(0o600)
    (root / "uploads").mkdir()
    (root / "uploads" / "logo.png").write_bytes(b"\x89PNG")
    (root / "run").mkdir()
    (root / "stack.log").write_text("not data")
    monkeypatch.setenv("DATA_DIR", str(root))
    for service in SERVICE_NAMES:
        monkeypatch.delenv(f"{service.upper()}_DATABASE_URL", raising=False)
    return {"DATA_DIR": str(root), "DATABASES": {}}


@pytest.fixture
def archive(system, tmp_path):
    path, _ = backup.backup(system, tmp_path / "backups", now=MOMENT)
    return path


def rewrite(archive_path, change):
    """The archive with its members passed through ``change(name, data) -> data or None (dropped)``."""
    with tarfile.open(archive_path, "r:gz") as source:
        members = [(m, source.extractfile(m).read()) for m in source]
    out = archive_path.with_name("changed-" + archive_path.name)
    with tarfile.open(out, "w:gz") as target:
        for member, data in members:
            data = change(member.name, data)
            if data is not None:
                member.size = len(data)
                target.addfile(member, io.BytesIO(data))
    return out


def test_backup_writes_one_dated_archive_with_a_manifest_of_every_entry(system, archive):
    assert archive.name == "bakohumas-backup-2026-12-01T221500Z.tar.gz"
    assert archive.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in archive.parent.iterdir()] == [archive.name]
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        secret = tar.extractfile("files/gateway.secret").read()
    assert names[0] == "manifest.json"
    assert manifest["format"] == "bakohumas-backup" and manifest["version"] == 1
    assert manifest["created_at"] == MOMENT.isoformat()
    kinds = {entry["name"]: entry["kind"] for entry in manifest["entries"]}
    assert kinds == {**{f"databases/{s}.sqlite3": "sqlite" for s in SERVICE_NAMES},
                     "files/gateway.secret": "secret", "files/uploads/logo.png": "file"}
    assert all(len(entry["sha256"]) == 64 and entry["size"] > 0 for entry in manifest["entries"])
    assert secret == b"the-secret"
    assert sorted(names[1:]) == sorted(kinds)


def test_restore_brings_back_every_database_and_file_and_keeps_the_secret_private(system, archive):
    root = Path(system["DATA_DIR"])
    for service in SERVICE_NAMES:
        make_database(root / f"{service}.db", [f"{service} after"]).close()
    # A stale WAL of the newer database must not be replayed onto the restored one.
    live = make_database(root / "calendar.db", [])
    live.execute("PRAGMA wal_autocheckpoint=0")
    live.execute("INSERT INTO notes (text) VALUES ('only in the wal')")
    live.commit()
    (root / "gateway.secret").write_text("another")
    (root / "uploads" / "logo.png").unlink()

    manifest = backup.restore(system, archive)
    live.close()

    assert len(manifest["entries"]) == len(SERVICE_NAMES) + 2  # every database, the secret and the upload
    for service in SERVICE_NAMES:
        assert notes(root / f"{service}.db") == [f"{service} before"]
    assert (root / "gateway.secret").read_text() == "the-secret"
    assert (root / "gateway.secret").stat().st_mode & 0o777 == 0o600
    assert (root / "uploads" / "logo.png").read_bytes() == b"\x89PNG"
    assert not [p for p in root.iterdir() if p.name.startswith((".restore-", ".replaced-"))]


def test_the_copy_is_one_moment_even_while_a_writer_goes_on(system, tmp_path):
    root = Path(system["DATA_DIR"])
    held = backup.snapshot_sqlite({"directory": root / "directory.db"})
    writer = make_database(root / "directory.db", ["written after the snapshot"])
    writer.close()
    backup.copy_sqlite(held["directory"], tmp_path / "copy.sqlite3")
    held["directory"].close()
    assert notes(tmp_path / "copy.sqlite3") == ["directory before"]


def assert_refused(system, archive_path, words, code=backup.DAMAGED):
    root = Path(system["DATA_DIR"])
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    with pytest.raises(backup.BackupRefused) as refused:
        backup.restore(system, archive_path)
    assert words in str(refused.value)
    assert refused.value.exit_code == code
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_a_changed_byte_is_refused_and_nothing_changes(system, archive):
    def flip(name, data):
        if name == "databases/complaints.sqlite3":
            data = bytearray(data)
            data[5000] ^= 0x01
        return bytes(data)
    assert_refused(system, rewrite(archive, flip), "databases/complaints.sqlite3 does not match its checksum")


def test_a_dropped_entry_is_refused(system, archive):
    dropped = rewrite(archive, lambda name, data: None if name == "files/gateway.secret" else data)
    assert_refused(system, dropped, "lacks files/gateway.secret")


def test_an_entry_the_manifest_does_not_list_is_refused(system, archive):
    def add(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["entries"] = [e for e in manifest["entries"] if e["name"] != "files/uploads/logo.png"]
            return json.dumps(manifest).encode()
        return data
    assert_refused(system, rewrite(archive, add), "which its manifest does not list")


def test_a_truncated_archive_is_refused(system, archive, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
    assert_refused(system, cut, "damaged or cut short")


def test_a_gzip_whose_tar_is_cut_short_is_refused(system, archive, tmp_path):
    whole = gzip.decompress(archive.read_bytes())
    cut = tmp_path / "cut-tar.tar.gz"
    cut.write_bytes(gzip.compress(whole[: len(whole) // 2]))
    assert_refused(system, cut, "damaged or cut short")


def test_an_unknown_manifest_version_is_refused(system, archive):
    def bump(name, data):
        return json.dumps({**json.loads(data), "version": 2}).encode() if name == "manifest.json" else data
    assert_refused(system, rewrite(archive, bump), "format version 2")


def test_an_archive_without_a_service_database_is_refused(system, archive):
    def without_calendar(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["entries"] = [e for e in manifest["entries"] if e.get("service") != "calendar"]
            return json.dumps(manifest).encode()
        return None if name == "databases/calendar.sqlite3" else data
    assert_refused(system, rewrite(archive, without_calendar), "no database of calendar: a partial backup")


def test_a_sqlite_archive_is_not_restored_onto_postgresql(system, archive, monkeypatch):
    system["DATABASES"] = {"distribution": "postgresql://postgres@127.0.0.1/bakohumas_distribution"}
    assert_refused(system, archive, "keeps distribution on sqlite, but this system keeps it on postgresql")


def test_restore_refuses_while_a_process_of_the_stack_is_alive(system, archive):
    root = Path(system["DATA_DIR"])
    (root / "run" / "gateway.pid").write_text(str(os.getpid()))
    assert_refused(system, archive, f"gateway (pid {os.getpid()})", code=backup.RUNNING)


def test_a_pid_file_of_a_dead_process_does_not_block_a_restore(system, archive):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (Path(system["DATA_DIR"]) / "run" / "gateway.pid").write_text(str(dead.pid))
    backup.restore(system, archive)


def test_a_failure_while_swapping_puts_the_old_data_back(system, archive, monkeypatch):
    root = Path(system["DATA_DIR"])
    for service in SERVICE_NAMES:
        make_database(root / f"{service}.db", [f"{service} after"]).close()
    real_rename, calls = Path.rename, []

    def failing_rename(self, target):
        calls.append(self)
        if len(calls) == 5:
            raise OSError("disk went away")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OSError):
        backup.restore(system, archive)
    monkeypatch.setattr(Path, "rename", real_rename)
    for service in SERVICE_NAMES:
        assert notes(root / f"{service}.db") == [f"{service} before", f"{service} after"]
    assert not [p for p in root.iterdir() if p.name.startswith((".restore-", ".replaced-"))]


def test_events_published_shortly_before_the_backup_are_sent_again(system, tmp_path):
    root = Path(system["DATA_DIR"])

    def stamp(moment):
        return moment.replace(tzinfo=None).isoformat(sep=" ")

    with sqlite3.connect(root / "directory.db") as connection:
        connection.executemany("INSERT INTO outbox (event_id, claimed_by, published_at) VALUES (?, 'relay', ?)", [
            ("old", stamp(MOMENT - timedelta(hours=1))), ("recent", stamp(MOMENT - timedelta(minutes=2))),
            ("pending", None)])
    path, _ = backup.backup(system, tmp_path / "backups", now=MOMENT)
    backup.restore(system, path)
    with sqlite3.connect(root / "directory.db") as connection:
        rows = dict(connection.execute("SELECT event_id, published_at IS NOT NULL FROM outbox"))
    assert rows == {"old": 1, "recent": 0, "pending": 0}


def test_the_commands_print_the_archive_and_exit_with_the_refusals_code(system, tmp_path, capsys):
    assert cli.main(["backup", str(tmp_path / "backups")]) == 0
    printed = capsys.readouterr().out.strip()
    assert Path(printed).is_file() and Path(printed).name.startswith("bakohumas-backup-")
    assert cli.main(["restore", "--check", printed]) == 0
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(Path(printed).read_bytes()[:-40])
    assert cli.main(["restore", str(cut)]) == backup.DAMAGED
    assert "refused, nothing changed: the archive is damaged or cut short" in capsys.readouterr().err
    assert cli.main(["restore", printed]) == 0


def fake_tool(folder, name, version_line):
    tool = folder / name
    tool.write_text(f"#!/bin/sh\necho '{version_line}'\n")
    tool.chmod(0o755)
    return tool


def test_a_pg_dump_at_least_as_new_as_the_server_is_chosen(tmp_path, monkeypatch):
    newer = fake_tool(tmp_path, "pg_dump", "pg_dump (PostgreSQL) 98.2 (Debian 98.2-1)")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert backup.postgres_tool("pg_dump", 97) == str(newer)
    with pytest.raises(backup.BackupRefused) as refused:
        backup.postgres_tool("pg_dump", 99)
    assert "pg_dump 99 or newer is needed for a PostgreSQL 99 server; found:" in str(refused.value)
    assert f"{newer} (98)" in str(refused.value)


def test_an_entry_named_outside_the_archive_folders_is_refused(system, archive):
    def escape(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["entries"][-1]["name"] = "../../etc/cron.d/x"
            return json.dumps(manifest).encode()
        return data
    assert_refused(system, rewrite(archive, escape), "outside databases/ and files/")
