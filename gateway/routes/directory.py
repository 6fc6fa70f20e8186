"""Directory endpoints: agencies, API keys, people's accounts, who am I, and each agency's QR posters."""

from gateway.errors import HttpError
from gateway.http import download_response, route
from gateway.pages.console.accounts import mail_invitations
from gateway.pages.console.session import invite_link
from gateway.posters import (DOORS, POSTERS_ARCHIVE, every_active_agency, form_url, poster_filename,
                             poster_svg, posters_zip)
from gateway.spreadsheets import (MAX_MEMBER_LIST_UPLOAD, TEMPLATE_FILENAME, UPLOAD_OPENAPI, XLSX_TYPE,
                                  read_member_list, template_xlsx, uploaded_file)
from services.directory import schemas
from shared.rules import is_coordinator


# Applying a member list takes longer than an ordinary call: 3,000 new rows took 107 s in the
# directory on a heavily loaded 2-core machine (300 rows: a few seconds).
IMPORT_SECONDS = 600


def invited_by_import(rpc, public_url, actor, plan):
    """The import's answer with each invitation's one-time link and whether it was mailed."""
    invitations = plan["invitations"]
    mailed = mail_invitations(rpc, actor, [(invited, invited["agency_name"]) for invited in invitations])
    return {**plan, "invitations": [{**invited, "invite_link": invite_link(public_url, invited["invite_token"]),
                                     "mailed": was_mailed} for invited, was_mailed in zip(invitations, mailed)]}


def import_member_list(rpc, public_url, actor, table, dry_run):
    """Preview (``dry_run``) or apply a member list read from its file: planned or applied by the
    directory, invitations mailed."""
    if dry_run:
        return rpc("directory", "preview_import", actor, table, timeout=IMPORT_SECONDS)
    return invited_by_import(rpc, public_url, actor,
                             rpc("directory", "import_members", actor, table, timeout=IMPORT_SECONDS))


