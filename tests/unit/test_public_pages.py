"""The public pages' parts that need no stack: catalogs, dates, the agenda's reading of the ICS
feed, what a visitor may see, and the friendly answers of a page that cannot be shown."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from icalendar import Calendar, Event
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.recent import RecentAnswers
from gateway.errors import service_unavailable
from gateway.pages.public.reading import by_week, one_event_calendar, upcoming_events
from gateway.pages.public.routes import PublicPages
from gateway.pages.web import GATEWAY, PAGES, local_datetime
from shared.errors import NotFound

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def test_every_message_of_the_pages_has_an_indonesian_translation():
    mapping = [("**/templates/**.html", "jinja2"), ("**/pages/**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                                        "lstrip_blocks": "true"}}
    used = {message[2] for message in extract_from_dir(GATEWAY, mapping, options_map=options)}
    with open(GATEWAY / "i18n" / "id" / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po)
    untranslated = sorted(m for m in used if not catalog.get(m) or not catalog.get(m).string)
    assert used and untranslated == []


def test_both_catalogs_are_well_formed():
    """Every entry has its msgstr (a merge that joined two entries printed warnings at every start
    and lost a translation)."""
    for language in ("id", "en"):
        with open(GATEWAY / "i18n" / language / "LC_MESSAGES" / "messages.po", "rb") as po:
            read_po(po, abort_invalid=True)


def test_times_are_shown_in_the_zone_with_its_indonesian_label():
    assert local_datetime("2026-12-01T02:00:00+00:00", "Asia/Makassar") == "Selasa, 1 Desember 2026 10.00 WITA"
    assert local_datetime(NOW, "Asia/Jakarta", language="en") == "Tuesday, 1 December 2026 09.00 WIB"
    assert local_datetime(NOW, "Asia/Jayapura").endswith("11.00 WIT")


def feed(*events):
    calendar = Calendar()
    for uid, start, status in events:
        event = Event()
        event.add("uid", uid)
        event.add("summary", f"Acara {uid}")
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(hours=1))
        if status:
            event.add("status", status)
        calendar.add_component(event)
    return calendar.to_ical().decode()


def test_the_agenda_keeps_coming_events_by_week_without_cancelled_or_past_ones():
    text = feed(("past", NOW - timedelta(days=1), None), ("later", NOW + timedelta(days=8), None),
                ("soon", NOW + timedelta(hours=3), "CONFIRMED"), ("off", NOW + timedelta(days=2), "CANCELLED"))
    events = upcoming_events(text, now=NOW)
    assert [e["uid"] for e in events] == ["soon", "later"]
    assert [[e["uid"] for e in week] for _, week in by_week(events)] == [["soon"], ["later"]]
    assert upcoming_events(text, now=NOW, days=7)[-1]["uid"] == "soon"
    single = Calendar.from_ical(one_event_calendar(text, "later"))
    assert [str(e["uid"]) for e in single.walk("VEVENT")] == ["later"]
    assert one_event_calendar(text, "nothing") is None


class FailingRpc:
    def __init__(self, error):
        self.error = error

    def __call__(self, *args, **kwargs):
        raise self.error

    def start(self, *args, **kwargs):
        raise self.error


def visit(handler, error, path="/", **path_args):
    pages = SimpleNamespace(rpc=FailingRpc(error), public_url="https://hub.example.go.id",
                            forum_timezone="Asia/Makassar", recent=RecentAnswers(10))
    return handler(pages, Request(EnvironBuilder(path=path).get_environ()), **path_args)


def test_a_service_that_is_down_gives_a_friendly_page_with_503():
    answer = visit(PublicPages.home, service_unavailable(["distribution"]))
    assert answer.status_code == 503 and answer.mimetype == "text/html"
    assert answer.headers["Retry-After"]
    assert "Sementara tidak tersedia" in answer.get_data(as_text=True)


def test_an_unknown_item_is_a_not_found_page_and_a_failure_never_shows_a_traceback():
    missing = visit(PublicPages.release, NotFound("no content x"), "/berita/x", item_id="x")
    assert missing.status_code == 404 and "Halaman tidak ditemukan" in missing.get_data(as_text=True)
    broken = visit(PublicPages.agenda, RuntimeError("secret detail"), "/agenda?lang=en")
    body = broken.get_data(as_text=True)
    assert broken.status_code == 500 and "Something went wrong" in body and "secret detail" not in body
    assert "lang=en" in broken.headers["Set-Cookie"]


def test_pages_are_html_with_a_strict_policy():
    answer = PAGES.render("id", "error.html", status=404, status_code=404)
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert '<html lang="id">' in answer.get_data(as_text=True)


def tracking_page(status, next_step, expected_by):
    tracking = {"tracking_number": "DUMAS-AAAA-BBBB-CCCC", "status": status, "category": None, "agency": "Dishub",
                "received_at": "2026-11-23T02:00:00+00:00", "updated_at": "2026-11-30T02:00:00+00:00",
                "next_step": next_step, "expected_by": expected_by, "verify_due": "2026-11-26T15:59:59+00:00",
                "follow_up_due": None, "settle_due": "2026-12-14T15:59:59+00:00", "history": [], "answers": []}
    return PAGES.render("id", "public/track.html", tracking=tracking, zone="Asia/Makassar").get_data(as_text=True)


def test_an_answered_complaint_shows_the_reporters_confirmation_next_not_the_settle_deadline():
    answered = tracking_page("responded", "confirmation", "2026-12-14T15:59:59+00:00")
    assert "Konfirmasi Anda paling lambat" in answered and "Langkah berikutnya" not in answered
    assert "ditutup dengan sendirinya" in answered
    assert "Langkah berikutnya paling lambat" in tracking_page("assigned", "settlement", "2026-12-14T15:59:59+00:00")
    closed = tracking_page("closed", None, None)
    assert "Langkah berikutnya" not in closed and "Konfirmasi Anda" not in closed
