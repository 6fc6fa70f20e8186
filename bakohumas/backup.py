"""Back up a whole Bakohumas Hub into one archive, and bring it back.

The archive (``bakohumas-backup-<UTC time>.tar.gz``) holds ``manifest.json`` and one member per
entry: each service's database (a SQLite copy made with SQLite's online backup API, or a
``pg_dump -Fc`` dump for a service on PostgreSQL), the secrets kept under DATA_DIR, and
any other file kept there. The manifest names every entry with its kind, size and SHA-256.

A restore checks the whole archive before it touches anything, rebuilds every database in a
staging place (files beside DATA_DIR's, databases beside the PostgreSQL ones), and only then
swaps them in by renames, keeping what it replaces aside until every swap has succeeded; any
failure puts the old data back.
"""
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from services import SERVICE_NAMES
from shared.config import database_url

FORMAT = "bakohumas-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Secrets made under DATA_DIR (gateway keys, notification link signing): restored readable by the owner only.
SECRET_FILES = ("gateway.secret", "notifications.secret")
# Events a producer marked published this long before the backup may not have reached (or been
# recorded by) their consumers in the copies taken of the other databases: a restore sends them
# again, and the consumers' handled-event records drop those they already had.
REPUBLISH_WINDOW = timedelta(minutes=15)
# Not data: pid files, SQLite's own side files, logs, and what a backup or restore leaves behind.
_NOT_DATA = re.compile(r"^(run/.*|.*\.db-(wal|shm|journal)|.*\.log|\.restore-.*|\.replaced-.*"
                       r"|bakohumas-backup-.*)$")


class BackupRefused(Exception):
    """The archive cannot be restored (damaged, partial, another format) or the system is running."""

    def __init__(self, message, exit_code):
        super().__init__(message)
        self.exit_code = exit_code


DAMAGED = 3
RUNNING = 4


@dataclass
class Target:
    """Where one service's database lives in this system."""
    service: str
    url: str

    @property
    def kind(self):
        return "sqlite" if self.url.startswith("sqlite") else "postgresql"

    @property
    def path(self):
        return Path(self.url.split("///", 1)[1])

    @property
    def member(self):
        return f"databases/{self.service}.{'sqlite3' if self.kind == 'sqlite' else 'pgdump'}"


def targets(config):
    return [Target(service, database_url(config, service)) for service in SERVICE_NAMES]


def data_dir(config):
    return Path(config.get("DATA_DIR") or "data").resolve()


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def utc_stamp(moment):
    return moment.strftime("%Y-%m-%dT%H%M%SZ")


# --- PostgreSQL -----------------------------------------------------------------------------

