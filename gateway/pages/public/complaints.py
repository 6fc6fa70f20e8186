"""The public's complaint pages: the form (``/lapor``), its receipt, and the reporter's side of
the tracking page (with the secret, sent in a form field, never in the address).

The form files through the same durable intake as the JSON API (``ComplaintsRoutes.queue_complaint``)
and the reporter acts through the same RPCs; files are checked and cleaned by ``gateway.uploads``.
"""
import secrets

from gateway.errors import HttpError, retry_after
from gateway.http import MAX_BODY_BYTES, first_form_fields, read_form
from gateway.pages.pickers import finding, picker
from gateway.pages.public.reporting import TEXT_FIELDS, complaint_body, form_values, problems
from gateway.pages.web import PAGES, page
from gateway.uploads import attachment_response
from shared.errors import DomainError, TooBusy
from shared.intake import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from shared.uploads import FileRefused, checked_files

# A form with files: up to 3 files of 5 MB and the rest of the form.
MAX_FORM_WITH_FILES = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + MAX_BODY_BYTES
LOOKUP_TIMEOUT = 2.0
# Answers that hold the reporter's secret are kept by no cache.
PRIVATE = {"Cache-Control": "no-store"}
REPORTER_ACTIONS = {"konfirmasi": "confirm", "buka-kembali": "reopen"}


def uploaded(request, field="berkas"):
    """The files a form sent, as ``gateway.uploads.checked_files`` takes them."""
    return [(f.read(MAX_ATTACHMENT_BYTES + 1), f.filename or "", f.mimetype or "")
            for f in request.files.getlist(field)]


