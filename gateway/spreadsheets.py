"""The forum's member list as a file: read from an uploaded XLSX or CSV into a table of text cells
(what the directory's import takes), and the XLSX template that names its columns.

Reading a large workbook is CPU work: it runs in the process's bounded pool (``shared.offload``), so
the gateway's event loop keeps answering; when the pool is full the upload is refused (429 with
Retry-After) rather than queued.
"""
import csv
import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from gateway.errors import HttpError
from gateway.http import buffered_body, read_form
from services.directory import schemas
from shared.contracts.directory import AGENCY_KINDS
from shared.offload import offloaded

MAX_MEMBER_LIST_BYTES = 4 * 1024 * 1024
# A form upload carries the file and a few fields (the console's CSRF token) around it.
MAX_MEMBER_LIST_UPLOAD = MAX_MEMBER_LIST_BYTES + 64 * 1024
MAX_COLUMNS = 100
TEMPLATE_FILENAME = "templat-daftar-anggota.xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_TYPES = (XLSX_TYPE, "text/csv", "application/csv", "application/vnd.ms-excel", "application/octet-stream")
# The request body of the import in OpenAPI: a form upload (field ``file``) or the file itself.
UPLOAD_OPENAPI = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}},
    XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
    "text/csv": {"schema": {"type": "string"}}}}}
CSV_DELIMITERS = ",;\t"
# What each column asks for, on the template's "Petunjuk" sheet (its readers write Indonesian).
COLUMN_HELP = {
    "name": "Wajib. Nama lengkap instansi atau satuan kerja.",
    "short_name": "Wajib, unik. Singkatan yang menjadi kunci baris: impor ulang mengubah instansi dengan "
                  "singkatan yang sama.",
    "kind": "Wajib. Salah satu: " + ", ".join(AGENCY_KINDS) + ".",
    "parent": "Singkatan instansi induk (di berkas ini atau yang sudah terdaftar); kosong bila tidak ada.",
    "region_code": "Wajib. Kode wilayah Kemendagri, mis. 73.72 atau 73.72.03.",
    "website": "Alamat situs resmi, mis. https://pareparekota.go.id.",
    "officer_name": "Nama petugas humas (kepala humas) satuan ini.",
    "officer_phone": "Nomor telepon petugas, mis. 0812-3456-7890.",
    "officer_email": "Email petugas: ia diundang ke konsol sebagai admin satuannya (sekali).",
}
SOCIAL_HELP = "Akun resmi: alamat lengkap atau nama akun seperti @humas_parepare."

class UnreadableFile(ValueError):
    pass


def uploaded_file(request):
    """The member list's bytes: the ``file`` field of a form upload, or the body itself (XLSX or CSV)."""
    if request.mimetype == "multipart/form-data":
        read_form(request)  # 413 when too large
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise HttpError(400, "validation_failed", "choose the member list's file",
                            {"file": ["an XLSX or CSV file"]})
        return upload.read()
    if request.mimetype not in FILE_TYPES:
        raise HttpError(415, "unsupported_media_type", "send the member list as XLSX or CSV",
                        {"Content-Type": [f"expected {XLSX_TYPE}, text/csv or multipart/form-data, "
                                          f"got {request.mimetype or 'nothing'}"]})
    return buffered_body(request)


def read_member_list(content):
    """The uploaded file as ``{"columns": [...], "rows": [[...], ...]}``, read off the event loop."""
    try:
        return offloaded(member_list_table, content)
    except UnreadableFile as exc:
        raise HttpError(400, "validation_failed", "the file cannot be read as a member list",
                        {"file": [str(exc)]}) from None


def member_list_table(content):
    """An XLSX (its first sheet) or a CSV file as a table of text cells; UnreadableFile otherwise."""
    if not content:
        raise UnreadableFile("the file is empty")
    lines = xlsx_rows(content) if content.startswith(b"PK\x03\x04") else csv_rows(content)
    rows = [trimmed(row) for row in lines]
    if not rows:
        raise UnreadableFile("the file has no header row")
    # One row more than the import takes, so that its own limit says how many it takes.
    return {"columns": rows[0], "rows": rows[1:schemas.IMPORT_MAX_ROWS + 2]}


def trimmed(row):
    cells = list(row)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def xlsx_rows(content):
    rows = []
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            for row in book.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True):
                rows.append([cell_text(cell) for cell in row])
                if len(rows) > schemas.IMPORT_MAX_ROWS + 1:
                    break
        finally:
            book.close()
    except Exception as exc:  # whatever a damaged or hostile workbook breaks in its reader
        raise UnreadableFile(f"not a readable XLSX workbook ({type(exc).__name__})") from None
    return rows


def cell_text(value):
    """A cell as the person typed it: numbers without a trailing .0, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()


def csv_rows(content):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile("not a text file: save the sheet as XLSX or as CSV (UTF-8)")
    first_line = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first_line.count)
    try:
        return [[cell.strip() for cell in row[:MAX_COLUMNS]] for row in csv.reader(io.StringIO(text),
                                                                                   delimiter=delimiter)]
    except csv.Error as exc:
        raise UnreadableFile(f"not a readable CSV file ({exc})") from None


def template_xlsx():
    """The member list's template: the header on the first sheet (text cells, so 0812... keeps its
    0 and 73.70 its last digit), an example row and each column's help on the next ones."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Anggota"
    headers = [header for _name, header in schemas.IMPORT_COLUMNS]
    sheet.append(headers)
    for index, header in enumerate(headers, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(14, len(header) + 4)
        sheet.column_dimensions[letter].number_format = "@"
    example = book.create_sheet("Contoh")
    example.append(headers)
    example.append([schemas.IMPORT_EXAMPLE[name] for name, _header in schemas.IMPORT_COLUMNS])
    guide = book.create_sheet("Petunjuk")
    guide.append(["Kolom", "Isi"])
    for name, header in schemas.IMPORT_COLUMNS:
        guide.append([header, COLUMN_HELP.get(name, SOCIAL_HELP)])
    guide.column_dimensions["A"].width, guide.column_dimensions["B"].width = 26, 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
