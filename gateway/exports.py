"""The PPID report as a spreadsheet (CSV or XLSX): one row per agency, the columns the annual
report needs, for the JSON API and the console alike."""
import csv
import io

from openpyxl import Workbook
from werkzeug.wrappers import Response

from shared.offload import offloaded

# (column heading, figure); "refused_by_article" and "commission_outcomes" are spelled out.
COLUMNS = (
    ("Diterima / received", "received"), ("Dikabulkan / granted", "granted"),
    ("Dikabulkan sebagian / partly granted", "partly_granted"), ("Ditolak / refused", "refused"),
    ("Ditolak per Pasal 17 / refused by article", "refused_by_article"),
    ("Tidak dikuasai / not held", "not_held"), ("Belum didokumentasikan / not yet documented", "not_documented"),
    ("Diteruskan / forwarded", "forwarded"), ("Belum dijawab / pending", "pending"),
    ("Melewati tenggat / answered late", "answered_late"),
    ("Rata-rata hari kerja / average working days", "average_days_to_answer"),
    ("Keberatan / objections", "objections"), ("Keberatan diterima / upheld", "objections_upheld"),
    ("Keberatan ditolak / dismissed", "objections_dismissed"), ("Keberatan diproses / pending", "objections_pending"),
    ("Sengketa Komisi Informasi / disputes", "commission_disputes"),
    ("Hasil sengketa / dispute outcomes", "commission_outcomes"),
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if isinstance(value, dict):
        return ", ".join(f"{key}: {count}" for key, count in value.items())
    return "" if value is None else value


def table(report):
    """Header and rows of an agency's report or of the forum's comparison (with its total last)."""
    header = ["Instansi / agency", *(heading for heading, _ in COLUMNS)]
    if "agencies" in report:
        rows = [(row["agency"], row) for row in report["agencies"]] + [({"name": "Total forum"}, report["total"])]
    else:
        rows = [(report["agency"], report)]
    return header, [[(agency or {}).get("name") or (agency or {}).get("id") or "",
                     *(_cell(figures[key]) for _, key in COLUMNS)] for agency, figures in rows]


def _safe(value):
    """A text cell a spreadsheet would read as a formula is kept as text."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def _written(header, rows, fmt):
    """The file's bytes (in the gateway's pool for CPU work: openpyxl takes seconds on a large table)."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([[_safe(value) for value in row] for row in rows])
        return out.getvalue().encode("utf-8-sig")
    book = Workbook()
    sheet = book.active
    sheet.title = "Laporan PPID"
    sheet.append(header)
    for row in rows:
        sheet.append([_safe(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(report, fmt, name):
    header, rows = table(report)
    period = f"{report['year']}" + (f"-s{report['semester']}" if report.get("semester") else "")
    filename = f"{name}-{period}.{fmt}"
    body = offloaded(_written, header, rows, fmt)
    mimetype = "text/csv" if fmt == "csv" else XLSX
    response = Response(body, status=200, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
