"""The directory's agencies, copied here from its events; a departed agency's subscriptions stop."""
from sqlalchemy import select

from services.distribution.domain.deliveries import disable
from services.distribution.models import Agency, Subscription
from shared import agencies


def keep_agency(uow, snapshot, as_of):
    """Insert or refresh the local copy of an agency from a directory event (older ones are ignored)."""
    return agencies.keep_agency(uow.session, Agency, snapshot, as_of)[0]


def agency_departed(uow, snapshot, as_of, now):
    """A deactivated agency keeps its content; its webhook subscriptions stop."""
    keep_agency(uow, snapshot, as_of)
    for subscription in uow.session.scalars(select(Subscription).where(
            Subscription.owner_agency_id == snapshot["id"], Subscription.active.is_(True))):
        disable(uow, subscription.id, "the owning agency was deactivated")
