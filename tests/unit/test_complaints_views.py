"""What the agencies and the coordinator read: triage without a category, lists cut and counted in
the database, figures counted in the database, agencies named beside their ids; on SQLite and on
PostgreSQL."""
import json
import statistics
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from tests.unit import complaints_unit_support as support
from tests.unit.complaints_unit_support import COORDINATOR, actor, at, submit, with_city

from services.complaints import domain, models, schemas
from shared.contracts import open_envelope

NOW = at(2026, 11, 23)
DINAS = actor("dinas")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, service_db):
    """Counted in the database: the same answers on both back ends."""
    return with_city(service_db("complaints", backend=request.param))


def move(store, who, complaint, status, when=NOW, **extra):
    return support.move(store, who, complaint, status, when, **extra)


def test_a_complaint_without_category_waits_in_the_coordinators_triage(store):
    with store.unit_of_work() as uow:
        domain.add_rule(uow, COORDINATOR, {"agency_id": "pemkot"})
    complaint = submit(store, NOW, category=None, channel="whatsapp", target_agency_id="dinas")
    assert (complaint.category, complaint.agency_id, complaint.routed_by) == (None, None, "triage:no_category")
    with store.reading() as session:
        triage = schemas.ComplaintList().dump(domain.list_complaints(session, COORDINATOR, {"triage": True}, NOW))
        figures = schemas.Stats().dump(domain.stats(session, COORDINATOR, NOW))
        event_rows = session.scalars(select(models.OutboxMessage)).all()
    assert [c["id"] for c in triage["complaints"]] == [complaint.id] and triage["total"] == 1
    assert triage["complaints"][0]["category"] is None
    assert figures["by_category"]["uncategorised"]["open"] == 1 and figures["by_agency"]["triage"]["open"] == 1
    assert [open_envelope(json.loads(row.envelope)).data["category"] for row in event_rows] == [None]
    decided = move(store, COORDINATOR, complaint, "verified")
    assert decided.status == "verified"
    assert move(store, COORDINATOR, complaint, "assigned", agency_id="dinas").agency_id == "dinas"


def complaints_in_every_status(store):
    """A complaint in every status, with and without a follow-up deadline: their ids."""
    cases = []
    for status in domain.MOVES:
        for follow_up in (None, NOW + timedelta(days=2)):
            complaint = submit(store, NOW, target_agency_id="dinas")
            with store.unit_of_work() as uow:
                stored = uow.session.get(models.Complaint, complaint.id)
                stored.status, stored.follow_up_due = status, follow_up
            cases.append(complaint.id)
    return cases


def test_overdue_in_sql_is_the_rule_of_overdue_stages(store):
    cases = complaints_in_every_status(store)
    for days_later in (0, 4, 30, 100):
        later = NOW + timedelta(days=days_later)
        with store.reading() as session:
            late = set(session.scalars(select(models.Complaint.id).where(domain.overdue_in_sql(later))))
            on_time = set(session.scalars(select(models.Complaint.id).where(~domain.overdue_in_sql(later))))
            by_rule = {c.id for c in session.scalars(select(models.Complaint)) if domain.overdue_stages(c, later)}
        assert late == by_rule and on_time == set(cases) - by_rule
    assert 0 < len(by_rule) < len(cases)


def test_overdue_counted_per_stage_in_the_database_is_the_rule_of_overdue_stages(store):
    complaints_in_every_status(store)
    for days_later in (0, 4, 30, 100):
        later = NOW + timedelta(days=days_later)
        with store.reading() as session:
            by_rule = Counter(stage for c in session.scalars(select(models.Complaint))
                              for stage in domain.overdue_stages(c, later))
            assert domain.overdue_by_stage(session, later) == {stage: by_rule[stage]
                                                               for stage in ("verify", "follow_up", "settle")}
    assert by_rule["settle"] > 0


def test_a_page_loads_only_its_own_complaints(store):
    made = [submit(store, NOW + timedelta(minutes=i), target_agency_id="dinas") for i in range(30)]
    newest_first = [c.id for c in reversed(made)]
    loaded = []

    def count_load(target, context):
        loaded.append(target.id)

    event.listen(models.Complaint, "load", count_load)
    try:
        with store.reading() as session:
            page = schemas.ComplaintList().dump(domain.list_complaints(session, DINAS, {"limit": 5, "offset": 10}, NOW))
    finally:
        event.remove(models.Complaint, "load", count_load)
    assert [c["id"] for c in page["complaints"]] == newest_first[10:15]
    assert page["total"] == 30
    assert len(loaded) == 5


def test_filters_and_overdue_are_applied_before_the_page_is_cut(store):
    made = [submit(store, NOW + timedelta(minutes=i), target_agency_id="dinas") for i in range(6)]
    for complaint in made[::2]:
        move(store, DINAS, complaint, "verified")
    later = NOW + timedelta(days=10)
    with store.reading() as session:
        late = schemas.ComplaintList().dump(domain.list_complaints(session, DINAS, {"overdue": True, "limit": 2}, later))
        on_time = schemas.ComplaintList().dump(domain.list_complaints(session, DINAS, {"overdue": False}, later))
        verified = schemas.ComplaintList().dump(domain.list_complaints(session, DINAS, {"status": "verified", "limit": 1, "offset": 1}, later))
    assert late["total"] == 3 and [c["id"] for c in late["complaints"]] == [made[5].id, made[3].id]
    assert all(c["overdue"] == ["verify"] for c in late["complaints"])
    assert on_time["total"] == 3 and {c["id"] for c in on_time["complaints"]} == {c.id for c in made[::2]}
    assert verified["total"] == 3 and [c["id"] for c in verified["complaints"]] == [made[2].id]
    with store.reading() as session:
        assert schemas.ComplaintList().dump(domain.list_complaints(session, actor("polres"), {}, later)) == {"complaints": [], "total": 0}


