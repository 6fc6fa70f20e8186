"""The member list's import: rows read into registrations, checked, ordered parents first, planned and
applied in one unit of work (a SQLite directory, no broker)."""
import json
from datetime import datetime, timezone

import pytest

from services.directory import domain, models, schemas
from shared.contracts import open_envelope
from shared.errors import Forbidden, ValidationFailed

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=timezone.utc)
COORDINATOR = {"agency_id": "koord", "role": "coordinator", "key_id": "k", "account_id": None}
HEADER = [header for _name, header in schemas.IMPORT_COLUMNS]
FIELDS = [name for name, _header in schemas.IMPORT_COLUMNS]


@pytest.fixture
def store(service_db):
    return service_db("directory")


def row(short_name, parent="", **cells):
    values = {"name": f"Unit {short_name}", "short_name": short_name, "kind": "polri", "parent": parent,
              "region_code": "73.72", **cells}
    return [values.get(name, "") for name in FIELDS]


def table(*rows, columns=HEADER):
    return {"columns": list(columns), "rows": [list(r) for r in rows]}


def preview(store, *rows, **kwargs):
    with store.reading() as session:
        return domain.plan_import(session, COORDINATOR, table(*rows, **kwargs))


def apply(store, *rows, actor=COORDINATOR):
    with store.unit_of_work() as uow:
        return domain.import_members(uow, actor, table(*rows), NOW)


def by_short_name(plan):
    return {r.short_name: r for r in plan.rows}


def outbox(store, name):
    with store.reading() as session:
        envelopes = [open_envelope(json.loads(m.envelope)) for m in session.query(models.OutboxMessage)]
    return [e for e in envelopes if e.name == name]


def test_a_preview_says_what_each_row_would_do_and_writes_nothing(store):
    plan = preview(store, row("POLRES"), row("POLSEK-A", parent="POLRES"))
    assert [r.action for r in plan.rows] == ["create", "create"] and plan.counts["create"] == 2
    assert plan.applied is False
    with store.reading() as session:
        assert session.query(models.Agency).count() == 0


def test_sub_units_listed_before_their_parents_are_created_after_them(store):
    plan = apply(store, row("POLSEK-B", parent="POLSEK-A"), row("POLSEK-A", parent="POLRES"), row("POLRES"))
    assert plan.counts == {"create": 3, "change": 0, "unchanged": 0, "refused": 0}
    created = [e.data["agency"]["short_name"] for e in outbox(store, "agency.registered")]
    assert created == ["POLRES", "POLSEK-A", "POLSEK-B"]
    rows = by_short_name(plan)
    with store.reading() as session:
        assert session.get(models.Agency, rows["POLSEK-B"].agency_id).parent_id == rows["POLSEK-A"].agency_id


def test_each_refusal_names_its_column(store):
    plan = preview(store, row("U-A", officer_name="Iptu Hendra", officer_phone="12345"),
                   row("U-B", region_code=""), row("U-C", kind="polisi"), row("U-D", instagram="not a handle!"),
                   row("", name="Tanpa Singkatan"))
    rows = plan.rows
    assert list(rows[0].errors) == ["Telepon petugas humas"]
    assert rows[1].errors == {"Kode wilayah": ["missing: every row needs it"]}
    assert list(rows[2].errors) == ["Jenis"] and list(rows[3].errors) == ["Instagram"]
    assert "Singkatan" in rows[4].errors
    assert all(r.action == "refused" for r in rows)


def test_a_short_name_given_twice_refuses_both_rows_and_their_sub_units(store):
    plan = preview(store, row("KUA-X"), row("kua-x ", name="Another"), row("MADRASAH", parent="KUA-X"),
                   row("OK"))
    rows = by_short_name(plan)
    assert rows["KUA-X"].errors == {"Singkatan": ["the same short name is in row 3"]}
    assert rows["kua-x"].action == "refused"
    assert rows["MADRASAH"].errors == {"Induk (singkatan)": ["its parent's row (3) is refused"]}
    assert rows["OK"].action == "create"


def test_cycles_of_parents_are_refused_with_everything_under_them(store):
    plan = preview(store, row("U-A", parent="U-B"), row("U-B", parent="U-A"), row("U-C", parent="U-C"),
                   row("UNDER", parent="U-A"), row("FREE"))
    rows = by_short_name(plan)
    assert "cycle" in rows["U-A"].errors["Induk (singkatan)"][0] and rows["U-B"].action == "refused"
    assert rows["U-C"].action == "refused" and rows["UNDER"].action == "refused"
    assert rows["FREE"].action == "create"


def test_a_parent_must_be_a_row_or_an_active_agency(store):
    apply(store, row("OLD"))
    with store.unit_of_work() as uow:
        old = uow.session.query(models.Agency).one()
        domain.deactivate_agency(uow, COORDINATOR, old.id, NOW)
    plan = preview(store, row("U-X", parent="NOWHERE"), row("U-Y", parent="OLD"))
    rows = by_short_name(plan)
    assert "NOWHERE" in rows["U-X"].errors["Induk (singkatan)"][0]
    assert "deactivated" in rows["U-Y"].errors["Induk (singkatan)"][0]


