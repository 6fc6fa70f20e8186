"""The Kalender and Konten pages' parts that need no stack: what a form sends becomes the JSON body
the API takes, and what the calendar answers becomes the days a month shows."""
from datetime import date

from werkzeug.datastructures import MultiDict

from gateway.pages.console import calendar_reading, content_reading, forms
from gateway.pages.pickers import without_searches
from shared.errors import ValidationFailed


def test_a_propose_form_is_the_calendar_body_in_the_items_zone():
    form = MultiDict([("kind", "press_conference"), ("title", " Konferensi pers "), ("date", "2026-12-09"),
                      ("start_time", "10:30"), ("end_time", "11:30"), ("timezone", "Asia/Jayapura"),
                      ("officials", "AKBP Arief, Kapolres\n\nIptu Sari"), ("supporting_agency_ids", "a2"),
                      ("supporting_agency_ids", "a3"), ("reason", "  ")])
    body = calendar_reading.form_body(form)
    assert body["start"] == "2026-12-09T10:30:00+09:00" and body["end"] == "2026-12-09T11:30:00+09:00"
    assert body["title"] == "Konferensi pers" and body["supporting_agency_ids"] == ["a2", "a3"]
    assert body["officials"] == [{"name": "AKBP Arief", "position": "Kapolres"}, {"name": "Iptu Sari", "position": ""}]
    assert "reason" not in body
    # What cannot be read goes as typed: the calendar names the field.
    assert calendar_reading.form_body(MultiDict([("date", "besok"), ("start_time", "10")]))["start"] == "besokT10"


def test_a_month_lists_every_day_and_a_day_shows_its_first_items():
    items = [{"id": str(n), "start_local": f"2026-12-0{1 + n % 2}T0{n}:00:00+08:00"} for n in range(7)]
    view = calendar_reading.period({"bulan": "2026-12"}, date(2026, 11, 5), "id")
    assert (view["first"], view["last"], view["previous"], view["next"]) == (
        date(2026, 12, 1), date(2027, 1, 1), "2026-11", "2027-01")
    assert view["title"] == "Desember 2026" and view["week"] == "2026-11-30"
    days = calendar_reading.days_with_items(items, view["first"], view["last"])
    assert len(days) == 31 and [(len(shown), more) for _, shown, more in days[:3]] == [(4, 0), (3, 0), (0, 0)]
    answered = [{"date": "2026-12-02", "count": 5, "items": items[:2]}]
    days = calendar_reading.month_days(answered, view["first"], view["last"])
    assert len(days) == 31 and [(len(shown), more) for _, shown, more in days[:3]] == [(0, 0), (2, 3), (0, 0)]
    week = calendar_reading.period({"tampilan": "minggu", "minggu": "2026-12-09"}, date(2026, 11, 5), "en")
    assert (week["first"], week["previous"], week["next"]) == (date(2026, 12, 7), "2026-11-30", "2026-12-14")
    assert calendar_reading.shown_time("2026-12-09T14:30:00+08:00") == "14.30"


def test_the_editor_sends_paragraphs_attachments_an_embargo_and_a_claim():
    form = MultiDict([("type", "clarification"), ("headline", "Tidak ada razia"), ("language", "id"),
                      ("body", "Baris 1 < 2 & 3\nlanjut\n\nParagraf dua"), ("co_issuers", "kejari"),
                      ("attachments", "https://x.go.id/f.jpg image/jpeg Konferensi pers\n"),
                      ("embargo_date", "2026-12-09"), ("embargo_time", "08:00"), ("embargo_zone", "Asia/Makassar"),
                      ("claim", "Pesan berantai"), ("circulated_on", "WhatsApp, Facebook")])
    body = content_reading.content_body(form, "Asia/Jakarta", creating=True)
    assert body["body_html"] == "<p>Baris 1 &lt; 2 &amp; 3<br>lanjut</p><p>Paragraf dua</p>"
    assert body["attachments"] == [{"url": "https://x.go.id/f.jpg", "media_type": "image/jpeg",
                                    "caption": "Konferensi pers"}]
    assert body["embargo_until"] == "2026-12-09T08:00:00+08:00" and body["co_issuers"] == ["kejari"]
    assert body["claim"] == {"text": "Pesan berantai", "circulated_on": ["WhatsApp", "Facebook"]}
    assert body["type"] == "clarification"
    assert content_reading.body_html("<p>HTML</p>") == "<p>HTML</p>"  # distribution cleans it with nh3
    edited = content_reading.content_body(MultiDict([("headline", "H")]), "Asia/Jakarta", creating=False)
    assert edited["embargo_until"] is None and "type" not in edited  # an emptied embargo is lifted


def test_a_services_field_errors_name_the_forms_fields():
    refused = ValidationFailed("bad", {"start": ["must be after"], "officials": {"0": {"name": ["too short"]}}})
    assert calendar_reading.errors_of(refused) == {"start_time": "must be after", "officials": "too short"}
    assert forms.errors_of(ValidationFailed("the item is gone")) == {"form": "the item is gone"}
    assert forms.local_parts("2026-12-09T00:30:00+00:00", "Asia/Makassar") == ("2026-12-09", "08:30")


def test_a_pickers_search_is_never_sent_to_a_service():
    assert without_searches({"agency_id": "a", "agency_id-cari": "polres", "cari": "", "reason": "x"}) == {
        "agency_id": "a", "reason": "x"}
