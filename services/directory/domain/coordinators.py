"""Who may act for whom, and the forum's rule that it always keeps an active coordinator."""
from sqlalchemy import func, select

from services.directory.models import Agency
from shared.errors import Conflict, Forbidden
from shared.rules import is_coordinator

# What an agency may change about itself; everything else is the coordinator's.
SELF_EDITABLE = frozenset({"officers", "channels", "contributors"})


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


def count_active_coordinators(session):
    return session.scalar(select(func.count()).select_from(Agency).where(
        Agency.role == "coordinator", Agency.active.is_(True)))


def has_coordinator(session):
    return count_active_coordinators(session) > 0


def lock_active_coordinators(uow):
    """The ids of the active coordinators, held until the unit of work ends (their rows locked on
    PostgreSQL, the writer lock on SQLite): two coordinators stepping down at once are then
    decided one after the other, never both against the same count."""
    uow.hold_writes()
    return set(uow.session.scalars(select(Agency.id).where(Agency.role == "coordinator", Agency.active.is_(True))
                               .order_by(Agency.id).with_for_update()))


def keep_a_coordinator(uow, agency, field):
    """The forum always keeps at least one active coordinator."""
    coordinators = lock_active_coordinators(uow)
    if coordinators == {agency.id}:
        raise Conflict("the forum needs at least one active coordinator; appoint another one first",
                       {field: ["this is the last active coordinator"]})
