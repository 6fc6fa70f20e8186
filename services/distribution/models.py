"""Tables of the distribution service."""
from sqlalchemy.orm import DeclarativeBase

from shared.db import bookkeeping_tables


class Base(DeclarativeBase):
    pass


OutboxMessage, HandledEvent, IdempotentAnswer = bookkeeping_tables(Base)
