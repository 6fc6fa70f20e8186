"""Complaint lists as CSV and XLSX downloads: the rows are what the list RPC answered the viewer,
so the reporter's identity is in a row only where the complaints service showed it to the viewer."""
import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from gateway.http import download_response
from gateway.pages.web import zone_label
from shared.offload import offloaded

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell a spreadsheet would read as a formula (CSV/formula injection): kept as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# The statuses as the pages name them (the same messages as the tracking page's).
STATUS_LABELS = {"received": "Received", "verified": "Verified", "held": "On hold", "rejected": "Not processed",
                 "assigned": "Passed to the agency", "in_progress": "Being handled", "responded": "Answered",
                 "closed": "Closed"}


def columns(gettext, language):
    """``[(heading, value of a complaint)]``, in the viewer's language: names, never codes."""
    def agency(complaint):
        named = complaint.get("agency")
        return named["name"] if named else ""

    def name_of(field, code):
        return lambda complaint: (complaint.get(field) or {}).get(language) or complaint.get(code) or ""

    def reporter(field):
        return lambda complaint: (complaint.get("reporter") or {}).get(field) or ""

    return [
        (gettext("Tracking number"), lambda c: c["tracking_number"]),
        (gettext("Received"), lambda c: c["received_at"]),
        (gettext("Status"), lambda c: gettext(STATUS_LABELS.get(c["status"], c["status"]))),
        (gettext("Category"), name_of("category_name", "category")),
        (gettext("Agency"), agency),
        (gettext("Channel"), name_of("channel_name", "channel")),
        (gettext("Overdue stages"), lambda c: ", ".join(c.get("overdue") or [])),
        (gettext("Escalated stages"), lambda c: ", ".join(c.get("escalated") or [])),
        (gettext("Verify by"), lambda c: c["verify_due"]),
        (gettext("Settle by"), lambda c: c["settle_due"]),
        (gettext("Region"), lambda c: c.get("region_code") or ""),
        (gettext("Complaint"), lambda c: c["text"]),
        (gettext("Reporter name"), reporter("name")),
        (gettext("Reporter phone"), reporter("phone")),
        (gettext("Reporter email"), reporter("email")),
    ]


def _local(value, zone):
    """An ISO time from the service, shown in ``zone`` with its label (WIB/WITA/WIT)."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone_label(zone)}"


def _safe(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def complaint_rows(complaints, gettext, zone, language="id"):
    """The heading row, then one row per complaint (times in ``zone``, formula-looking text kept as text)."""
    chosen = columns(gettext, language)
    times = {gettext("Received"), gettext("Verify by"), gettext("Settle by")}
    yield [heading for heading, _ in chosen]
    for complaint in complaints:
        yield [_safe(_local(value(complaint), zone) if heading in times else value(complaint))
               for heading, value in chosen]


def csv_download(rows, filename):
    """UTF-8 with a byte-order mark, so that a spreadsheet opens Indonesian names correctly."""
    return download_response(offloaded(_csv, rows), "text/csv", filename)


def _csv(rows):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def xlsx_download(rows, filename, sheet_title):
    """Written in the gateway's pool for CPU work (``shared.offload``): openpyxl is slow on a long list."""
    return download_response(offloaded(_xlsx, rows, sheet_title), XLSX_TYPE, filename)


def _xlsx(rows, sheet_title):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()
