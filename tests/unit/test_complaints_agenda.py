"""What waits for an agency (the console's home page), most urgent first, with the working days left;
and what an actor may do to one complaint, asked of the rules."""
from datetime import timedelta

import pytest
from tests.unit import complaints_unit_support as support
from tests.unit.complaints_unit_support import COORDINATOR, actor, at, submit, with_city

from services.complaints import domain, models, schemas

NOW = at(2026, 11, 23)  # a Monday
DINAS, POLRES, PEMKOT = actor("dinas"), actor("polres"), actor("pemkot")


@pytest.fixture
def store(service_db):
    return with_city(service_db("complaints"))


def move(store, who, complaint, status, when=NOW, **extra):
    return support.move(store, who, complaint, status, when, **extra)


def agenda(store, who, when):
    with store.reading() as session:
        return schemas.Waiting().dump(domain.waiting_for(session, who, when))


def ids(waiting_list):
    return [c["id"] for c in waiting_list["complaints"]]


def test_working_days_left_count_from_today_in_jakarta_and_go_negative_once_overdue():
    friday_end = at(2026, 11, 27, 23) + timedelta(minutes=59, seconds=59)
    assert domain.working_days_left(friday_end, at(2026, 11, 23)) == 4
    assert domain.working_days_left(friday_end, at(2026, 11, 27, 8)) == 0
    assert domain.working_days_left(friday_end, at(2026, 11, 28, 9)) == -1  # Saturday: late, by one day
    assert domain.working_days_left(friday_end, at(2026, 12, 1)) == -2  # Tuesday: Monday and Tuesday passed


def test_an_agency_sees_what_to_verify_and_act_on_the_earliest_deadline_first(store):
    old = submit(store, NOW - timedelta(days=7), target_agency_id="dinas")
    new = submit(store, NOW, target_agency_id="dinas")
    acting = submit(store, NOW - timedelta(days=1), target_agency_id="dinas")
    move(store, DINAS, acting, "verified")
    move(store, DINAS, acting, "assigned")
    submit(store, NOW, target_agency_id="polres")
    responded = submit(store, NOW, target_agency_id="dinas")
    move(store, DINAS, responded, "verified")
    move(store, DINAS, responded, "assigned")
    move(store, DINAS, responded, "responded", reason="Sudah diperbaiki")
    waiting = agenda(store, DINAS, NOW + timedelta(hours=1))
    assert ids(waiting["to_verify"]) == [old.id, new.id] and waiting["to_verify"]["total"] == 2
    first, second = waiting["to_verify"]["complaints"]
    assert first["stage"] == "verify" and first["working_days_left"] < 0 and first["overdue"] == ["verify"]
    assert second["working_days_left"] == domain.VERIFY_WORKING_DAYS
    assert second["agency"] == {"id": "dinas", "name": "Agency dinas", "short_name": "DINAS"}
    assert "reporter" not in second  # an agenda line never carries who reported
    assert ids(waiting["to_act"]) == [acting.id]
    assert waiting["to_act"]["complaints"][0]["stage"] == "follow_up"
    assert waiting["to_act"]["complaints"][0]["working_days_left"] == domain.FOLLOW_UP_WORKING_DAYS
    assert waiting["triage"] == {"complaints": [], "total": 0} and waiting["per_agency"] == []
    assert agenda(store, POLRES, NOW)["to_verify"]["total"] == 1