class ComplaintPages:
    """Needs ``self.rpc``, ``self.public_url``, ``self.forum_timezone`` and ``ComplaintsRoutes``."""

    def _form_page(self, request, language, values, errors=(), status=200, files_lost=False, headers=None):
        office = picker(self.rpc, values, "instansi", [values.get("instansi")])
        region = picker(self.rpc, values, "wilayah", region=True)
        try:
            categories = self.rpc("complaints", "list_categories", timeout=LOOKUP_TIMEOUT)
        except HttpError:  # the complaints service is away: "Tidak tahu" still files (triage)
            categories = []
        return PAGES.render(language, "public/report.html", status=status, headers=headers, values=values, problems=list(errors),
                            office=office, region=region, categories=categories,
                            preset=office["chosen"][0] if office["chosen"] else None, files_lost=files_lost,
                            max_files=MAX_ATTACHMENTS,
                            max_megabytes=MAX_ATTACHMENT_BYTES // (1024 * 1024))

    @page("/lapor")
    def report_form(self, request, language):
        values = form_values(request.args)
        values["pintu"] = values["pintu"] if values["pintu"] in ("qr", "ptsp") else ""
        values["kunci"] = secrets.token_urlsafe(16)
        return self._form_page(request, language, values)

    def _limited_form(self, request):
        """The form sent, once the per-address rate limit and the size limit let it in; else None
        and the field to name (``kirim``: too many, ``berkas``: too large, ``formulir``: in too many
        parts) with the refusal (its status, and its ``Retry-After`` for the page to send)."""
        try:
            self.complaint_intake.check_rate(request)
            return read_form(request), None, None
        except HttpError as exc:
            if exc.status not in (413, 429):
                raise
            problem = {429: "kirim", 413: "formulir" if exc.code == "too_many_parts" else "berkas"}[exc.status]
            return None, problem, exc

    @page("/lapor", method="POST", max_body=MAX_FORM_WITH_FILES)
    def report_send(self, request, language):
        form, problem, refusal = self._limited_form(request)
        if form is None:
            # Too many forms: the body was read, what was typed comes back. Too many parts to parse: what
            # was typed is found among the first ones, as far as it goes. Too large: it was never read.
            typed = (read_form(request) if refusal.status == 429
                     else first_form_fields(request, TEXT_FIELDS + ("anonim", "rahasia")) if problem == "formulir"
                     else request.args)
            values = {**form_values(typed), "kunci": typed.get("kunci") or secrets.token_urlsafe(16),
                      "file_problem": FileRefused("too_large")}
            return self._form_page(request, language, values, [problem], status=refusal.status, files_lost=True,
                                   headers=refusal.headers)
        values = form_values(form)
        files = uploaded(request)
        sent_files = any(content or name for content, name, _ in files)
        if finding(form):  # a search for an office or a region, without JavaScript: nothing is sent yet
            return self._form_page(request, language, values, files_lost=sent_files)
        body = complaint_body(values)
        errors = problems(body)
        if form.get("situs"):  # the honeypot: a person never sees this field
            errors.append("situs")
        file_problem = None
        busy = None
        if not errors:
            try:
                attachments = checked_files(files)
            except FileRefused as exc:
                file_problem = exc
                errors.append("berkas")
            except TooBusy as exc:  # too many files being cleaned at once: the form again, to send in a moment
                file_problem = busy = exc
                errors.append("berkas")
        if not errors:
            try:
                accepted = self.queue_complaint(body, attachments, key=f"form\n{values['kunci']}")
            except HttpError as exc:
                if exc.status != 400:
                    raise
                errors.append("kategori")
        if errors:
            answer = self._form_page(request, language, {**values, "file_problem": file_problem}, errors,
                                     status=429 if busy else 400, files_lost=sent_files)
            answer.headers.update(retry_after(busy) or {})
            return answer
        try:
            deadlines = self.rpc("complaints", "intake_deadlines", timeout=LOOKUP_TIMEOUT)
        except HttpError:  # the service is away: the receipt says the working days without dates
            deadlines = None
        return PAGES.render(language, "public/receipt.html", headers=PRIVATE, accepted=accepted,
                            deadlines=deadlines, files=len(attachments), zone=self.forum_timezone,
                            public_url=self.public_url)

    def _reporter_page(self, language, number, secret, status=200, **context):
        view = self.rpc("complaints", "reporter_view", number, secret)
        return PAGES.render(language, "public/track.html", status=status, headers=PRIVATE, tracking=view,
                            reporter=view, secret=secret, zone=self.forum_timezone, values={}, **context)

    def _public_page(self, language, number, problem, status, headers=None, **context):
        tracking = self.rpc("complaints", "track", number)
        return PAGES.render(language, "public/track.html", status=status, headers={**PRIVATE, **(headers or {})},
                            tracking=tracking, reporter=None, problem=problem, zone=self.forum_timezone, values={}, **context)

    @page("/lacak/<number>", method="POST", max_body=MAX_FORM_WITH_FILES)
    def reporter_acts(self, request, language, number):
        """The reporter, with the secret: open their view, confirm, reopen or supplement."""
        form, problem, refusal = self._limited_form(request)
        if form is None:
            return self._public_page(language, number, problem, refusal.status, headers=refusal.headers,
                                     file_problem=FileRefused("too_large"))
        secret, action = (form.get("kode") or "").strip(), form.get("aksi", "buka")
        try:
            if action in REPORTER_ACTIONS:
                self.rpc("complaints", "reporter_action", number,
                         {"reporter_secret": secret, "action": REPORTER_ACTIONS[action]})
            elif action == "lengkapi":
                try:
                    attachments = checked_files(uploaded(request))
                except (FileRefused, TooBusy) as exc:
                    answer = self._reporter_page(language, number, secret, 429 if isinstance(exc, TooBusy) else 400,
                                                 problem="berkas", file_problem=exc,
                                                 values={"teks": form.get("teks", "")})
                    answer.headers.update(retry_after(exc) or {})
                    return answer
                self.rpc("complaints", "supplement_complaint", number, secret,
                         {"text": form.get("teks") or None, "attachments": attachments})
            return self._reporter_page(language, number, secret, done=action if action != "buka" else None)
        except DomainError as exc:
            if exc.status == 403:
                return self._public_page(language, number, "kode", 403)
            if exc.status == 400 and action == "lengkapi":
                return self._reporter_page(language, number, secret, 400, problem="teks", values={})
            if exc.status == 409:
                return self._reporter_page(language, number, secret, 409, problem="aksi")
            raise

    @page("/lacak/<number>/berkas/<attachment_id>", method="POST")
    def reporter_file(self, request, language, number, attachment_id):
        """One of the reporter's own files (the secret in the form, not in the address)."""
        self.complaint_intake.check_rate(request)
        secret = (read_form(request).get("kode") or "").strip()
        return attachment_response(self.rpc("complaints", "reporter_attachment", number, secret, attachment_id))