def test_the_same_list_twice_changes_nothing_and_an_edited_list_updates(store):
    rows = [row("POLRES", website="polres.example.go.id", officer_name="AKP Rusdi", officer_phone="0812-4300-2001",
                officer_email="rusdi@polres.example.go.id"),
            row("POLSEK-A", parent="POLRES", instagram="@polseka")]
    apply(store, *rows)
    again = apply(store, *rows)
    assert again.counts == {"create": 0, "change": 0, "unchanged": 2, "refused": 0}
    assert len(outbox(store, "agency.updated")) == 0 and again.invitations == []
    edited = apply(store, row("POLRES", name="Polres Parepare", website="polres.example.go.id",
                              officer_name="AKP Rusdi", officer_phone="0812-4300-2999"),
                   row("POLSEK-A", parent="", instagram="@polseka"))
    rows = by_short_name(edited)
    assert rows["POLRES"].action == "change"
    assert rows["POLRES"].changed == ["name", "officer_phone"]
    assert rows["POLSEK-A"].action == "unchanged"  # an empty cell changes nothing
    detail = domain.snapshot(store_agency(store, "POLRES"))
    assert detail["name"] == "Polres Parepare" and detail["officers"][0]["phone"] == "+6281243002999"
    assert detail["officers"][0]["email"] == "rusdi@polres.example.go.id"


def store_agency(store, short_name):
    with store.reading() as session:
        agency = session.query(models.Agency).filter_by(short_name=short_name).one()
        agency.officers, agency.channels, agency.contributors  # loaded before the session ends
        return agency


def test_officers_with_an_email_are_invited_once(store):
    plan = apply(store, row("U-A", officer_name="Siti Aminah", officer_email="siti@a.example.go.id"),
                 row("U-B", officer_name="Siti Aminah", officer_email="SITI@a.example.go.id"),
                 row("U-C", officer_name="Budi", officer_phone="0812-1111-2222"))
    [invited] = plan.invitations
    assert invited.account.email == "siti@a.example.go.id" and invited.account.account_role == "admin"
    assert invited.invite_token and invited.agency_name == "Unit U-A"
    assert [r.invite for r in plan.rows] == ["siti@a.example.go.id", None, None]
    assert apply(store, row("U-A", officer_name="Siti Aminah", officer_email="siti@a.example.go.id")).invitations == []


def test_a_failure_midway_applies_none_of_the_rows(store, monkeypatch):
    from services.directory.domain import imports
    made = []

    def fails_on_the_second(uow, data, now):
        if made:
            raise RuntimeError("the database went away")
        made.append(data["short_name"])
        return real(uow, data, now)

    real = imports.add_agency
    monkeypatch.setattr(imports, "add_agency", fails_on_the_second)
    with pytest.raises(RuntimeError):
        apply(store, row("U-A"), row("U-B"))
    with store.reading() as session:
        assert session.query(models.Agency).count() == 0 and session.query(models.OutboxMessage).count() == 0


def test_only_a_coordinator_imports(store):
    member = {**COORDINATOR, "role": "member"}
    with pytest.raises(Forbidden):
        apply(store, row("U-A"), actor=member)
    with store.reading() as session, pytest.raises(Forbidden):
        domain.plan_import(session, member, table(row("U-A")))


def test_the_header_must_name_the_required_columns_and_nothing_unknown(store):
    with pytest.raises(ValidationFailed) as refused:
        preview(store, ["x", "y"], columns=["Nama instansi", "Catatan"])
    problems = refused.value.fields["columns"]
    assert "missing column: Singkatan" in problems and "unknown column: Catatan" in problems


def test_headers_are_read_whatever_their_case_and_order_and_blank_rows_are_skipped(store):
    columns = ["KODE WILAYAH", "singkatan", "Jenis", "nama instansi"]
    plan = preview(store, ["73.72", "DINKES", "OPD", "Dinas Kesehatan"], ["", "", "", ""],
                   ["73.72", "DINSOS", "opd", "Dinas Sosial"], columns=columns)
    assert [(r.line, r.short_name, r.action) for r in plan.rows] == [(2, "DINKES", "create"), (4, "DINSOS", "create")]


def test_an_existing_agency_moved_under_its_own_sub_unit_is_a_cycle(store):
    apply(store, row("POLRES"), row("POLSEK", parent="POLRES"))
    plan = preview(store, row("POLRES", parent="POLSEK"))
    assert "cycle" in plan.rows[0].errors["Induk (singkatan)"][0]


def test_an_officer_s_phone_without_a_name_names_the_missing_name(store):
    plan = preview(store, row("U-A", officer_phone="0812-3456-7890"))
    assert plan.rows[0].errors == {"Nama petugas humas": ["missing: the officer's phone or email needs a name"]}