def libpq_url(url):
    """The URL as libpq's tools take it (SQLAlchemy's ``+psycopg`` driver suffix removed)."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def shown_url(url):
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def database_name(url):
    return urlsplit(url).path.lstrip("/")


def with_database(url, name):
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def server_major(url):
    import psycopg
    with psycopg.connect(libpq_url(url)) as connection:
        return connection.info.server_version // 10000


def tool_major(tool):
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"\(PostgreSQL\)\s*(\d+)", out).group(1))


def postgres_tool(name, server):
    """``pg_dump``/``pg_restore`` at least as new as the server: they refuse an older tool's work.

    Looks at the one on PATH, then at Debian's versioned installs, and picks the oldest that fits.
    """
    found = []
    for tool in [shutil.which(name), *sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))]:
        if tool:
            try:
                found.append((tool_major(str(tool)), str(tool)))
            except (OSError, subprocess.CalledProcessError, AttributeError):
                continue
    fitting = sorted(entry for entry in found if entry[0] >= server)
    if not fitting:
        have = ", ".join(f"{tool} ({major})" for major, tool in found) or "none"
        raise BackupRefused(f"{name} {server} or newer is needed for a PostgreSQL {server} server; "
                            f"found: {have}", 1)
    return fitting[0][1]


def run_tool(args, what):
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupRefused(f"{what} failed: {done.stderr.strip()[-2000:]}", 1)


def dump_postgresql(target, destination):
    url = libpq_url(target.url)
    run_tool([postgres_tool("pg_dump", server_major(url)), "-Fc", "--no-owner", f"--dbname={url}",
              "-f", str(destination)], f"pg_dump of {target.service} ({shown_url(url)})")


# --- backing up ----------------------------------------------------------------------------

def snapshot_sqlite(sources):
    """Open a read transaction on every SQLite database at (nearly) the same moment.

    The online backup API copies from the connection's open read transaction, so the copies
    show every database as it stood at this moment, whatever is written while they are made.
    """
    connections = {}
    for service, path in sources.items():
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        connection.execute("BEGIN")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        connections[service] = connection
    return connections


def copy_sqlite(connection, destination):
    copy = sqlite3.connect(destination)
    try:
        connection.backup(copy)
        # The copy stands alone: no WAL beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupRefused(f"the copy of {destination.name} fails SQLite's integrity check: {verdict}", 1)
    finally:
        copy.close()


def other_files(root, exclude=()):
    """Files kept under DATA_DIR besides the databases, as paths relative to it."""
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if (not path.is_file() or path.is_symlink() or _NOT_DATA.match(relative)
                or any(path.is_relative_to(skip) for skip in exclude)):
            continue
        found.append(relative)
    return found


def backup(config, into, now=None):
    """Write one archive of the whole system into the folder ``into``; returns its path and manifest."""
    now = now or datetime.now(timezone.utc)
    into = Path(into).resolve()
    into.mkdir(parents=True, exist_ok=True)
    root = data_dir(config)
    plan = targets(config)
    with tempfile.TemporaryDirectory(prefix=".bakohumas-backup-", dir=into) as scratch:
        scratch = Path(scratch)
        (scratch / "databases").mkdir()
        (scratch / "files").mkdir()
        entries = []
        sqlite_targets = {t.service: t.path for t in plan if t.kind == "sqlite"}
        missing = [service for service, path in sqlite_targets.items() if not path.exists()]
        if missing:
            raise BackupRefused(f"no database of {', '.join(missing)} under {root} "
                                f"(run `bakohumas migrate` or start the system once)", 1)
        connections = snapshot_sqlite(sqlite_targets)
        try:
            for target in plan:
                destination = scratch / target.member
                if target.kind == "sqlite":
                    copy_sqlite(connections[target.service], destination)
                else:
                    dump_postgresql(target, destination)
                entries.append({"name": target.member, "kind": target.kind, "service": target.service})
        finally:
            for connection in connections.values():
                connection.close()
        for relative in other_files(root, exclude=[into, *sqlite_targets.values()]):
            destination = scratch / "files" / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / relative, destination)
            entries.append({"name": f"files/{relative}", "kind": "secret" if relative in SECRET_FILES else "file"})
        for entry in entries:
            path = scratch / entry["name"]
            entry["size"] = path.stat().st_size
            entry["sha256"] = sha256_of(path)
        manifest = {"format": FORMAT, "version": FORMAT_VERSION, "created_at": now.isoformat(),
                    "entries": entries}
        final = into / f"bakohumas-backup-{utc_stamp(now)}.tar.gz"
        partial = scratch / (final.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            body = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(now.timestamp()), 0o600
            archive.addfile(info, io.BytesIO(body))
            for entry in entries:
                archive.add(scratch / entry["name"], arcname=entry["name"], recursive=False)
        partial.chmod(0o600)
        if final.exists():
            raise BackupRefused(f"{final} exists already", 1)
        partial.rename(final)
    return final, manifest


# --- checking an archive --------------------------------------------------------------------

def _member_name_is_safe(name):
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts and parts[0] in ("databases", "files")


def read_manifest(archive):
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.loads(archive.extractfile(member).read())
    except KeyError:
        raise BackupRefused("the archive has no manifest.json: not a Bakohumas backup", DAMAGED) from None
    except ValueError as exc:
        raise BackupRefused(f"the archive's manifest.json is not valid JSON ({exc})", DAMAGED) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused("the archive's manifest is not a Bakohumas backup manifest", DAMAGED)
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupRefused(f"the archive is format version {manifest.get('version')!r}; "
                            f"this bakohumas restores version {FORMAT_VERSION}", DAMAGED)
    names = [entry.get("name") for entry in manifest.get("entries") or []]
    if len(names) != len(set(names)) or not all(isinstance(n, str) and _member_name_is_safe(n) for n in names):
        raise BackupRefused("the archive's manifest lists an entry twice or outside databases/ and files/", DAMAGED)
    return manifest


def unpack_and_verify(archive_path, staging):
    """Unpack every entry into ``staging``, checking it against the manifest; returns the manifest.

    Nothing outside ``staging`` is written, whatever the archive holds."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            manifest = read_manifest(archive)
            expected = {entry["name"]: entry for entry in manifest["entries"]}
            seen = set()
            for member in archive:
                if member.name == MANIFEST:
                    continue
                if member.name not in expected or not member.isfile():
                    raise BackupRefused(f"the archive holds {member.name!r}, which its manifest does not list",
                                        DAMAGED)
                destination = staging / member.name
                destination.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with archive.extractfile(member) as source, open(destination, "wb") as out:
                    for block in iter(lambda: source.read(1 << 20), b""):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
                entry = expected[member.name]
                if size != entry.get("size") or digest.hexdigest() != entry.get("sha256"):
                    raise BackupRefused(f"{member.name} does not match its checksum in the manifest", DAMAGED)
                seen.add(member.name)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise BackupRefused(f"the archive is damaged or cut short ({exc})", DAMAGED) from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupRefused(f"the archive lacks {', '.join(missing)}, which its manifest lists", DAMAGED)
    return manifest


