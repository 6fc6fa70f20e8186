"""Each service's own copy of the directory's agencies, kept from the directory's events.

A service validates, routes and names agencies from its copy instead of asking the directory on
every request. ``agency.registered/updated/deactivated`` may arrive twice or out of order: a
snapshot older than the one kept changes nothing.
"""
from datetime import datetime

from marshmallow import fields
from sqlalchemy import Boolean, String, select
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import UtcDateTime, utcnow
from shared.errors import ValidationFailed
from shared.messaging import consumes
from shared.schemas import Schema

SNAPSHOT_FIELDS = ("name", "short_name", "kind", "role", "parent_id", "region_code", "active")


class AgencyCopy:
    """Declarative mixin: ``class Agency(AgencyCopy, Base): __tablename__ = "agencies"``."""
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    region_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # When the directory said what we keep, so that a late, older snapshot is ignored.
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())


def keep_agency(session, model, snapshot, as_of):
    """Insert or refresh the copy of one agency; returns ``(agency, applied)``."""
    agency = session.get(model, snapshot["id"])
    if agency is not None and agency.as_of > as_of:
        return agency, False
    if agency is None:
        agency = model(id=snapshot["id"])
        session.add(agency)
    for field in SNAPSHOT_FIELDS:
        setattr(agency, field, snapshot.get(field))
    agency.as_of = as_of
    return agency, True


def active_agency(session, model, agency_id, field):
    """The active agency ``agency_id`` of the copy, or ValidationFailed naming ``field``."""
    agency = session.get(model, agency_id) if agency_id else None
    if agency is None:
        raise ValidationFailed("unknown agency", {field: ["no such agency"]})
    if not agency.active:
        raise ValidationFailed("that agency is inactive", {field: ["the agency is inactive"]})
    return agency


class AgencyName(Schema):
    """How a view names an agency beside its id: people read names, not UUIDs."""
    id = fields.String()
    name = fields.String(allow_none=True, metadata={"description": "null while the agency is not known here yet"})
    short_name = fields.String(allow_none=True)


def names_of(session, model, agency_ids):
    """``{id: {"id", "name", "short_name"}}`` for every id in ``agency_ids`` but None (an action
    of the system), from the service's copy, in one query; an agency not known here (yet) is
    named by its id alone."""
    wanted = {agency_id for agency_id in agency_ids if agency_id is not None}
    known = {row.id: {"id": row.id, "name": row.name, "short_name": row.short_name} for row in session.execute(
        select(model.id, model.name, model.short_name).where(model.id.in_(wanted)))} if wanted else {}
    return {agency_id: known.get(agency_id, {"id": agency_id, "name": None, "short_name": None})
            for agency_id in wanted}


class KeepsAgencies:
    """Service mixin: the directory's three agency events, kept in the service's own copy.

    The service names its domain (``agencies_domain = domain``), which offers the same two
    operations in every service: ``keep_agency(uow, snapshot, as_of)`` and
    ``agency_departed(uow, snapshot, as_of, now)`` (what a deactivation means there).
    """
    agencies_domain = None

    @consumes("directory", "agency.registered")
    def on_agency_registered(self, uow, envelope):
        self.agencies_domain.keep_agency(uow, envelope.data["agency"], envelope.occurred)

    @consumes("directory", "agency.updated")
    def on_agency_updated(self, uow, envelope):
        self.agencies_domain.keep_agency(uow, envelope.data["agency"], envelope.occurred)

    @consumes("directory", "agency.deactivated")
    def on_agency_deactivated(self, uow, envelope):
        self.agencies_domain.agency_departed(uow, envelope.data["agency"], envelope.occurred, utcnow())
