"""What a message says: the Jinja2 templates under ``templates/`` (Indonesian and English), rendered
as a mail's subject, plain text and HTML, or as one WhatsApp text; links to the console, to the public
tracking page and to the page that turns a kind off."""
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.notifications.domain.kinds import REPLY_KIND
from services.notifications.domain.zones import WIB, WIT, WITA
from shared.workdays import forum_day

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("id", "en")
ZONE_LABELS = {WIB: "WIB", "Asia/Pontianak": "WIB", WITA: "WITA", WIT: "WIT"}
CONSOLE_PATHS = {"complaint_assigned": "/console/pengaduan", "complaint_deadline": "/console/pengaduan",
                 "complaint_escalated": "/console/pengaduan", "release_approval": "/console/konten",
                 "amplification_requested": "/console/konten", "proposal_outcome": "/console/kalender",
                 "webhook_failing": "/console/konten", "digest": "/console/",
                 "information_request": "/console/informasi/permohonan/{request_id}",
                 "information_deadline": "/console/informasi/permohonan/{request_id}",
                 "information_overdue": "/console/informasi/permohonan/{request_id}",
                 "information_objection": "/console/informasi/permohonan/{request_id}",
                 "second_factor": "/console/akun"}
# Times a message shows, each in the reader's zone.
LOCAL_TIMES = {"deadline": "deadline_local", "start": "start_local", "expires_at": "expires_local",
               "changed_at": "changed_local"}
# A working-day deadline (complaints', information requests') is a day of the forum's zone, named as
# every page names it, whatever the reader's zone.
DEADLINE_DAYS = {"due_at": "due_local"}
# Told whatever the person's preferences: nothing to unsubscribe from.
ALWAYS_SENT = ("digest", "invitation", "second_factor")

_TEXT = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=False, trim_blocks=True, lstrip_blocks=True,
                    keep_trailing_newline=True)
_HTML = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                    trim_blocks=True, lstrip_blocks=True)


def local_time(value, zone, language):
    moment = datetime.fromisoformat(value).astimezone(ZoneInfo(zone))
    return f"{format_datetime(moment, 'd MMM y HH:mm', locale=language)} {ZONE_LABELS.get(zone, zone)}"


def with_links(kind, params, zone, language, public_url):
    """The message's params with the times in ``zone`` and the link it points to."""
    shown = dict(params)
    for field, local in LOCAL_TIMES.items():
        if shown.get(field):
            shown[local] = local_time(shown[field], shown.get("timezone") or zone, language)
    for field, local in DEADLINE_DAYS.items():
        if shown.get(field):
            shown[local] = format_date(forum_day(datetime.fromisoformat(shown[field])), "EEEE, d MMMM y",
                                       locale=language)
    if kind == "invitation":
        shown["link"] = f"{public_url}/console/undangan/{shown.get('token', '')}"
    elif kind == REPLY_KIND and shown.get("reply") == "no_number":
        shown["link"] = f"{public_url}/lapor"
    elif kind in CONSOLE_PATHS:
        shown["link"] = public_url + CONSOLE_PATHS[kind].format_map(shown)
    elif shown.get("tracking_number"):
        shown["link"] = f"{public_url}/lacak/{shown['tracking_number']}"
    else:
        shown["link"] = public_url + "/"
    return shown


class Rendered:
    def __init__(self, subject, text, html, unsubscribe):
        self.subject, self.text, self.html, self.unsubscribe = subject, text, html, unsubscribe


def render(message, public_url, unsubscribe_url):
    """``message``: an ``Outgoing``; ``unsubscribe_url(kind)`` the signed link for its person (or None)."""
    language = message.language if message.language in LANGUAGES else "id"
    p = with_links(message.kind, message.params, message.zone, language, public_url)
    items = [{"kind": item["kind"], "params": with_links(item["kind"], item["params"], message.zone, language,
                                                         public_url)} for item in message.items]
    unsubscribe = None if message.kind in ALWAYS_SENT else unsubscribe_url(message.kind)
    context = dict(language=language, kind=message.kind, p=p, items=items, name=message.name,
                   unsubscribe=unsubscribe)
    say = _TEXT.get_template(f"{language}/kinds.j2").module
    subject = " ".join(str(say.subject(message.kind, p)).split())
    return Rendered(subject, _TEXT.get_template("mail.txt.j2").render(**context),
                    _HTML.get_template("mail.html.j2").render(**context), unsubscribe)


def whatsapp_parts(message, public_url):
    """``(notice, link)`` of a WhatsApp message: the message's line (one line) and its link."""
    language = message.language if message.language in LANGUAGES else "id"
    p = with_links(message.kind, message.params, message.zone, language, public_url)
    say = _TEXT.get_template(f"{language}/kinds.j2").module
    return " ".join(str(say.line(message.kind, p)).split()), p["link"]
