"""Events of the information service (public information requests under UU 14/2008).

Privacy: a request names its requester (name, address, phone, email, identity document
number): none of it is ever in an event, nor the text of what was asked. Events carry ids, the
agency, the registration number (what the requester holds, not who they are), the stage and
its dates.
"""
from marshmallow import Schema, fields, validate

from shared.contracts import contract

SOURCE = "information"
DECISIONS = ("granted", "partly_granted", "refused", "not_held", "not_documented")
STAGES = ("answer", "objection")


class _RequestRef(Schema):
    request_id = fields.String(required=True)
    agency_id = fields.String(required=True)
    registration_number = fields.String(required=True)


@contract("information.request_registered", 1, SOURCE)
class RequestRegistered(_RequestRef):
    registered_at = fields.AwareDateTime(required=True)
    answer_due = fields.AwareDateTime(required=True)


@contract("information.deadline_near", 1, SOURCE)
class DeadlineNear(_RequestRef):
    """One working day is left before ``due_at`` of ``stage``."""
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    due_at = fields.AwareDateTime(required=True)


@contract("information.stage_overdue", 1, SOURCE)
class StageOverdue(_RequestRef):
    """``stage`` passed ``due_at`` unanswered: sent once per stage (the coordinator and the agency's
    parent are told, as a complaint's escalation)."""
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    due_at = fields.AwareDateTime(required=True)
    parent_agency_id = fields.String(load_default=None, allow_none=True)


@contract("information.decided", 1, SOURCE)
class Decided(_RequestRef):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    decided_at = fields.AwareDateTime(required=True)


@contract("information.objection_filed", 1, SOURCE)
class ObjectionFiled(_RequestRef):
    objection_id = fields.String(required=True)
    filed_at = fields.AwareDateTime(required=True)
    due_at = fields.AwareDateTime(required=True)


@contract("information.forwarded", 1, SOURCE)
class Forwarded(_RequestRef):
    """A request not held here, proposed to (or taken by, or refused by) the agency that holds it;
    ``agency_id`` is where the request is after this step."""
    from_agency_id = fields.String(required=True)
    to_agency_id = fields.String(required=True)
    step = fields.String(required=True, validate=validate.OneOf(("proposed", "accepted", "refused")))
