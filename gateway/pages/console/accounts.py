"""People in the console: one's own account (password, two-step sign-in with TOTP) and, for admins,
their agency's accounts under the Direktori (invite with a one-time link shown once, deactivate).
Admins of the coordinator may manage any agency's accounts (``?instansi=<agency id>``)."""
import io
import logging

import segno
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from gateway.http import read_form
from gateway.pages.console.session import N_, console_page, console_render, invite_link, session_token_hash
from gateway.pages.pickers import picker
from gateway.pages.web import PAGES, PageError
from services.directory import schemas
from shared.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed

ACCOUNT_PATH = "/console/akun"
PEOPLE_PATH = "/console/direktori/akun"
log = logging.getLogger(__name__)
NOTICES = {"sandi": N_("Your password is changed. Your other sessions have ended."),
           "totp": N_("Two-step sign-in is on: from now on, signing in also asks for a code from your app."),
           "nonaktif": N_("The account is deactivated; its sessions have ended.")}
# What each invitation field asks for, in the reader's language (the service's messages are English).
INVITE_HELP = {"name": N_("Enter the person's full name"),
               "email": N_("Enter an email address such as nama@instansi.go.id"),
               "phone": N_("Enter an Indonesian phone number such as 0812-3456-7890, or leave it empty"),
               "account_role": N_("Choose admin or officer"), "language": N_("Choose a language")}


def notice_of(request, language):
    notice = NOTICES.get(request.args.get("pesan", ""))
    return PAGES.gettext(language, notice) if notice else None


def shown_link(public_url, invited):
    """An invitation's account with its one-time link, for the page that shows it once."""
    return {**invited["account"], "link": invite_link(public_url, invited["invite_token"]),
            "expires_at": invited["invite_expires_at"]}


def invitation_mail(invited, agency_name):
    """What the notifications service mails: the invitation, its token and who it is for."""
    account = invited["account"]
    return {"account_id": account["id"], "agency_id": account["agency_id"], "agency_name": agency_name,
            "name": account["name"], "email": account["email"], "account_role": account["account_role"],
            "language": account["language"], "token": invited["invite_token"],
            "expires_at": invited["invite_expires_at"]}


def mail_invitations(rpc, actor, invitations):
    """Ask the notifications service to mail each ``(invited, agency_name)``, all at once: per
    invitation, ``mailed`` True (queued), False (mail is off) or None (the notifications service
    could not take it: the inviter passes the link on)."""
    asked = []
    for invited, agency_name in invitations:
        try:
            asked.append(rpc.start("notifications", "mail_invitation", actor, invitation_mail(invited, agency_name)))
        except Exception as exc:  # the link is shown only now: no failure of its mail may lose it
            asked.append(exc)
    mailed = []
    for invited, answer in zip((invited for invited, _name in invitations), asked):
        try:
            if isinstance(answer, Exception):
                raise answer
            mailed.append(answer()["mailed"])
        except Exception as exc:
            log.warning("the invitation of account %s was not mailed: %s", invited["account"]["id"],
                        type(exc).__name__)
            mailed.append(None)
    return mailed


def forbidden(exc):
    return PageError(403, exc.message) if isinstance(exc, Forbidden) else exc


