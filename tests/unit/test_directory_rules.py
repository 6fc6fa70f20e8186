"""Directory rules on a real (SQLite) database, without a broker: events are read from the outbox."""
import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from services.directory import domain, models
from shared.contracts import open_envelope
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(service_db):
    return service_db("directory")


def events(store, name=None):
    with store.reading() as session:
        rows = session.query(models.OutboxMessage).order_by(models.OutboxMessage.id).all()
        envelopes = [open_envelope(json.loads(row.envelope)) for row in rows]
    return [e for e in envelopes if name is None or e.name == name]


def register(store, short_name, **fields):
    body = {"name": f"Agency {short_name}", "short_name": short_name, "kind": "opd", **fields}
    with store.unit_of_work() as uow:
        return domain.register_agency(uow, coordinator(), body, NOW).id


def update(store, actor, agency_id, data):
    with store.unit_of_work() as uow:
        return domain.snapshot(domain.update_agency(uow, actor, agency_id, data, NOW))


def coordinator(agency_id="coordinator-id"):
    return {"agency_id": agency_id, "role": "coordinator", "key_id": "k"}


def member(agency_id):
    return {"agency_id": agency_id, "role": "member", "key_id": "k"}


OFFICER = {"name": "Andi Makkasau", "position": "ppid", "phone": "0812-3456-7890"}


def test_registration_emits_a_snapshot_honouring_the_contract(store):
    agency_id = register(store, "POLRES-PAREPARE", kind="polri", region_code="73.72", officers=[OFFICER],
                         channels={"instagram": "@polresparepare"})
    [registered] = events(store, "agency.registered")
    agency = registered.data["agency"]
    assert agency["id"] == agency_id and agency["kind"] == "polri" and agency["active"] is True
    assert agency["officers"][0]["phone"] == "+6281234567890"
    assert agency["channels"] == {"instagram": "https://www.instagram.com/polresparepare"}


def test_an_old_snapshot_without_the_later_fields_is_still_valid():
    old = {"id": "a", "name": "Polres", "short_name": "POLRES", "kind": "polri", "role": "member",
           "parent_id": None, "region_code": None, "active": True}
    envelope = open_envelope({"id": "6a1f1a38-3c1d-4a43-9d8e-3f1e0c1a2b3c", "name": "agency.registered",
                              "version": 1, "source": "directory", "occurred_at": "2026-11-23T10:00:00+00:00",
                              "data": {"agency": old}})
    assert envelope.data["agency"]["officers"] == [] and envelope.data["agency"]["channels"] == {}


def test_short_names_are_unique_regardless_of_case(store):
    register(store, "DINKES")
    with pytest.raises(Conflict) as clash:
        register(store, "dinkes")
    assert "short_name" in clash.value.fields


@pytest.mark.parametrize("again", ["DINKES ", "DINKES\n", " dinkes", "DINKES\x1b", "Dinkes\r\n"])
def test_a_short_name_differing_by_spaces_or_control_characters_is_the_same_name(store, again):
    register(store, "DINKES")
    with pytest.raises(Conflict) as clash:
        register(store, again)
    assert "short_name" in clash.value.fields
    other = register(store, "DINSOS")
    with pytest.raises(Conflict):
        update(store, coordinator(), other, {"short_name": again})


def test_the_unique_index_holds_short_names_the_same_after_normalisation(store):
    """Two instances racing past the check: the database refuses the second one."""
    register(store, "DINKES")
    with pytest.raises(IntegrityError), store.unit_of_work() as uow:
        uow.session.add(models.Agency(id="raced", name="Dinas Kesehatan", short_name="dinkes", kind="opd",
                                      role="member", short_name_key="dinkes"))
        uow.session.flush()


def test_the_parent_must_exist_and_be_active(store):
    with pytest.raises(ValidationFailed) as unknown:
        register(store, "POLSEK-SOREANG", parent_id="no-such-agency")
    assert "parent_id" in unknown.value.fields
    register(store, "KOORD", role="coordinator")
    polres = register(store, "POLRES")
    with store.unit_of_work() as uow:
        domain.deactivate_agency(uow, coordinator(), polres, NOW)
    with pytest.raises(ValidationFailed):
        register(store, "POLSEK-UJUNG", parent_id=polres)