class DirectoryRoutes:
    """Changes that affect who a key is (role, deactivation, revocation) are also forgotten by this
    gateway's key cache at once; the directory's events tell every other gateway."""

    @route("GET", "/api/v1/me", summary="Who this key belongs to, and its forum role",
           tag="directory", response=schemas.Caller)
    def me(self, call):
        return call.caller

    @route("POST", "/api/v1/agencies", auth="coordinator", summary="Register a member agency",
           tag="directory", body=schemas.AgencyInput, response=schemas.AgencyDetail, status=201)
    def register_agency(self, call):
        return self.rpc("directory", "register_agency", call.actor, call.body,
                        idempotency_key=call.idempotency_key)

    @route("GET", "/api/v1/agencies", summary="The forum's agencies, filtered and paginated",
           tag="directory", query=schemas.AgencyQuery, response=schemas.AgencyPage)
    def list_agencies(self, call):
        return self.rpc("directory", "list_agencies", call.args)

    @route("GET", "/api/v1/agencies/import/template", auth="coordinator", tag="directory", content_type=XLSX_TYPE,
           summary="The member list's template (XLSX, headers in Indonesian; a CSV takes the same header)")
    def import_template(self, call):
        return download_response(template_xlsx(), XLSX_TYPE, TEMPLATE_FILENAME)

    @route("POST", "/api/v1/agencies/import", auth="coordinator", tag="directory", query=schemas.ImportQuery,
           response=schemas.ImportPlan, max_body=MAX_MEMBER_LIST_UPLOAD, errors=(408, 413, 415),
           openapi=UPLOAD_OPENAPI,
           summary="Import the member list (XLSX or CSV, one row per unit): a preview by default; with "
                   "dry_run=false the rows that pass are applied together, by short name, parents first, "
                   "and officers with an email are invited once")
    def import_members(self, call):
        return import_member_list(self.rpc, self.public_url, call.actor,
                                  read_member_list(uploaded_file(call.request)), call.query["dry_run"])

    @route("GET", "/api/v1/agencies/<agency_id>", summary="One agency, with its sub-units",
           tag="directory", response=schemas.AgencyDetail)
    def get_agency(self, call, agency_id):
        return self.rpc("directory", "get_agency", agency_id)

    @route("PATCH", "/api/v1/agencies/<agency_id>",
           summary="Change an agency (an agency itself: only its officers, channels and contributors)",
           tag="directory", body=schemas.AgencyChanges, response=schemas.AgencyDetail)
    def update_agency(self, call, agency_id):
        changed = self.rpc("directory", "update_agency", call.actor, agency_id, call.body)
        self.keys.forget(agency_id=agency_id)
        return changed

    @route("POST", "/api/v1/agencies/<agency_id>/deactivate", auth="coordinator",
           summary="Take an agency out of the forum; its keys are revoked", tag="directory",
           response=schemas.AgencyDetail)
    def deactivate_agency(self, call, agency_id):
        deactivated = self.rpc("directory", "deactivate_agency", call.actor, agency_id)
        self.keys.forget(agency_id=agency_id)
        return deactivated

    @route("POST", "/api/v1/agencies/<agency_id>/reactivate", auth="coordinator",
           summary="Bring a deactivated agency back (it needs new keys)", tag="directory",
           response=schemas.AgencyDetail)
    def reactivate_agency(self, call, agency_id):
        return self.rpc("directory", "reactivate_agency", call.actor, agency_id)

    @route("GET", "/api/v1/agencies/<agency_id>/keys", summary="An agency's API keys (never their secrets)",
           tag="directory", response=schemas.ApiKey(many=True))
    def list_keys(self, call, agency_id):
        return self.rpc("directory", "list_keys", call.actor, agency_id)

    @route("POST", "/api/v1/agencies/<agency_id>/keys", summary="Issue an API key (shown once)",
           tag="directory", body=schemas.KeyInput, response=schemas.IssuedKey, status=201)
    def issue_key(self, call, agency_id):
        return self.rpc("directory", "issue_key", call.actor, agency_id, call.body,
                        idempotency_key=call.idempotency_key)

    @route("DELETE", "/api/v1/agencies/<agency_id>/keys/<key_id>", summary="Revoke an API key",
           tag="directory", response=schemas.ApiKey)
    def revoke_key(self, call, agency_id, key_id):
        revoked = self.rpc("directory", "revoke_key", call.actor, agency_id, key_id)
        self.keys.forget(key_id=key_id)
        return revoked

    @route("GET", "/api/v1/agencies/<agency_id>/accounts",
           summary="An agency's people (its admins, or the coordinator's, and keys)", tag="directory",
           response=schemas.Account(many=True))
    def list_accounts(self, call, agency_id):
        return self.rpc("directory", "list_accounts", call.actor, agency_id)

    @route("POST", "/api/v1/agencies/<agency_id>/accounts",
           summary="Invite a person: the answer holds their one-time link to set a password (shown once)",
           tag="directory", body=schemas.AccountInput, response=schemas.InvitedAccount, status=201)
    def invite_account(self, call, agency_id):
        invited = self.rpc("directory", "invite_account", call.actor, agency_id, call.body,
                           idempotency_key=call.idempotency_key)
        return {**invited, "invite_link": invite_link(self.public_url, invited["invite_token"])}

    @route("POST", "/api/v1/agencies/<agency_id>/accounts/<account_id>/invite",
           summary="A new one-time link for a person (an expired invitation, a forgotten password); earlier "
                   "links stop working", tag="directory", response=schemas.InvitedAccount)
    def renew_invite(self, call, agency_id, account_id):
        renewed = self.rpc("directory", "renew_invite", call.actor, agency_id, account_id)
        return {**renewed, "invite_link": invite_link(self.public_url, renewed["invite_token"])}

    @route("POST", "/api/v1/agencies/<agency_id>/accounts/<account_id>/deactivate",
           summary="Deactivate a person's account: their sessions end at once; their name stays in histories",
           tag="directory", response=schemas.Account)
    def deactivate_account(self, call, agency_id, account_id):
        deactivated = self.rpc("directory", "deactivate_account", call.actor, agency_id, account_id)
        self.sessions.forget(account_id=account_id)
        return deactivated

    # ------------------------------------------------ QR posters (gateway/posters.py)

    def poster_agency(self, call, agency_id):
        """The agency, for its own members or the coordinator (an agency prints only its own)."""
        if not is_coordinator(call.actor) and call.actor["agency_id"] != agency_id:
            raise HttpError(403, "forbidden", "an agency downloads only its own posters")
        agency = self.rpc("directory", "get_agency", agency_id)
        if not agency["active"]:
            raise HttpError(404, "not_found", "no such active agency")
        return agency

    @route("GET", "/api/v1/agencies/<agency_id>/posters", tag="directory", response=schemas.Poster(many=True),
           summary="The agency's QR posters (one per door: its wall, its PTSP desk), with their download links")
    def list_posters(self, call, agency_id):
        agency = self.poster_agency(call, agency_id)
        return [{"door": door, "form_url": form_url(self.public_url, agency["id"], door),
                 "download": f"/api/v1/agencies/{agency['id']}/posters/{door}.svg",
                 "filename": poster_filename(agency, door)} for door in DOORS]

    @route("GET", "/api/v1/agencies/<agency_id>/posters/<door>.svg", tag="directory", content_type="image/svg+xml",
           summary="One A4 poster, print-ready SVG: the agency's name, a QR code to the complaint form preset "
                   "to it and the door (qr or ptsp), its website and WhatsApp")
    def download_poster(self, call, agency_id, door):
        if door not in DOORS:
            raise HttpError(404, "not_found", "the doors are qr and ptsp")
        agency = self.poster_agency(call, agency_id)
        return download_response(poster_svg(agency, door, self.public_url), "image/svg+xml",
                                 poster_filename(agency, door))

    @route("GET", "/api/v1/posters.zip", auth="coordinator", tag="directory", content_type="application/zip",
           summary="Every active agency's posters (both doors) in one ZIP archive")
    def download_all_posters(self, call):
        return download_response(posters_zip(every_active_agency(self.rpc), self.public_url), "application/zip",
                                 POSTERS_ARCHIVE)