class ConsoleAccounts:
    """Needs ``self.rpc``, ``self.sessions`` and ``self.public_url`` from the gateway service."""

    @console_page(ACCOUNT_PATH)
    def own_account(self, request, language, actor):
        return self._own_page(request, language, actor, notice=notice_of(request, language))

    @console_page(ACCOUNT_PATH + "/sandi", method="POST")
    def change_password(self, request, language, actor):
        form = read_form(request)
        errors = {}
        if form.get("new_password", "") != form.get("new_password_again", ""):
            errors["new_password_again"] = PAGES.gettext(language, N_("Type the same new password twice"))
        elif len(form.get("new_password", "")) < schemas.PASSWORD_MIN:
            errors["new_password"] = PAGES.gettext(language, N_("Choose a password of at least 10 characters"))
        if not errors:
            try:
                self.rpc("directory", "change_password", actor, session_token_hash(request), {
                    "current_password": form.get("current_password", ""),
                    "new_password": form.get("new_password", "")})
            except (Forbidden, ValidationFailed) as exc:
                field = "current_password" if "current_password" in exc.fields or isinstance(exc, Forbidden) \
                    else "new_password"
                errors[field] = PAGES.gettext(language, N_("Your current password is not right")
                                              if field == "current_password"
                                              else N_("Choose a password of 10 to 200 characters"))
        if errors:
            return self._own_page(request, language, actor, errors=errors, status=400)
        self.sessions.forget(account_id=actor["account_id"])  # the others ended; this one is read again
        return redirect(f"{ACCOUNT_PATH}?pesan=sandi", code=303)

    @console_page(ACCOUNT_PATH + "/totp", method="POST")
    def start_totp(self, request, language, actor):
        self.rpc("directory", "enrol_totp", actor)
        return redirect(ACCOUNT_PATH + "/totp", code=303)

    @console_page(ACCOUNT_PATH + "/totp")
    def totp_page(self, request, language, actor):
        return self._totp_page(request, language, actor)

    @console_page(ACCOUNT_PATH + "/totp.svg")
    def totp_qr(self, request, language, actor):
        """The enrolment's QR code, served from here (a data: URI image would break the CSP's img-src)."""
        enrolment = self._enrolment(actor)
        svg = io.BytesIO()
        segno.make(enrolment["uri"], error="m").save(svg, kind="svg", scale=5, border=4, xmldecl=False)
        response = Response(svg.getvalue(), mimetype="image/svg+xml")
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @console_page(ACCOUNT_PATH + "/totp/konfirmasi", method="POST")
    def confirm_totp(self, request, language, actor):
        code = read_form(request).get("code", "").strip()
        try:
            self.rpc("directory", "confirm_totp", actor, {"code": code})
        except (Forbidden, ValidationFailed):
            message = PAGES.gettext(language, N_("Enter the 6 digits your app shows now"))
            return self._totp_page(request, language, actor, errors={"code": message}, status=400)
        except Conflict:
            return redirect(ACCOUNT_PATH, code=303)
        return redirect(f"{ACCOUNT_PATH}?pesan=totp", code=303)

    @console_page(PEOPLE_PATH)
    def agency_accounts(self, request, language, actor):
        return self._people_page(request, language, actor, request.args.get("instansi") or actor["agency_id"],
                                 values={"account_role": "officer", "language": language},
                                 notice=notice_of(request, language))

    @console_page(PEOPLE_PATH, method="POST")
    def invite_person(self, request, language, actor):
        form = read_form(request)
        agency_id = form.get("agency_id") or actor["agency_id"]
        values = {name: form.get(name, "").strip() for name in ("name", "email", "phone", "account_role", "language")}
        body = {**values, "phone": values["phone"] or None}
        try:
            invited = self.rpc("directory", "invite_account", actor, agency_id, body)
        except ValidationFailed as exc:
            errors = {name: PAGES.gettext(language, INVITE_HELP[name]) for name in exc.fields if name in INVITE_HELP}
            return self._people_page(request, language, actor, agency_id, values=values, errors=errors, status=400)
        except Conflict as exc:
            field = "email" if "email" in exc.fields else "name"
            message = (N_("This email already has an account") if field == "email"
                       else N_("This agency is inactive: it cannot have new accounts"))
            return self._people_page(request, language, actor, agency_id, values=values,
                                     errors={field: PAGES.gettext(language, message)}, status=409)
        except DomainError as exc:
            raise forbidden(exc) from None
        # Shown once, on this answer only (no redirect: the link is nowhere else to be read again).
        return self._people_page(request, language, actor, agency_id,
                                 values={"account_role": "officer", "language": language},
                                 invited=self._mailed(actor, agency_id, invited))

    @console_page(PEOPLE_PATH + "/<account_id>/tautan", method="POST")
    def renew_link(self, request, language, actor, account_id):
        """A new one-time link (an expired invitation, a forgotten password), shown once like an invitation's."""
        agency_id = read_form(request).get("agency_id") or actor["agency_id"]
        try:
            renewed = self.rpc("directory", "renew_invite", actor, agency_id, account_id)
        except DomainError as exc:
            raise forbidden(exc) from None
        return self._people_page(request, language, actor, agency_id,
                                 values={"account_role": "officer", "language": language},
                                 invited=self._mailed(actor, agency_id, renewed))

    @console_page(PEOPLE_PATH + "/<account_id>/nonaktifkan", method="POST")
    def deactivate_person(self, request, language, actor, account_id):
        agency_id = read_form(request).get("agency_id") or actor["agency_id"]
        try:
            self.rpc("directory", "deactivate_account", actor, agency_id, account_id)
        except DomainError as exc:
            raise forbidden(exc) from None
        self.sessions.forget(account_id=account_id)
        query = f"instansi={agency_id}&" if agency_id != actor["agency_id"] else ""
        return redirect(f"{PEOPLE_PATH}?{query}pesan=nonaktif", code=303)

    def _mailed(self, actor, agency_id, invited):
        """The link to show once, and whether it was also mailed (see ``mail_invitations``)."""
        shown = shown_link(self.public_url, invited)
        if invited["invite_token"] is None:  # a repeat of an invitation already shown: nothing to mail
            return {**shown, "mailed": None}
        agency_name = (actor["agency_name"] if agency_id == actor["agency_id"]
                       else self.rpc("directory", "get_agency", agency_id)["name"])
        [shown["mailed"]] = mail_invitations(self.rpc, actor, [(invited, agency_name)])
        return shown

    def _own_page(self, request, language, actor, notice=None, errors=None, status=200):
        account = self.rpc("directory", "get_own_account", actor)
        return console_render(request, language, actor, "console/account.html", status=status, account=account,
                              errors=errors or {}, notice=notice)

    def _enrolment(self, actor):
        try:
            return self.rpc("directory", "read_totp_enrolment", actor)
        except NotFound:
            raise PageError(404, "no TOTP enrolment under way") from None

    def _totp_page(self, request, language, actor, errors=None, status=200):
        enrolment = self._enrolment(actor)
        return console_render(request, language, actor, "console/totp.html", status=status,
                              secret=enrolment["secret"], errors=errors or {})

    def _people_page(self, request, language, actor, agency_id, values, errors=None, invited=None, notice=None,
                     status=200):
        agency = self.rpc.start("directory", "get_agency", agency_id)
        try:
            accounts = self.rpc("directory", "list_accounts", actor, agency_id)
        except DomainError as exc:
            raise forbidden(exc) from None
        agency = agency()
        # the coordinator's admins pick any agency
        agencies = picker(self.rpc, request.args, "instansi", [agency_id]) if actor["role"] == "coordinator" else None
        return console_render(request, language, actor, "console/people.html", status=status, agency=agency,
                              accounts=accounts, agencies=agencies, values=values, errors=errors or {},
                              invited=invited, notice=notice, zone=self.forum_timezone)
