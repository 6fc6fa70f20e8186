"""The complaint form read into the API's body, and what the form shows: the forum's regions and
offices, the door a QR code names, the fields the API refused named as the form names them.
No transport, no templates: ``complaints.py`` is the page."""
from marshmallow import ValidationError

from services.complaints import schemas

DOORS = {"qr": "qr", "ptsp": "ptsp"}
# The form's field for each field of the API's body (what an error names).
FORM_FIELDS = {"text": "isi", "category": "kategori", "target_agency_id": "instansi",
               "about_agency_id": "instansi", "location.region_code": "wilayah", "location.address": "alamat",
               "location.latitude": "lokasi", "location.longitude": "lokasi", "reporter.name": "nama",
               "reporter.phone": "telepon", "reporter.email": "email", "reporter": "anonim", "channel": "isi"}
# The order the form shows its fields in (the error summary follows it).
FIELD_ORDER = ("isi", "wilayah", "alamat", "lokasi", "instansi", "kategori", "nama", "telepon", "email", "anonim",
               "berkas", "situs", "kirim")
TEXT_FIELDS = ("isi", "wilayah", "alamat", "lintang", "bujur", "instansi", "hubungan", "kategori", "nama", "telepon",
               "email", "pintu", "kunci", "wilayah-cari", "instansi-cari")
MAX_VALUE = 5000


def form_values(form):
    """What was typed, kept to show again (never a file: a browser cannot be given one back)."""
    values = {name: (form.get(name) or "")[:MAX_VALUE] for name in TEXT_FIELDS}
    values["anonim"] = bool(form.get("anonim"))
    values["rahasia"] = bool(form.get("rahasia"))
    return values


def complaint_body(values):
    """The API's body for the form's values (blank fields left out, as a person leaves them)."""
    def given(name):
        return values[name].strip() or None

    office, about = given("instansi"), values["hubungan"] == "tentang"
    location = {"region_code": given("wilayah"), "address": given("alamat")}
    if given("lintang") and given("bujur"):
        location.update(latitude=given("lintang"), longitude=given("bujur"))
    body = {"channel": DOORS.get(values["pintu"], "web"), "text": values["isi"],
            "category": given("kategori"), "anonymous": values["anonim"],
            "target_agency_id": None if about else office, "about_agency_id": office if about else None,
            "location": {k: v for k, v in location.items() if v is not None} or None}
    if values["rahasia"]:
        body["confidential"] = True
    if not values["anonim"]:
        reporter = {"name": given("nama"), "phone": given("telepon"), "email": given("email")}
        body["reporter"] = reporter if any(reporter.values()) else None
    return body


def _flatten(errors, prefix=""):
    for name, found in errors.items():
        if isinstance(found, dict):
            yield from _flatten(found, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def problems(body):
    """The form fields whose values the API refuses, in the form's order."""
    try:
        schemas.ComplaintInput().load(body)
    except ValidationError as exc:
        named = {FORM_FIELDS.get(field, FORM_FIELDS.get(field.split(".")[0], "isi"))
                 for field in _flatten(exc.messages)}
        return [field for field in FIELD_ORDER if field in named]
    return []
