"""The local copy of the directory's agencies (kept from its events) and naming them in views."""
from services.complaints.models import Agency
from shared import agencies


def keep_agency(uow, snapshot, as_of):
    """Insert or refresh the local copy of an agency from a directory event (older ones are ignored)."""
    return agencies.keep_agency(uow.session, Agency, snapshot, as_of)[0]


def agency_departed(uow, snapshot, as_of, now):
    """A deactivated agency stays in the copy, inactive: routing, assigning and forwarding skip it."""
    return keep_agency(uow, snapshot, as_of)


def active_agency(session, agency_id, field):
    return agencies.active_agency(session, Agency, agency_id, field)


def agency_names(session, agency_ids):
    """``{id: {id, name, short_name}}`` of the agencies known in the local copy; a view names an
    agency not known here (yet) as None."""
    return {agency_id: name for agency_id, name in agencies.names_of(session, Agency, agency_ids).items()
            if name["name"] is not None}
