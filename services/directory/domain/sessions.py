"""Console sessions: signing in (slowed, then locked, after repeated failures, never saying whether an
email exists), who a session is, and its end (logout, deactivation, password change, timeouts).

The gateway makes the session's random token, keeps it in the browser's cookie and sends only its
SHA-256 here: the token itself never travels on the bus nor rests in a database.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from services.directory import schemas
from services.directory.domain.credentials import hash_password, needs_rehash, password_matches, totp_step
from services.directory.models import Account, Agency, ConsoleSession
from shared.rules import load
from shared.schemas import name_key

ABSOLUTE_TIMEOUT = timedelta(hours=12)
IDLE_TIMEOUT = timedelta(minutes=30)
# How often a session's last-seen time is written (a session seen more often is not written each time).
SEEN_EVERY = timedelta(minutes=1)
# From the SLOW_AFTER-th failure in a row each one makes the account wait SLOW_WAIT; from the
# LOCK_AFTER-th, LOCK_WAIT. A success (or a new password from an invitation) starts the count again.
SLOW_AFTER, SLOW_WAIT = 3, timedelta(seconds=30)
LOCK_AFTER, LOCK_WAIT = 6, timedelta(minutes=15)


@dataclass
class SessionActor:
    """A signed-in person: the actor of every RPC (``key_id`` None) and the session's deadline."""
    session_id: str
    agency_id: str
    role: str
    account_id: str
    account_name: str
    account_role: str
    agency_name: str
    agency_short_name: str
    language: str
    expires_at: datetime


@dataclass
class SignedIn:
    token: str | None = None
    session: SessionActor | None = None
    totp_required: bool = False


@dataclass
class PasswordCheck:
    """A password verified against the hash an account had when it was read (None: no such email)."""
    account_id: str | None
    password_hash: str | None
    right: bool


def check_password(session, data):
    """The sign-in's argon2 verification, on a reading session of its own: it takes long, and a unit of
    work must not wait on it (on SQLite a unit of work holds the process's one writer lock, which every
    other write and session check waits for). An unknown email is verified against a throwaway hash,
    so it takes as long as a wrong password."""
    values = load(schemas.SignInInput, data)
    account = session.execute(select(Account).where(Account.email_key == name_key(values["email"]))).scalar()
    stored = account.password_hash if account else None
    return PasswordCheck(account.id if account else None, stored, password_matches(stored, values["password"]))


def sign_in(uow, data, checked, session_token_hash, now):
    """A new session for the right email, password (``checked`` by ``check_password``, and still the
    account's) and TOTP code when enrolled, kept under ``session_token_hash``; else ``SignedIn()``
    with nothing in it, the same for an unknown email, a wrong password, a locked or deactivated
    account."""
    values = load(schemas.SignInInput, data)
    row = uow.session.execute(select(Account, Agency).join(Agency, Agency.id == Account.agency_id)
                              .where(Account.email_key == name_key(values["email"]))).first()
    account, agency = row if row else (None, None)
    # A password changed between the check and now was checked against the old one: not right.
    password_right = (checked.right and account is not None and account.id == checked.account_id
                      and account.password_hash == checked.password_hash)
    if account is None or not account.active or not agency.active:
        return SignedIn()
    if account.locked_until and account.locked_until > now:
        return SignedIn()
    if not password_right:
        record_failure(account, now)
        return SignedIn()
    if account.totp_secret:  # said only to who knows the password
        if not values["totp_code"]:
            return SignedIn(totp_required=True)
        step = totp_step(account.totp_secret, values["totp_code"], account.totp_last_step, now)
        if step is None:
            record_failure(account, now)
            return SignedIn(totp_required=True)
        account.totp_last_step = step
    account.failed_logins, account.locked_until = 0, None
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(values["password"])
    session = ConsoleSession(id=str(uuid.uuid4()), account_id=account.id, token_hash=session_token_hash,
                             created_at=now, last_seen_at=now, expires_at=now + ABSOLUTE_TIMEOUT)
    uow.session.add(session)
    uow.session.flush()
    return SignedIn(session_token_hash, actor_of(session, account, agency))


def record_failure(account, now):
    account.failed_logins = (account.failed_logins or 0) + 1
    if account.failed_logins >= LOCK_AFTER:
        account.locked_until = now + LOCK_WAIT
    elif account.failed_logins >= SLOW_AFTER:
        account.locked_until = now + SLOW_WAIT


def actor_of(session, account, agency):
    deadline = min(session.expires_at, session.last_seen_at + IDLE_TIMEOUT)
    return SessionActor(session.id, agency.id, agency.role, account.id, account.name, account.account_role,
                        agency.name, agency.short_name, account.language, deadline)


def resolve_session(uow, session_token_hash, now):
    """Who holds the session, or None when it is unknown, ended, idle too long or too old, or its
    account or agency is no longer active. Its last-seen time moves at most once a minute."""
    row = uow.session.execute(
        select(ConsoleSession, Account, Agency).join(Account, Account.id == ConsoleSession.account_id)
        .join(Agency, Agency.id == Account.agency_id)
        .where(ConsoleSession.token_hash == session_token_hash)).first()
    if row is None:
        return None
    session, account, agency = row
    if (session.ended_at or now >= session.expires_at or now >= session.last_seen_at + IDLE_TIMEOUT
            or not account.active or not agency.active):
        return None
    if now - session.last_seen_at >= SEEN_EVERY:
        session.last_seen_at = now
    return actor_of(session, account, agency)


def end_session(uow, session_token_hash, now):
    """Sign out: the session ends (and every gateway forgets it on ``session.ended``)."""
    session = uow.session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == session_token_hash))
    if session is not None and session.ended_at is None:
        account = uow.session.get(Account, session.account_id)
        finish(uow, session, account, now)


def end_sessions_of(uow, account, now, keep=None):
    """End every open session of ``account`` (but the one kept under the hash ``keep``)."""
    for session in uow.session.scalars(select(ConsoleSession).where(
            ConsoleSession.account_id == account.id, ConsoleSession.ended_at.is_(None),
            ConsoleSession.expires_at > now)):
        if session.token_hash != keep:
            finish(uow, session, account, now)


def finish(uow, session, account, now):
    session.ended_at = now
    uow.emit("session.ended", {"session_id": session.id, "account_id": account.id,
                               "agency_id": account.agency_id})
