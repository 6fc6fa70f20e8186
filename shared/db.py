"""SQLAlchemy 2.x for nameko: one engine per service, a unit of work per business action.

nameko-sqlalchemy does not support SQLAlchemy 2, hence this small provider of our own.
A unit of work commits the state change and the events it causes (the outbox rows)
in one transaction; a consumer records the events it handled in that same
transaction (see ``shared.messaging``), so a redelivery changes nothing.
"""
import json
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from nameko.extensions import DependencyProvider
from sqlalchemy import (DateTime, Integer, String, Text, TypeDecorator, column, create_engine, event, func, select,
                        table as table_of, update)
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from shared import contracts
from shared.config import database_url
from shared.messaging import OutboxRelay
from shared.workdays import DEFAULT_FORUM_ZONE, moved_to

MIGRATIONS_HOME = Path(__file__).resolve().parent / "migrations"


def utcnow():
    return datetime.now(timezone.utc)


def normalise_url(url):
    """Use psycopg 3 for PostgreSQL: it cooperates with eventlet, psycopg2 does not."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url):
    """An engine whose errors never quote the statement's values: they may be personal data,
    and a failed handler's error is logged and kept with its dead letter."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


class UtcDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned time-zone aware.

    SQLite keeps no zone; without this a service would read back floating times.
    A naive datetime is refused on the way in rather than guessed at.
    """
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a datetime without a time zone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def bookkeeping_tables(base):
    """The outbox, handled-event and idempotent-answer tables every service keeps beside its own data."""

    class OutboxMessage(base):
        __tablename__ = "outbox"
        id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
        event_id: Mapped[str] = mapped_column(String(36), unique=True)
        name: Mapped[str] = mapped_column(String(100))
        envelope: Mapped[str] = mapped_column(Text)
        created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
        claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
        claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
        published_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)

    class HandledEvent(base):
        __tablename__ = "handled_events"
        event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
        handler: Mapped[str] = mapped_column(String(150), primary_key=True)
        handled_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    class IdempotentAnswer(base):
        """The first answer to a create request sent with an ``Idempotency-Key``."""
        __tablename__ = "idempotent_answers"
        scope: Mapped[str] = mapped_column(String(64), primary_key=True)
        key: Mapped[str] = mapped_column(String(255), primary_key=True)
        answer: Mapped[str] = mapped_column(Text)
        created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    return OutboxMessage, HandledEvent, IdempotentAnswer


class UnitOfWork:
    """One business action: its reads, its writes and the events it emits, committed together.

    Leaving the ``with`` block normally commits; an exception rolls everything back.
    """

    def __init__(self, store):
        self._store = store
        self.session = None
        self.emitted = []

    def __enter__(self):
        self._store.write_lock.acquire()
        self.session = self._store.sessionmaker()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.session.commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()
            self._store.write_lock.release()
        if exc_type is None and self.emitted:
            self._store.notify_outbox()

    def hold_writes(self):
        """From here until this unit of work ends, no other one writes, in any process: a rule
        that counts and then writes holds. On SQLite this takes the database's writer lock
        (``BEGIN IMMEDIATE``) unless a write of this unit already holds it; on PostgreSQL the
        caller locks the rows its rule reads (``SELECT ... FOR UPDATE``)."""
        if self._store.is_sqlite and not self.session.connection().connection.dbapi_connection.in_transaction:
            self.session.connection().exec_driver_sql("BEGIN IMMEDIATE")

    def emit(self, name, data):
        """Queue an event in the outbox, validated against its contract; sent after commit."""
        envelope = contracts.seal(name, data)
        self.session.add(self._store.outbox_table(
            event_id=envelope["id"], name=envelope["name"], envelope=json.dumps(envelope)))
        self.emitted.append(envelope)
        return envelope

    def once(self, scope, key, produce):
        """Answer a create request once per ``(scope, key)``: a repeat gets the first answer back.

        ``scope`` is whose key it is (the calling agency, or a public client); ``produce``
        does the work and returns a JSON-able answer, stored in this same transaction.
        Without a key the work is simply done.
        """
        if not key:
            return produce()
        table = self._store.idempotency_table
        stored = self.session.get(table, (scope, key))
        if stored is not None:
            return json.loads(stored.answer)
        answer = produce()
        self.session.add(table(scope=scope, key=key, answer=json.dumps(answer, default=str)))
        return answer

    def already_handled(self, event_id, handler):
        return self.session.get(self._store.handled_table, (event_id, handler)) is not None

    def mark_handled(self, event_id, handler):
        self.session.add(self._store.handled_table(event_id=event_id, handler=handler))


class _NoLock:
    def acquire(self):
        return True

    def release(self):
        return None


class Store:
    """A service's database: engine, sessions and the unit of work.

    SQLite allows one writer; its busy wait would block the whole eventlet hub, so
    writers in one process queue on a (green) lock instead.
    """

    def __init__(self, url, models):
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self.outbox_table = models.OutboxMessage
        self.handled_table = models.HandledEvent
        self.idempotency_table = models.IdempotentAnswer
        self.is_sqlite = self.url.startswith("sqlite")
        self.write_lock = threading.Lock() if self.is_sqlite else _NoLock()
        self._outbox_listeners = []

    def unit_of_work(self):
        return UnitOfWork(self)

    @contextmanager
    def reading(self):
        session = self.sessionmaker()
        try:
            yield session
        finally:
            session.close()  # ends the transaction; loaded objects stay readable (detached)

    def on_outbox(self, listener):
        self._outbox_listeners.append(listener)

    def notify_outbox(self):
        for listener in self._outbox_listeners:
            listener()

    def claim_outbox(self, owner, limit=100, lease=timedelta(seconds=30)):
        """Lease unpublished outbox rows to ``owner`` so that two relays do not send the same rows.

        A lease that runs out (its relay died mid-batch) makes the rows claimable again:
        at-least-once, and consumers drop what they have already handled.
        """
        table, now = self.outbox_table, utcnow()
        claimable = (table.published_at.is_(None)
                     & (table.claimed_until.is_(None) | (table.claimed_until < now)))
        with self.unit_of_work() as uow:
            ids = uow.session.scalars(
                select(table.id).where(claimable).order_by(table.id).limit(limit)).all()
            if ids:
                uow.session.execute(update(table).where(table.id.in_(ids) & claimable)
                                    .values(claimed_by=owner, claimed_until=now + lease))
        if not ids:
            return []
        with self.reading() as session:
            return session.scalars(select(table).where(
                table.id.in_(ids), table.claimed_by == owner, table.published_at.is_(None))
                .order_by(table.id)).all()

    def outbox_backlog(self, session):
        """How many events wait to be published, and when the oldest of them was committed."""
        table = self.outbox_table
        return session.execute(select(func.count(table.id), func.min(table.created_at))
                               .where(table.published_at.is_(None))).one()

    def mark_published(self, ids):
        if not ids:
            return
        with self.unit_of_work() as uow:
            uow.session.execute(update(self.outbox_table).where(self.outbox_table.id.in_(ids))
                                .values(published_at=utcnow()))

    def dispose(self):
        self.engine.dispose()


class Database(DependencyProvider):
    """nameko dependency giving each worker the service's :class:`Store`.

    ``models`` is the service's models module: it must define ``Base`` and the
    bookkeeping tables ``OutboxMessage``, ``HandledEvent`` and ``IdempotentAnswer``.
    """

    def __init__(self, models):
        self.models = models
        self.store = None

    def setup(self):
        url = database_url(self.container.config, self.container.service_name)
        self.store = Store(url, self.models)
        self.relay = OutboxRelay(self.store, self.container.config,
                                 self.container.service_name)

    def start(self):
        self.container.spawn_managed_thread(self.relay.run)

    def stop(self):
        if self.store is not None:
            self.store.dispose()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self.store


# Where every deadline ended before deadlines were the forum's days (revisions move them from it).
WIB = "Asia/Jakarta"


def migrate(service_name, url, revision="head", forum_zone=None):
    """Bring a service's database to ``revision`` with its alembic scripts; ``forum_zone`` is the
    config's FORUM_TIMEZONE, for the revisions that move stored deadlines into it."""
    cfg = alembic_config(service_name, url)
    cfg.attributes["forum_zone"] = forum_zone or DEFAULT_FORUM_ZONE
    command.upgrade(cfg, revision)


def move_stored_deadlines(deadlines, toward_forum):
    """A revision's step: each ``{table: (column, ...)}`` deadline that ended at 23:59:59 WIB (as
    they all did before deadlines were the forum's days) ends that same day at 23:59:59 in the
    forum's zone; ``toward_forum=False`` moves them back. Running it twice changes nothing."""
    from alembic import op

    zone = op.get_context().config.attributes.get("forum_zone") or DEFAULT_FORUM_ZONE
    was, to = (WIB, zone) if toward_forum else (zone, WIB)
    bind = op.get_bind()
    for name, columns in deadlines.items():
        table = table_of(name, column("id", String()), *(column(c, UtcDateTime()) for c in columns))
        for row in bind.execute(select(table)).all():
            moved = {c: moved_to(getattr(row, c), was, to) for c in columns}
            if any(moved[c] != getattr(row, c) for c in columns):
                bind.execute(update(table).where(table.c.id == row.id).values(**moved))


def alembic_config(service_name, url):
    versions = Path(__file__).resolve().parent.parent / "services" / service_name / "migrations"
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_HOME))
    cfg.set_main_option("version_locations", str(versions))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["service_name"] = service_name
    cfg.attributes["url"] = normalise_url(url)
    return cfg
