"""The forum's members: registration, changes, leaving and coming back, the list, the first coordinator."""
import json
import uuid
from dataclasses import dataclass

from marshmallow import EXCLUDE
from sqlalchemy import func, or_, select

from services.directory import schemas
from services.directory.domain.coordinators import has_coordinator, keep_a_coordinator, require_may_change
from services.directory.domain.details import (detail, get_agency, refresh_details, set_channels,
                                               set_contributors, set_officers, set_search_words, snapshot,
                                               sub_units, words_of)
from services.directory.domain.keys import new_key
from services.directory.models import Agency, ApiKey, SearchWord
from shared.errors import Conflict, ValidationFailed
from shared.rules import load, require_coordinator
from shared.schemas import name_key


LAST_CHARACTER = "\U0010ffff"


@dataclass
class AgencyPage:
    """One page of the list of agencies, and how many match over all pages."""
    items: list
    total: int
    limit: int
    offset: int


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


def register_agency(uow, actor, data, now):
    """Add a member to the forum (a coordinator's act); emits ``agency.registered``."""
    require_coordinator(actor)
    return add_agency(uow, data, now)


def add_agency(uow, data, now):
    values = load(schemas.AgencyInput, data)
    session = uow.session
    check_short_name_free(session, values["short_name"])
    check_parent(session, values["parent_id"])
    officers, channels, contributors = (values.pop(k) for k in ("officers", "channels", "contributors"))
    agency = Agency(id=str(uuid.uuid4()), active=True, short_name_key=name_key(values["short_name"]),
                    created_at=now, updated_at=now, **values)
    set_officers(agency, officers)
    set_channels(agency, channels)
    set_contributors(agency, contributors)
    set_search_words(agency)
    session.add(agency)
    refresh_details(session, agency, agency.parent_id)
    uow.emit("agency.registered", {"agency": snapshot(agency)})
    return agency


def update_agency(uow, actor, agency_id, data, now):
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
        keep_a_coordinator(uow, agency, "role")
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
    if {"name", "short_name"} & set(changed):
        set_search_words(agency)
    if changed:
        agency.updated_at = now
        refresh_details(session, agency, before["parent_id"], agency.parent_id)
        if {"name", "short_name"} & set(changed):  # its sub-units name it as their parent
            for unit in sub_units(session, agency.id):
                unit.detail_json = json.dumps(detail(session, unit))
        uow.emit("agency.updated", {"agency": after, "changed": changed})
    return agency


def deactivate_agency(uow, actor, agency_id, now):
    """Take an agency out of the forum (a coordinator's act); emits ``agency.deactivated`` once.

    Its keys are revoked for good: if it comes back, it gets new ones.
    """
    require_coordinator(actor)
    agency = get_agency(uow.session, agency_id)
    if not agency.active:
        return agency
    keep_a_coordinator(uow, agency, "agency_id")
    agency.active = False
    agency.deactivated_at = agency.updated_at = now
    for key in uow.session.scalars(select(ApiKey).where(ApiKey.agency_id == agency.id,
                                                         ApiKey.revoked_at.is_(None))):
        key.revoked_at = now
        uow.emit("key.revoked", {"key_id": key.id, "agency_id": agency.id})
    refresh_details(uow.session, agency, agency.parent_id)
    uow.emit("agency.deactivated", {"agency": snapshot(agency)})
    return agency


def reactivate_agency(uow, actor, agency_id, now):
    """Bring a deactivated agency back (without keys; a coordinator's act); emits ``agency.updated``
    with ``active`` changed."""
    require_coordinator(actor)
    agency = get_agency(uow.session, agency_id)
    if agency.active:
        return agency
    agency.active = True
    agency.deactivated_at = None
    agency.updated_at = now
    refresh_details(uow.session, agency, agency.parent_id)
    uow.emit("agency.updated", {"agency": snapshot(agency), "changed": ["active"]})
    return agency


def list_agencies(session, args):
    """One page of the agencies matching the query ``args`` as sent (see ``schemas.AgencyQuery``)."""
    # Parameters this schema does not know are left aside, as the gateway leaves them.
    query = load(schemas.AgencyQuery, args, unknown=EXCLUDE)
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
    for typed in words_of(query.get("q") or ""):  # each word typed begins a word of the agency
        conditions.append(Agency.id.in_(select(SearchWord.agency_id).where(
            SearchWord.word >= typed, SearchWord.word < typed + LAST_CHARACTER)))
    items = session.scalars(select(Agency).where(*conditions).order_by(Agency.name, Agency.id)
                            .limit(query["limit"]).offset(query["offset"])).all()
    if query["offset"] == 0 and len(items) < query["limit"]:  # all of them: no need to count (a picker's usual answer)
        return AgencyPage(items, len(items), query["limit"], 0)
    total = session.scalar(select(func.count()).select_from(Agency).where(*conditions))
    return AgencyPage(items, total, query["limit"], query["offset"])


def bootstrap_forum(uow, data, now):
    """Create the first coordinator of a forum that has none yet, and its first key: ``(agency, key,
    secret)``. No actor: there is nobody to act yet, and once there is, this is refused."""
    if has_coordinator(uow.session):
        raise Conflict("this forum already has a coordinator; ask it for a key")
    agency = add_agency(uow, {**data, "role": "coordinator"}, now)
    key, secret = new_key(uow, agency, "bootstrap", now)
    return agency, key, secret
