"""A request for public information over HTTP, the whole way: a citizen asks the wrong agency, it
forwards the request to the one that holds it, which extends once, refuses under Pasal 17; the
citizen objects, the superior answers, the dispute goes to the Komisi Informasi; the reports count
it all. Every step through the gateway, on the running system."""
import csv
import io

import pytest
import requests
from openpyxl import load_workbook

from tests.clock import wall_now
from tests.e2e.complaints_e2e_support import eventually

pytestmark = pytest.mark.e2e

IDENTITY = "7372 0101 9001 0042"
REQUESTER = {"name": "Nurhayati Pemohon-Informasi", "address": "Jl. Lasinrang 7, Parepare",
             "email": "nurhayati.pemohon@example.id"}
REFUSAL = {"decision": "refused", "note": "Informasi memuat data pribadi pegawai.",
           "exemption": {"article": "h", "consequence_test": "Membuka rahasia pribadi pegawai."}}


def ok(answer, status=200):
    assert answer.status_code == status, answer.text
    return answer.json()


def test_a_request_through_forward_extension_refusal_objection_and_the_superiors_answer(stack, coordinator,
                                                                                      new_member):
    wrong, holder = new_member(name="Dinas Kominfo Uji"), new_member(name="Dinas Kesehatan Uji")
    body = {"agency_id": wrong.agency_id, "requester": REQUESTER, "identity_number": IDENTITY,
            "information": "Data anggaran vaksinasi 2026", "purpose": "Liputan jurnalistik",
            "obtain": "soft_copy", "delivery": "email"}

    # The citizen asks (no key); the agency must be known to the information service first.
    accepted = eventually(lambda: (lambda answer: answer.json() if answer.status_code == 201 else None)(
        requests.post(stack.url + "/api/v1/information/requests", json=body, timeout=15)))
    number = accepted["registration_number"]
    assert number.startswith("PPID-") and "10 hari kerja" in accepted["next_steps"]["id"]

    # The inbox: the agency sees it with its days left and the requester; another agency does not.
    [listed] = [r for r in ok(wrong.get("/api/v1/information/requests"))["requests"]
                if r["registration_number"] == number]
    assert 0 < listed["days_left"] <= 10 and listed["requester"]["name"] == REQUESTER["name"]
    assert listed["requester"]["identity_last4"] == "0042"
    url = f"/api/v1/information/requests/{listed['id']}"
    assert holder.get(url).status_code == 404

    # Not held here: forwarded; the holder takes it and its own clock starts.
    ok(wrong.post(url + "/forward", json={"to_agency_id": holder.agency_id, "reason": "Data kesehatan"}))
    assert ok(holder.get(url))["pending_forward"]["to_agency_id"] == holder.agency_id
    taken = ok(holder.post(url + "/forward/accept", json={}))
    assert taken["agency_id"] == holder.agency_id and taken["clock_started_at"] > listed["registered_at"]

    # One extension with a reason; a second is refused.
    extended = ok(holder.post(url + "/extend", json={"reason": "Data di puskesmas, sedang dihimpun"}))
    assert extended["extended"] and extended["answer_due"] > taken["answer_due"]
    assert holder.post(url + "/extend", json={"reason": "Lagi"}).status_code == 409

    # Refused under Pasal 17 with the consequence test.
    assert holder.post(url + "/decision", json={"decision": "refused", "note": "Tidak"}).status_code == 400
    decided = ok(holder.post(url + "/decision", json=REFUSAL))
    assert decided["decision"] == "refused" and decided["exemption"]["article"] == "h"

    # The tracking page: the decision and its reasons, never who asked nor what.
    tracking = ok(requests.get(f"{stack.url}/api/v1/information/track/{number.lower()}", timeout=15))
    assert tracking["decision"] == "refused" and tracking["objection_open_until"]
    assert tracking["extension_reason"] == "Data di puskesmas, sedang dihimpun"
    for private in (*REQUESTER.values(), "0042", "vaksinasi"):
        assert private not in str(tracking)

    # The objection: the identity number must match the request's.
    objection_url = f"{stack.url}/api/v1/information/track/{number}/objection"
    objection = {"identity_number": "7372010190019999", "grounds": ["refused"], "reason": "Ini anggaran publik"}
    assert requests.post(objection_url, json=objection, timeout=15).status_code == 403
    objected = ok(requests.post(objection_url, json={**objection, "identity_number": IDENTITY}, timeout=15))
    assert objected["stage"] == "objection" and objected["objection"]["grounds"] == ["refused"]
    assert ok(holder.get("/api/v1/information/requests", params={"objection": "true"}))["total"] == 1

    # The superior answers (a key acts as the agency); then the Komisi Informasi is recorded.
    answered = ok(holder.post(url + "/objection/answer", json={"outcome": "dismissed",
                                                               "answer": "Pengecualian dikuatkan."}))
    assert answered["objection"]["outcome"] == "dismissed" and answered["objection"]["commission_due"]
    now = wall_now().isoformat()
    disputed = ok(holder.post(url + "/commission", json={"filed_on": now, "outcome": "pending"}))
    assert disputed["stage"] == "commission"
    actors = [entry["actor"] for entry in disputed["audit"]]
    assert {"Dinas Kominfo Uji", "Dinas Kesehatan Uji", "requester"} <= set(actors)

    # The reports: the holder's figures, the sender's forward, the forum's comparison, as CSV and XLSX.
    year = wall_now().year
    mine = ok(holder.get("/api/v1/information/reports", params={"year": year}))
    assert (mine["received"], mine["refused"], mine["refused_by_article"], mine["objections"]) == (1, 1, {"h": 1}, 1)
    assert mine["commission_disputes"] == 1
    assert ok(wrong.get("/api/v1/information/reports", params={"year": year}))["forwarded"] == 1
    assert holder.get("/api/v1/information/reports/forum", params={"year": year}).status_code == 403
    forum = ok(coordinator.get("/api/v1/information/reports/forum", params={"year": year}))
    assert {row["agency"]["id"] for row in forum["agencies"]} >= {wrong.agency_id, holder.agency_id}
    exported = holder.get("/api/v1/information/reports/export", params={"year": year, "format": "csv"})
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[1][0] == "Dinas Kesehatan Uji" and "h: 1" in rows[1]
    book = coordinator.get("/api/v1/information/reports/forum/export", params={"year": year, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet.cell(1, 1).value == "Instansi / agency" and sheet.cell(sheet.max_row, 1).value == "Total forum"

    # The holder's Daftar Informasi Publik, shown to everyone.
    ok(holder.post("/api/v1/information/dip", json={"class": "berkala", "title": "Laporan kinerja 2026",
                                                    "url": "https://dinkes.example.go.id/lkj-2026.pdf"}), 201)
    dip = ok(requests.get(f"{stack.url}/api/v1/information/dip/{holder.agency_id}", timeout=15))
    assert [entry["title"] for entry in dip["entries"]] == ["Laporan kinerja 2026"]


def test_a_request_while_the_service_is_down_is_a_clear_503_and_the_form_keeps_what_was_typed(stack, new_member):
    """Registration is synchronous (the number comes from the service): nothing is queued."""
    holder = new_member()
    body = {"agency_id": holder.agency_id, "requester": REQUESTER, "identity_number": IDENTITY,
            "information": "Data anggaran", "purpose": "Penelitian", "obtain": "see", "delivery": "pickup"}
    eventually(lambda: requests.post(stack.url + "/api/v1/information/requests", json=body,
                                     timeout=15).status_code == 201)
    stack.kill("information")
    try:
        refused = requests.post(stack.url + "/api/v1/information/requests", json=body, timeout=15)
        assert refused.status_code == 503 and refused.headers["Retry-After"], refused.text
        form = {"agency_id": holder.agency_id, "name": REQUESTER["name"], "address": REQUESTER["address"],
                "email": REQUESTER["email"], "identity_number": IDENTITY, "information": "Data anggaran",
                "purpose": "Penelitian", "obtain": "see", "delivery": "pickup"}
        page = requests.post(stack.url + "/informasi/permohonan", data=form, timeout=15, allow_redirects=False)
        assert page.status_code == 503 and "Belum ada yang terkirim" in page.text
        assert REQUESTER["address"] in page.text  # what was typed is kept
    finally:
        stack.start_process("information")
    eventually(lambda: requests.post(stack.url + "/api/v1/information/requests", json=body,
                                     timeout=15).status_code == 201, timeout=60)
