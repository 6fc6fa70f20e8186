"""API keys: issued to an active agency, kept only as a hash, revoked for good; who a key is."""
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from services.directory import schemas
from services.directory.domain.accounts import require_account_admin
from services.directory.domain.coordinators import require_self_or_coordinator
from services.directory.domain.details import get_agency
from services.directory.models import Agency, ApiKey
from shared.errors import Conflict, NotFound
from shared.rules import load

KEY_PREFIX = "bkh_"


@dataclass
class Caller:
    """Who an API key acts for, as the gateway needs it (``schemas.Caller``)."""
    key_id: str
    agency_id: str
    role: str
    short_name: str
    name: str
    kind: str


def hash_key(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_key_secret():
    return KEY_PREFIX + secrets.token_urlsafe(32)


def issue_key(uow, actor, agency_id, data, now):
    """A new key for the agency (the actor itself, or a coordinator; a person only as an admin):
    ``(key, secret)``."""
    require_account_admin(actor, agency_id)
    values = load(schemas.KeyInput, data)
    return new_key(uow, get_agency(uow.session, agency_id), values["label"], now)


def new_key(uow, agency, label, now):
    if not agency.active:
        raise Conflict("the agency is inactive", {"agency_id": ["inactive agency"]})
    secret = new_key_secret()
    key = ApiKey(id=str(uuid.uuid4()), agency_id=agency.id, key_hash=hash_key(secret),
                 prefix=secret[:len(KEY_PREFIX) + 6], label=label, created_at=now)
    uow.session.add(key)
    uow.session.flush()
    return key, secret


def list_keys(session, actor, agency_id):
    require_self_or_coordinator(actor, agency_id)
    get_agency(session, agency_id)
    return session.scalars(select(ApiKey).where(ApiKey.agency_id == agency_id)
                           .order_by(ApiKey.created_at, ApiKey.id)).all()


def revoke_key(uow, actor, agency_id, key_id, now):
    """Keys are managed by the agency's admins (and its keys); the coordinator's, every agency's."""
    require_account_admin(actor, agency_id)
    key = uow.session.get(ApiKey, key_id)
    if key is None or key.agency_id != agency_id:
        raise NotFound(f"no key {key_id} for this agency", {"key_id": ["unknown key"]})
    if key.revoked_at is None:
        key.revoked_at = now
        uow.emit("key.revoked", {"key_id": key.id, "agency_id": key.agency_id})
    return key


def authenticate(session, secret_hash):
    """The caller behind a key hash, or None when the key is unknown, revoked or its agency inactive."""
    row = session.execute(
        select(ApiKey, Agency).join(Agency, Agency.id == ApiKey.agency_id)
        .where(ApiKey.key_hash == secret_hash)).first()
    if row is None:
        return None
    key, agency = row
    if not hmac.compare_digest(key.key_hash, secret_hash) or key.revoked_at or not agency.active:
        return None
    return Caller(key.id, agency.id, agency.role, agency.short_name, agency.name, agency.kind)
