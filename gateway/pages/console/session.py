"""The console's sessions: who is signed in, CSRF, and the ``console_page`` / ``console_render`` every
console page is built with.

- The session lives in the directory (so every gateway instance shares it); the browser holds a random
  token in the cookie ``bakohumas_session`` (``HttpOnly; SameSite=Lax; Path=/``, ``Secure`` when
  ``PUBLIC_URL`` is https); only the token's SHA-256 leaves the gateway. A new token is made
  at every sign-in, and the one the browser had before is ended.
- Sessions are resolved by ``directory.resolve_session`` once, then served from a cache for
  ``SESSION_CACHE_SECONDS`` (default 30) and never past the session's own deadline; a gateway forgets a
  session at once on ``session.ended`` / ``account.deactivated`` / ``agency.deactivated``.
- CSRF: a synchronizer token derived from the session's token (HMAC-SHA256 keyed with it): bound to
  the session, changed with it at every sign-in, the same on every gateway instance, and nothing more
  to store. Someone who reads a page's token learns nothing of the cookie. Every request that is not a
  GET must carry it (form field ``csrf_token``, or header ``X-CSRF-Token`` for htmx), and is refused
  when the browser says it comes from another site (``Sec-Fetch-Site``) or another origin (``Origin``).
  The sign-in form, sent before any session exists, carries the same kind of token derived from a
  random pre-session cookie (``bakohumas_masuk``, ``Path=/console/masuk``) that its page sets.
- The JSON API (``/api/v1``) never looks at this cookie: it takes only ``Authorization: Bearer``.
"""
import functools
import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

from nameko.extensions import DependencyProvider
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from gateway.auth import KeyCache, key_hash
from gateway.http import MAX_BODY_BYTES, read_form
from gateway.pages.marks import N_
from gateway.pages.web import LANGUAGE_COOKIE, LANGUAGES, PAGES, PageError, page

log = logging.getLogger(__name__)

SESSION_COOKIE = "bakohumas_session"
PRE_SESSION_COOKIE = "bakohumas_masuk"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SIGN_IN_PATH = "/console/masuk"
HOME_PATH = "/console/"
TOKEN = re.compile(r"^[A-Za-z0-9_\-]{32,128}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What a handler's ``actor`` carries: the actor every RPC takes, and the agency's names for pages.
ACTOR_FIELDS = ("agency_id", "role", "key_id", "account_id", "account_name", "account_role")
SAFE_SITES = ("same-origin", "none")


NAV = ((HOME_PATH, N_("Home")), ("/console/kalender", N_("Calendar")), ("/console/konten", N_("Content")),
       ("/console/pengaduan", N_("Complaints")), ("/console/direktori", N_("Directory")),
       ("/console/informasi", N_("Information")), ("/console/notifikasi", N_("Notifications")))


class KnownSessions(DependencyProvider):
    """One session cache per gateway process, shared by its workers (``self.sessions``)."""

    def setup(self):
        self.cache = KeyCache(float(self.container.config.get("SESSION_CACHE_SECONDS") or 30))

    def get_dependency(self, worker_ctx):
        return self.cache


def session_token(request):
    token = request.cookies.get(SESSION_COOKIE) or ""
    return token if TOKEN.match(token) else None


def session_token_hash(request):
    """The SHA-256 of the browser's session token (what the directory keeps), or None."""
    token = session_token(request)
    return key_hash(token) if token else None


def csrf_token(request):
    token = session_token(request)
    if token is None:
        return ""
    return hmac.new(token.encode("utf-8"), b"bakohumas console csrf", hashlib.sha256).hexdigest()


def pre_session_token(request):
    """The sign-in form's own random token (cookie ``bakohumas_masuk``), before any session exists:
    the browser's if it has a usable one, else a new one for the page to set."""
    token = request.cookies.get(PRE_SESSION_COOKIE) or ""
    return token if TOKEN.match(token) else secrets.token_urlsafe(32)


def sign_in_csrf_token(pre_session):
    return hmac.new(pre_session.encode("utf-8"), b"bakohumas sign-in csrf", hashlib.sha256).hexdigest()


def sign_in_csrf_holds(request):
    """Did the sign-in form come from a page of this gateway that gave this browser its token?"""
    token = request.cookies.get(PRE_SESSION_COOKIE) or ""
    sent = read_form(request).get(CSRF_FIELD) or ""
    return bool(TOKEN.match(token)) and hmac.compare_digest(sign_in_csrf_token(token).encode(),
                                                            sent.encode("utf-8", "replace"))


def signed_in(service, request):
    """The session behind the request's cookie (the directory's ``SessionActor``), or None."""
    digest = session_token_hash(request)
    if digest is None:
        return None
    session = service.sessions.get(digest)
    if session is not None and datetime.fromisoformat(session["expires_at"]) <= datetime.now(timezone.utc):
        service.sessions.drop(digest)
        session = None
    if session is None:
        session = service.rpc("directory", "resolve_session", digest)
        if session is None:
            return None
        service.sessions.put(digest, session)
    return session


def actor_of(session):
    """The actor every RPC receives, plus the agency's names for the pages."""
    return {**{name: session.get(name) for name in ACTOR_FIELDS},
            "agency_name": session["agency_name"], "agency_short_name": session["agency_short_name"]}


def refuse_cross_site(request, public_url):
    """403 when the browser says the request comes from another site, or from another origin than
    this gateway (as the browser reached it, or as ``PUBLIC_URL`` names it)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in SAFE_SITES:
        raise PageError(403, "cross-site request")
    origin = request.headers.get("Origin")
    if origin is not None:
        parts = urlsplit(origin)
        public = urlsplit(public_url)
        if not parts.netloc or (parts.netloc != request.host
                                and (parts.scheme, parts.netloc) != (public.scheme, public.netloc)):
            raise PageError(403, "cross-origin request")


def check_csrf(request):
    expected = csrf_token(request)
    sent = request.headers.get(CSRF_HEADER) or read_form(request).get(CSRF_FIELD) or ""
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode("utf-8", "replace")):
        raise PageError(403, "the form's CSRF token is missing or wrong")


def password_try(tries, request, language, form_again, field):
    """Count a try of a password from the request's address in ``tries`` (``SignInFailures``) before
    the password is checked: None when it may go on, else the form again (429, ``Retry-After``)
    saying how long to wait. The caller gives the try back (``tries.refund``) when it succeeds."""
    wait = tries.take(request.remote_addr or "unknown")
    if wait is None:
        return None
    seconds = max(1, int(wait + 0.999))
    message = PAGES.gettext(language, N_("Too many failed sign-ins from this address. Wait %(seconds)s seconds, "
                                         "then try again.")) % {"seconds": seconds}
    response = form_again({field: message}, 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def safe_next(target):
    """Where to go after signing in: a console path of this gateway, else the console's home. A
    control character (CR/LF would split the ``Location`` header) makes it the home too."""
    if (target and target.startswith("/console") and not target.startswith("//") and "\\" not in target
            and not CONTROL.search(target)):
        return target
    return HOME_PATH


def to_sign_in(request):
    here = request.full_path.rstrip("?") if request.method == "GET" else request.path
    target = f"{SIGN_IN_PATH}?next={quote(here, safe='/')}"
    if request.headers.get("HX-Request"):  # htmx: the whole page goes to the sign-in form
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target, code=303)


def console_language(request, session):
    """``?lang=`` or the language cookie when the person chose one, else the account's language."""
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE), session.get("language")):
        if candidate in LANGUAGES:
            return candidate
    return LANGUAGES[0]