def test_a_forward_waits_for_the_proposed_agency_and_a_refused_one_for_the_coordinator(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    move(store, DINAS, complaint, "verified")
    with store.unit_of_work() as uow:
        domain.forward(uow, DINAS, complaint.id, {"to_agency_id": "polres", "reason": "Bukan wewenang"}, NOW)
    waiting = agenda(store, POLRES, NOW)
    assert ids(waiting["forwards"]) == [complaint.id]
    forward = waiting["forwards"]["complaints"][0]["forward"]
    assert forward["from_agency"]["short_name"] == "DINAS" and forward["reason"] == "Bukan wewenang"
    assert agenda(store, DINAS, NOW)["forwards"]["total"] == 0
    with store.unit_of_work() as uow:
        domain.answer_forward(uow, POLRES, complaint.id, False, {"reason": "Bukan kami juga"}, NOW)
    assert agenda(store, POLRES, NOW)["forwards"]["total"] == 0
    assert ids(agenda(store, COORDINATOR, NOW)["triage"]) == [complaint.id]


def test_the_coordinator_sees_overdue_and_escalated_per_agency_and_a_parent_its_units_escalations(store):
    late = submit(store, NOW - timedelta(days=10), target_agency_id="dinas")
    submit(store, NOW - timedelta(days=10), target_agency_id="polres")
    submit(store, NOW, target_agency_id="polres")
    with store.unit_of_work() as uow:
        assert domain.escalate(uow, late.id, "verify", NOW)
    waiting = agenda(store, COORDINATOR, NOW)
    per_agency = {row["agency_id"]: (row["overdue"], row["escalated"]) for row in waiting["per_agency"]}
    assert per_agency == {"dinas": (1, 1), "polres": (1, 0)}
    assert ids(waiting["escalated"]) == [late.id]
    assert ids(agenda(store, PEMKOT, NOW)["escalated"]) == [late.id]  # dinas is a unit of pemkot
    assert agenda(store, POLRES, NOW)["escalated"]["total"] == 0


def test_the_moves_offered_are_the_rules_own(store):
    complaint = submit(store, NOW, target_agency_id="dinas")

    def actions(who):
        with store.reading() as session:
            stored = session.get(models.Complaint, complaint.id)
            return schemas.Complaint().dump(domain.complaint_view(session, who, stored, NOW))["actions"]

    assert actions(DINAS) == {"moves": ["held", "rejected", "verified"], "answer": True, "forward": True,
                              "answer_forward": False, "decide": False}
    assert actions(COORDINATOR)["decide"] is True
    move(store, DINAS, complaint, "verified")
    with store.unit_of_work() as uow:
        domain.forward(uow, DINAS, complaint.id, {"to_agency_id": "polres", "reason": "Bukan wewenang"}, NOW)
    assert actions(POLRES) == {"moves": [], "answer": False, "forward": False, "answer_forward": True,
                               "decide": False}
    assert actions(DINAS)["forward"] is False and actions(DINAS)["moves"] == ["assigned", "rejected"]


def test_lists_filter_by_agency_and_by_the_stage_that_is_late(store):
    late = submit(store, NOW - timedelta(days=10), target_agency_id="dinas")
    submit(store, NOW, target_agency_id="dinas")
    submit(store, NOW - timedelta(days=10), target_agency_id="polres")
    with store.reading() as session:
        found = domain.list_complaints(session, COORDINATOR, {"agency_id": "dinas", "stage": "verify"}, NOW)
        settling = domain.list_complaints(session, COORDINATOR, {"stage": "settle"}, NOW)
    assert [c["id"] for c in found["complaints"]] == [late.id] and found["total"] == 1
    assert settling["total"] == 0


def test_the_audit_names_the_person_who_acted_and_the_public_history_does_not(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    person = {**DINAS, "key_id": None, "account_id": "acc-1", "account_name": "Rina Marlina",
              "account_role": "officer"}
    move(store, person, complaint, "verified")
    with store.unit_of_work() as uow:
        domain.forward(uow, person, complaint.id, {"to_agency_id": "polres", "reason": "Bukan wewenang"}, NOW)
    with store.reading() as session:
        stored = session.get(models.Complaint, complaint.id)
        view = schemas.Complaint().dump(domain.complaint_view(session, COORDINATOR, stored, NOW))
        tracking = schemas.Tracking().dump(domain.tracking_view(session, complaint.tracking_number, NOW))
    by_action = {entry["action"]: entry for entry in view["audit"]}
    assert by_action["status:verified"]["actor_name"] == "Rina Marlina"
    assert by_action["status:verified"]["actor_agency"]["short_name"] == "DINAS"
    assert by_action["forward:proposed"]["note"] == "bukan wewenang -> POLRES: Bukan wewenang"
    assert by_action["received"]["actor_name"] is None
    assert "Rina Marlina" not in str(tracking)


@pytest.mark.parametrize("path, step", [
    ([], "verification"), (["verified", "assigned"], "settlement"), (["verified", "assigned", "responded"], "confirmation"),
    (["verified", "assigned", "responded", "closed"], None), (["rejected"], None)])
def test_the_tracking_page_names_what_comes_next_and_by_when(store, path, step):
    """Once answered, what comes next is the reporter's confirmation (silent, it closes by itself
    then), not the office's settle deadline it has already met."""
    complaint = submit(store, NOW, target_agency_id="dinas")
    for status in path:
        move(store, DINAS if status != "rejected" else COORDINATOR, complaint, status,
             **({"reason": "Sudah diperbaiki"} if status in ("responded", "rejected") else {}))
    with store.reading() as session:
        stored = session.get(models.Complaint, complaint.id)
        tracking = schemas.Tracking().dump(domain.tracking_view(session, complaint.tracking_number, NOW))
    expected = {"verification": stored.verify_due, "settlement": stored.settle_due, None: None,
                "confirmation": domain.working_deadline(NOW, domain.SILENCE_WORKING_DAYS)}[step]
    assert tracking["next_step"] == step
    assert tracking["expected_by"] == (expected.isoformat() if expected else None)
