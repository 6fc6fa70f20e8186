"""Photos and documents of a complaint: checked and cleaned by the gateway (EXIF with GPS gone,
a file whose content is not what it says refused, sizes), stored with the complaint, shown to
those who may see it and to its reporter, and added later by the reporter."""
import base64
import io
import json

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.xmp import XmpInformation
from tests.unit.complaints_unit_support import COORDINATOR, actor, at, submit, with_city

from shared.uploads import FileRefused, checked_file, checked_files
from services.complaints import domain, schemas
from shared import intake
from shared.contracts import open_envelope, seal
from shared.errors import Conflict, Forbidden, NotFound
from shared.rules import load

NOW = at(2026, 11, 23)
GPS = 0x8825


def photo(kind="JPEG", size=(80, 60), **options):
    """A photo as a phone writes it: EXIF with the place it was taken, the camera, a comment, a profile."""
    exif = Image.Exif()
    exif[GPS] = {1: "S", 2: (4.0, 0.0, 48.6), 3: "E", 4: (119.0, 37.0, 33.1)}
    exif[0x010F] = "KameraPelapor"
    exif[0x0112] = 6  # taken turned: shown upright only after the turn is applied
    output = io.BytesIO()
    Image.new("RGB", size, (180, 30, 30)).save(output, kind, exif=exif, icc_profile=b"PROFIL-ICC" * 20,
                                               **options)
    return output.getvalue()


