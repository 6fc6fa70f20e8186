"""Two tiny services on the shared messaging code, for testing it against the real RabbitMQ:
``ledger`` records entries and emits ``ledger.entry_recorded``; ``tally`` consumes it.

They exist only here, so they have no migrations: ``build_tables`` creates their tables from the
models (the one place the tests do so; every real service's test database is migrated).
"""
from marshmallow import Schema, fields
from nameko.rpc import rpc
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.contracts import contract
from shared.config import database_url
from shared.db import Database, bookkeeping_tables, make_engine
from shared.messaging import consumes


@contract("ledger.entry_recorded", 1, "ledger")
class EntryRecorded(Schema):
    entry = fields.String(required=True)
    fail = fields.Boolean(load_default=False)


class LedgerModels:
    class Base(DeclarativeBase):
        pass

    OutboxMessage, HandledEvent, IdempotentAnswer = bookkeeping_tables(Base)


class TallyModels:
    class Base(DeclarativeBase):
        pass

    OutboxMessage, HandledEvent, IdempotentAnswer = bookkeeping_tables(Base)

    class Tally(Base):
        __tablename__ = "tally"
        id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
        entry: Mapped[str] = mapped_column(String(50))


FAILING = {"still": True}


class LedgerService:
    name = "ledger"
    db = Database(LedgerModels)

    @rpc
    def record(self, entry, fail=False):
        with self.db.unit_of_work() as uow:
            return uow.emit("ledger.entry_recorded", {"entry": entry, "fail": fail})["id"]


class TallyService:
    name = "tally"
    db = Database(TallyModels)

    @consumes("ledger", "ledger.entry_recorded")
    def count_entry(self, uow, envelope):
        uow.session.add(TallyModels.Tally(entry=envelope.data["entry"]))
        uow.session.flush()
        if envelope.data["fail"] and FAILING["still"]:
            raise RuntimeError("the tally cannot take this entry yet")


def build_tables(container):
    """Create a stand-in service's tables in the database its container will use, before it starts."""
    engine = make_engine(database_url(container.config, container.service_name))
    try:
        container.service_cls.db.models.Base.metadata.create_all(engine)
    finally:
        engine.dispose()
