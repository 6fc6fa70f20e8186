"""Routing: explicit target, conflict of interest, rules most specific first, triage."""
import pytest
from tests.unit.complaints_unit_support import COORDINATOR, add_agency, at, submit

from services.complaints import domain, schemas
from shared import intake
from shared.errors import ValidationFailed

NOW = at(2026, 11, 23)


@pytest.fixture
def store(service_db):
    store = service_db("complaints")
    add_agency(store, "pemkot", kind="opd", region_code="73.72")
    add_agency(store, "dinas-pu", kind="opd", parent_id="pemkot", region_code="73.72")
    add_agency(store, "polda", kind="polri", region_code="73")
    add_agency(store, "polres", kind="polri", parent_id="polda", region_code="73.72")
    add_agency(store, "closed-office", kind="opd", region_code="73.72", active=False)
    return store


def add_rule(store, **rule):
    with store.unit_of_work() as uow:
        return domain.add_rule(uow, COORDINATOR, rule).id


def test_what_no_rule_matches_goes_to_triage(store):
    complaint = submit(store, NOW)
    assert (complaint.agency_id, complaint.routed_by) == (None, "triage")


def test_most_specific_rule_wins(store):
    add_rule(store, agency_id="pemkot")
    add_rule(store, category="infrastruktur", agency_id="dinas-pu")
    add_rule(store, category="lalu_lintas", agency_kind="polri")
    add_rule(store, category="lalu_lintas", region_code="73", agency_id="polda")
    assert submit(store, NOW, category="kebersihan").agency_id == "pemkot"
    assert submit(store, NOW, category="infrastruktur").agency_id == "dinas-pu"
    in_city = {"region_code": "73.72.01"}
    assert submit(store, NOW, category="lalu_lintas", location=in_city).agency_id == "polda"
    # no police serves region 74: the kind rule finds nobody and the catch-all takes it
    assert submit(store, NOW, category="lalu_lintas", location={"region_code": "74.01"}).agency_id == "pemkot"


def test_a_rule_by_kind_picks_the_agency_serving_the_region_most_closely(store):
    add_rule(store, category="keamanan", agency_kind="polri")
    assert submit(store, NOW, category="keamanan", location={"region_code": "73.72.05"}).agency_id == "polres"
    assert submit(store, NOW, category="keamanan", location={"region_code": "73.01"}).agency_id == "polda"


def test_explicit_target_wins_over_rules(store):
    add_rule(store, category="infrastruktur", agency_id="dinas-pu")
    complaint = submit(store, NOW, target_agency_id="polres")
    assert (complaint.agency_id, complaint.routed_by) == ("polres", "explicit_target")


def test_an_inactive_target_falls_back_to_the_rules(store):
    add_rule(store, category="infrastruktur", agency_id="dinas-pu")
    assert submit(store, NOW, target_agency_id="closed-office").agency_id == "dinas-pu"


def test_a_complaint_about_a_unit_goes_to_its_parent_and_is_confidential(store):
    complaint = submit(store, NOW, about_agency_id="polres", target_agency_id="polres",
                       reporter={"name": "Ani", "phone": "081234567890", "email": None})
    assert (complaint.agency_id, complaint.routed_by) == ("polda", "conflict_of_interest")
    assert complaint.confidential is True


def test_a_unit_without_parent_complained_about_goes_to_the_coordinator(store):
    assert submit(store, NOW, about_agency_id="polda").agency_id is None


def test_unknown_category_goes_to_triage(store):
    add_rule(store, agency_id="pemkot")
    assert submit(store, NOW, category="tidak_ada").routed_by == "triage:unknown_category"


def test_rules_name_known_categories_and_active_agencies(store):
    with pytest.raises(ValidationFailed) as unknown:
        add_rule(store, category="tidak_ada", agency_id="pemkot")
    assert "category" in unknown.value.fields
    with pytest.raises(ValidationFailed) as inactive:
        add_rule(store, agency_id="closed-office")
    assert "agency_id" in inactive.value.fields
    with pytest.raises(ValidationFailed) as both:
        add_rule(store, agency_id="pemkot", agency_kind="opd")
    assert "agency_id" in both.value.fields


def test_redelivered_intake_is_stored_once(store):
    message = {"tracking_number": "DUMAS-AAAA-BBBB-CCCC", "reporter_secret_hash": intake.secret_hash("x"),
               "submitted_at": NOW, "complaint": {"channel": "sms", "text": "t", "category": "kesehatan"}}
    with store.unit_of_work() as uow:
        assert domain.receive(uow, message, NOW) is not None
    with store.unit_of_work() as uow:
        assert domain.receive(uow, message, NOW) is None
    with store.reading() as session:
        assert schemas.Stats().dump(domain.stats(session, COORDINATOR, NOW))["total"] == 1


def test_tracking_numbers_are_readable_and_unguessable():
    numbers = {intake.new_tracking_number() for _ in range(2000)}
    assert len(numbers) == 2000
    sample = numbers.pop()
    assert sample.startswith("DUMAS-") and len(sample) == 20
    assert not set(sample[6:].replace("-", "")) & set("ILOU")
    assert intake.normalise_tracking_number(sample.lower().replace("0", "o")) == sample