def document(pages=2, encrypt=None):
    """A PDF as a scanner app writes it: the writer's name, the machine, XMP metadata; optionally protected."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    writer.add_metadata({"/Author": "Budi Santoso", "/Creator": "PindaiPonsel di HP-Budi", "/Title": "Rumah saya"})
    writer.xmp_metadata = XmpInformation.create()
    writer.xmp_metadata.dc_creator = ["Budi Santoso"]
    if encrypt:
        writer.encrypt(encrypt)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def decoded(payload):
    return Image.open(io.BytesIO(base64.b64decode(payload["data"])))


@pytest.mark.parametrize("kind, name", [("JPEG", "IMG_0042.JPG"), ("PNG", "layar.png"), ("WEBP", "foto.webp")])
def test_an_image_is_re_encoded_without_any_metadata(kind, name):
    original = photo(kind)
    assert b"KameraPelapor" in original
    cleaned = checked_file(original, name, "")
    content = base64.b64decode(cleaned["data"])
    assert b"KameraPelapor" not in content and b"PROFIL-ICC" not in content
    image = decoded(cleaned)
    assert dict(image.getexif()) == {} and "icc_profile" not in image.info and "exif" not in image.info
    assert image.size == (60, 80)  # turned upright before the orientation tag went away
    assert cleaned["size"] == len(content) and cleaned["filename"] == name.rsplit(".", 1)[0] + \
        {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[kind]


def test_the_gps_position_of_a_jpeg_is_gone():
    original = photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS)
    assert decoded(checked_file(original, "rumah.jpg", "image/jpeg")).getexif().get_ifd(GPS) == {}


@pytest.mark.parametrize("content, name, declared", [
    (photo(), "foto.png", "image/png"),                 # a JPEG named as a PNG
    (photo(), "foto.jpg", "application/pdf"),           # declared as another type
    (b"%PDF-1.7\n...", "surat.jpg", "image/jpeg"),      # a PDF named as a photo
    (b"<html><script>alert(1)</script>", "surat.pdf", "application/pdf"),  # a PDF must start with %PDF-
    (b"MZ\x90\x00program", "foto.jpg", "image/jpeg"),   # a program named as a photo
])
def test_a_file_whose_content_is_not_what_it_says_is_refused(content, name, declared):
    with pytest.raises(FileRefused) as refused:
        checked_file(content, name, declared)
    assert refused.value.code == "mismatch"


def test_other_types_and_broken_images_are_refused():
    with pytest.raises(FileRefused) as refused:
        checked_file(b"MZ\x90\x00", "alat.exe", "application/x-msdownload")
    assert refused.value.code == "wrong_type"
    with pytest.raises(FileRefused) as refused:
        checked_file(b"\xff\xd8\xff\xe0 not really a jpeg", "foto.jpg", "image/jpeg")
    assert refused.value.code == "unreadable"


def test_a_pdf_keeps_its_pages_without_its_writer_and_under_a_safe_name():
    sent = document(pages=2)
    assert b"Budi Santoso" in sent
    kept = checked_file(sent, "../../Surat Keterangan (1).PDF", "application/pdf")
    cleaned = base64.b64decode(kept["data"])
    reader = PdfReader(io.BytesIO(cleaned))
    assert len(reader.pages) == 2 and reader.metadata is None and reader.xmp_metadata is None
    assert b"Budi" not in cleaned and b"HP-Budi" not in cleaned
    assert kept["filename"] == "Surat-Keterangan-1.pdf" and kept["content_type"] == "application/pdf"


@pytest.mark.parametrize("content", [b"%PDF-1.4\n%%EOF\n", document(encrypt="rahasia")])
def test_a_broken_or_protected_pdf_is_refused(content):
    with pytest.raises(FileRefused) as refused:
        checked_file(content, "surat.pdf", "application/pdf")
    assert refused.value.code == "unreadable" and refused.value.filename == "surat.pdf"


def test_sizes_and_counts_are_limited():
    with pytest.raises(FileRefused) as refused:
        checked_file(b"%PDF-" + b"0" * intake.MAX_ATTACHMENT_BYTES, "besar.pdf", "application/pdf")
    assert refused.value.code == "too_large"
    small = (document(pages=1), "a.pdf", "application/pdf")
    assert len(checked_files([small] * 3 + [(b"", "", "")])) == 3  # an empty file input is no file
    with pytest.raises(FileRefused) as refused:
        checked_files([small] * 4)
    assert refused.value.code == "too_many"
    with pytest.raises(FileRefused) as refused:  # a small file that decodes to a huge image
        checked_file(photo("PNG", size=(8000, 6000)), "bom.png", "image/png")
    assert refused.value.code == "too_large"


def test_the_service_checks_again_what_travels():
    good = intake.attachment_payload(b"%PDF-1.4\n", "application/pdf", "a.pdf")
    assert load(schemas.AttachmentsInput, {"attachments": [good]})["attachments"][0]["data"] == b"%PDF-1.4\n"
    for bad in ({**good, "size": 99}, {**good, "content_type": "text/html"}, {**good, "data": "%%%"}):
        with pytest.raises(Exception):
            load(schemas.AttachmentsInput, {"attachments": [bad]})


@pytest.fixture
def store(service_db):
    return with_city(service_db("complaints"))


def filed_with_photo(store, **complaint):
    payload = checked_file(photo(), "foto.jpg", "image/jpeg")
    message, number, secret = intake.intake_message(
        {"channel": "qr", "text": "Lampu jalan mati", "category": "infrastruktur", **complaint}, None, NOW,
        attachments=[payload])
    delivered = open_envelope(json.loads(json.dumps(seal("complaint.submitted", message))), "complaint.submitted")
    with store.unit_of_work() as uow:
        complaint = domain.receive(uow, delivered.data, NOW)
    return complaint, number, secret


def test_files_are_stored_with_the_complaint_and_shown_to_who_may_see_it(store):
    complaint, number, secret = filed_with_photo(store, target_agency_id="dinas")
    with store.reading() as session:
        view = domain.complaint_view(session, actor("dinas"), complaint, NOW)
        [info] = view["files"]
        assert info["content_type"] == "image/jpeg" and info["source"] == "intake"
        stored = domain.get_attachment(session, actor("dinas"), complaint.id, info["id"])
        assert dict(Image.open(io.BytesIO(stored.content)).getexif()) == {}
        assert domain.get_attachment(session, COORDINATOR, complaint.id, info["id"]).size == info["size"]
        for outsider, wrong in ((actor("polres"), info["id"]), (actor("dinas"), "no-such-file")):
            with pytest.raises(NotFound):
                domain.get_attachment(session, outsider, complaint.id, wrong)
        assert domain.reporter_attachment(session, number.lower(), secret, info["id"]).id == info["id"]
        with pytest.raises(Forbidden):
            domain.reporter_attachment(session, number, "wrong", info["id"])
        page = domain.reporter_view(session, number, secret, NOW)
        assert [a["id"] for a in page.attachments] == [info["id"]] and page.actions == ["supplement"]


def test_the_reporter_supplements_with_text_and_files(store):
    complaint, number, secret = filed_with_photo(store, target_agency_id="dinas")
    with store.unit_of_work() as uow:
        domain.change_status(uow, actor("dinas"), complaint.id, {"status": "held", "reason": "Di mana?"}, NOW)
    later = at(2026, 11, 24)
    document = intake.attachment_payload(b"%PDF-1.4\n", "application/pdf", "denah.pdf")
    with store.unit_of_work() as uow:
        with pytest.raises(Forbidden):
            domain.supplement_complaint(uow, number, "wrong", {"text": "x"}, later)
    with store.unit_of_work() as uow:
        supplemented = domain.supplement_complaint(
            uow, number, secret, {"text": "Depan Pasar Lakessi", "attachments": [document]}, later)
        assert supplemented.status == "received"  # back to verification
    with store.reading() as session:
        view = domain.complaint_view(session, actor("dinas"), complaint, later)
        assert [f["source"] for f in view["files"]] == ["intake", "supplement"]
        assert any(entry["note"] and "Depan Pasar Lakessi" in entry["note"] for entry in view["audit"])
        assert "Depan Pasar Lakessi" not in str(domain.tracking_view(session, number, later))
    with store.unit_of_work() as uow:
        with pytest.raises(Exception):
            domain.supplement_complaint(uow, number, secret, {"text": "  "}, later)
    with store.unit_of_work() as uow:
        domain.change_status(uow, actor("dinas"), complaint.id, {"status": "rejected", "reason": "Bukan aduan"},
                             later)
    with store.unit_of_work() as uow:
        with pytest.raises(Conflict):
            domain.supplement_complaint(uow, number, secret, {"text": "lagi"}, later)


def test_the_receipt_dates_are_ends_of_working_days():
    due = domain.intake_deadlines(at(2026, 11, 27))  # a Friday
    assert due.verify_due.astimezone(domain.forum_zone()).date().isoformat() == "2026-12-02"
    assert due.follow_up_due > due.verify_due and due.settle_due > due.follow_up_due
