"""Tables of the information service: requests, their forwards, objections, audit, and each
agency's Daftar Informasi Publik."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.agencies import AgencyCopy
from shared.db import UtcDateTime, bookkeeping_tables, utcnow
from shared.schemas import ADDRESS_LENGTH, EMAIL_LENGTH, HEADLINE_LENGTH, ID_LENGTH, NAME_LENGTH, URL_LENGTH


class Base(DeclarativeBase):
    pass


OutboxMessage, HandledEvent, IdempotentAnswer = bookkeeping_tables(Base)


class Agency(AgencyCopy, Base):
    __tablename__ = "agencies"


class InformationRequest(Base):
    """One request for public information (Pasal 22 UU 14/2008). The requester's identity document
    number is never stored: only its argon2 hash (to recognise the requester filing an objection)
    and its last four characters (for the PPID to check the paper ID)."""
    __tablename__ = "requests"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    registration_number: Mapped[str] = mapped_column(String(40), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    requester_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    requester_address: Mapped[str] = mapped_column(String(ADDRESS_LENGTH))
    requester_phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    requester_email: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH), nullable=True)
    identity_hash: Mapped[str] = mapped_column(String(200))
    identity_last4: Mapped[str] = mapped_column(String(4))
    information: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    obtain: Mapped[str] = mapped_column(String(20))
    delivery: Mapped[str] = mapped_column(String(20))
    origin_agency_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    filed_by_agency_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    agency_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    clock_started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    answer_due: Mapped[datetime] = mapped_column(UtcDateTime())
    extended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    extension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decision: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    documents: Mapped[str] = mapped_column(Text, default="[]")
    exemption: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    answer_near_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    answer_escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    forwarded_count: Mapped[int] = mapped_column(Integer, default=0)


class Forward(Base):
    """"Not held here": proposed to the agency that holds it, then accepted or refused by it."""
    __tablename__ = "forwards"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    from_agency_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    to_agency_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))
    answer_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Objection(Base):
    """Keberatan to the atasan PPID (Pasal 35-36), and what became of it at the Komisi Informasi."""
    __tablename__ = "objections"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), unique=True)
    agency_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    grounds: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    due: Mapped[datetime] = mapped_column(UtcDateTime())
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    near_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    commission_filed_on: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    commission_outcome: Mapped[str | None] = mapped_column(String(30), nullable=True)
    commission_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AuditEntry(Base):
    """Every step of a request and who took it (an agency, and the person when one acted);
    ``public`` ones make the tracking page's timeline."""
    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    action: Mapped[str] = mapped_column(String(40))
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_agency_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    actor_account_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    actor_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False)


class DipEntry(Base):
    """One line of an agency's Daftar Informasi Publik (Pasal 9-11, 17 UU 14/2008)."""
    __tablename__ = "dip_entries"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    klass: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(HEADLINE_LENGTH))
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    url: Mapped[str | None] = mapped_column(String(URL_LENGTH), nullable=True)
    responsible: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)
    retention: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
