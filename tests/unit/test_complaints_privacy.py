"""Privacy: anonymous stores no identity; confidential identity is for the coordinator only;
identity is never in events, on the tracking page or in Open311."""
import json

import pytest
from tests.unit.complaints_unit_support import COORDINATOR, actor, add_agency, at, submit
from sqlalchemy import select

from services.complaints import domain, models, open311, schemas
from shared import intake
from services.complaints.service import ComplaintsService
from shared.contracts import open_envelope, seal
from shared.errors import NotFound

NOW = at(2026, 11, 23)
ANI = {"name": "Ani Rahmawati", "phone": "081234567890", "email": "ani@example.id"}


@pytest.fixture
def store(service_db):
    store = service_db("complaints")
    add_agency(store, "pemkot")
    add_agency(store, "dinas", parent_id="pemkot")
    return store


def everything_said(store, complaint):
    """Every text the outside world can get of a complaint without the coordinator's key."""
    with store.reading() as session:
        outbox = [r.envelope for r in session.scalars(select(models.OutboxMessage)).all()]
        tracking = schemas.Tracking().dump(domain.tracking_view(session, complaint.tracking_number, NOW))
        listed = open311.requests(session, {}, NOW)
        one = open311.request(session, complaint.id)
    return json.dumps([outbox, tracking, listed, one], default=str)


def test_anonymous_complaint_stores_no_identity(store):
    body = {"channel": "web", "text": "Pungli di loket", "category": "pungli", "anonymous": True,
            "reporter": None}
    message, _, _ = intake.intake_message(body, None, NOW)
    assert message["reporter"] is None
    complaint = submit(store, NOW, reporter=ANI, anonymous=True, target_agency_id="dinas")
    assert (complaint.reporter_name, complaint.reporter_phone, complaint.reporter_email) == (None, None, None)
    with store.reading() as session:
        view = schemas.Complaint().dump(domain.complaint_view(session, COORDINATOR, complaint, NOW))
    assert view["reporter"] is None


def test_confidential_identity_is_seen_by_the_coordinator_only(store):
    complaint = submit(store, NOW, reporter=ANI, confidential=True, target_agency_id="dinas")
    with store.reading() as session:
        agency_view = schemas.Complaint().dump(domain.complaint_view(session, actor("dinas"), complaint, NOW))
        coordinator_view = schemas.Complaint().dump(domain.complaint_view(session, COORDINATOR, complaint, NOW))
    assert agency_view["reporter"] is None
    assert coordinator_view["reporter"]["name"] == ANI["name"]


def test_an_open_complaint_shows_the_reporter_to_the_agency_in_charge(store):
    complaint = submit(store, NOW, reporter=ANI, target_agency_id="dinas")
    with store.reading() as session:
        assert schemas.Complaint().dump(domain.complaint_view(session, actor("dinas"), complaint, NOW))["reporter"]["phone"] == ANI["phone"]


def test_identity_never_leaves_in_events_tracking_or_open311(store):
    complaint = submit(store, NOW, reporter=ANI, target_agency_id="dinas")
    with store.unit_of_work() as uow:
        for status in ("verified", "assigned"):
            domain.change_status(uow, actor("dinas"), complaint.id, {"status": status}, NOW)
        domain.change_status(uow, actor("dinas"), complaint.id,
                             {"status": "responded", "reason": "Sudah ditangani"}, NOW)
    said = everything_said(store, complaint)
    for value in ANI.values():
        assert value not in said
    assert "Sudah ditangani" in said


def test_tracking_page_hides_text_and_internal_notes(store):
    complaint = submit(store, NOW, reporter=ANI, target_agency_id="dinas", text="Rahasia: nama petugas X")
    with store.unit_of_work() as uow:
        domain.answer(uow, actor("dinas"), complaint.id, {"text": "catatan internal", "visibility": "internal"}, NOW)
        domain.answer(uow, actor("dinas"), complaint.id, {"text": "Sedang kami periksa", "visibility": "public"}, NOW)
    with store.reading() as session:
        tracking = json.dumps(schemas.Tracking().dump(domain.tracking_view(session, complaint.tracking_number, NOW)))
    assert "catatan internal" not in tracking and "nama petugas" not in tracking
    assert "Sedang kami periksa" in tracking


def test_confidential_complaints_are_not_listed_in_open311(store):
    complaint = submit(store, NOW, reporter=ANI, confidential=True, target_agency_id="dinas")
    with store.unit_of_work() as uow:
        domain.change_status(uow, actor("dinas"), complaint.id, {"status": "verified"}, NOW)
    with store.reading() as session:
        assert open311.requests(session, {}, NOW) == []


