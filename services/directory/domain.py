"""Directory rules: membership, hierarchy, who may act for whom, API keys."""
import hashlib
import hmac
import secrets
import uuid

from marshmallow import ValidationError
from sqlalchemy import func, select

from services.directory import schemas
from services.directory.models import Agency, ApiKey
from shared.db import utcnow
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed, from_marshmallow

KEY_PREFIX = "bkh_"


def hash_key(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_key_secret():
    return KEY_PREFIX + secrets.token_urlsafe(32)


def snapshot(agency):
    """The agency as other services may keep it (the shared contract's AgencySnapshot)."""
    return {
        "id": agency.id, "name": agency.name, "short_name": agency.short_name, "kind": agency.kind,
        "role": agency.role, "parent_id": agency.parent_id, "region_code": agency.region_code,
        "active": agency.active,
    }


def load(schema_cls, data, **kwargs):
    try:
        return schema_cls(**kwargs).load(data or {})
    except ValidationError as exc:
        raise from_marshmallow(exc) from None


def require_coordinator(actor):
    if not actor or actor.get("role") != "coordinator":
        raise Forbidden("only a coordinator of the forum may do this")


def require_self_or_coordinator(actor, agency_id):
    if not actor or (actor.get("role") != "coordinator" and actor.get("agency_id") != agency_id):
        raise Forbidden("an agency may act only for itself")


def get_agency(session, agency_id):
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound(f"no agency {agency_id}", {"agency_id": ["unknown agency"]})
    return agency


def register_agency(uow, data):
    """Add a member to the forum; emits ``agency.registered``."""
    values = load(schemas.AgencyInput, data)
    session = uow.session
    clash = session.scalar(select(Agency).where(
        func.lower(Agency.short_name) == values["short_name"].lower()))
    if clash is not None:
        raise Conflict("short name already in use", {"short_name": ["already used by another agency"]})
    if values["parent_id"] is not None and session.get(Agency, values["parent_id"]) is None:
        raise ValidationFailed("parent agency does not exist", {"parent_id": ["unknown agency"]})
    agency = Agency(id=str(uuid.uuid4()), active=True, **values)
    session.add(agency)
    session.flush()
    uow.emit("agency.registered", {"agency": snapshot(agency)})
    return agency


def has_coordinator(session):
    return session.scalar(select(func.count()).select_from(Agency).where(
        Agency.role == "coordinator", Agency.active.is_(True))) > 0


def bootstrap_forum(uow, data):
    """Create the first coordinator of a forum that has none yet, and its first key."""
    if has_coordinator(uow.session):
        raise Conflict("this forum already has a coordinator; ask it for a key")
    agency = register_agency(uow, {**data, "role": "coordinator"})
    key, secret = issue_key(uow, agency.id, "bootstrap")
    return agency, key, secret


def issue_key(uow, agency_id, label=""):
    agency = get_agency(uow.session, agency_id)
    if not agency.active:
        raise Conflict("the agency is inactive", {"agency_id": ["inactive agency"]})
    secret = new_key_secret()
    key = ApiKey(id=str(uuid.uuid4()), agency_id=agency.id, key_hash=hash_key(secret),
                 prefix=secret[:len(KEY_PREFIX) + 6], label=label)
    uow.session.add(key)
    uow.session.flush()
    return key, secret


def revoke_key(uow, agency_id, key_id):
    key = uow.session.get(ApiKey, key_id)
    if key is None or key.agency_id != agency_id:
        raise NotFound(f"no key {key_id} for this agency", {"key_id": ["unknown key"]})
    if key.revoked_at is None:
        key.revoked_at = utcnow()
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
    return {"key_id": key.id, "agency_id": agency.id, "role": agency.role, "short_name": agency.short_name}
