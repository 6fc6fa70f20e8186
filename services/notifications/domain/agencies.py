"""The directory's agencies, copied here from its events: their names, forum roles (the coordinators
hear of triage and escalations) and regions (the zone of their digest)."""
from services.notifications.models import Agency
from shared import agencies


def keep_agency(uow, snapshot, as_of):
    return agencies.keep_agency(uow.session, Agency, snapshot, as_of)[0]


def agency_departed(uow, snapshot, as_of, now):
    """A deactivated agency's accounts are deactivated too (the directory stops listing them)."""
    return keep_agency(uow, snapshot, as_of)
