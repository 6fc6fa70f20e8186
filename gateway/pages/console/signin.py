"""Signing in and out of the console, and setting a password from an invitation link.

Besides each account's own slowing and locking (the directory's), one address that keeps failing is
stopped for a while, whatever emails it tries: ``SIGN_IN_FAILURES_BURST`` (20) failures at once, then
``SIGN_IN_FAILURES_PER_MINUTE`` (10). Each try takes its place in that count before its password is
checked (so no more than the burst are ever checked at once) and gives it back when it succeeds, so
an office behind one address signs in freely in the morning."""
import logging
import secrets

from nameko.extensions import DependencyProvider
from werkzeug.utils import redirect

from gateway.auth import key_hash
from gateway.http import read_form
from gateway.pages.console.accounts import password_help
from gateway.pages.console.session import (SIGN_IN_PATH, N_, clear_session_cookie, console_page, console_render,
                                           password_try, pre_session_token, refuse_cross_site, safe_next, session_token_hash,
                                           set_pre_session_cookie, set_session_cookie, sign_in_csrf_holds,
                                           sign_in_csrf_token, signed_in)
from gateway.pages.web import PAGES, PageError, page
from gateway.ratelimit import TokenBucket
from services.directory import schemas
from shared.errors import DomainError, NotFound, ValidationFailed

log = logging.getLogger(__name__)


NOTICES = {"keluar": N_("You have signed out."), "siap": N_("Your password is set. Sign in with it now.")}


class SignInFailures(DependencyProvider):
    """Sign-in tries per client address (successes given back), one count per gateway process
    (``self.sign_in_failures``)."""

    def setup(self):
        config = self.container.config
        self.failures = TokenBucket(float(config.get("SIGN_IN_FAILURES_PER_MINUTE") or 10),
                                    float(config.get("SIGN_IN_FAILURES_BURST") or 20))

    def get_dependency(self, worker_ctx):
        return self.failures


class ConsoleSignIn:
    """Needs ``self.rpc``, ``self.sessions``, ``self.sign_in_failures`` and ``self.public_url`` from the
    gateway service."""

    @page(SIGN_IN_PATH)
    def sign_in_form(self, request, language):
        target = safe_next(request.args.get("next"))
        if signed_in(self, request) is not None:
            return redirect(target, code=303)
        notice = NOTICES.get(request.args.get("pesan", ""))
        return render_sign_in(request, self.public_url, language, target, values={},
                              notice=PAGES.gettext(language, notice) if notice else None)

    @page(SIGN_IN_PATH, method="POST")
    def sign_in(self, request, language):
        refuse_cross_site(request, self.public_url)
        form = read_form(request)
        target = safe_next(form.get("next"))
        values = {"email": form.get("email", "").strip(), "totp_code": form.get("totp_code", "").strip()}

        def again(errors, status, totp=False):  # the form again, nothing typed lost but the password
            return render_sign_in(request, self.public_url, language, target, values, errors=errors, totp=totp,
                                  status=status)

        if not sign_in_csrf_holds(request):
            return again({"password": PAGES.gettext(language, N_("This form has expired. Enter your password "
                                                                 "again and sign in."))}, 403)
        errors = {}
        if not values["email"]:
            errors["email"] = PAGES.gettext(language, N_("Enter your email address"))
        if not form.get("password"):
            errors["password"] = PAGES.gettext(language, N_("Enter your password"))
        if errors:
            return again(errors, 400)
        # The try is counted before the password is checked and given back if it succeeds: attempts
        # arriving at the same moment are then never more than the burst.
        stopped = password_try(self.sign_in_failures, request, language, again, "email")
        if stopped is not None:
            return stopped
        token = secrets.token_urlsafe(32)
        try:
            answer = self.rpc("directory", "sign_in", {"email": values["email"], "password": form["password"],
                                                       "totp_code": values["totp_code"] or None}, key_hash(token))
        except ValidationFailed:  # an email or password longer than any account's: wrong, like any other
            answer = {"token": None, "totp_required": False}
        if answer["token"] is None:
            if answer["totp_required"]:
                message = (PAGES.gettext(language, N_("The code is not right; enter the code your app shows now"))
                           if values["totp_code"] else
                           PAGES.gettext(language, N_("Enter the code from your authenticator app")))
                return again({"totp_code": message}, 400, totp=True)
            message = PAGES.gettext(language, N_("The email or password is not right, or the account is locked "
                                                 "for a while. Check them and try again in a few minutes."))
            return again({"email": message}, 400)
        self.sign_in_failures.refund(request.remote_addr or "unknown")
        log.info("account %s signed in", answer["session"]["account_id"])
        previous = session_token_hash(request)
        if previous is not None:  # a new session id at every sign-in; the old one ends
            self.rpc("directory", "end_session", previous)
            self.sessions.drop(previous)
        return set_session_cookie(redirect(target, code=303), self.public_url, token)

    @console_page("/console/keluar")
    def sign_out_form(self, request, language, actor):
        """A link or a typed address to sign out asks first: signing out is a POST with the CSRF token."""
        return console_render(request, language, actor, "console/signout.html")

    @console_page("/console/keluar", method="POST")
    def sign_out(self, request, language, actor):
        digest = session_token_hash(request)
        self.rpc("directory", "end_session", digest)
        self.sessions.drop(digest)
        return clear_session_cookie(redirect(f"{SIGN_IN_PATH}?pesan=keluar", code=303), self.public_url)

    @page("/console/undangan/<token>")
    def invitation(self, request, language, token):
        invite = read_invite(self, token)
        return render_invitation(language, invite, errors={})

    @page("/console/undangan/<token>", method="POST")
    def accept_invitation(self, request, language, token):
        refuse_cross_site(request, self.public_url)
        invite = read_invite(self, token)
        form = read_form(request)
        password, again = form.get("password", ""), form.get("password_again", "")
        errors = {}
        if len(password) < schemas.PASSWORD_MIN:
            errors["password"] = PAGES.gettext(language, N_("Choose a password of at least 10 characters"))
        elif password != again:
            errors["password_again"] = PAGES.gettext(language, N_("Type the same password twice"))
        if not errors:
            try:
                self.rpc("directory", "accept_invite", key_hash(token), {"password": password})
            except DomainError as exc:
                if exc.status == 404:
                    raise
                errors["password"] = password_help(language, exc, "password")
        if errors:
            return render_invitation(language, invite, errors=errors, status=400)
        return redirect(f"{SIGN_IN_PATH}?pesan=siap", code=303)


def read_invite(service, token):
    if len(token) > 100:
        raise PageError(404, "not found")
    try:
        return service.rpc("directory", "read_invite", key_hash(token))
    except NotFound:
        raise PageError(404, "unknown, used or expired invitation") from None


def render_sign_in(request, public_url, language, target, values, errors=None, notice=None, totp=False,
                   status=200):
    pre_session = pre_session_token(request)
    response = PAGES.render(language, "console/signin.html", status=status, values=values, errors=errors or {},
                            next=target, notice=notice, totp=totp or bool(values.get("totp_code")),
                            csrf_token=sign_in_csrf_token(pre_session))
    response.headers["Cache-Control"] = "no-store"
    return set_pre_session_cookie(response, public_url, pre_session)


def render_invitation(language, invite, errors, status=200):
    # The link's token is in this page's address: it is never sent to another site as a referrer
    # ("no-referrer" would also make the browser send "Origin: null" with the form, refused as cross-site).
    response = PAGES.render(language, "console/invitation.html", status=status, invite=invite, errors=errors,
                            headers={"Referrer-Policy": "same-origin"})
    response.headers["Cache-Control"] = "no-store"
    return response