def check_against_system(manifest, plan):
    """Every service of this system has its database in the archive, of the kind it uses."""
    by_service = {entry.get("service"): entry for entry in manifest["entries"] if entry["name"].startswith("databases/")}
    for target in plan:
        entry = by_service.get(target.service)
        if entry is None:
            raise BackupRefused(f"the archive has no database of {target.service}: a partial backup", DAMAGED)
        if entry["kind"] != target.kind or entry["name"] != target.member:
            raise BackupRefused(f"the archive keeps {target.service} on {entry['kind']}, but this system "
                                f"keeps it on {target.kind} (see {target.service.upper()}_DATABASE_URL)", DAMAGED)


def verify(archive_path):
    """Check an archive completely without restoring it; returns its manifest."""
    with tempfile.TemporaryDirectory(prefix="bakohumas-verify-") as scratch:
        return unpack_and_verify(Path(archive_path), Path(scratch))


# --- restoring -------------------------------------------------------------------------------

def running_processes(root):
    """``label: pid`` of every process of the stack whose pid file names a live process."""
    alive = {}
    for pid_file in sorted((root / "run").glob("*.pid")):
        try:
            pid = int(pid_file.read_text().strip())
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError, FileNotFoundError):
            continue
        except PermissionError:
            pass  # alive, another user's
        alive[pid_file.stem] = pid
    return alive


def requeue_recent_events(execute, since):
    """Mark the outbox rows published since ``since`` unpublished again (see REPUBLISH_WINDOW)."""
    execute("UPDATE outbox SET published_at = NULL, claimed_by = NULL, claimed_until = NULL "
            "WHERE published_at >= ?", since)


def prepare_sqlite(path, since):
    connection = sqlite3.connect(path)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupRefused(f"{path.name} in the archive fails SQLite's integrity check: {verdict}", DAMAGED)
        # UtcDateTime keeps naive UTC text in SQLite ("2026-12-01 22:15:00.000000").
        requeue_recent_events(lambda sql, value: connection.execute(sql, (value,)),
                              since.replace(tzinfo=None).isoformat(sep=" "))
        connection.commit()
    finally:
        connection.close()


class PostgresSwap:
    """A service's PostgreSQL database rebuilt under a staging name, then renamed into place."""

    def __init__(self, target, dump, since, token):
        self.url = libpq_url(target.url)
        self.target = target
        self.dump = dump
        self.since = since
        self.name = database_name(self.url)
        self.staging = f"{self.name[:40]}_restore_{token}"
        self.aside = f"{self.name[:40]}_replaced_{token}"
        self.maintenance = with_database(self.url, "postgres")
        self.state = "new"

    def _admin(self, sql):
        import psycopg
        with psycopg.connect(self.maintenance, autocommit=True) as connection:
            connection.execute(sql)

    def _exists(self, name):
        import psycopg
        with psycopg.connect(self.maintenance, autocommit=True) as connection:
            return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()

    def stage(self):
        import psycopg
        self._admin(f'CREATE DATABASE "{self.staging}" TEMPLATE template0')
        self.state = "staged"
        staging_url = with_database(self.url, self.staging)
        run_tool([postgres_tool("pg_restore", server_major(self.maintenance)), "--no-owner", "--exit-on-error",
                  "--single-transaction", f"--dbname={staging_url}", str(self.dump)],
                 f"pg_restore of {self.target.service} into {self.staging}")
        with psycopg.connect(staging_url, autocommit=True) as connection:
            requeue_recent_events(lambda sql, value: connection.execute(sql.replace("?", "%s"), (value,)), self.since)

    def swap(self):
        try:
            if self._exists(self.name):
                self._admin(f'ALTER DATABASE "{self.name}" RENAME TO "{self.aside}"')
                self.state = "aside"
            self._admin(f'ALTER DATABASE "{self.staging}" RENAME TO "{self.name}"')
            self.state = "swapped"
        except Exception as exc:
            raise BackupRefused(f"could not swap in {self.target.service}'s database {self.name} "
                                f"({str(exc).strip()}); is something still connected to it?", RUNNING) from None

    def undo(self):
        if self.state == "swapped":
            self._admin(f'ALTER DATABASE "{self.name}" RENAME TO "{self.staging}"')
            self.state = "aside" if self._exists(self.aside) else "staged"
        if self.state == "aside":
            self._admin(f'ALTER DATABASE "{self.aside}" RENAME TO "{self.name}"')
            self.state = "staged"
        if self.state == "staged":
            self._admin(f'DROP DATABASE IF EXISTS "{self.staging}" WITH (FORCE)')
            self.state = "new"

    def finish(self):
        self._admin(f'DROP DATABASE IF EXISTS "{self.aside}" WITH (FORCE)')