def test_a_parent_that_makes_a_cycle_is_refused_and_nothing_is_written(store):
    kemenag = register(store, "KEMENAG")
    kua = register(store, "KUA-SOREANG", parent_id=kemenag)
    for new_parent in (kua, kemenag):
        with pytest.raises(ValidationFailed) as cycle:
            update(store, coordinator(), kemenag, {"parent_id": new_parent, "name": "Kemenag Kota Parepare"})
        assert "parent_id" in cycle.value.fields
    with store.reading() as session:
        assert domain.get_agency(session, kemenag).name == "Agency KEMENAG"
    assert events(store, "agency.updated") == []


def test_an_update_names_what_changed_and_a_no_op_emits_nothing(store):
    agency_id = register(store, "DISKOMINFO")
    update(store, coordinator(), agency_id, {"region_code": "73.72", "officers": [OFFICER],
                                             "name": "Agency DISKOMINFO"})
    update(store, coordinator(), agency_id, {"region_code": "73.72"})
    [updated] = events(store, "agency.updated")
    assert updated.data["changed"] == ["officers", "region_code"]
    assert updated.data["agency"]["region_code"] == "73.72"


def test_an_agency_may_change_only_its_own_officers_channels_and_contributors(store):
    own = register(store, "DISDIK")
    other = register(store, "DPMPTSP")
    changed = update(store, member(own), own, {"channels": {"website": "disdik.pareparekota.go.id"},
                                               "contributors": [{"name": "Sitti", "email": "sitti@example.id"}]})
    assert changed["channels"] == {"website": "https://disdik.pareparekota.go.id"}
    with pytest.raises(Forbidden) as reserved:
        update(store, member(own), own, {"officers": [OFFICER], "role": "coordinator", "name": "X Y"})
    assert set(reserved.value.fields) == {"role", "name"}
    with pytest.raises(Forbidden):
        update(store, member(own), other, {"officers": [OFFICER]})


def test_the_forum_keeps_at_least_one_active_coordinator(store):
    first = register(store, "HUMAS-PAREPARE", role="coordinator")
    with pytest.raises(Conflict):
        update(store, coordinator(first), first, {"role": "member"})
    with pytest.raises(Conflict), store.unit_of_work() as uow:
        domain.deactivate_agency(uow, coordinator(first), first, NOW)
    second = register(store, "HUMAS-SULSEL", role="coordinator")
    assert update(store, coordinator(second), first, {"role": "member"})["role"] == "member"


def test_deactivation_revokes_the_keys_for_good_and_is_announced_once(store):
    register(store, "KOORD", role="coordinator")
    agency_id = register(store, "KEJARI")
    with store.unit_of_work() as uow:
        _key, secret = domain.issue_key(uow, member(agency_id), agency_id, {}, NOW)
    with store.reading() as session:
        assert domain.authenticate(session, domain.hash_key(secret)).agency_id == agency_id
    for _ in range(2):
        with store.unit_of_work() as uow:
            domain.deactivate_agency(uow, coordinator(), agency_id, NOW)
    assert len(events(store, "agency.deactivated")) == 1
    assert len(events(store, "key.revoked")) == 1
    with store.reading() as session:
        assert domain.authenticate(session, domain.hash_key(secret)) is None
    with pytest.raises(Conflict), store.unit_of_work() as uow:
        domain.issue_key(uow, coordinator(), agency_id, {}, NOW)

    with store.unit_of_work() as uow:
        assert domain.reactivate_agency(uow, coordinator(), agency_id, NOW).active is True
    [back] = events(store, "agency.updated")
    assert back.data["changed"] == ["active"] and back.data["agency"]["active"] is True
    with store.reading() as session:
        assert domain.authenticate(session, domain.hash_key(secret)) is None


def test_a_revoked_key_no_longer_authenticates_and_is_announced(store):
    agency_id = register(store, "IMIGRASI")
    with store.unit_of_work() as uow:
        key, secret = domain.issue_key(uow, member(agency_id), agency_id, {"label": "laptop"}, NOW)
    with store.unit_of_work() as uow:
        domain.revoke_key(uow, member(agency_id), agency_id, key.id, NOW)
    with store.reading() as session:
        assert domain.authenticate(session, domain.hash_key(secret)) is None
        assert domain.authenticate(session, domain.hash_key("bkh_unknown")) is None
        assert [k.label for k in domain.list_keys(session, member(agency_id), agency_id)] == ["laptop"]
    assert [e.data["key_id"] for e in events(store, "key.revoked")] == [key.id]
    other = register(store, "PLN")
    with pytest.raises(NotFound), store.unit_of_work() as uow:
        domain.revoke_key(uow, coordinator(), other, key.id, NOW)


