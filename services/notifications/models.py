"""Tables of the notifications service: the only place (beside the directory) that keeps how to
reach a person. A message's address is kept with it; nothing personal leaves in an event or a log."""
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.agencies import AgencyCopy
from shared.db import UtcDateTime, bookkeeping_tables, utcnow
from shared.schemas import EMAIL_LENGTH, ID_LENGTH, NAME_LENGTH

PERSON_LENGTH = 60
KIND_LENGTH = 40
# An event's id, or ``wa:`` and a WhatsApp message id kept whole (the door refuses ids over 250).
EVENT_ID_LENGTH = 255
WAMID_LENGTH = 255


class Base(DeclarativeBase):
    pass


OutboxMessage, HandledEvent, IdempotentAnswer = bookkeeping_tables(Base)


class Agency(AgencyCopy, Base):
    __tablename__ = "agencies"


class Notice(Base):
    """Something that happened and who should hear of it (agencies, or a complaint's reporter),
    waiting to be fanned out to people: finding the people is an RPC, made outside any transaction."""
    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(KIND_LENGTH))
    agency_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list; empty for a reporter notice
    complaint_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON: ids, states, headlines: nothing personal
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    __table_args__ = (UniqueConstraint("event_id", "kind", name="uq_notice_event_kind"),)


class Message(Base):
    """One message to one person by one channel: the outbox, the delivery log and the digest's items.

    ``(event_id, person, channel)`` is unique: a redelivered event never sends twice, and a digest
    (``event_id`` ``digest:<day>``) is built once per person and day whatever the instances.
    """
    __tablename__ = "messages"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(EVENT_ID_LENGTH))
    person: Mapped[str] = mapped_column(String(PERSON_LENGTH), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(KIND_LENGTH))
    agency_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True, index=True)
    language: Mapped[str] = mapped_column(String(5), default="id")
    # None for a reporter: the address is asked of the complaints service when the message is sent.
    address: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH), nullable=True)
    name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)
    zone: Mapped[str] = mapped_column(String(40), default="Asia/Makassar")
    params: Mapped[str] = mapped_column(Text, default="{}")
    # pending, retrying, sent, failed; waiting (for the digest), digested (sent in one), skipped
    state: Mapped[str] = mapped_column(String(20), index=True)
    digest_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    leased_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # WhatsApp: the id Meta gave the sent message, and the last status it reported of it
    # (sent, delivered, read or failed), so the delivery log says what Meta said.
    wamid: Mapped[str | None] = mapped_column(String(WAMID_LENGTH), nullable=True, index=True)
    reported: Mapped[str | None] = mapped_column(String(20), nullable=True)
    __table_args__ = (UniqueConstraint("event_id", "person", "channel", name="uq_message_event_person_channel"),
                      Index("ix_messages_due", "state", "next_attempt_at"))


class WhatsAppWindow(Base):
    """When a citizen last wrote to the forum's WhatsApp number (Meta's time of the message): free text
    reaches them only within 24 hours of it, a template after. Keyed by the number's hash, as replies are."""
    __tablename__ = "whatsapp_windows"
    person: Mapped[str] = mapped_column(String(PERSON_LENGTH), primary_key=True)
    last_message_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Reminder(Base):
    """A reminder due before a deadline (an asked agency's amplification), unless answered first."""
    __tablename__ = "reminders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    agency_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    remind_at: Mapped[datetime] = mapped_column(UtcDateTime())
    params: Mapped[str] = mapped_column(Text, default="{}")
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending, sent, answered
    __table_args__ = (UniqueConstraint("request_id", "agency_id", name="uq_reminder_request_agency"),
                      Index("ix_reminders_due", "state", "remind_at"))


class Preference(Base):
    """How a person wants one kind of message: ``immediate``, ``digest`` or ``off``; absent, the
    default of the person's role. A person's ``channel`` row (kind ``channel``) is ``mail`` or ``whatsapp``."""
    __tablename__ = "preferences"
    person: Mapped[str] = mapped_column(String(PERSON_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(KIND_LENGTH), primary_key=True)
    mode: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
