"""A person's own ways of signing in: password, second factor (TOTP) and email. Each change asks for
the current password, and the current code of the authenticator app when the account has one (a
session alone, a borrowed laptop or a stolen cookie, changes none of them), and ends the account's
other sessions. The console mails the person when the second factor changes."""
from dataclasses import dataclass

import pyotp
from sqlalchemy import select

from services.directory import schemas
from services.directory.domain.credentials import hash_password, password_matches, totp_step
from services.directory.domain.passwords import require_acceptable_password
from services.directory.domain.sessions import end_sessions_of
from services.directory.models import Account
from shared.errors import Conflict, Forbidden, NotFound
from shared.rules import load
from shared.schemas import name_key

TOTP_ISSUER = "Bakohumas Hub"


@dataclass
class TotpEnrolment:
    secret: str
    uri: str


@dataclass
class SecondFactorChange:
    account: Account
    change: str  # added, replaced or removed


def own_account(session, actor):
    account = session.get(Account, (actor or {}).get("account_id") or "")
    if account is None or not account.active:
        raise Forbidden("this is done by a signed-in person, for their own account")
    return account


def get_own_account(session, actor):
    return own_account(session, actor)


def prove_it_is_you(account, values, now):
    """The current password, then the current code when TOTP is on (a code is good once)."""
    if not password_matches(account.password_hash, values["current_password"]):
        raise Forbidden("the current password is not right", {"current_password": ["not your current password"]})
    if account.totp_secret:
        step = totp_step(account.totp_secret, values["current_code"], account.totp_last_step, now)
        if step is None:
            raise Forbidden("the code of the authenticator app is not right",
                            {"current_code": ["not the code your app shows now"]})
        account.totp_last_step = step


def change_password(uow, actor, keep_session_hash, data, now):
    """A new password, given the proof; every other session of the account ends."""
    values = load(schemas.PasswordChange, data)
    account = own_account(uow.session, actor)
    prove_it_is_you(account, values, now)
    require_acceptable_password(uow.session, values["new_password"], account.email, "new_password")
    account.password_hash = hash_password(values["new_password"])
    end_sessions_of(uow, account, now, keep=keep_session_hash)
    return account


def change_email(uow, actor, keep_session_hash, data, now):
    """A new email to sign in with, given the proof; every other session of the account ends."""
    values = load(schemas.EmailChange, data)
    account = own_account(uow.session, actor)
    prove_it_is_you(account, values, now)
    key = name_key(values["email"])
    if uow.session.scalar(select(Account.id).where(Account.email_key == key, Account.id != account.id)):
        raise Conflict("an account with this email already exists", {"email": ["already has an account"]})
    account.email, account.email_key = values["email"], key
    end_sessions_of(uow, account, now, keep=keep_session_hash)
    return account


def enrol_totp(uow, actor, data, now):
    """A new TOTP secret, given the proof, kept aside until a code from it is confirmed (``confirm_totp``);
    an account that has TOTP already keeps it until then."""
    values = load(schemas.Proof, data)
    account = own_account(uow.session, actor)
    prove_it_is_you(account, values, now)
    account.totp_pending_secret = pyotp.random_base32()
    return enrolment_of(account)


def read_totp_enrolment(session, actor):
    """The TOTP enrolment under way (its secret and URI, for the QR code), or NotFound."""
    account = own_account(session, actor)
    if not account.totp_pending_secret:
        raise NotFound("no TOTP enrolment under way")
    return enrolment_of(account)


def enrolment_of(account):
    uri = pyotp.TOTP(account.totp_pending_secret).provisioning_uri(name=account.email, issuer_name=TOTP_ISSUER)
    return TotpEnrolment(account.totp_pending_secret, uri)


def confirm_totp(uow, actor, keep_session_hash, data, now):
    """The first code from the authenticator proves the secret arrived; from now on sign-in asks for
    one, and every other session of the account ends."""
    values = load(schemas.TotpCode, data)
    account = own_account(uow.session, actor)
    if not account.totp_pending_secret:
        raise Conflict("start the TOTP enrolment first", {"code": ["no enrolment under way"]})
    step = totp_step(account.totp_pending_secret, values["code"], None, now)
    if step is None:
        raise Forbidden("the code is not right; check the time of your phone", {"code": ["not the right code"]})
    change = "replaced" if account.totp_secret else "added"
    account.totp_secret, account.totp_pending_secret, account.totp_last_step = \
        account.totp_pending_secret, None, step
    end_sessions_of(uow, account, now, keep=keep_session_hash)
    return SecondFactorChange(account, change)


def remove_totp(uow, actor, keep_session_hash, data, now):
    """Sign-in asks for the password only again, given the proof; every other session ends."""
    values = load(schemas.Proof, data)
    account = own_account(uow.session, actor)
    if not account.totp_secret:
        raise Conflict("two-step sign-in is not on", {"current_code": ["no second factor to remove"]})
    prove_it_is_you(account, values, now)
    account.totp_secret, account.totp_pending_secret, account.totp_last_step = None, None, None
    end_sessions_of(uow, account, now, keep=keep_session_hash)
    return SecondFactorChange(account, "removed")
