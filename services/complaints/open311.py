"""Complaints as Open311 GeoReport v2 service requests (JSON only).

``service_request_id`` is the complaint's id, not its tracking number: the tracking
number is the reporter's private handle (the Open311 ``token``) and must not be listed.
Every view here shows only what ``domain.open_to_public`` allows (verified, non-confidential),
and never the reporter; anything else is the same 404 as an unknown id or token.
"""
import json
from datetime import datetime, timedelta

from sqlalchemy import select

from services.complaints import domain
from services.complaints.models import Agency, Category, Complaint
from shared.errors import NotFound, ValidationFailed
from shared.intake import normalise_tracking_number
from shared.schemas import moment_problem

OPEN_STATUSES = ("received", "verified", "held", "assigned", "in_progress", "responded")
DEFAULT_DAYS = 90
MAX_REQUESTS = 1000


def open311_status(status):
    return "open" if status in OPEN_STATUSES else "closed"


def service_request(complaint, agencies, category_names):
    agency = agencies.get(complaint.agency_id)
    media = json.loads(complaint.attachments)
    _, expected = domain.next_step(complaint)
    return {
        "service_request_id": complaint.id,
        "status": open311_status(complaint.status),
        "status_notes": complaint.status_reason or complaint.status,
        "service_name": category_names.get(complaint.category, complaint.category),
        "service_code": complaint.category,
        "description": complaint.text,
        "agency_responsible": agency.name if agency else None,
        "service_notice": None,
        "requested_datetime": complaint.received_at.isoformat(),
        "updated_datetime": complaint.updated_at.isoformat(),
        "expected_datetime": expected.isoformat() if expected else None,
        "address": complaint.address,
        "address_id": None,
        "zipcode": None,
        "lat": complaint.latitude,
        "long": complaint.longitude,
        "media_url": media[0] if media else None,
    }


def _lookups(session):
    agencies = {a.id: a for a in session.scalars(select(Agency)).all()}
    names = {c.code: c.name_id for c in session.scalars(select(Category)).all()}
    return agencies, names


def _date(filters, name):
    value = filters.get(name)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(f"{name} must be an ISO 8601 date", {name: ["not an ISO 8601 date"]}) from None
    if parsed.tzinfo is None:
        raise ValidationFailed(f"{name} needs a time zone", {name: ["give a time zone, e.g. Z or +07:00"]})
    problem = moment_problem(parsed)
    if problem:
        raise ValidationFailed(f"{name} {problem}", {name: [problem]})
    return parsed


def requests(session, filters, now):
    """``GET requests``: filters service_request_id (comma list), service_code, start_date,
    end_date, status (open|closed); by default the last 90 days, at most 1000."""
    statement = select(Complaint).where(domain.open_to_public())
    ids = [i for i in (filters.get("service_request_id") or "").split(",") if i]
    if ids:
        statement = statement.where(Complaint.id.in_(ids))
    else:
        start, end = _date(filters, "start_date"), _date(filters, "end_date")
        if start and end and start > end:
            raise ValidationFailed("start_date is after end_date", {"start_date": ["after end_date"]})
        statement = statement.where(Complaint.received_at >= (start or now - timedelta(days=DEFAULT_DAYS)))
        if end:
            statement = statement.where(Complaint.received_at <= end)
        if filters.get("service_code"):
            statement = statement.where(Complaint.category.in_(filters["service_code"].split(",")))
        if filters.get("status"):
            wanted = set(filters["status"].split(","))
            if not wanted <= {"open", "closed"}:
                raise ValidationFailed("status is open or closed", {"status": ["open or closed"]})
            statuses = [s for s in domain.MOVES if open311_status(s) in wanted]
            statement = statement.where(Complaint.status.in_(statuses))
    found = session.scalars(statement.order_by(Complaint.received_at.desc()).limit(MAX_REQUESTS)).all()
    agencies, names = _lookups(session)
    return [service_request(c, agencies, names) for c in found]


def request(session, request_id):
    complaint = domain.public_complaint(session, Complaint.id == request_id)
    if complaint is None:
        raise NotFound(f"no service request {request_id}")
    agencies, names = _lookups(session)
    return [service_request(complaint, agencies, names)]


def token(session, tracking_number):
    """The holder of a tracking number learns its service_request_id as soon as the complaint is
    filed: only who filed holds the token, and the id alone shows nothing (``request`` stays 404
    until the complaint is public). "Not yet" only while the intake has not reached the service."""
    complaint = session.scalar(select(Complaint).where(
        Complaint.tracking_number == normalise_tracking_number(tracking_number)))
    if complaint is None:
        raise NotFound("no service request for this token yet")
    return [{"service_request_id": complaint.id, "token": complaint.tracking_number}]
