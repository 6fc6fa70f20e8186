"""Direktori: the forum as a tree, an agency's page (officers, channels, contributors, sub-units),
editing one's own agency, and API keys for admins (the secret shown once). The accounts pages live
under ``/console/direktori/akun``."""
import uuid

from werkzeug.utils import redirect

from gateway.http import download_response
from gateway.pages.console.posting import field_errors, refused
from gateway.pages.console.forum import start_agencies
from gateway.pages.console.session import console_page, console_render
from gateway.pages.web import PageError
from gateway.posters import (DOORS, POSTERS_ARCHIVE, every_active_agency, poster_filename, poster_svg,
                             posters_zip)
from shared.contracts.directory import AGENCY_KINDS, CHANNEL_PLATFORMS, OFFICER_POSITIONS
from shared.errors import DomainError, ValidationFailed
from shared.rules import is_coordinator
from shared.schemas import name_key

BASE = "/console/direktori"
OFFICER_FIELDS = ("name", "position", "title", "phone", "email")
CONTRIBUTOR_FIELDS = ("name", "unit", "phone", "email")
BLANK_ROWS = 2
# What the coordinator sets of an agency besides its lists (the parent by its short name).
IDENTITY_FIELDS = ("name", "short_name", "kind", "parent", "region_code")


def forum_tree(agencies):
    """``[(agency, [children as (agency, [...])])]`` from a flat list: roots are the agencies
    without a parent (or whose parent is not listed), by short name."""
    by_parent = {}
    ids = {agency["id"] for agency in agencies}
    for agency in sorted(agencies, key=lambda a: a["short_name"].lower()):
        parent = agency["parent_id"] if agency["parent_id"] in ids else None
        by_parent.setdefault(parent, []).append(agency)

    def branch(parent_id):
        return [(agency, branch(agency["id"])) for agency in by_parent.get(parent_id, [])]

    return branch(None)


def rows_from_form(form, prefix, names):
    """The rows ``prefix-<i>-<name>`` of a form, in order, without the rows left empty; an empty
    field is a field not given."""
    indices = sorted({int(key.split("-")[1]) for key in form
                      if key.startswith(prefix + "-") and key.split("-")[1].isdigit()})
    rows = []
    for index in indices:
        row = {name: form.get(f"{prefix}-{index}-{name}", "").strip() for name in names}
        if any(value for name, value in row.items() if name != "position"):
            rows.append({name: value for name, value in row.items() if value})
    return rows


def changes_from_form(form):
    return {"officers": rows_from_form(form, "officers", OFFICER_FIELDS),
            "contributors": rows_from_form(form, "contributors", CONTRIBUTOR_FIELDS),
            "channels": {platform: form[f"channels-{platform}"].strip() for platform in CHANNEL_PLATFORMS
                         if form.get(f"channels-{platform}", "").strip()}}


def identity_from_form(form):
    """The coordinator's fields of an agency as typed (the parent still a short name)."""
    return {name: form.get(name, "").strip() for name in IDENTITY_FIELDS}


def identity_of(agency):
    return {"name": agency["name"], "short_name": agency["short_name"], "kind": agency["kind"],
            "parent": agency["parent"]["short_name"] if agency.get("parent") else "",
            "region_code": agency["region_code"] or ""}


def parent_id_named(rpc, short_name):
    """The id of the active agency whose short name is typed (any case and spacing), or ValidationFailed."""
    if not short_name:
        return None
    found = rpc("directory", "list_agencies", {"q": short_name, "active": "true", "limit": 200})["items"]
    for agency in found:
        if name_key(agency["short_name"]) == name_key(short_name):
            return agency["id"]
    raise ValidationFailed("unknown parent", {"parent": ["no active agency has this short name"]})


def may_edit(actor, agency_id):
    return is_coordinator(actor) or actor["agency_id"] == agency_id


