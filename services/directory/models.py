"""Tables of the directory service."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import UtcDateTime, bookkeeping_tables, utcnow
from shared.schemas import (EMAIL_LENGTH, ID_LENGTH, KEY_LABEL_LENGTH, NAME_LENGTH, PHONE_LENGTH,
                            SHORT_NAME_LENGTH)


class Base(DeclarativeBase):
    pass


OutboxMessage, HandledEvent, IdempotentAnswer = bookkeeping_tables(Base)


class Agency(Base):
    __tablename__ = "agencies"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    short_name: Mapped[str] = mapped_column(String(SHORT_NAME_LENGTH), unique=True)
    # The short name as compared for uniqueness (shared.schemas.name_key): "HUMAS-X", "humas-x "
    # and "ＨＵＭＡＳ-Ｘ" are one name, so the unique index holds even under concurrent registrations.
    short_name_key: Mapped[str | None] = mapped_column(String(SHORT_NAME_LENGTH), unique=True, index=True,
                                                       nullable=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    role: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"), nullable=True, index=True)
    region_code: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # The answer to "GET one agency" (with its sub-units), rewritten whenever it or a sub-unit
    # changes, so that the most frequent read is one primary-key lookup.
    detail_json: Mapped[str | None] = mapped_column(Text, nullable=True)

    # Lists are replaced as a whole on update, in their given order.
    officers: Mapped[list["HumasOfficer"]] = relationship(
        order_by="HumasOfficer.position_in_list", cascade="all, delete-orphan")
    channels: Mapped[list["Channel"]] = relationship(
        order_by="Channel.platform", cascade="all, delete-orphan")
    contributors: Mapped[list["Contributor"]] = relationship(
        order_by="Contributor.position_in_list", cascade="all, delete-orphan")
    search_words: Mapped[list["SearchWord"]] = relationship(cascade="all, delete-orphan")


# Compared by code point on PostgreSQL as on SQLite, so that a range [word, word + U+10FFFF) is
# exactly the words that begin with it, read from the index.
SEARCH_WORD = String(NAME_LENGTH).with_variant(String(NAME_LENGTH, collation="C"), "postgresql")


class SearchWord(Base):
    """A word of an agency's name or short name as people type it (shared.schemas.name_key): pickers
    find agencies by the beginnings of their words through the index on ``word``."""
    __tablename__ = "agency_search_words"
    __table_args__ = (Index("ix_agency_search_words_word", "word", "agency_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    word: Mapped[str] = mapped_column(SEARCH_WORD)


class AttachedPerson:
    """Columns of a person listed on an agency, in the order the agency gave."""
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    position_in_list: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    email: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH), nullable=True)


class HumasOfficer(AttachedPerson, Base):
    """A person who speaks or publishes for the agency (kepala humas, PPID, spokesperson...)."""
    __tablename__ = "humas_officers"
    position: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")


class Contributor(AttachedPerson, Base):
    """A news contributor attached to the agency (often someone in one of its sub-units)."""
    __tablename__ = "contributors"
    unit: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")


class Channel(Base):
    """An official channel of the agency: one per platform, kept as its canonical URL."""
    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("agency_id", "platform"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(500))


class ApiKey(Base):
    """An agency's API key; only its SHA-256 is kept (keys are random, so no slow hash is needed)."""
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(KEY_LABEL_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Account(Base):
    """A person of one agency who signs in to the console; deactivated, never deleted (histories
    keep the name). ``password_hash`` is None until the person accepts the invitation."""
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    # The email as compared (shared.schemas.name_key): one person, however the address is cased.
    email_key: Mapped[str] = mapped_column(String(EMAIL_LENGTH), unique=True)
    phone: Mapped[str | None] = mapped_column(String(PHONE_LENGTH), nullable=True)
    account_role: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5), default="id")
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The last TOTP time step accepted: a code is good once.
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    invited_by: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Invite(Base):
    """A one-time link to set an account's password; only the token's SHA-256 is kept."""
    __tablename__ = "account_invites"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ConsoleSession(Base):
    """A signed-in browser: kept here so every gateway instance shares it; only the token's SHA-256."""
    __tablename__ = "console_sessions"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