def test_the_list_filters_and_pages(store):
    kemenag = register(store, "KEMENAG", kind="kementerian", region_code="73.72",
                       name="Kantor Kementerian Agama Kota Parepare")
    for short in ("KUA-SOREANG", "KUA-UJUNG", "MAN-PAREPARE"):
        register(store, short, kind="kementerian", parent_id=kemenag, region_code="73.72.01")
    register(store, "POLRES", kind="polri", region_code="73.71", name="Polres Makassar")
    with store.reading() as session:
        def page(**query):
            found = domain.list_agencies(session, {key: str(value) for key, value in query.items()})
            return [a.short_name for a in found.items], found.total
        assert page(parent_id=kemenag)[1] == 3
        assert page(region_code="73.72")[1] == 4
        assert page(kind="polri") == (["POLRES"], 1)
        assert page(q="agama parepare") == (["KEMENAG"], 1)
        first, total = page(kind="kementerian", limit=2)
        second, _ = page(kind="kementerian", limit=2, offset=2)
        assert total == 4 and len(first) == 2 and len(set(first + second)) == 4


def test_bootstrap_happens_once(store):
    with store.unit_of_work() as uow:
        agency, _key, secret = domain.bootstrap_forum(uow, {"name": "Bagian Humas", "short_name": "HUMAS",
                                                            "kind": "opd"}, NOW)
    assert agency.role == "coordinator" and secret.startswith(domain.KEY_PREFIX)
    with pytest.raises(Conflict), store.unit_of_work() as uow:
        domain.bootstrap_forum(uow, {"name": "Another", "short_name": "OTHER", "kind": "opd"}, NOW)


def test_the_stored_detail_follows_every_change_of_the_agency_and_its_sub_units(store):
    register(store, "KOORD", role="coordinator")
    polres = register(store, "POLRES", kind="polri")
    kodim = register(store, "KODIM", kind="tni")
    polsek = register(store, "POLSEK-SOREANG", kind="polri", parent_id=polres)
    update(store, coordinator(), polsek, {"name": "Polsek Soreang", "officers": [OFFICER]})
    update(store, coordinator(), polsek, {"parent_id": kodim})
    with store.unit_of_work() as uow:
        domain.deactivate_agency(uow, coordinator(), polsek, NOW)
    with store.reading() as session:
        for agency_id in (polres, kodim, polsek):
            assert domain.read_detail(session, agency_id) == domain.detail(session, session.get(models.Agency, agency_id))
        assert domain.read_detail(session, polres)["sub_units"] == []
        [unit] = domain.read_detail(session, kodim)["sub_units"]
        assert unit["name"] == "Polsek Soreang" and unit["active"] is False
        with pytest.raises(NotFound):
            domain.read_detail(session, "no-such-agency")


def test_text_search_takes_wildcards_literally(store):
    register(store, "DINAS_A", name="Dinas 100% Kota")
    register(store, "DINASB", name="Dinas Kota")
    with store.reading() as session:
        found = domain.list_agencies(session, {"q": "dinas_ 100%", "limit": "10"})
    assert [a.short_name for a in found.items] == ["DINAS_A"] and found.total == 1


def test_an_agency_names_its_parent_and_a_renamed_parent_is_renamed_in_its_units(store):
    kemenag = register(store, "KEMENAG-PAREPARE")
    kua = register(store, "KUA-SOREANG", parent_id=kemenag)
    with store.reading() as session:
        assert domain.read_detail(session, kua)["parent"] == {
            "id": kemenag, "name": "Agency KEMENAG-PAREPARE", "short_name": "KEMENAG-PAREPARE"}
        assert domain.read_detail(session, kemenag)["parent"] is None
    update(store, coordinator(), kemenag, {"name": "Kantor Kemenag Kota Parepare", "short_name": "KEMENAG-PARE"})
    with store.reading() as session:
        assert domain.read_detail(session, kua)["parent"] == {
            "id": kemenag, "name": "Kantor Kemenag Kota Parepare", "short_name": "KEMENAG-PARE"}


def test_only_a_coordinator_registers_deactivates_and_reactivates_even_when_calling_the_domain(store):
    register(store, "KOORD", role="coordinator")
    own = register(store, "BAPPEDA")
    for actor in (member(own), None):
        with pytest.raises(Forbidden), store.unit_of_work() as uow:
            domain.register_agency(uow, actor, {"name": "Agency X", "short_name": "X-AGENCY", "kind": "opd"}, NOW)
        with pytest.raises(Forbidden), store.unit_of_work() as uow:
            domain.deactivate_agency(uow, actor, own, NOW)
    with store.unit_of_work() as uow:
        domain.deactivate_agency(uow, coordinator(), own, NOW)
    with pytest.raises(Forbidden), store.unit_of_work() as uow:
        domain.reactivate_agency(uow, member(own), own, NOW)
    assert events(store, "agency.deactivated")[0].data["agency"]["id"] == own
    assert events(store, "agency.updated") == []


