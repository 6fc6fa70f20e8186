"""The public's pages for information requests (UU 14/2008), under ``/informasi``: the request
form, tracking by registration number (the decision and its documents), the objection form, and
each agency's Daftar Informasi Publik. They call the same RPCs as the JSON API's public routes.

A request is registered synchronously: while the information service is down the form is shown
again, with what was typed, and a 503 saying to try again in a moment.
"""
from urllib.parse import quote

from werkzeug.utils import redirect

from gateway.errors import HttpError
from gateway.http import Call, read_form
from gateway.pages.paging import Paging
from gateway.pages.pickers import finding, picker
from gateway.pages.web import PAGES, PageError, page
from shared.errors import DomainError

MEMBERS_PER_PAGE = 50
REQUEST_FIELDS = ("agency_id", "agency_id-cari", "name", "address", "phone", "email", "identity_number",
                  "information", "purpose", "obtain", "delivery")
OBJECTION_FIELDS = ("identity_number", "grounds", "reason")


def bad_fields(fields, order):
    """The names of the form's fields a service refused, in the form's order (nested ones flattened)."""
    found = set()
    for name, problem in (fields or {}).items():
        found |= set(problem) if isinstance(problem, dict) else {name}
    return [name for name in order if name in found]


def request_body(form):
    def value(name):
        return form.get(name, "").strip() or None
    return {"agency_id": value("agency_id") or "", "identity_number": form.get("identity_number", ""),
            "requester": {"name": form.get("name", ""), "address": form.get("address", ""),
                          "phone": value("phone"), "email": value("email")},
            "information": form.get("information", ""), "purpose": form.get("purpose", ""),
            "obtain": form.get("obtain", ""), "delivery": form.get("delivery", ""), "channel": "web"}


class InformationPages:
    """Needs ``self.rpc``, ``self.forum_timezone`` and ``register_information_request`` (routes/information)."""

    @page("/informasi")
    def information_home(self, request, language):
        paging = Paging.of(request.args, MEMBERS_PER_PAGE)
        found = self.rpc("directory", "list_agencies", {"active": True, "limit": paging.size,
                                                        "offset": paging.offset})
        return PAGES.render(language, "public/information.html", members=found["items"],
                            paging=paging.counted(found["total"]))

    def _request_form(self, language, values, errors=(), status=200, notice=None):
        body = picker(self.rpc, values, "agency_id", [values.get("agency_id")])
        return PAGES.render(language, "public/information_request.html", status=status, values=values,
                            errors=list(errors), notice=notice, body=body)

    @page("/informasi/permohonan")
    def information_request_form(self, request, language):
        preset = request.args.get("instansi", "")
        return self._request_form(language, {"agency_id": preset, "obtain": "soft_copy", "delivery": "email"})

    @page("/informasi/permohonan", method="POST")
    def information_request_send(self, request, language):
        form = read_form(request)
        values = {name: form.get(name, "") for name in REQUEST_FIELDS}
        if finding(form):  # a search for the body, without JavaScript: nothing is sent yet
            return self._request_form(language, values)
        if form.get("website"):  # the honeypot: people do not see it, robots fill it
            return self._request_form(language, values, ["website"], status=400)
        try:
            accepted = self.register_information_request(Call(request=request, caller=None), request_body(form))
        except DomainError as exc:
            if exc.status != 400:
                raise
            return self._request_form(language, values, bad_fields(exc.fields, REQUEST_FIELDS), status=400)
        except HttpError as exc:
            if exc.status not in (429, 503):
                raise
            return self._request_form(language, values, status=exc.status, notice=exc.status)
        number = accepted["registration_number"]
        return redirect(f"/informasi/lacak/{quote(number, safe='')}?terdaftar=1", code=303)

    @page("/informasi/lacak")
    def information_track_form(self, request, language):
        number = request.args.get("nomor", "").strip()
        if number:
            return redirect(f"/informasi/lacak/{quote(number, safe='')}", code=303)
        return PAGES.render(language, "public/information_track_form.html", values={}, unknown=False)

    def _tracking(self, language, number):
        try:
            return self.rpc("information", "track", number), None
        except DomainError as exc:
            if exc.status != 404:
                raise
            return None, PAGES.render(language, "public/information_track_form.html", status=404, unknown=True,
                                      values={"nomor": number})

    @page("/informasi/lacak/<number>")
    def information_track(self, request, language, number):
        tracking, missing = self._tracking(language, number)
        if missing:
            return missing
        return PAGES.render(language, "public/information_track.html", tracking=tracking, zone=self.forum_timezone,
                            registered=request.args.get("terdaftar") == "1",
                            objected=request.args.get("keberatan") == "1")

    def _objection_form(self, language, tracking, values, errors=(), status=200, notice=None):
        return PAGES.render(language, "public/information_objection.html", status=status, tracking=tracking,
                            values=values, errors=list(errors), notice=notice, zone=self.forum_timezone)

    @page("/informasi/lacak/<number>/keberatan")
    def information_objection_form(self, request, language, number):
        tracking, missing = self._tracking(language, number)
        if missing:
            return missing
        if not tracking["objection_open_until"]:
            raise PageError(404, "no objection possible")
        return self._objection_form(language, tracking, {"grounds": []})

    @page("/informasi/lacak/<number>/keberatan", method="POST")
    def information_objection_send(self, request, language, number):
        tracking, missing = self._tracking(language, number)
        if missing:
            return missing
        form = read_form(request)
        values = {"identity_number": form.get("identity_number", ""), "grounds": form.getlist("grounds"),
                  "reason": form.get("reason", "")}
        try:
            self.information_intake.check_rate(request)
            self.rpc("information", "file_objection", tracking["registration_number"], values)
        except DomainError as exc:
            if exc.status not in (400, 403, 409):
                raise
            errors = bad_fields(exc.fields, OBJECTION_FIELDS) or ["grounds"]
            return self._objection_form(language, tracking, values, errors, status=exc.status,
                                        notice=exc.status if exc.status == 409 else None)
        except HttpError as exc:
            if exc.status not in (429, 503):
                raise
            return self._objection_form(language, tracking, values, status=exc.status, notice=exc.status)
        return redirect(f"/informasi/lacak/{quote(tracking['registration_number'], safe='')}?keberatan=1", code=303)

    @page("/informasi/dip/<agency_id>")
    def information_dip(self, request, language, agency_id):
        dip = self.rpc("information", "dip", agency_id)
        by_class = {}
        for entry in dip["entries"]:
            by_class.setdefault(entry["class"], []).append(entry)
        return PAGES.render(language, "public/information_dip.html", dip=dip, by_class=by_class,
                            zone=self.forum_timezone)
