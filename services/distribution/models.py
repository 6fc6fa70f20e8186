"""Tables of the distribution service."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.agencies import AgencyCopy
from shared.db import UtcDateTime, bookkeeping_tables, utcnow
from shared.schemas import HEADLINE_LENGTH, ID_LENGTH, NAME_LENGTH, URL_LENGTH


class Base(DeclarativeBase):
    pass


OutboxMessage, HandledEvent, IdempotentAnswer = bookkeeping_tables(Base)


class Agency(AgencyCopy, Base):
    __tablename__ = "agencies"


class ContentItem(Base):
    """One piece of content in its current version; ``version`` goes up on every draft edit and correction."""
    __tablename__ = "content_items"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), index=True)
    pub_status: Mapped[str] = mapped_column(String(20), default="usable")
    version: Mapped[int] = mapped_column(Integer, default=1)
    headline: Mapped[str] = mapped_column(String(HEADLINE_LENGTH))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5))
    subjects: Mapped[list] = mapped_column(JSON, default=list)
    byline: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    place: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    co_issuers: Mapped[list] = mapped_column(JSON, default=list)
    calendar_item_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True, index=True)
    calendar_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    embargo_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    claim: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    change_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    withdraw_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    first_created: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    version_created: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)

    __table_args__ = (Index("ix_content_due_embargo", "state", "embargo_until"),)


class Approval(Base):
    """A co-issuing agency's approval of one version of a joint release."""
    __tablename__ = "approvals"
    item_id: Mapped[str] = mapped_column(ForeignKey("content_items.id"), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    approved_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # The person who approved for the agency, kept as named then: None when its key did.
    account_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    account_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)


class Subscription(Base):
    """A webhook destination with its filters; the secret signs every delivery."""
    __tablename__ = "subscriptions"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    owner_agency_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100), nullable=True)
    previous_secret_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    types: Mapped[list] = mapped_column(JSON, default=list)
    agencies: Mapped[list] = mapped_column(JSON, default=list)
    subjects: Mapped[list] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(5), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    @property
    def filters(self):
        """What the destination receives, as it registered it."""
        return {"types": self.types, "agencies": self.agencies, "subjects": self.subjects,
                "language": self.language}


class Delivery(Base):
    """One message to one subscription; its id is the stable ``webhook-id`` of every attempt."""
    __tablename__ = "deliveries"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"),
                                                 index=True)
    item_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    item_version: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(40))
    priority: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    leased_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    __table_args__ = (Index("ix_deliveries_due", "state", "next_attempt_at"),)


class AmplificationRequest(Base):
    """A call on members to re-share an item by a deadline."""
    __tablename__ = "amplification_requests"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("content_items.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    message: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[datetime] = mapped_column(UtcDateTime())
    members: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Amplification(Base):
    """A member's answer: the URL of its re-post."""
    __tablename__ = "amplifications"
    request_id: Mapped[str] = mapped_column(ForeignKey("amplification_requests.id"), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    responded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
