"""Tables of the calendar service."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.agencies import AgencyCopy
from shared.db import UtcDateTime, bookkeeping_tables, utcnow
from shared.schemas import ID_LENGTH, NAME_LENGTH


class Base(DeclarativeBase):
    pass


OutboxMessage, HandledEvent, IdempotentAnswer = bookkeeping_tables(Base)


class Agency(AgencyCopy, Base):
    __tablename__ = "agencies"


class Item(Base):
    __tablename__ = "items"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    title: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    timezone: Mapped[str] = mapped_column(String(40))
    venue: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    officials: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of {name, position}
    lead_agency_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    visibility: Mapped[str] = mapped_column(String(10))
    embargo_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    state: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    attention: Mapped[str | None] = mapped_column(Text, nullable=True)
    vevent: Mapped[str] = mapped_column(Text, default="", deferred=True)  # rendered at each change; feeds join them
    # The item as lists answer it (JSON), rendered at each change; lists join them. None: not rendered yet.
    summary_json: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    participants: Mapped[list["Participant"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", lazy="selectin", order_by="Participant.role")

    # Few items are flagged: the coordinator's list of them reads only those.
    __table_args__ = (Index("ix_items_state_starts", "state", "starts_at"),
                      Index("ix_items_starts", "starts_at"),
                      Index("ix_items_attention", "starts_at", sqlite_where=text("attention IS NOT NULL"),
                            postgresql_where=text("attention IS NOT NULL")))


class Participant(Base):
    """An agency taking part in an item: the lead, or a supporting agency with its answer."""
    __tablename__ = "participants"
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    role: Mapped[str] = mapped_column(String(12))  # lead | supporting
    response: Mapped[str] = mapped_column(String(12))  # confirmed | pending | declined
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    item: Mapped[Item] = relationship(back_populates="participants")

    __table_args__ = (Index("ix_participants_agency", "agency_id", "item_id"),)


class Booking(Base):
    """Time a scheduled item holds on one resource: an agency, an official or a venue.

    One row per (item, resource) while the item is scheduled; clash checks and free-slot
    searches are range queries on ``(resource, starts_at)``.
    """
    __tablename__ = "bookings"
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    resource: Mapped[str] = mapped_column(String(300), primary_key=True)  # "agency:<id>", "official:<name>", "venue:<name>"
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_bookings_resource_starts", "resource", "starts_at"),)


class BookingLock(Base):
    """One row that every change of bookings updates first, so that clash checks and the bookings
    they allow are serialised across processes (SQLite and PostgreSQL alike)."""
    __tablename__ = "booking_lock"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class HistoryEntry(Base):
    """Who changed what on an item, when and why."""
    __tablename__ = "item_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor_agency_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    # The person who acted (an account), kept as named then: None for a key or the system.
    actor_account_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    actor_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)
    action: Mapped[str] = mapped_column(String(30))
    changes: Mapped[str] = mapped_column(Text, default="{}")  # JSON {field: [before, after]}
    reason: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer)


class FeedLink(Base):
    """An agency's secret feed link; only the token's SHA-256 is kept, rotating replaces it."""
    __tablename__ = "feed_links"
    agency_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