def undo_all(steps):
    """Run every undo step, even after one fails; the failures."""
    failed = []
    for step in steps:
        try:
            step()
        except Exception as exc:
            failed.append(exc)
    return failed


def restore(config, archive_path):
    """Put the system's data back as the archive has it; returns the manifest.

    Refuses (``BackupRefused``) while a process of the stack runs, and for any archive that is
    damaged, partial, of another format version or of another database layout."""
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupRefused(f"no archive at {archive_path}", DAMAGED)
    root = data_dir(config)
    root.mkdir(parents=True, exist_ok=True)
    alive = running_processes(root)
    if alive:
        listed = ", ".join(f"{label} (pid {pid})" for label, pid in alive.items())
        raise BackupRefused(f"the system is running from {root}: {listed}. Stop it first "
                            f"(a pid file left by a crash: delete it under {root / 'run'})", RUNNING)
    plan = targets(config)
    token = uuid.uuid4().hex[:8]
    staging = root / f".restore-{token}"
    aside = root / f".replaced-{token}"
    staging.mkdir(mode=0o700)
    swaps, moved = [], []
    try:
        manifest = unpack_and_verify(archive_path, staging)
        check_against_system(manifest, plan)
        for entry in manifest["entries"]:
            if entry["kind"] == "secret":
                (staging / entry["name"]).chmod(0o600)
        since = datetime.fromisoformat(manifest["created_at"]).astimezone(timezone.utc) - REPUBLISH_WINDOW
        for target in plan:
            if target.kind == "sqlite":
                prepare_sqlite(staging / target.member, since)
            else:
                swaps.append(PostgresSwap(target, staging / target.member, since, token))
        for swap in swaps:
            swap.stage()
        # Everything is checked and built: now swap, undoing it all if any step fails.
        placements = [(staging / t.member, t.path) for t in plan if t.kind == "sqlite"]
        placements += [(staging / entry["name"], root / entry["name"][len("files/"):])
                       for entry in manifest["entries"] if entry["name"].startswith("files/")]
        try:
            aside.mkdir()
            for source, destination in placements:
                sidecars = [destination.with_name(destination.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
                for existing in [destination, *sidecars]:
                    if existing.exists():
                        kept = aside / existing.relative_to(root) if existing.is_relative_to(root) \
                            else aside / "elsewhere" / existing.name
                        kept.parent.mkdir(parents=True, exist_ok=True)
                        existing.rename(kept)
                        moved.append((kept, existing))
                destination.parent.mkdir(parents=True, exist_ok=True)
                source.rename(destination)
                moved.append((None, destination))
            for swap in swaps:
                swap.swap()
        except BaseException:
            steps = [swap.undo for swap in reversed(swaps)]
            steps += [(lambda kept=kept, original=original:
                       original.unlink(missing_ok=True) if kept is None else kept.rename(original))
                      for kept, original in reversed(moved)]
            failed = undo_all(steps)
            if failed:
                raise BackupRefused(f"the restore failed and so did putting the old data back ({failed[0]}); "
                                    f"what it replaced is kept in {aside} and as *_replaced_{token} databases",
                                    1) from None
            shutil.rmtree(aside, ignore_errors=True)
            raise
    except BaseException:
        undo_all([swap.undo for swap in swaps if swap.state == "staged"])
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for swap in swaps:
        swap.finish()
    shutil.rmtree(aside, ignore_errors=True)
    return manifest
