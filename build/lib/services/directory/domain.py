"""Directory rules: membership, hierarchy, who may act for whom, API keys."""
import hashlib
import hmac
import json
import secrets
import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from services.directory import schemas
from services.directory.models import Agency, ApiKey, Channel, Contributor, HumasOfficer
from shared.db import utcnow
from shared.rules import is_coordinator, load, require_coordinator
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.schemas import name_key

KEY_PREFIX = "bkh_"
# What an agency may change about itself; everything else is the coordinator's.
SELF_EDITABLE = frozenset({"officers", "channels", "contributors"})
OFFICER_FIELDS = ("name", "position", "title", "phone", "email")
CONTRIBUTOR_FIELDS = ("name", "unit", "phone", "email")


def hash_key(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_key_secret():
    return KEY_PREFIX + secrets.token_urlsafe(32)


def officers_of(agency):
    return [{name: getattr(o, name) for name in OFFICER_FIELDS} for o in agency.officers]


def contributors_of(agency):
    return [{name: getattr(c, name) for name in CONTRIBUTOR_FIELDS} for c in agency.contributors]


def channels_of(agency):
    return {c.platform: c.url for c in agency.channels}


def snapshot(agency):
    """The agency as other services may keep it (the shared contract's AgencySnapshot)."""
    return {
        "id": agency.id, "name": agency.name, "short_name": agency.short_name, "kind": agency.kind,
        "role": agency.role, "parent_id": agency.parent_id, "region_code": agency.region_code,
        "active": agency.active, "officers": officers_of(agency), "channels": channels_of(agency),
        "contributors": contributors_of(agency),
    }


def require_self_or_coordinator(actor, agency_id):
    if not actor or (not is_coordinator(actor) and actor.get("agency_id") != agency_id):
        raise Forbidden("an agency may act only for itself")


def require_may_change(actor, agency_id, fields):
    """The coordinator may change anything; an agency only its own officers, channels and contributors."""
    require_self_or_coordinator(actor, agency_id)
    if is_coordinator(actor):
        return
    reserved = sorted(set(fields) - SELF_EDITABLE)
    if reserved:
        raise Forbidden("an agency may change only its own officers, channels and contributors",
                        {name: ["only a coordinator may change this"] for name in reserved})


def get_agency(session, agency_id):
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound(f"no agency {agency_id}", {"agency_id": ["unknown agency"]})
    return agency


def check_short_name_free(session, short_name, agency_id=None):
    """Short names are unique regardless of case, spacing and Unicode form (they are how people
    name agencies); the unique index on ``short_name_key`` settles a race between two instances."""
    clash = session.scalar(select(Agency.id).where(
        Agency.short_name_key == name_key(short_name), Agency.id != (agency_id or "")))
    if clash is not None:
        raise Conflict("short name already in use", {"short_name": ["already used by another agency"]})


def check_parent(session, parent_id, agency_id=None):
    """The parent must exist, be active, and not be the agency itself or one of its sub-units."""
    if parent_id is None:
        return
    parent = session.get(Agency, parent_id)
    if parent is None:
        raise ValidationFailed("parent agency does not exist", {"parent_id": ["unknown agency"]})
    if not parent.active:
        raise ValidationFailed("parent agency is inactive", {"parent_id": ["inactive agency"]})
    seen = set()
    while parent is not None and parent.id not in seen:
        if parent.id == agency_id:
            raise ValidationFailed("that parent would make a cycle",
                                   {"parent_id": ["the agency itself or one of its sub-units"]})
        seen.add(parent.id)
        parent = session.get(Agency, parent.parent_id) if parent.parent_id else None


def count_active_coordinators(session):
    return session.scalar(select(func.count()).select_from(Agency).where(
        Agency.role == "coordinator", Agency.active.is_(True)))


def keep_a_coordinator(session, agency, field):
    """The forum always keeps at least one active coordinator."""
    if agency.role == "coordinator" and agency.active and count_active_coordinators(session) <= 1:
        raise Conflict("the forum needs at least one active coordinator; appoint another one first",
                       {field: ["this is the last active coordinator"]})


def set_officers(agency, officers):
    agency.officers = [HumasOfficer(position_in_list=i, **officer) for i, officer in enumerate(officers)]


def set_contributors(agency, contributors):
    agency.contributors = [Contributor(position_in_list=i, **person) for i, person in enumerate(contributors)]


def set_channels(agency, channels):
    current = {c.platform: c for c in agency.channels}
    kept = []
    for platform, url in sorted(channels.items()):
        row = current.get(platform) or Channel(platform=platform)
        row.url = url
        kept.append(row)
    agency.channels = kept


def detail(session, agency):
    """The answer of GET one agency: its fields, officers, channels, contributors and direct sub-units."""
    return {**schemas.AgencyDetail().dump(agency),
            "sub_units": schemas.Agency(many=True).dump(sub_units(session, agency.id))}


def refresh_details(session, agency, *parent_ids):
    """Rewrite the stored detail of a changed agency and of the parents that list it as a sub-unit."""
    try:
        session.flush()
    except IntegrityError:
        # Two registrations raced past check_short_name_free (possible with several instances on PostgreSQL).
        raise Conflict("short name already in use", {"short_name": ["already used by another agency"]}) from None
    parents = [session.get(Agency, pid) for pid in set(parent_ids) if pid]
    for changed in [agency, *parents]:
        changed.detail_json = json.dumps(detail(session, changed))


def stored_detail(agency):
    return json.loads(agency.detail_json)


def read_detail(session, agency_id):
    """GET one agency: one primary-key lookup of its stored detail."""
    row = session.execute(select(Agency.detail_json).where(Agency.id == agency_id)).first()
    if row is None:
        raise NotFound(f"no agency {agency_id}", {"agency_id": ["unknown agency"]})
    if row[0] is None:  # registered before details were stored, and unchanged since
        return detail(session, get_agency(session, agency_id))
    return json.loads(row[0])


def register_agency(uow, data):
    """Add a member to the forum; emits ``agency.registered``."""
    values = load(schemas.AgencyInput, data)
    session = uow.session
    check_short_name_free(session, values["short_name"])
    check_parent(session, values["parent_id"])
    officers, channels, contributors = (values.pop(k) for k in ("officers", "channels", "contributors"))
    agency = Agency(id=str(uuid.uuid4()), active=True, short_name_key=name_key(values["short_name"]), **values)
    set_officers(agency, officers)
    set_channels(agency, channels)
    set_contributors(agency, contributors)
    session.add(agency)
    refresh_details(session, agency, agency.parent_id)
    uow.emit("agency.registered", {"agency": snapshot(agency)})
    return agency


def update_agency(uow, actor, agency_id, data):
    """Change what the actor may change; emits ``agency.updated`` naming the fields that changed."""
    values = load(schemas.AgencyChanges, data)
    session = uow.session
    agency = get_agency(session, agency_id)
    require_may_change(actor, agency_id, values)
    before = snapshot(agency)
    if "short_name" in values:
        check_short_name_free(session, values["short_name"], agency.id)
    if "parent_id" in values and values["parent_id"] != agency.parent_id:
        check_parent(session, values["parent_id"], agency.id)
    if values.get("role", agency.role) != agency.role:
        keep_a_coordinator(session, agency, "role")
    for name in ("name", "short_name", "kind", "role", "parent_id", "region_code"):
        if name in values:
            setattr(agency, name, values[name])
    agency.short_name_key = name_key(agency.short_name)
    if "officers" in values and values["officers"] != before["officers"]:
        set_officers(agency, values["officers"])
    if "channels" in values and values["channels"] != before["channels"]:
        set_channels(agency, values["channels"])
    if "contributors" in values and values["contributors"] != before["contributors"]:
        set_contributors(agency, values["contributors"])
    after = snapshot(agency)
    changed = sorted(name for name in after if after[name] != before[name])
    if changed:
        agency.updated_at = utcnow()
        refresh_details(session, agency, before["parent_id"], agency.parent_id)
        uow.emit("agency.updated", {"agency": after, "changed": changed})
    return agency


def deactivate_agency(uow, agency_id):
    """Take an agency out of the forum; emits ``agency.deactivated`` once.

    Its keys are revoked for good: if it comes back, it gets new ones.
    """
    agency = get_agency(uow.session, agency_id)
    if not agency.active:
        return agency
    keep_a_coordinator(uow.session, agency, "agency_id")
    agency.active = False
    agency.deactivated_at = agency.updated_at = utcnow()
    for key in uow.session.scalars(select(ApiKey).where(ApiKey.agency_id == agency.id,
                                                         ApiKey.revoked_at.is_(None))):
        key.revoked_at = agency.deactivated_at
        uow.emit("key.revoked", {"key_id": key.id, "agency_id": agency.id})
    refresh_details(uow.session, agency, agency.parent_id)
    uow.emit("agency.deactivated", {"agency": snapshot(agency)})
    return agency


def reactivate_agency(uow, agency_id):
    """Bring a deactivated agency back (without keys); emits ``agency.updated`` with ``active`` changed."""
    agency = get_agency(uow.session, agency_id)
    if agency.active:
        return agency
    agency.active = True
    agency.deactivated_at = None
    agency.updated_at = utcnow()
    refresh_details(uow.session, agency, agency.parent_id)
    uow.emit("agency.updated", {"agency": snapshot(agency), "changed": ["active"]})
    return agency


def sub_units(session, agency_id):
    return session.scalars(select(Agency).where(Agency.parent_id == agency_id)
                           .order_by(Agency.name)).all()


def list_agencies(session, query):
    """One page of the agencies matching ``query`` (see ``schemas.AgencyQuery``) and the total."""
    conditions = []
    if query.get("kind"):
        conditions.append(Agency.kind == query["kind"])
    if query.get("parent_id"):
        conditions.append(Agency.parent_id == query["parent_id"])
    if query.get("region_code"):
        region = query["region_code"]
        conditions.append(or_(Agency.region_code == region, Agency.region_code.startswith(region + ".")))
    if query.get("active") is not None:
        conditions.append(Agency.active.is_(query["active"]))
    for word in (query.get("q") or "").lower().split():
        conditions.append(or_(func.lower(Agency.name).contains(word, autoescape=True),
                              func.lower(Agency.short_name).contains(word, autoescape=True)))
    total = session.scalar(select(func.count()).select_from(Agency).where(*conditions))
    items = session.scalars(select(Agency).where(*conditions).order_by(Agency.name, Agency.id)
                            .limit(query["limit"]).offset(query["offset"])).all()
    return items, total


def has_coordinator(session):
    return count_active_coordinators(session) > 0


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


def list_keys(session, agency_id):
    get_agency(session, agency_id)
    return session.scalars(select(ApiKey).where(ApiKey.agency_id == agency_id)
                           .order_by(ApiKey.created_at, ApiKey.id)).all()


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
    return {"key_id": key.id, "agency_id": agency.id, "role": agency.role, "short_name": agency.short_name,
            "name": agency.name, "kind": agency.kind}
