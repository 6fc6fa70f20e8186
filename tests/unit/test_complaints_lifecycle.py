"""The SP4N-LAPOR! lifecycle, reporter actions, the forwarding handshake and escalation."""
import json
from datetime import timedelta

import pytest
from tests.unit import complaints_unit_support as support
from tests.unit.complaints_unit_support import COORDINATOR, actor, add_agency, at, submit, with_city
from sqlalchemy import select

from services.complaints import domain, models, schemas
from services.complaints.service import ComplaintsService
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

NOW = at(2026, 11, 23)
DINAS, POLRES = actor("dinas"), actor("polres")


@pytest.fixture
def store(service_db):
    return with_city(service_db("complaints"))


def move(store, who, complaint, status, when=NOW, **extra):
    return support.move(store, who, complaint, status, when, **extra)


def reporter(store, complaint, action, when=NOW, secret="s3cret", text=None):
    with store.unit_of_work() as uow:
        return domain.reporter_acts(uow, complaint.tracking_number,
                                    {"reporter_secret": secret, "action": action, "text": text}, when)


def events(store, name):
    with store.reading() as session:
        rows = session.scalars(select(models.OutboxMessage).where(models.OutboxMessage.name == name)).all()
        return [json.loads(r.envelope)["data"] for r in rows]


