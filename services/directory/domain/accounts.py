"""People of an agency: invited by an admin, set their own password, deactivated (never deleted:
histories keep their name). Their own changes of password, TOTP and email: ``own_sign_in``."""
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from services.directory import schemas
from services.directory.domain.coordinators import require_self_or_coordinator
from services.directory.domain.credentials import hash_password, token_hash
from services.directory.domain.details import get_agency
from services.directory.domain.passwords import require_acceptable_password
from services.directory.domain.sessions import end_sessions_of
from services.directory.models import Account, Agency, Invite
from shared.errors import Conflict, Forbidden, NotFound
from shared.rules import load
from shared.schemas import name_key

INVITE_HOURS = 72


@dataclass
class InvitedAccount:
    account: Account
    invite_token: str
    invite_expires_at: datetime


@dataclass
class InviteView:
    account_id: str
    name: str
    email: str
    agency_name: str
    expires_at: datetime


def require_account_admin(actor, agency_id):
    """An agency's accounts are managed by its admins (or its keys: machines act as the agency);
    the coordinator's admins and keys manage every agency's."""
    if actor and actor.get("account_id") and actor.get("account_role") != "admin":
        raise Forbidden("only an admin of the agency may manage its accounts")
    require_self_or_coordinator(actor, agency_id)


def invite_account(uow, actor, agency_id, data, now):
    """A new account of the agency and its one-time link (the token, shown once)."""
    require_account_admin(actor, agency_id)
    return new_account(uow, get_agency(uow.session, agency_id), load(schemas.AccountInput, data),
                       actor.get("account_id"), now)


def invite_first_admin(uow, agency_id, data, now):
    """The forum's first account, an admin of the coordinator made by ``bakohumas bootstrap``.
    No actor: there is nobody to act yet, and once anybody has an account this is refused."""
    if uow.session.scalar(select(func.count()).select_from(Account)):
        raise Conflict("this forum already has accounts; ask one of its admins for an invitation")
    agency = get_agency(uow.session, agency_id)
    if agency.role != "coordinator":
        raise Conflict("the first account belongs to the coordinator", {"agency_id": ["not the coordinator"]})
    return new_account(uow, agency, load(schemas.AccountInput, {**data, "account_role": "admin"}), None, now)


def new_account(uow, agency, values, invited_by, now):
    if not agency.active:
        raise Conflict("the agency is inactive", {"agency_id": ["inactive agency"]})
    key = name_key(values["email"])
    if uow.session.scalar(select(Account.id).where(Account.email_key == key)):
        raise Conflict("an account with this email already exists", {"email": ["already has an account"]})
    account = Account(id=str(uuid.uuid4()), agency_id=agency.id, name=values["name"], email=values["email"],
                      email_key=key, phone=values["phone"], account_role=values["account_role"],
                      language=values["language"], active=True, invited_by=invited_by, failed_logins=0,
                      created_at=now)
    uow.session.add(account)
    uow.session.flush()
    token, invite = new_invite(uow, account, now)
    uow.emit("account.invited", {"account_id": account.id, "agency_id": agency.id})
    return InvitedAccount(account, token, invite.expires_at)


def new_invite(uow, account, now):
    token = secrets.token_urlsafe(32)
    invite = Invite(id=str(uuid.uuid4()), account_id=account.id, token_hash=token_hash(token), created_at=now,
                    expires_at=now + timedelta(hours=INVITE_HOURS))
    uow.session.add(invite)
    uow.session.flush()
    return token, invite


def _usable_invite(session, invite_token_hash, now):
    row = session.execute(select(Invite, Account, Agency).join(Account, Account.id == Invite.account_id)
                          .join(Agency, Agency.id == Account.agency_id)
                          .where(Invite.token_hash == invite_token_hash)).first()
    if row is None:
        raise NotFound("this invitation link is unknown, used or expired")
    invite, account, agency = row
    if invite.used_at or invite.expires_at <= now or not account.active or not agency.active:
        raise NotFound("this invitation link is unknown, used or expired")
    return invite, account, agency


def read_invite(session, invite_token_hash, now):
    """Whom an unused, unexpired invitation is for (the page that sets the password shows it)."""
    invite, account, agency = _usable_invite(session, invite_token_hash, now)
    return InviteView(account.id, account.name, account.email, agency.name, invite.expires_at)


def accept_invite(uow, invite_token_hash, data, now):
    """The invited person sets a password; the link is then spent. On a link renewed for an account
    that had a password (a forgotten one), the new one replaces it and every session ends."""
    values = load(schemas.PasswordInput, data)
    invite, account, _agency = _usable_invite(uow.session, invite_token_hash, now)
    require_acceptable_password(uow.session, values["password"], account.email, "password")
    invite.used_at = now
    account.password_hash = hash_password(values["password"])
    account.failed_logins, account.locked_until = 0, None
    if account.activated_at is None:
        account.activated_at = now
        uow.emit("account.activated", {"account_id": account.id, "agency_id": account.agency_id})
    else:
        end_sessions_of(uow, account, now)
    return account


def renew_invite(uow, actor, agency_id, account_id, now):
    """A new one-time link for an active account (an invitation that expired, or a forgotten password);
    the account's earlier unused links stop working."""
    require_account_admin(actor, agency_id)
    account = account_of(uow.session, agency_id, account_id)
    if not account.active:
        raise Conflict("the account is deactivated", {"account_id": ["deactivated account"]})
    for earlier in uow.session.scalars(select(Invite).where(Invite.account_id == account.id,
                                                            Invite.used_at.is_(None))):
        earlier.used_at = now
    token, invite = new_invite(uow, account, now)
    return InvitedAccount(account, token, invite.expires_at)


def list_accounts(session, actor, agency_id):
    require_account_admin(actor, agency_id)
    get_agency(session, agency_id)
    return session.scalars(select(Account).where(Account.agency_id == agency_id)
                           .order_by(Account.active.desc(), Account.name, Account.id)).all()


def account_of(session, agency_id, account_id):
    account = session.get(Account, account_id)
    if account is None or account.agency_id != agency_id:
        raise NotFound(f"no account {account_id} in this agency", {"account_id": ["unknown account"]})
    return account


def deactivate_account(uow, actor, agency_id, account_id, now):
    """The account signs in no more, and its sessions end at once; its name stays in every history."""
    require_account_admin(actor, agency_id)
    account = account_of(uow.session, agency_id, account_id)
    if account.id == actor.get("account_id"):
        raise Conflict("you cannot deactivate your own account; ask another admin",
                       {"account_id": ["your own account"]})
    if account.active:
        account.active, account.deactivated_at = False, now
        end_sessions_of(uow, account, now)
        uow.emit("account.deactivated", {"account_id": account.id, "agency_id": account.agency_id})
    return account


def account_contacts(session, agency_id):
    """The agency's people who can be reached: active accounts that have set their password."""
    return session.scalars(select(Account).where(Account.agency_id == agency_id, Account.active.is_(True),
                                                 Account.activated_at.is_not(None))
                           .order_by(Account.name, Account.id)).all()
