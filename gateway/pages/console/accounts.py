"""People in the console: one's own account (password, two-step sign-in with TOTP) and, for admins,
their agency's accounts under the Direktori (invite with a one-time link shown once, deactivate).
Admins of the coordinator may manage any agency's accounts (``?instansi=<agency id>``)."""
import io
import logging

import segno
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from gateway.http import read_form
from gateway.pages.console.session import (N_, console_page, console_render, invite_link, password_try,
                                           session_token_hash)
from gateway.pages.pickers import picker
from gateway.pages.web import PAGES, PageError
from services.directory import schemas
from shared.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed

ACCOUNT_PATH = "/console/akun"
PEOPLE_PATH = "/console/direktori/akun"
log = logging.getLogger(__name__)
NOTICES = {"sandi": N_("Your password is changed. Your other sessions have ended."),
           "email": N_("Your email address is changed: sign in with the new one. Your other sessions have ended."),
           "totp": N_("Two-step sign-in is on: from now on, signing in also asks for a code from your app. "
                      "Your other sessions have ended."),
           "totp-mati": N_("Two-step sign-in is off: signing in asks for your password only. "
                           "Your other sessions have ended."),
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


# What the directory says of a password it refuses (domain.passwords), in the reader's language.
PASSWORD_HELP = {schemas.PASSWORD_COMMON: N_("This password is on a list of common or leaked passwords: choose "
                                             "one that is harder to guess"),
                 schemas.PASSWORD_EMAIL_NAME: N_("The password may not contain the name of your email address"),
                 schemas.PASSWORD_FORUM_NAME: N_("The password may not contain the forum's name"),
                 schemas.PASSWORD_REPETITIVE: N_("The password repeats a few characters: choose one that is "
                                                 "harder to guess")}


def password_help(language, exc, field):
    said = (exc.fields.get(field) or [""])[0]
    return PAGES.gettext(language, PASSWORD_HELP.get(said, N_("Choose a password of 10 to 200 characters")))


def proof_errors(language, exc):
    """The directory's refusal of a change of one's own sign-in, field by field, in the reader's language."""
    fields = exc.fields or {"current_password": []}
    errors = {}
    if "current_password" in fields:
        errors["current_password"] = PAGES.gettext(language, N_("Your current password is not right"))
    if "current_code" in fields:
        errors["current_code"] = PAGES.gettext(language, N_("Enter the 6 digits your app shows now"))
    if "new_password" in fields:
        errors["new_password"] = password_help(language, exc, "new_password")
    if "email" in fields:
        errors["email"] = PAGES.gettext(language, N_("This email already has an account") if isinstance(exc, Conflict)
                                        else N_("Enter an email address such as nama@instansi.go.id"))
    return errors


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
        if errors:
            return self._own_page(request, language, actor, errors=errors, status=400)
        changed = self._proven(request, language, actor, "change_password", {"new_password": form["new_password"]},
                               lambda errors, status: self._own_page(request, language, actor, errors=errors,
                                                                     status=status))
        if not isinstance(changed, dict):
            return changed
        self.sessions.forget(account_id=actor["account_id"])  # the others ended; this one is read again
        return redirect(f"{ACCOUNT_PATH}?pesan=sandi", code=303)

    @console_page(ACCOUNT_PATH + "/email")
    def email_form(self, request, language, actor):
        account = self.rpc("directory", "get_own_account", actor)
        return self._proof_page(request, language, actor, account, "email", values={"email": account["email"]})

    @console_page(ACCOUNT_PATH + "/email", method="POST")
    def change_email(self, request, language, actor):
        email = read_form(request).get("email", "").strip()
        changed = self._proven(request, language, actor, "change_email", {"email": email},
                               lambda errors, status: self._proof_page(request, language, actor, None, "email",
                                                                       values={"email": email}, errors=errors,
                                                                       status=status))
        if not isinstance(changed, dict):
            return changed
        self.sessions.forget(account_id=actor["account_id"])
        return redirect(f"{ACCOUNT_PATH}?pesan=email", code=303)

    @console_page(ACCOUNT_PATH + "/totp/mulai")
    def totp_start_form(self, request, language, actor):
        return self._proof_page(request, language, actor, None, "totp")

    @console_page(ACCOUNT_PATH + "/totp", method="POST")
    def start_totp(self, request, language, actor):
        started = self._proven(request, language, actor, "enrol_totp", {},
                               lambda errors, status: self._proof_page(request, language, actor, None, "totp",
                                                                       errors=errors, status=status),
                               keeps_session=False)
        return started if not isinstance(started, dict) else redirect(ACCOUNT_PATH + "/totp", code=303)

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
            changed = self.rpc("directory", "confirm_totp", actor, session_token_hash(request), {"code": code})
        except (Forbidden, ValidationFailed):
            message = PAGES.gettext(language, N_("Enter the 6 digits your app shows now"))
            return self._totp_page(request, language, actor, errors={"code": message}, status=400)
        except Conflict:
            return redirect(ACCOUNT_PATH, code=303)
        self._second_factor_changed(actor, changed)
        return redirect(f"{ACCOUNT_PATH}?pesan=totp", code=303)

    @console_page(ACCOUNT_PATH + "/totp/hapus")
    def totp_removal_form(self, request, language, actor):
        return self._proof_page(request, language, actor, None, "totp_off")

    @console_page(ACCOUNT_PATH + "/totp/hapus", method="POST")
    def remove_totp(self, request, language, actor):
        changed = self._proven(request, language, actor, "remove_totp", {},
                               lambda errors, status: self._proof_page(request, language, actor, None, "totp_off",
                                                                       errors=errors, status=status))
        if not isinstance(changed, dict):
            return changed
        self._second_factor_changed(actor, changed)
        return redirect(f"{ACCOUNT_PATH}?pesan=totp-mati", code=303)

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

    def _proven(self, request, language, actor, method, data, form_again, keeps_session=True):
        """Call the directory's ``method`` for a change of one's own sign-in with the proof the form
        carries (current password, and code); its answer, or the form again with what was wrong.
        Each try is counted with the address's sign-in tries (a stolen session must not become a
        way to guess the password faster than the sign-in form allows); a success gives it back."""
        form = read_form(request)
        proof = {"current_password": form.get("current_password", ""),
                 "current_code": form.get("current_code", "").strip() or None}
        stopped = password_try(self.sign_in_failures, request, language, form_again, "current_password")
        if stopped is not None:
            return stopped
        args = (actor, session_token_hash(request)) if keeps_session else (actor,)
        try:
            answer = self.rpc("directory", method, *args, {**proof, **data})
        except (Forbidden, ValidationFailed, Conflict) as exc:
            return form_again(proof_errors(language, exc), exc.status)
        self.sign_in_failures.refund(request.remote_addr or "unknown")
        return answer

    def _second_factor_changed(self, actor, changed):
        """Mail the person (a change they did not make is then noticed) and forget the sessions that ended."""
        self.sessions.forget(account_id=actor["account_id"])
        account = changed["account"]
        try:
            self.rpc("notifications", "mail_second_factor_change", actor, {
                "account_id": account["id"], "agency_id": account["agency_id"], "name": account["name"],
                "email": account["email"], "language": account["language"], "change": changed["change"]})
        except Exception as exc:  # the change is made: a mail that could not be queued does not undo it
            log.warning("the change of second factor of account %s was not mailed: %s", account["id"],
                        type(exc).__name__)

    def _proof_page(self, request, language, actor, account, purpose, values=None, errors=None, status=200):
        """A change of one's own email (``email``) or second factor (``totp``, ``totp_off``) asks for proof."""
        account = account or self.rpc("directory", "get_own_account", actor)
        return console_render(request, language, actor, "console/proof.html", status=status, account=account,
                              purpose=purpose, values=values or {}, errors=errors or {})

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
