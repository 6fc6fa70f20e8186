"""The public complaint pages' parts that need no stack: the form read into the API's body and its
refusals named by form field, deadlines shown as days, system notes in the page's language, the
QR posters."""
import io
import zipfile
from datetime import datetime, timezone

from gateway.pages.pickers import regions_of
from gateway.pages.public.reporting import complaint_body, form_values, problems
from gateway.pages.web import deadline_day, note_in
from gateway.posters import form_url, poster_svg, posters_zip
from shared.intake import TRIAGE_NOTE, bilingual

AGENCY = {"id": "kemenag-pare", "name": "Kantor Kementerian Agama Kota Parepare", "short_name": "KEMENAG-PARE",
          "region_code": "73.72", "channels": {"website": "https://kemenag.example.go.id",
                                               "whatsapp": "https://wa.me/6281234567890"}}


def form(**typed):
    return form_values({"isi": "Antrean panjang", "hubungan": "untuk", **typed})


def test_the_form_becomes_the_api_body():
    body = complaint_body(form(instansi="kemenag-pare", pintu="qr", wilayah="73.72", alamat="Jl. Lasinrang",
                               lintang="-4.01", bujur="119.62", nama="Ani", telepon="0812 3456 7890"))
    assert body["channel"] == "qr" and body["target_agency_id"] == "kemenag-pare" and body["about_agency_id"] is None
    assert body["location"] == {"region_code": "73.72", "address": "Jl. Lasinrang", "latitude": "-4.01",
                                "longitude": "119.62"}
    assert body["reporter"] == {"name": "Ani", "phone": "0812 3456 7890", "email": None}
    assert body["category"] is None  # "Tidak tahu": the coordinator's triage
    about = complaint_body(form(instansi="kemenag-pare", hubungan="tentang", pintu="ptsp", anonim="1", nama="Ani"))
    assert about["about_agency_id"] == "kemenag-pare" and about["target_agency_id"] is None
    assert about["channel"] == "ptsp" and about["anonymous"] and "reporter" not in about
    assert complaint_body(form(pintu="lain"))["channel"] == "web"
    assert complaint_body(form(rahasia="1"))["confidential"] is True


def test_refusals_are_named_by_form_field_in_the_form_order():
    body = complaint_body(form(isi="  ", telepon="nomor saya", email="bukan-email", wilayah="Parepare"))
    assert problems(body) == ["isi", "wilayah", "telepon", "email"]
    assert problems(complaint_body(form())) == []


def test_regions_are_named_by_the_agencies_found_serving_them():
    found = {"items": [AGENCY, {"id": "x", "name": "Polres Parepare", "region_code": "73.72"},
                       {"id": "y", "name": "Tanpa wilayah", "region_code": None}], "total": 40}
    assert regions_of(found) == {"total": 40, "shown": 3, "items": [
        {"code": "73.72", "agencies": ["Kantor Kementerian Agama Kota Parepare", "Polres Parepare"]}]}


def test_a_working_day_deadline_is_a_day_not_a_moment_past_midnight():
    end_of_day_wita = datetime(2026, 12, 8, 15, 59, 59, tzinfo=timezone.utc)  # 23:59:59 WITA, the forum's zone
    assert deadline_day(end_of_day_wita) == "Selasa, 8 Desember 2026"
    assert deadline_day(end_of_day_wita.isoformat(), language="en") == "Tuesday, 8 December 2026"


def test_a_system_note_is_shown_in_the_page_language_only():
    assert note_in(bilingual(TRIAGE_NOTE), "id") == "menunggu triase koordinator"
    assert note_in(bilingual(TRIAGE_NOTE), "en") == "awaiting coordinator triage"
    assert note_in("Mohon lengkapi alamat / RT", "en") == "Mohon lengkapi alamat / RT"


def test_a_poster_names_the_office_and_opens_the_form_preset_to_it():
    url = form_url("https://hub.example.go.id", "kemenag-pare", "ptsp")
    assert url == "https://hub.example.go.id/lapor?instansi=kemenag-pare&pintu=ptsp"
    svg = poster_svg(AGENCY, "ptsp", "https://hub.example.go.id")
    assert svg.startswith("<?xml") and 'width="210mm" height="297mm"' in svg
    for shown in ("Kantor Kementerian Agama", "Pengaduan di meja PTSP", url.replace("&", "&amp;"),
                  "https://wa.me/6281234567890", "https://kemenag.example.go.id", "/lacak"):
        assert shown in svg
    assert svg.count("<path") >= 1  # the QR code
    names = zipfile.ZipFile(io.BytesIO(posters_zip([AGENCY], "https://hub.example.go.id"))).namelist()
    assert names == ["poster-kemenag-pare-qr.svg", "poster-kemenag-pare-ptsp.svg"]