def test_an_agency_issues_lists_and_revokes_only_its_own_keys_even_when_calling_the_domain(store):
    own, other = register(store, "BPS"), register(store, "BPBD")
    with store.unit_of_work() as uow:
        key, _secret = domain.issue_key(uow, member(other), other, {"label": "laptop"}, NOW)
    with pytest.raises(Forbidden), store.unit_of_work() as uow:
        domain.issue_key(uow, member(own), other, {}, NOW)
    with pytest.raises(Forbidden), store.reading() as session:
        domain.list_keys(session, member(own), other)
    with pytest.raises(Forbidden), store.unit_of_work() as uow:
        domain.revoke_key(uow, member(own), other, key.id, NOW)
    assert events(store, "key.revoked") == []


def test_the_moments_recorded_are_the_now_given(store):
    register(store, "KOORD", role="coordinator")
    agency_id = register(store, "BNN")
    with store.unit_of_work() as uow:
        key, _secret = domain.issue_key(uow, member(agency_id), agency_id, {}, NOW)
    later = NOW.replace(hour=11)
    with store.unit_of_work() as uow:
        agency = domain.deactivate_agency(uow, coordinator(), agency_id, later)
        assert (agency.created_at, agency.updated_at, agency.deactivated_at) == (NOW, later, later)
    with store.reading() as session:
        [revoked] = domain.list_keys(session, coordinator(), agency_id)
        assert (revoked.created_at, revoked.revoked_at) == (NOW, later)


def test_a_person_manages_the_agency_keys_only_as_its_admin(store):
    agency_id = register(store, "DISHUB")
    officer = {**member(agency_id), "key_id": None, "account_id": "a1", "account_role": "officer"}
    admin = {**officer, "account_id": "a2", "account_role": "admin"}
    with pytest.raises(Forbidden), store.unit_of_work() as uow:
        domain.issue_key(uow, officer, agency_id, {"label": "situs"}, NOW)
    with store.unit_of_work() as uow:
        key, _secret = domain.issue_key(uow, admin, agency_id, {"label": "situs"}, NOW)
    with pytest.raises(Forbidden), store.unit_of_work() as uow:
        domain.revoke_key(uow, officer, agency_id, key.id, NOW)
    with store.unit_of_work() as uow:
        assert domain.revoke_key(uow, admin, agency_id, key.id, NOW).revoked_at == NOW


def test_search_finds_an_agency_by_the_beginnings_of_its_words_whatever_the_case(store):
    polres = register(store, "POLRES-PAREPARE", kind="polri", name="Kepolisian Resor Parepare")
    register(store, "KUA-SOREANG", name="Kantor Urusan Agama Soreang")
    register(store, "PAREPARE-POS", name="ＰＴ Pos Indonesia Cabang Parepare")

    def found(typed):
        with store.reading() as session:
            return sorted(a.short_name for a in domain.list_agencies(session, {"q": typed, "limit": "10"}).items)
    assert found("pare") == ["PAREPARE-POS", "POLRES-PAREPARE"]
    assert found("KEPOLISIAN pAre") == found("polres-pa") == found("resor") == ["POLRES-PAREPARE"]
    assert found("pt pos") == ["PAREPARE-POS"] and found("soreang kua") == ["KUA-SOREANG"]
    assert found("epare") == [] and found("polres makassar") == []
    update(store, coordinator(), polres, {"name": "Polres Parepare", "short_name": "POLRES-PARE"})
    assert found("kepolisian") == [] and found("polres pare") == ["POLRES-PARE"]


def test_search_reads_an_index_of_words(store):
    """A picker asks as one types: the words are looked up by range on an index, not scanned."""
    register(store, "POLRES-PAREPARE", name="Polres Parepare")
    with store.reading() as session:
        plan = session.execute(text("EXPLAIN QUERY PLAN SELECT agency_id FROM agency_search_words "
                                    "WHERE word >= 'pare' AND word < 'pare\U0010ffff'")).all()
    assert any("USING" in str(row) and "INDEX" in str(row) for row in plan), plan
