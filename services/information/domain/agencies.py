"""The local copy of the directory's agencies (kept from its events) and naming them in views."""
from services.information.models import Agency
from shared import agencies


def keep_agency(uow, snapshot, as_of):
    """Insert or refresh the local copy of an agency from a directory event (older ones are ignored)."""
    return agencies.keep_agency(uow.session, Agency, snapshot, as_of)[0]


def agency_departed(uow, snapshot, as_of, now):
    """A deactivated agency stays in the copy, inactive: it takes no new request and no forward;
    the requests it holds stay with it (the coordinator sees them in the overdue list)."""
    return keep_agency(uow, snapshot, as_of)


def active_agency(session, agency_id, field):
    return agencies.active_agency(session, Agency, agency_id, field)


def agency_names(session, agency_ids):
    return agencies.names_of(session, Agency, agency_ids)