def complaint_in(store, status, **fields):
    """A complaint with the agency it is routed to ("dinas", or its parent when about it), taken to ``status``."""
    complaint = submit(store, NOW, reporter=ANI, target_agency_id="dinas", **fields)
    steps = {"received": [], "held": [("held", "lengkapi")], "rejected": [("rejected", "bukan pengaduan")],
             "verified": [("verified", None)], "closed": [("verified", None), ("assigned", None),
                                                         ("responded", "Sudah"), ("closed", None)]}[status]
    with store.unit_of_work() as uow:
        for target, reason in steps:
            domain.change_status(uow, actor(complaint.agency_id), complaint.id,
                                 {"status": target, "reason": reason}, NOW)
    return complaint


@pytest.mark.parametrize("status, fields, public", [
    ("received", {}, False),
    ("held", {}, False),
    ("rejected", {}, False),
    ("verified", {"confidential": True}, False),
    ("closed", {"confidential": True}, False),
    ("verified", {"about_agency_id": "dinas"}, False),
    ("verified", {}, True),
    ("closed", {}, True),
])
def test_one_rule_says_which_complaints_the_public_sees(store, status, fields, public):
    complaint = complaint_in(store, status, **fields)
    with store.reading() as session:
        seen = domain.public_complaint(session, models.Complaint.id == complaint.id)
    assert (seen is not None) == public


@pytest.mark.parametrize("status, fields", [
    ("received", {}), ("held", {}), ("rejected", {}), ("verified", {"confidential": True})])
def test_open311_answers_a_hidden_complaint_like_an_unknown_one(store, status, fields):
    complaint = complaint_in(store, status, text="Rahasia di Jl. Mawar 7", **fields)
    with store.reading() as session:
        assert open311.requests(session, {"service_request_id": complaint.id}, NOW) == []
        with pytest.raises(NotFound) as hidden:
            open311.request(session, complaint.id)
        with pytest.raises(NotFound) as unknown:
            open311.request(session, "no-such-id")
    assert hidden.value.message.replace(complaint.id, "ID") == unknown.value.message.replace("no-such-id", "ID")


@pytest.mark.parametrize("status, fields", [
    ("received", {}), ("held", {}), ("rejected", {}), ("verified", {"confidential": True}), ("verified", {})])
def test_open311_tells_the_holder_of_a_token_its_request_id_at_once(store, status, fields):
    """Only who filed holds the token (60 random bits), and the id alone shows nothing: a GeoReport
    client learns its service_request_id without waiting days for verification."""
    complaint = complaint_in(store, status, text="Rahasia di Jl. Mawar 7", **fields)
    with store.reading() as session:
        answer = open311.token(session, complaint.tracking_number)
        with pytest.raises(NotFound):
            open311.token(session, "DUMAS-0000-0000-0000")
    assert answer == [{"service_request_id": complaint.id, "token": complaint.tracking_number}]
    assert "Mawar" not in json.dumps(answer)


def test_open311_shows_a_verified_public_complaint_everywhere(store):
    complaint = complaint_in(store, "verified")
    with store.reading() as session:
        listed = open311.requests(session, {"service_request_id": complaint.id}, NOW)
        assert open311.request(session, complaint.id) == listed
        assert open311.token(session, complaint.tracking_number)[0]["service_request_id"] == complaint.id


def test_the_intake_command_carries_only_the_secret_hash():
    body = {"channel": "web", "text": "x", "category": "kesehatan", "reporter": ANI}
    message, number, secret = intake.intake_message(body, None, NOW)
    sealed = open_envelope(seal("complaint.submitted", message))
    assert sealed.data["tracking_number"] == number
    assert secret not in json.dumps(message)
    assert "reporter" not in sealed.data["complaint"]


def test_identity_is_not_logged_when_the_service_receives_a_complaint(store, caplog):
    service = ComplaintsService()
    service.db = store
    body = {"channel": "web", "text": "x", "category": "kesehatan", "reporter": ANI}
    message, number, _ = intake.intake_message(body, None, NOW)
    with caplog.at_level("DEBUG"):
        service.receive_complaint(seal("complaint.submitted", message))
        service.receive_complaint(seal("complaint.submitted", message))
    assert "received" in caplog.text
    assert not any(value in caplog.text for value in ANI.values())
    with store.reading() as session:
        assert schemas.Tracking().dump(domain.tracking_view(session, number, NOW))["status"] == "received"