def test_figures_counted_in_the_database_match_the_complaints(store):
    waits = {}
    for i, (agency, category, hours) in enumerate([
            ("dinas", "infrastruktur", 5), ("dinas", "infrastruktur", 1), ("dinas", "kebersihan", 8),
            ("dinas", "kebersihan", None), ("polres", "keamanan", 2.5), ("polres", "keamanan", None)]):
        complaint = submit(store, NOW + timedelta(minutes=i), target_agency_id=agency, category=category)
        if hours is not None:
            with store.unit_of_work() as uow:
                domain.answer(uow, actor(agency), complaint.id, {"text": "Kami tangani", "visibility": "public"},
                              complaint.received_at + timedelta(hours=hours))
            waits.setdefault(agency, []).append(hours)
            waits.setdefault(category, []).append(hours)
    rejected = submit(store, NOW, target_agency_id="polres", category="keamanan")
    move(store, actor("polres"), rejected, "rejected", reason="bukan pengaduan")
    triage = submit(store, NOW, category="pendidikan")
    forwarded = submit(store, NOW, target_agency_id="dinas")
    with store.unit_of_work() as uow:
        domain.forward(uow, DINAS, forwarded.id, {"to_agency_id": "polres", "reason": "Bukan wewenang"}, NOW)
    later = NOW + timedelta(days=10)
    with store.reading() as session:
        figures = schemas.Stats().dump(domain.stats(session, COORDINATOR, later))
    assert (figures["total"], figures["open"], figures["forwarded"]) == (9, 8, 1)
    assert figures["overdue"] == 8
    assert figures["median_first_response_hours"] == statistics.median([5, 1, 8, 2.5])
    dinas = figures["by_agency"]["dinas"]
    assert (dinas["open"], dinas["forwarded"], dinas["median_first_response_hours"]) == (5, 1, 5)
    assert dinas["agency"] == {"id": "dinas", "name": "Agency dinas", "short_name": "DINAS"}
    polres = figures["by_agency"]["polres"]
    assert (polres["open"], polres["median_first_response_hours"]) == (2, 2.5)
    assert figures["by_agency"]["triage"] == {"open": 1, "overdue": 1, "forwarded": 0,
                                              "median_first_response_hours": None, "agency": None}
    assert figures["by_category"]["infrastruktur"]["median_first_response_hours"] == 3
    assert figures["by_category"]["kebersihan"]["median_first_response_hours"] == 8
    assert triage.category in figures["by_category"]
    with store.reading() as session:
        assert schemas.Stats().dump(domain.stats(session, COORDINATOR, later)) == figures


def test_no_complaints_no_figures(store):
    with store.reading() as session:
        assert schemas.Stats().dump(domain.stats(session, COORDINATOR, NOW)) == {"total": 0, "open": 0, "overdue": 0, "forwarded": 0,
                                              "median_first_response_hours": None, "by_agency": {},
                                              "by_category": {}}


def test_every_agency_id_a_person_reads_comes_with_its_name(store):
    complaint = submit(store, NOW, target_agency_id="dinas")
    with store.unit_of_work() as uow:
        domain.answer(uow, DINAS, complaint.id, {"text": "Dicek", "visibility": "internal"}, NOW)
        domain.forward(uow, DINAS, complaint.id, {"to_agency_id": "polres", "reason": "Bukan wewenang"}, NOW)
    with store.reading() as session:
        view = schemas.Complaint().dump(domain.complaint_view(session, COORDINATOR, session.get(models.Complaint, complaint.id), NOW))
        listed = schemas.ComplaintList().dump(domain.list_complaints(session, COORDINATOR, {}, NOW))["complaints"][0]
    dinas = {"id": "dinas", "name": "Agency dinas", "short_name": "DINAS"}
    polres = {"id": "polres", "name": "Agency polres", "short_name": "POLRES"}
    assert view["agency"] == view["target_agency"] == listed["agency"] == dinas
    assert view["about_agency"] is None and view["filed_by_agency"] is None
    assert (view["forwards"][0]["from_agency"], view["forwards"][0]["to_agency"]) == (dinas, polres)
    assert view["notes"][0]["agency"] == dinas and view["notes"][0]["agency_id"] == "dinas"
    by_action = {entry["action"]: entry for entry in view["audit"]}
    assert by_action["forward:proposed"]["actor_agency"] == dinas
    assert by_action["received"]["actor_agency"] is None and by_action["received"]["agency"] == dinas
    assert json.dumps(view, default=str).count("Agency dinas") >= 4


def test_a_complaint_answers_the_names_of_its_category_and_channel_beside_their_codes(store):
    complaint = submit(store, NOW, category="lalu_lintas", channel="web", target_agency_id="dinas")
    with store.reading() as session:
        listed = schemas.ComplaintList().dump(domain.list_complaints(session, COORDINATOR, {}, NOW))
        one = schemas.Complaint().dump(domain.complaint_view(session, COORDINATOR, complaint, NOW))
    for seen in (listed["complaints"][0], one):
        assert (seen["category"], seen["channel"]) == ("lalu_lintas", "web")
        assert seen["category_name"] == {"id": "Lalu lintas dan angkutan", "en": "Traffic and transport"}
        assert seen["channel_name"] == {"id": "Formulir web", "en": "Web form"}