def console_page(path, method="GET", max_body=MAX_BODY_BYTES):
    """Declare a console page: ``handler(self, request, language, actor, **path_args)``.

    Without a valid session the browser goes to ``/console/masuk?next=<path>``. A request that is not
    a GET is refused (403) when it comes from another site or lacks the session's CSRF token.
    Needs ``self.rpc``, ``self.sessions`` and ``self.public_url`` from the gateway service.
    """
    def decorate(handler):
        @functools.wraps(handler)
        def guarded(self, request, language, **path_args):
            session = signed_in(self, request)
            if session is None:
                return to_sign_in(request)
            if method != "GET":
                refuse_cross_site(request, self.public_url)
                check_csrf(request)
                # Who acted, by account id (never a name or an email): the services' records say the rest.
                log.info("%s %s by account %s of agency %s", method, path, session["account_id"],
                         session["agency_id"])
            return handler(self, request, console_language(request, session), actor_of(session), **path_args)

        return page(path, method, max_body)(guarded)

    return decorate


def nav(language, path):
    current = max((href for href, _ in NAV if path == href or (href != HOME_PATH and path.startswith(href))),
                  key=len, default=None)
    return [{"href": href, "label": PAGES.gettext(language, label), "current": href == current}
            for href, label in NAV]


def console_render(request, language, actor, template, status=200, headers=None, **context):
    """A console page: the template with ``actor``, ``csrf_token`` and ``nav`` in its context; never
    kept by a cache (it shows one person's work)."""
    response = PAGES.render(language, template, status=status, headers=headers, actor=actor,
                            csrf_token=csrf_token(request), nav=nav(language, request.path), **context)
    response.headers["Cache-Control"] = "no-store"
    return response


def is_https(public_url):
    """Cookies are ``Secure`` when the gateway's public address is https: the request's ``Host`` is
    what a reverse proxy chose to pass upstream (often ``127.0.0.1:8000``), not what the browser sees."""
    return urlsplit(public_url).scheme == "https"


def set_session_cookie(response, public_url, token):
    response.set_cookie(SESSION_COOKIE, token, path="/", httponly=True, samesite="Lax", secure=is_https(public_url))
    response.headers["Cache-Control"] = "no-store"
    return response


def invite_link(public_url, token):
    """The console page where an invited person sets a password (None once the token was shown)."""
    return f"{public_url}/console/undangan/{token}" if token else None


def set_pre_session_cookie(response, public_url, token):
    """Only the sign-in form's address sees it; it lives as long as the browser does."""
    response.set_cookie(PRE_SESSION_COOKIE, token, path=SIGN_IN_PATH, httponly=True, samesite="Lax",
                        secure=is_https(public_url))
    return response


def clear_session_cookie(response, public_url):
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=is_https(public_url))
    return response