def test_the_full_path_to_closed_by_reporter_confirmation(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    assert complaint.status == "received"
    move(store, DINAS, complaint, "verified")
    assigned = move(store, DINAS, complaint, "assigned")
    assert assigned.follow_up_due > NOW
    move(store, DINAS, complaint, "in_progress")
    responded = move(store, DINAS, complaint, "responded", reason="Jalan sudah ditambal.")
    assert responded.first_response_at == NOW
    closed = reporter(store, complaint, "confirm")
    assert closed.status == "closed"
    statuses = [e["status"] for e in events(store, "complaint.status_changed")]
    assert statuses == ["received", "verified", "assigned", "in_progress", "responded", "closed"]


def test_forbidden_moves_name_the_rule(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    with pytest.raises(Conflict) as skipped:
        move(store, DINAS, complaint, "responded", reason="x")
    assert "status" in skipped.value.fields and "received -> responded" in skipped.value.fields["status"][0]
    with pytest.raises(ValidationFailed) as no_reason:
        move(store, DINAS, complaint, "rejected")
    assert "reason" in no_reason.value.fields
    move(store, DINAS, complaint, "rejected", reason="Bukan pengaduan pelayanan publik")
    with pytest.raises(Conflict):
        move(store, DINAS, complaint, "verified")


def test_only_the_agency_in_charge_or_the_coordinator_moves_it(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    with pytest.raises(NotFound):
        move(store, POLRES, complaint, "verified")
    move(store, COORDINATOR, complaint, "verified")


def test_triage_needs_the_coordinator_to_name_an_agency(store):
    complaint = submit(store, NOW)
    move(store, COORDINATOR, complaint, "verified")
    with pytest.raises(ValidationFailed) as unnamed:
        move(store, COORDINATOR, complaint, "assigned")
    assert "agency_id" in unnamed.value.fields
    with pytest.raises(ValidationFailed):
        move(store, COORDINATOR, complaint, "assigned", agency_id="gone")
    assert move(store, COORDINATOR, complaint, "assigned", agency_id="polres").agency_id == "polres"


def test_held_complaint_is_supplemented_by_the_reporter(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    move(store, DINAS, complaint, "held", reason="Sebutkan lokasi persisnya")
    with pytest.raises(Forbidden):
        reporter(store, complaint, "supplement", secret="wrong", text="Jl. Bau Massepe 12")
    again = reporter(store, complaint, "supplement", text="Jl. Bau Massepe 12")
    assert again.status == "received"


def test_reopen_within_the_window_and_not_after(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    for status in ("verified", "assigned"):
        move(store, DINAS, complaint, status)
    move(store, DINAS, complaint, "responded", reason="Sudah diperbaiki")
    assert reporter(store, complaint, "reopen", when=NOW + timedelta(days=3)).status == "in_progress"
    move(store, DINAS, complaint, "responded", reason="Sudah diperbaiki lagi")
    with pytest.raises(Conflict):
        reporter(store, complaint, "reopen", when=NOW + timedelta(days=30))


def test_silence_after_a_response_closes_it_once(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    for status in ("verified", "assigned"):
        move(store, DINAS, complaint, status)
    move(store, DINAS, complaint, "responded", reason="Selesai")
    with store.reading() as session:
        assert domain.silent_candidates(session, NOW + timedelta(days=7)) == []
        later = NOW + timedelta(days=20)
        assert domain.silent_candidates(session, later) == [complaint.id]
    with store.unit_of_work() as uow:
        assert domain.close_silent(uow, complaint.id, later)
    with store.unit_of_work() as uow:
        assert not domain.close_silent(uow, complaint.id, later)


def forward(store, who, complaint, to, reason="Bukan wewenang kami"):
    with store.unit_of_work() as uow:
        return domain.forward(uow, who, complaint.id, {"to_agency_id": to, "reason": reason}, NOW)


def test_forward_accepted_moves_the_complaint_and_restarts_its_clock(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    move(store, DINAS, complaint, "verified")
    move(store, DINAS, complaint, "assigned")
    forward(store, DINAS, complaint, "polres")
    later = NOW + timedelta(days=2)
    with store.unit_of_work() as uow:
        taken = domain.answer_forward(uow, POLRES, complaint.id, True, {"reason": None}, later)
    assert (taken.agency_id, taken.status) == ("polres", "assigned")
    assert taken.follow_up_due == domain.working_deadline(later, 5)
    steps = [e["step"] for e in events(store, "complaint.forwarded")]
    assert steps == ["proposed", "accepted"]


def test_refused_forward_goes_to_the_coordinator_who_decides(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    forward(store, DINAS, complaint, "polres")
    with store.unit_of_work() as uow:
        with pytest.raises(ValidationFailed):
            domain.answer_forward(uow, POLRES, complaint.id, False, {}, NOW)
    with store.unit_of_work() as uow:
        refused = domain.answer_forward(uow, POLRES, complaint.id, False, {"reason": "Urusan dinas"}, NOW)
    assert refused.agency_id is None
    with store.reading() as session:
        assert [c["id"] for c in schemas.ComplaintList().dump(domain.list_complaints(session, COORDINATOR, {"triage": True}, NOW))["complaints"]] == [complaint.id]
    with store.unit_of_work() as uow:
        with pytest.raises(Forbidden):
            domain.decide_forward(uow, DINAS, complaint.id, {"agency_id": "dinas", "reason": "x"}, NOW)
    with store.unit_of_work() as uow:
        decided = domain.decide_forward(uow, COORDINATOR, complaint.id,
                                        {"agency_id": "dinas", "reason": "Jalan kota: dinas"}, NOW)
    assert decided.agency_id == "dinas"
    with store.reading() as session:
        audit = [a.action for a in session.scalars(select(models.AuditEntry).where(
            models.AuditEntry.complaint_id == complaint.id)).all()]
    assert ["forward:proposed", "forward:refused", "forward:decided"] == [a for a in audit if a.startswith("forward:")]


def test_forward_to_the_same_or_an_inactive_agency_is_refused(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    for target in ("dinas", "gone", "nobody"):
        with pytest.raises(ValidationFailed) as bad:
            forward(store, DINAS, complaint, target)
        assert "to_agency_id" in bad.value.fields


def test_a_complaint_is_never_handed_to_the_unit_it_is_about(store):
    add_agency(store, "pos-dinas", parent_id="dinas")
    complaint = submit(store, NOW, about_agency_id="dinas")
    assert complaint.agency_id == "pemkot"
    pemkot = actor("pemkot")
    for target in ("dinas", "pos-dinas"):
        with pytest.raises(ValidationFailed) as refused:
            forward(store, pemkot, complaint, target)
        assert "to_agency_id" in refused.value.fields
        with store.unit_of_work() as uow:
            with pytest.raises(ValidationFailed) as decided:
                domain.decide_forward(uow, COORDINATOR, complaint.id, {"agency_id": target, "reason": "x"}, NOW)
        assert "agency_id" in decided.value.fields
    move(store, pemkot, complaint, "verified")
    with pytest.raises(ValidationFailed) as assigned:
        move(store, COORDINATOR, complaint, "assigned", agency_id="dinas")
    assert "agency_id" in assigned.value.fields
    with store.reading() as session:
        assert domain.get_complaint(session, complaint.id).agency_id == "pemkot"
    forward(store, pemkot, complaint, "polres")
    assert events(store, "complaint.forwarded")[-1]["to_agency_id"] == "polres"


def test_an_overdue_complaint_escalates_once_to_coordinator_and_parent(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    late = NOW + timedelta(days=10)
    with store.reading() as session:
        assert domain.overdue_candidates(session, NOW) == []
        due = domain.overdue_candidates(session, late)
    assert due == [(complaint.id, "verify")]
    claims = []
    for _ in range(2):  # a second sweeper, or the same one after a restart
        with store.unit_of_work() as uow:
            claims.append(domain.escalate(uow, complaint.id, "verify", late))
    assert claims == [True, False]
    with store.reading() as session:
        assert domain.overdue_candidates(session, late) == []
        parent_view = schemas.ComplaintList().dump(domain.list_complaints(session, actor("pemkot"), {}, late))["complaints"]
    assert [c["id"] for c in parent_view] == [complaint.id]
    escalated = events(store, "complaint.escalated")
    assert [(e["stage"], e["parent_agency_id"]) for e in escalated] == [("verify", "pemkot")]


def test_the_sweep_escalates_each_overdue_stage_once_across_runs(store):
    long_ago = at(2026, 1, 5)
    submit(store, long_ago, target_agency_id="dinas")
    service = ComplaintsService()
    service.db = store
    service.sweep_deadlines()
    service.sweep_deadlines()  # a second run, as after a restart
    stages = sorted(e["stage"] for e in events(store, "complaint.escalated"))
    assert stages == ["settle", "verify"]


def test_the_audit_names_the_person_who_acted_beside_the_agency(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    person = {**DINAS, "key_id": None, "account_id": "acc-7", "account_name": "Rina Wulandari",
              "account_role": "officer"}
    move(store, person, complaint, "verified")
    move(store, DINAS, complaint, "assigned")
    with store.reading() as session:
        found = session.get(models.Complaint, complaint.id)
        audit = schemas.Complaint().dump(domain.complaint_view(session, COORDINATOR, found, NOW))["audit"]
    by_action = {entry["action"]: entry for entry in audit}
    assert by_action["received"]["actor"] == "reporter" and by_action["received"]["actor_name"] is None
    verified = by_action["status:verified"]
    assert (verified["actor_account_id"], verified["actor_name"]) == ("acc-7", "Rina Wulandari")
    assert verified["actor_agency"]["name"] == "Agency dinas"  # read as "Rina Wulandari (Agency dinas)"
    assigned = by_action["status:assigned"]  # a key acts as its agency alone
    assert (assigned["actor_account_id"], assigned["actor_name"]) == (None, None)


def seen(store, complaint, secret):
    with store.reading() as session:
        return domain.reporter_view(session, complaint.tracking_number, secret, NOW)


def test_the_secret_code_is_read_back_whatever_the_case_and_the_look_alikes(store):
    issued = "K0QM-3XD1-ABCD-EFGH-JK01"
    complaint = submit(store, NOW, target_agency_id="dinas", secret=issued)
    for typed in ("k0qm-3xd1-abcd-efgh-jk01", "KOQM 3XDI ABCD EFGH JKOL", "koqm3xdlabcdefghjkoi", " K0QM-3XD1-ABCD-EFGH-JK01 "):
        assert seen(store, complaint, typed) is not None
    for wrong in ("K0QM-3XD1-ABCD-EFGH-JK02", "K0QM-3XD1-ABCD-EFGH", ""):
        with pytest.raises(Forbidden):
            seen(store, complaint, wrong)


def test_a_secret_issued_before_the_codes_were_grouped_keeps_working_as_typed(store):
    issued = "Zq3-x_9aLmN0pQrStUvWxYz1"  # secrets.token_urlsafe: case and every character count
    complaint = submit(store, NOW, target_agency_id="dinas", secret=issued)
    assert seen(store, complaint, issued) is not None
    with pytest.raises(Forbidden):
        seen(store, complaint, issued.lower())
