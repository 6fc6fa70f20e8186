"""Messages of the complaints service: the intake command from the gateway, and its events.

Privacy: the intake command is the only message that may carry a reporter's identity. It is
not broadcast: the gateway sends it straight to the ``complaints.intake`` queue (default
exchange), which only the complaints service reads. Every event below is a broadcast and
carries no identity, no reporter contact and no complaint text.
"""
from kombu import Queue
from marshmallow import Schema, fields, validate

from shared.contracts import contract

SOURCE = "complaints"
INTAKE_QUEUE = "complaints.intake"
STATUSES = ("received", "verified", "held", "rejected", "assigned", "in_progress", "responded", "closed")
ESCALATION_STAGES = ("verify", "follow_up", "settle")


def intake_queue():
    """Durable, on the default exchange. The gateway declares it each time it publishes and the
    service when it consumes, so a complaint waits here even if the service never started."""
    return Queue(INTAKE_QUEUE, durable=True, auto_delete=False)


class Reporter(Schema):
    name = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True)
    email = fields.String(load_default=None, allow_none=True)


class Attachment(Schema):
    """A file the gateway checked and re-encoded (``shared.intake.attachment_payload``)."""
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    data = fields.String(required=True)


@contract("complaint.submitted", 1, "gateway")
class ComplaintSubmitted(Schema):
    """A complaint accepted by the gateway, waiting durably for the complaints service.

    A command, not an event: addressed to one queue. ``reporter`` is absent for an
    anonymous complaint; the reporter's secret travels only as its hash.
    """
    tracking_number = fields.String(required=True)
    reporter_secret_hash = fields.String(required=True)
    submitted_at = fields.AwareDateTime(required=True)
    filed_by_agency_id = fields.String(load_default=None, allow_none=True)
    complaint = fields.Dict(required=True)
    reporter = fields.Nested(Reporter, load_default=None, allow_none=True)
    attachments = fields.List(fields.Nested(Attachment), load_default=list)


class _ComplaintRef(Schema):
    complaint_id = fields.String(required=True)
    # None while a complaint filed without one waits in triage.
    category = fields.String(required=True, allow_none=True)
    agency_id = fields.String(load_default=None, allow_none=True)


@contract("complaint.status_changed", 1, SOURCE)
class ComplaintStatusChanged(_ComplaintRef):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    previous = fields.String(load_default=None, allow_none=True)


@contract("complaint.forwarded", 1, SOURCE)
class ComplaintForwarded(_ComplaintRef):
    from_agency_id = fields.String(load_default=None, allow_none=True)
    to_agency_id = fields.String(required=True)
    step = fields.String(required=True, validate=validate.OneOf(
        ("proposed", "accepted", "refused", "decided")))


@contract("complaint.escalated", 1, SOURCE)
class ComplaintEscalated(_ComplaintRef):
    stage = fields.String(required=True, validate=validate.OneOf(ESCALATION_STAGES))
    due_at = fields.AwareDateTime(required=True)
    parent_agency_id = fields.String(load_default=None, allow_none=True)
