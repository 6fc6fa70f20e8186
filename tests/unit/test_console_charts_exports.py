"""The console's SVG charts and its CSV/XLSX exports of complaint lists, without a stack."""
import csv
import io
import xml.etree.ElementTree as ElementTree

from openpyxl import load_workbook

from gateway.pages.charts import bar_chart
from gateway.pages.exports import complaint_rows, csv_download, xlsx_download

SVG = "{http://www.w3.org/2000/svg}"


def test_a_bar_chart_is_an_image_with_a_title_and_every_figure_in_its_description():
    svg = ElementTree.fromstring(str(bar_chart("overdue", "Overdue <per agency>", [
        ("DINAS", 4), ("POLRES", 1), ("Triage", 0), ("KEJARI", None)])))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "overdue-title overdue-desc"
    assert svg.find(f"{SVG}title").text == "Overdue <per agency>"
    assert svg.find(f"{SVG}desc").text == "DINAS: 4; POLRES: 1; Triage: 0; KEJARI: -"
    widths = [float(rect.get("width")) for rect in svg.iter(f"{SVG}rect")]
    assert widths[0] == 4 * widths[1] and widths[2:] == [0, 0]
    assert "style" not in str(bar_chart("x", "x", [("a", 1.5)]))


def complaint(**fields):
    return {"tracking_number": "ADU-2026-AAAA", "received_at": "2026-11-23T03:00:00+00:00", "status": "received",
            "category": "infrastruktur", "agency": {"id": "d", "name": "Dinas", "short_name": "DINAS"},
            "channel": "web", "overdue": ["verify"], "escalated": [], "verify_due": "2026-11-26T16:59:59+00:00",
            "settle_due": "2027-02-19T16:59:59+00:00", "region_code": "73.72", "text": "Jalan rusak",
            "reporter": None, **fields}


def test_an_export_has_the_identity_only_where_the_service_gave_it_and_never_a_formula():
    rows = list(complaint_rows([complaint(), complaint(text="=HYPERLINK(\"http://x\")", reporter={
        "name": "Budi", "phone": "+6281234567890", "email": None})], lambda text: text, "Asia/Makassar"))
    heading, hidden, shown = rows
    assert heading[-3:] == ["Reporter name", "Reporter phone", "Reporter email"]
    assert hidden[-3:] == ["", "", ""] and shown[-3:] == ["Budi", "'+6281234567890", ""]
    assert hidden[1] == "2026-11-23 11:00 WITA" and shown[11] == "'=HYPERLINK(\"http://x\")"
    response = csv_download(rows, "pengaduan.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="pengaduan.csv"'
    assert list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")))) == rows
    workbook = load_workbook(io.BytesIO(xlsx_download(rows, "pengaduan.xlsx", "Pengaduan").get_data()))
    assert [list(row) for row in workbook.active.iter_rows(values_only=True)] == [
        [value if value != "" else None for value in row] for row in rows]


def test_an_export_names_the_category_the_agency_and_the_channel_in_the_viewers_language():
    named = complaint(category="lalu_lintas", category_name={"id": "Lalu lintas dan angkutan", "en": "Traffic"},
                      channel_name={"id": "Formulir web", "en": "Web form"})
    heading, row = complaint_rows([named], lambda text: text, "Asia/Makassar", language="id")
    shown = dict(zip(heading, row))
    assert (shown["Category"], shown["Agency"], shown["Channel"]) == ("Lalu lintas dan angkutan", "Dinas", "Formulir web")
    assert dict(zip(*complaint_rows([named], lambda text: text, "Asia/Makassar", language="en")))["Channel"] == "Web form"
