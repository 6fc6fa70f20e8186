"""The information pages' parts that need no stack: what a form becomes, which fields a refusal
names, and the report as a spreadsheet (a name that looks like a formula stays text)."""
import csv
import io

from openpyxl import load_workbook

from gateway.exports import export
from gateway.pages.console.information import bad_fields as console_bad_fields
from gateway.pages.console.information import day_at_noon, documents_of, move_body
from gateway.pages.public.information import bad_fields, request_body

FIGURES = {"received": 3, "granted": 1, "partly_granted": 0, "refused": 1, "refused_by_article": {"h": 1},
           "not_held": 0, "not_documented": 0, "forwarded": 1, "pending": 1, "answered_late": 0,
           "average_days_to_answer": 2.0, "objections": 1, "objections_upheld": 0, "objections_dismissed": 1,
           "objections_pending": 0, "commission_disputes": 0, "commission_outcomes": {}}


def test_the_public_form_becomes_the_api_body_and_refusals_name_its_fields():
    body = request_body({"agency_id": "a1", "name": "Andi", "address": "Jl. 1", "phone": " ", "email": "a@b.id",
                         "identity_number": "7372", "information": "Data", "purpose": "Riset",
                         "obtain": "see", "delivery": "pickup"})
    assert body["requester"] == {"name": "Andi", "address": "Jl. 1", "phone": None, "email": "a@b.id"}
    assert body["channel"] == "web"
    refused = {"requester": {"phone": ["give a phone number or an email address"]}, "agency_id": ["no such agency"]}
    assert bad_fields(refused, ("agency_id", "name", "phone")) == ["agency_id", "phone"]


def test_a_console_decision_reads_documents_an_exemption_and_a_day():
    assert documents_of("DPA 2026 | https://x.go.id/dpa.pdf\n\nhttps://x.go.id/b") == [
        {"title": "DPA 2026", "url": "https://x.go.id/dpa.pdf"}, {"title": "https://x.go.id/b", "url": "https://x.go.id/b"}]
    body = move_body("decision", {"decision": "refused", "article": "h", "consequence_test": "Data pribadi",
                                  "note": "", "documents": "", "public_interest": "", "holder": ""})
    assert body["exemption"] == {"article": "h", "consequence_test": "Data pribadi", "public_interest": None}
    assert body["note"] is None and body["documents"] == []
    assert day_at_noon("2026-04-20") == "2026-04-20T12:00:00+08:00" and day_at_noon("kemarin") == "kemarin"
    assert console_bad_fields("decision", {"exemption": {"consequence_test": ["required"]}}) == [
        "decision-consequence_test"]


def test_the_report_as_csv_and_xlsx_keeps_a_formula_looking_name_as_text():
    forum = {"year": 2026, "semester": 1, "total": FIGURES,
             "agencies": [{**FIGURES, "agency": {"id": "x", "name": "=HYPERLINK(\"evil\")", "short_name": "X"}}]}
    rows = list(csv.reader(io.StringIO(export(forum, "csv", "laporan").get_data().decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(\"evil\")" and rows[2][0] == "Total forum" and "h: 1" in rows[1]
    answer = export(forum, "xlsx", "laporan")
    assert answer.headers["Content-Disposition"] == "attachment; filename=laporan-2026-s1.xlsx"
    sheet = load_workbook(io.BytesIO(answer.get_data())).active
    assert sheet.cell(2, 1).value == "'=HYPERLINK(\"evil\")" and sheet.cell(2, 2).value == 3
