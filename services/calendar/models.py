"""Tables of the calendar service."""
from sqlalchemy.orm import DeclarativeBase

from shared.db import bookkeeping_tables


class Base(DeclarativeBase):
    pass


OutboxMessage, HandledEvent, IdempotentAnswer = bookkeeping_tables(Base)
