"""A real forum moves in: its 300-row member list previewed and imported through the API."""
import io
import uuid

import pytest
from openpyxl import load_workbook

from bakohumas.harness import member_list_xlsx

pytestmark = pytest.mark.e2e
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARENTS = 20
SUB_UNITS = 14  # per parent: 20 + 20 * 14 = 300 rows


def forum_of_300(tag):
    """Sub-units listed before their parents; row 5 has a bad phone, row 40 a short name used again
    in row 41 (both refused: which is right?), and rows 100 and 200 no region."""
    parents = [{"name": f"Kepolisian Resor {tag} {p}", "short_name": f"POLRES-{tag}-{p}", "kind": "polri",
                "region_code": "73.72", "website": f"polres{p}.{tag.lower()}.example.go.id",
                "officer_name": f"AKP Humas {p}", "officer_phone": f"0812-4300-{p:04d}",
                "officer_email": f"humas{p}.{tag.lower()}@polres.example.go.id"} for p in range(PARENTS)]
    units = [{"name": f"Kepolisian Sektor {tag} {p}-{s}", "short_name": f"POLSEK-{tag}-{p}-{s}", "kind": "polri",
              "parent": f"POLRES-{tag}-{p}", "region_code": "73.72.01", "instagram": f"@polsek_{p}_{s}",
              "officer_name": f"Iptu Sektor {p}-{s}", "officer_phone": f"0813-{p:02d}{s:02d}-1234"}
             for p in range(PARENTS) for s in range(SUB_UNITS)]
    rows = units + parents
    rows[3]["officer_phone"] = "12-34"                         # spreadsheet row 5
    rows[39]["short_name"] = rows[38]["short_name"]            # rows 40 and 41
    rows[98]["region_code"] = rows[198]["region_code"] = ""    # rows 100 and 200
    return rows


def upload(client, content, **params):
    return client.post("/api/v1/agencies/import", params=params, timeout=180,
                       files={"file": ("anggota.xlsx", content, XLSX)})


def test_a_300_row_member_list_is_previewed_then_imported_once(coordinator, stack):
    tag = uuid.uuid4().hex[:5].upper()
    content = member_list_xlsx(forum_of_300(tag))
    preview = upload(coordinator, content)
    assert preview.status_code == 200, preview.text
    plan = preview.json()
    assert plan["applied"] is False and len(plan["rows"]) == 300
    assert plan["counts"] == {"create": 295, "change": 0, "unchanged": 0, "refused": 5}
    refused = {row["line"]: row["errors"] for row in plan["rows"] if row["action"] == "refused"}
    assert list(refused[5]) == ["Telepon petugas humas"]
    assert refused[40] == {"Singkatan": ["the same short name is in row 41"]}
    assert list(refused[100]) == ["Kode wilayah"] and list(refused[200]) == ["Kode wilayah"]
    assert sum(row["invite"] is not None for row in plan["rows"]) == PARENTS
    assert coordinator.get("/api/v1/agencies", params={"q": f"POLRES-{tag}"}).json()["total"] == 0  # a preview

    applied = upload(coordinator, content, dry_run="false").json()
    assert applied["applied"] is True and applied["counts"] == plan["counts"]
    assert len(applied["invitations"]) == PARENTS
    assert all(i["invite_link"] and i["account"]["account_role"] == "admin" for i in applied["invitations"])
    listed = coordinator.get("/api/v1/agencies", params={"q": tag, "limit": 200}).json()
    assert listed["total"] == 295
    parent = coordinator.get(f"/api/v1/agencies/{applied['rows'][-1]['agency_id']}").json()
    assert parent["short_name"] == f"POLRES-{tag}-19" and len(parent["sub_units"]) == SUB_UNITS
    assert parent["channels"]["website"] == f"https://polres19.{tag.lower()}.example.go.id"

    again = upload(coordinator, content, dry_run="false").json()
    assert again["counts"] == {"create": 0, "change": 0, "unchanged": 295, "refused": 5}
    assert again["invitations"] == []

    edited = forum_of_300(tag)
    edited[-1]["name"] = f"Kepolisian Resor {tag} Sembilan Belas"
    changed = upload(coordinator, member_list_xlsx(edited), dry_run="false").json()
    assert changed["counts"] == {"create": 0, "change": 1, "unchanged": 294, "refused": 5}
    assert changed["rows"][-1]["changed"] == ["name"]
    assert coordinator.get(f"/api/v1/agencies/{parent['id']}").json()["name"].endswith("Sembilan Belas")


def test_the_template_names_the_columns_and_a_csv_with_its_header_is_read(coordinator):
    template = coordinator.get("/api/v1/agencies/import/template")
    assert template.status_code == 200 and template.headers["Content-Type"].startswith(XLSX)
    header = [cell.value for cell in next(load_workbook(io.BytesIO(template.content)).worksheets[0].iter_rows())]
    assert header[:5] == ["Nama instansi", "Singkatan", "Jenis", "Induk (singkatan)", "Kode wilayah"]
    tag = uuid.uuid4().hex[:5].upper()
    csv = (";".join(header) + "\n" + f"Dinas Kesehatan {tag};DINKES-{tag};OPD;;73.72\n").encode("utf-8")
    preview = coordinator.post("/api/v1/agencies/import", data=csv, headers={"Content-Type": "text/csv"})
    assert preview.status_code == 200, preview.text
    assert [(r["short_name"], r["action"]) for r in preview.json()["rows"]] == [(f"DINKES-{tag}", "create")]


def test_only_the_coordinator_imports_and_an_unreadable_file_is_refused(coordinator, new_member):
    member = new_member()
    assert upload(member, member_list_xlsx([])).status_code == 403
    refused = upload(coordinator, b"PK\x03\x04 not really a workbook")
    assert refused.status_code == 400 and "file" in refused.json()["error"]["fields"]
    wrong_type = coordinator.post("/api/v1/agencies/import", data=b"{}", headers={"Content-Type": "application/json"})
    assert wrong_type.status_code == 415


def test_the_operator_previews_then_applies_a_member_list_with_the_cli(coordinator, stack, tmp_path):
    tag = uuid.uuid4().hex[:5].upper()
    member_list = tmp_path / "anggota.csv"
    member_list.write_text("Nama instansi,Singkatan,Jenis,Induk (singkatan),Kode wilayah,Nama petugas humas,"
                           "Telepon petugas humas\n"
                           f"Koramil {tag},KORAMIL-{tag},tni,KODIM-{tag},73.72.01,,\n"
                           f"Kodim {tag},KODIM-{tag},tni,,73.72,Kapten Syamsul,0812-4400-3001\n"
                           f"Dinas Sosial {tag},DINSOS-{tag},opd,,73.72,Andi,12-34\n", encoding="utf-8")
    key = coordinator.session.headers["Authorization"].removeprefix("Bearer ")
    preview = stack.bakohumas("import-members", str(member_list), "--key", key).stdout
    assert f"row     2  new        KORAMIL-{tag}" in preview
    assert f"row     4  REFUSED    DINSOS-{tag}  (Telepon petugas humas: an Indonesian phone number" in preview
    assert "Preview only, nothing saved: 2 new, 0 changed, 0 unchanged, 1 refused." in preview
    applied = stack.bakohumas("import-members", str(member_list), "--key", key, "--apply").stdout
    assert "Imported: 2 new, 0 changed, 0 unchanged, 1 refused." in applied
    assert coordinator.get("/api/v1/agencies", params={"q": f"KODIM-{tag}"}).json()["total"] == 1
