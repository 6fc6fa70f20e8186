"""Directory endpoints: agencies, API keys, people's accounts, and who am I."""
from gateway.http import route
from gateway.pages.console.session import invite_link
from services.directory import schemas


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

    @route("POST", "/api/v1/agencies/<agency_id>/accounts/<account_id>/deactivate",
           summary="Deactivate a person's account: their sessions end at once; their name stays in histories",
           tag="directory", response=schemas.Account)
    def deactivate_account(self, call, agency_id, account_id):
        deactivated = self.rpc("directory", "deactivate_account", call.actor, agency_id, account_id)
        self.sessions.forget(account_id=account_id)
        return deactivated
