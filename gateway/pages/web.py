"""What every HTML page shares: templates, language, dates, static files, headers and error pages.

A page answers HTML, never JSON: a missing item is a friendly 404 page, a service that is down a
503 page, anything unexpected a 500 page (logged, never shown). Page routes are not API routes:
they are not recorded in ``gateway.http.ROUTES`` and so never appear in ``/openapi.json``.
"""
import functools
import hashlib
import io
import logging
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
import nh3
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from gateway.errors import HttpError, retry_after
from gateway.http import MAX_BODY_BYTES, HttpRoute, observed
from gateway.pages.service_said import said
from shared.errors import DomainError
from shared.intake import SYSTEM_NOTES
from shared.workdays import DEFAULT_FORUM_ZONE, forum_day, set_forum_zone

log = logging.getLogger(__name__)

GATEWAY = Path(__file__).resolve().parent.parent
STATIC = GATEWAY / "static"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANGUAGE_COOKIE = "lang"
# WIB, WITA and WIT: the three zones of Indonesia, as Indonesians name them.
ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
               "Asia/Jayapura": "WIT"}
# A page's own scripts and styles only: no inline script, no third party, never framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "object-src 'none'; base-uri 'none'; form-action 'self'; "
                                "frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript"}


def _catalog(language):
    """The language's messages, compiled from its .po file in memory (no build output to keep)."""
    with open(GATEWAY / "i18n" / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


class StaticFiles:
    """The static folder under content-hashed names (``site.3f2a9c1d.css``), so they can be cached for good."""

    def __init__(self, folder):
        self.files = {}
        self.urls = {}
        for path in sorted(folder.iterdir()):
            if path.suffix not in STATIC_TYPES:
                continue
            content = path.read_bytes()
            digest = hashlib.sha256(content).hexdigest()[:12]
            hashed = f"{path.stem}.{digest}{path.suffix}"
            self.files[hashed] = (content, STATIC_TYPES[path.suffix])
            self.urls[path.name] = f"/static/{hashed}"

    def url(self, name):
        return self.urls[name]

    def response(self, hashed_name):
        found = self.files.get(hashed_name)
        if found is None:
            return None
        content, mimetype = found
        response = Response(content, mimetype=mimetype)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


STATIC_FILES = StaticFiles(STATIC)


def sanitised(html):
    """Body HTML the service already cleaned, cleaned once more before it is marked safe."""
    return Markup(nh3.clean(html or ""))


class ForumTimezone(DependencyProvider):
    """The zone in which the forum's pages show times that carry none of their own (releases,
    complaints): ``FORUM_TIMEZONE``, by default Asia/Makassar (WITA)."""

    def setup(self):
        self.zone = str(self.container.config.get("FORUM_TIMEZONE") or DEFAULT_FORUM_ZONE)
        set_forum_zone(self.zone)  # deadlines are days of this zone; an unknown one stops the gateway at start

    def get_dependency(self, worker_ctx):
        return self.zone


def zone_label(zone):
    return ZONE_LABELS.get(zone, zone)


class Pages:
    """The template environment, one per language (each with its catalog installed)."""

    def __init__(self):
        self.environments = {}
        self.translations = {}
        for language in LANGUAGES:
            self.translations[language] = _catalog(language)
            # Whatever a page prints passes ``said``: a service's words about a field are shown in
            # the page's language wherever a template prints them.
            environment = Environment(loader=FileSystemLoader(GATEWAY / "templates"),
                                      autoescape=select_autoescape(("html", "xml")),
                                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                                      finalize=functools.partial(said, translations=self.translations[language],
                                                                 language=language))
            environment.install_gettext_translations(self.translations[language], newstyle=True)
            environment.globals["static"] = STATIC_FILES.url
            environment.filters["datetime"] = functools.partial(local_datetime, language=language)
            environment.filters["date"] = functools.partial(local_date, language=language)
            environment.filters["sanitised"] = sanitised
            environment.filters["deadline"] = functools.partial(deadline_day, language=language)
            environment.filters["note"] = functools.partial(note_in, language=language)
            environment.globals["csrf_field"] = csrf_field
            self.environments[language] = environment

    def gettext(self, language, text):
        """``text`` in ``language``, for strings a page builds in Python (marked with ``N_``)."""
        return self.translations[language].gettext(text)

    def render(self, language, template, status=200, headers=None, **context):
        html = self.environments[language].get_template(template).render(language=language, **context)
        response = Response(html, status=status, mimetype="text/html")
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["Content-Language"] = language
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response



@pass_context
def csrf_field(context):
    """``{{ csrf_field() }}`` in every console form: the session's CSRF token (``console_render`` puts it
    in the context) as the hidden field the console checks on every request that changes something."""
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % (context.get("csrf_token") or "")


def _moment(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def local_datetime(value, zone, language=DEFAULT_LANGUAGE):
    """``Selasa, 1 Desember 2026 14.30 WITA``: the moment in ``zone``, named by its Indonesian label."""
    if not value:
        return ""
    moment = _moment(value)
    text = format_datetime(moment, "EEEE, d MMMM y HH.mm", tzinfo=ZoneInfo(zone), locale=language)
    return f"{text} {zone_label(zone)}"


def local_date(value, zone, language=DEFAULT_LANGUAGE):
    if not value:
        return ""
    moment = _moment(value)
    if isinstance(moment, datetime):
        moment = moment.astimezone(ZoneInfo(zone))
    return format_date(moment, "d MMMM y", locale=language)


def deadline_day(value, language=DEFAULT_LANGUAGE):
    """``Rabu, 2 Desember 2026``: a working-day deadline (the end of a working day in the forum's
    zone, shared.workdays) is a day, not a moment, named the same on every page."""
    if not value:
        return ""
    return format_date(forum_day(_moment(value)), "EEEE, d MMMM y", locale=language)


def note_in(note, language=DEFAULT_LANGUAGE):
    """A note the system wrote in both languages, in the page's; any other note as written."""
    known = SYSTEM_NOTES.get(note or "")
    return known[language] if known else note


PAGES = Pages()


def language_of(request):
    """``?lang=`` first (it is remembered in a cookie), then the cookie, else Indonesian."""
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


class PageError(Exception):
    """A page that cannot be shown, with the status and the (translatable) reason."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status, self.reason = status, reason


def _error_page(language, exc):
    if isinstance(exc, PageError):
        status = exc.status
    elif isinstance(exc, (HttpError, DomainError)) and exc.status in (404, 429, 503):
        status = exc.status
    elif isinstance(exc, (HttpError, DomainError)) and 400 <= exc.status < 500:
        status = 404  # an id that is not an id, or an item a visitor may not see: nothing here
    else:
        status = 500
        log.error("unexpected error on a page", exc_info=(type(exc), exc, exc.__traceback__))
    headers = {"Retry-After": "30"} if status == 503 else None
    if status == 429:
        headers = getattr(exc, "headers", None) or retry_after(exc)
    return PAGES.render(language, "error.html", status=status, headers=headers, status_code=status)


def page(path, method="GET", max_body=MAX_BODY_BYTES):
    """Declare an HTML page: ``handler(self, request, language, **path_args)`` returns a Response.

    ``?lang=`` switches the language and is remembered in a cookie for a year. ``max_body``: the
    largest body a form may send (more than ``MAX_BODY_BYTES`` only for forms taking files).
    """
    def decorate(handler):
        @functools.wraps(handler)
        def endpoint(self, request, **path_args):
            started = time.perf_counter()
            language = language_of(request)
            try:
                response = handler(self, request, language, **path_args)
            except Exception as exc:  # a page's failure is a friendly page, never JSON or a traceback
                response = _error_page(language, exc)
            self.recent.after(request)
            if request.args.get("lang") in LANGUAGES:
                response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax",
                                    httponly=True)
            return observed(response, "pages", handler.__name__, method, path, started)

        return HttpRoute.decorator(method, path, max_body=max_body)(endpoint)

    return decorate
