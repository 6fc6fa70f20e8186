"""What the directory keeps about an agency and shows of it: its snapshot for other services, its
lists (officers, channels, contributors), and the stored answer of GET one agency."""
import json
import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.directory import schemas
from services.directory.models import Agency, Channel, Contributor, HumasOfficer, SearchWord
from shared.errors import Conflict, NotFound
from shared.schemas import name_key

OFFICER_FIELDS = ("name", "position", "title", "phone", "email")
CONTRIBUTOR_FIELDS = ("name", "unit", "phone", "email")


def get_agency(session, agency_id):
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound(f"no agency {agency_id}", {"agency_id": ["unknown agency"]})
    return agency


def sub_units(session, agency_id):
    return session.scalars(select(Agency).where(Agency.parent_id == agency_id)
                           .order_by(Agency.name)).all()


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


def words_of(*texts):
    """The words of a name as people type them: case and Unicode form folded, split at spaces and
    punctuation ("KUA-Soreang": "kua", "soreang"); a word of punctuation only stays whole."""
    words = set()
    for word in name_key(" ".join(texts)).split():
        words.update([part for part in re.split(r"[\W_]+", word) if part] or [word])
    return words


def set_search_words(agency):
    agency.search_words = [SearchWord(word=word) for word in sorted(words_of(agency.name, agency.short_name))]


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
    parent = agency.parent_id and session.get(Agency, agency.parent_id)
    return {**schemas.AgencyDetail().dump(agency),
            "parent": {"id": parent.id, "name": parent.name, "short_name": parent.short_name} if parent else None,
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
