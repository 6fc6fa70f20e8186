"""Tables of the complaints service."""
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.agencies import AgencyCopy
from shared.db import UtcDateTime, bookkeeping_tables, utcnow
from shared.local_holidays import LocalHolidayCopy, LocalHolidaysAsOf
from shared.schemas import (ADDRESS_LENGTH, CATEGORY_CODE_LENGTH, CATEGORY_NAME_LENGTH, EMAIL_LENGTH, ID_LENGTH,
                            NAME_LENGTH)


class Base(DeclarativeBase):
    pass


OutboxMessage, HandledEvent, IdempotentAnswer = bookkeeping_tables(Base)


class Agency(AgencyCopy, Base):
    __tablename__ = "agencies"


class LocalHoliday(LocalHolidayCopy, Base):
    __tablename__ = "local_holidays"


class LocalHolidaysKept(LocalHolidaysAsOf, Base):
    __tablename__ = "local_holidays_as_of"


class Category(Base):
    __tablename__ = "categories"
    code: Mapped[str] = mapped_column(String(CATEGORY_CODE_LENGTH), primary_key=True)
    name_id: Mapped[str] = mapped_column(String(CATEGORY_NAME_LENGTH))
    name_en: Mapped[str] = mapped_column(String(CATEGORY_NAME_LENGTH))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RoutingRule(Base):
    """Complaints of ``category`` in ``region_code`` (a prefix) go to ``agency_id``, or to the
    active agency of ``agency_kind`` that serves the complaint's region."""
    __tablename__ = "routing_rules"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    category: Mapped[str | None] = mapped_column(String(CATEGORY_CODE_LENGTH), nullable=True)
    region_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    agency_kind: Mapped[str | None] = mapped_column(String(30), nullable=True)
    agency_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Complaint(Base):
    __tablename__ = "complaints"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(40), unique=True)
    reporter_secret_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(CATEGORY_CODE_LENGTH), nullable=True, index=True)
    target_agency_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    about_agency_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    filed_by_agency_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    region_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    address: Mapped[str | None] = mapped_column(String(ADDRESS_LENGTH), nullable=True)
    attachments: Mapped[str] = mapped_column(Text, default="[]")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)
    reporter_phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    reporter_email: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH), nullable=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    agency_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True, index=True)
    routed_by: Mapped[str] = mapped_column(String(60))
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    verify_due: Mapped[datetime] = mapped_column(UtcDateTime())
    follow_up_due: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    settle_due: Mapped[datetime] = mapped_column(UtcDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    verify_escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    follow_up_escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    settle_escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # When the one-working-day reminder of each stage's deadline went out (``complaint.deadline_near``).
    verify_reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    follow_up_reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    settle_reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    forwarded_count: Mapped[int] = mapped_column(Integer, default=0)


class Forward(Base):
    """One pelimpahan handshake: proposed, then accepted, refused, or decided by the coordinator."""
    __tablename__ = "forwards"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaints.id"), index=True)
    from_agency_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    to_agency_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))
    answer_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class AuditEntry(Base):
    """Every step of a complaint; ``public`` ones make the tracking page's history."""
    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(60))
    # The person who acted (an account), kept as named then: None for a key, the system or the reporter.
    actor_account_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    actor_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    agency_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False)


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaints.id"), index=True)
    agency_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    visibility: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Attachment(Base):
    """A file the reporter sent (at intake or as a supplement), as the gateway checked and cleaned it."""
    __tablename__ = "attachments"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaints.id"), index=True)
    filename: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    source: Mapped[str] = mapped_column(String(20))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())
