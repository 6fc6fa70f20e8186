"""Console sessions: signing in (slowed, then locked, after repeated failures, never saying whether an
email exists), who a session is, and its end (logout, deactivation, password change, timeouts).

The gateway makes the session's random token, keeps it in the browser's cookie and sends only its
SHA-256 here: the token itself never travels on the bus nor rests in a database.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal, or_, select, update

from services.directory import schemas
from services.directory.domain.credentials import hash_password, needs_rehash, password_matches, totp_step
from services.directory.models import Account, Agency, ConsoleSession
from shared.db import UtcDateTime
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


def sign_in(units, data, session_token_hash, now):
    """A new session for the right email, password (and TOTP code when enrolled), kept under
    ``session_token_hash``; else ``SignedIn()`` with nothing in it, the same for an unknown email,
    a wrong password, a locked or deactivated account (the password is verified in every case, so
    the answers take as long).

    ``units`` makes units of work: the try is counted in one, committed before the password is
    checked, and given back in another when it succeeds. Tries arriving at the same moment therefore
    each see the ones before them, and no more get to the password check than the account has left."""
    values = load(schemas.SignInInput, data)
    with units() as uow:
        attempt = take_attempt(uow, values["email"], now)
    password_right = password_matches(attempt.password_hash if attempt else None, values["password"])
    if attempt is None or not attempt.counted or not password_right:
        return SignedIn()
    with units() as uow:
        return settle(uow, attempt.account_id, values, session_token_hash, now)


@dataclass
class Attempt:
    account_id: str
    password_hash: str | None
    counted: bool


def take_attempt(uow, email, now):
    """The account's next try, counted as a failure until it succeeds (``counted`` False: the account
    is locked, or it or its agency is inactive); None for an unknown email."""
    row = uow.session.execute(select(Account.id, Account.password_hash, Account.active, Agency.active)
                              .join(Agency, Agency.id == Account.agency_id)
                              .where(Account.email_key == name_key(email))).first()
    if row is None:
        return None
    account_id, password_hash, account_active, agency_active = row
    if not (account_active and agency_active):
        return Attempt(account_id, password_hash, False)
    failures = func.coalesce(Account.failed_logins, 0) + 1
    # One statement counts the try and locks the account when it is the one that reaches a limit;
    # a locked account's row is left alone, so its tries are not counted and not checked.
    taken = uow.session.execute(
        update(Account).where(Account.id == account_id,
                              or_(Account.locked_until.is_(None), Account.locked_until <= now))
        .values(failed_logins=failures,
                locked_until=case((failures >= LOCK_AFTER, literal(now + LOCK_WAIT, UtcDateTime())),
                                  (failures >= SLOW_AFTER, literal(now + SLOW_WAIT, UtcDateTime())),
                                  else_=None))
        .returning(Account.id).execution_options(synchronize_session=False)).first()
    return Attempt(account_id, password_hash, taken is not None)


def give_back_attempt(uow, account_id):
    """Uncount a try that was no failure (the right password, the code still to come): the count
    goes down by one, and a lock stays only while the count that remains still calls for it."""
    left = func.coalesce(Account.failed_logins, 0) - 1
    uow.session.execute(
        update(Account).where(Account.id == account_id)
        .values(failed_logins=case((left > 0, left), else_=0),
                locked_until=case((left >= SLOW_AFTER, Account.locked_until), else_=None))
        .execution_options(synchronize_session=False))


def settle(uow, account_id, values, session_token_hash, now):
    """The password was right: ask for the TOTP code, or check it, or open the session."""
    account, agency = uow.session.execute(select(Account, Agency).join(Agency, Agency.id == Account.agency_id)
                                          .where(Account.id == account_id)).one()
    if not (account.active and agency.active):  # deactivated while its password was being checked
        return SignedIn()
    if account.totp_secret:  # said only to who knows the password
        if not values["totp_code"]:
            give_back_attempt(uow, account.id)
            return SignedIn(totp_required=True)
        step = totp_step(account.totp_secret, values["totp_code"], account.totp_last_step, now)
        if step is None:
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