def may_manage_keys(actor, agency_id):
    return actor.get("account_role") == "admin" and may_edit(actor, agency_id)


class ConsoleDirectory:
    """Needs ``self.rpc``, ``self.keys`` (the gateway's key cache), ``self.public_url`` and
    ``self.forum_timezone`` from the gateway service."""

    @console_page(BASE)
    def console_directory(self, request, language, actor):
        agencies = start_agencies(self.rpc, active=None)()
        return console_render(request, language, actor, "console/direktori/tree.html",
                              tree=forum_tree(agencies), count=len(agencies))

    @console_page(BASE + "/<agency_id>")
    def console_agency(self, request, language, actor, agency_id):
        agency = self.rpc("directory", "get_agency", agency_id)
        return console_render(request, language, actor, "console/direktori/agency.html", agency=agency,
                              may_edit=may_edit(actor, agency_id), done=request.args.get("selesai"),
                              may_manage_keys=may_manage_keys(actor, agency_id))

    @console_page(BASE + "/poster-semua.zip")
    def console_all_posters(self, request, language, actor):
        """Every active agency's posters in one archive, for the coordinator to print them all."""
        if not is_coordinator(actor):
            raise PageError(404, "not found")
        return download_response(posters_zip(every_active_agency(self.rpc), self.public_url), "application/zip",
                                 POSTERS_ARCHIVE)

    @console_page(BASE + "/<agency_id>/poster-<door>.svg")
    def console_agency_poster(self, request, language, actor, agency_id, door):
        """The agency's QR poster for its wall (``qr``) or its PTSP desk (``ptsp``): its own officers
        and the coordinator print it, as through the JSON API."""
        if door not in DOORS or not may_edit(actor, agency_id):
            raise PageError(404, "not found")
        agency = self.rpc("directory", "get_agency", agency_id)
        if not agency["active"]:
            raise PageError(404, "not found")
        return download_response(poster_svg(agency, door, self.public_url), "image/svg+xml",
                                 poster_filename(agency, door))

    # ------------------------------------------------ editing one's own agency

    def _edit_page(self, request, language, actor, agency, values, errors=None, status=200):
        """The form of an agency (``agency`` None: a new one, the coordinator's); the coordinator
        also sets its name, short name, kind, parent and region."""
        return console_render(request, language, actor, "console/direktori/edit.html", agency=agency,
                              values=values, errors=errors or {}, positions=OFFICER_POSITIONS,
                              platforms=CHANNEL_PLATFORMS, blank_rows=BLANK_ROWS, status=status,
                              identity=is_coordinator(actor), kinds=AGENCY_KINDS,
                              idempotency_key=request.form.get("idempotency_key") or str(uuid.uuid4()))

    @console_page(BASE + "/baru")
    def console_agency_new(self, request, language, actor):
        if not is_coordinator(actor):
            raise PageError(404, "not found")
        return self._edit_page(request, language, actor, None, {"kind": "opd"})

    @console_page(BASE + "/baru", method="POST")
    def console_agency_register(self, request, language, actor):
        values = {**changes_from_form(request.form), **identity_from_form(request.form)}
        return self._saved(request, language, actor, None, values, lambda body: self.rpc(
            "directory", "register_agency", actor, body, idempotency_key=request.form.get("idempotency_key") or None))

    @console_page(BASE + "/<agency_id>/ubah")
    def console_agency_edit(self, request, language, actor, agency_id):
        agency = self.rpc("directory", "get_agency", agency_id)
        values = {"officers": agency["officers"], "contributors": agency["contributors"],
                  "channels": agency["channels"], **identity_of(agency)}
        return self._edit_page(request, language, actor, agency, values)

    @console_page(BASE + "/<agency_id>/ubah", method="POST")
    def console_agency_save(self, request, language, actor, agency_id):
        values = changes_from_form(request.form)
        if is_coordinator(actor):
            values.update(identity_from_form(request.form))
        return self._saved(request, language, actor, agency_id, values, lambda body: self.rpc(
            "directory", "update_agency", actor, agency_id, body))

    def _saved(self, request, language, actor, agency_id, values, save):
        """Save the form's ``values`` (the parent named by its short name); a refusal shows the form
        again, each bad field named and everything typed kept."""
        body = {name: value for name, value in values.items() if name != "parent"}
        try:
            if "parent" in values:
                body["parent_id"] = parent_id_named(self.rpc, values["parent"])
            if "region_code" in values:
                body["region_code"] = values["region_code"] or None
            agency_id = save(body)["id"]
        except DomainError as exc:
            if not refused(exc):
                raise
            agency = self.rpc("directory", "get_agency", agency_id) if agency_id else None
            errors = {("parent" if name == "parent_id" else name): message
                      for name, message in field_errors(exc).items()}
            return self._edit_page(request, language, actor, agency, values, errors, exc.status)
        self.keys.forget(agency_id=agency_id)
        return redirect(f"{BASE}/{agency_id}?selesai=saved", code=303)

    @console_page(BASE + "/<agency_id>/nonaktifkan", method="POST")
    def console_agency_deactivate(self, request, language, actor, agency_id):
        return self._moved(actor, agency_id, "deactivate_agency", "nonaktif")

    @console_page(BASE + "/<agency_id>/aktifkan", method="POST")
    def console_agency_reactivate(self, request, language, actor, agency_id):
        return self._moved(actor, agency_id, "reactivate_agency", "aktif")

    def _moved(self, actor, agency_id, method, done):
        """The coordinator takes an agency out of the forum or brings it back; the forum's last
        coordinator stays, and its page says why."""
        try:
            self.rpc("directory", method, actor, agency_id)
        except DomainError as exc:
            if not refused(exc):
                raise
            done = "koordinator-terakhir"
        self.keys.forget(agency_id=agency_id)
        return redirect(f"{BASE}/{agency_id}?selesai={done}", code=303)

    # ------------------------------------------------ API keys (admins)

    def _keys_page(self, request, language, actor, agency_id, issued=None, errors=None, status=200):
        agency = self.rpc.start("directory", "get_agency", agency_id)
        keys = self.rpc.start("directory", "list_keys", actor, agency_id)
        response = console_render(request, language, actor, "console/direktori/keys.html", agency=agency(),
                                  keys=keys(), issued=issued, errors=errors or {},
                                  idempotency_key=str(uuid.uuid4()), done=request.args.get("selesai"),
                                  may_manage_keys=may_manage_keys(actor, agency_id), zone=self.forum_timezone,
                                  status=status)
        if issued:  # the secret is on this page only: never kept by a cache
            response.headers["Cache-Control"] = "no-store"
        return response

    @console_page(BASE + "/<agency_id>/kunci")
    def console_keys(self, request, language, actor, agency_id):
        return self._keys_page(request, language, actor, agency_id)

    @console_page(BASE + "/<agency_id>/kunci", method="POST")
    def console_issue_key(self, request, language, actor, agency_id):
        try:
            issued = self.rpc("directory", "issue_key", actor, agency_id,
                              {"label": request.form.get("label", "").strip()},
                              idempotency_key=request.form.get("idempotency_key") or None)
        except DomainError as exc:
            if not refused(exc):
                raise
            return self._keys_page(request, language, actor, agency_id, errors=field_errors(exc),
                                   status=exc.status)
        return self._keys_page(request, language, actor, agency_id, issued=issued)

    @console_page(BASE + "/<agency_id>/kunci/<key_id>/cabut", method="POST")
    def console_revoke_key(self, request, language, actor, agency_id, key_id):
        self.rpc("directory", "revoke_key", actor, agency_id, key_id)
        self.keys.forget(key_id=key_id)
        return redirect(f"{BASE}/{agency_id}/kunci?selesai=revoked", code=303)
