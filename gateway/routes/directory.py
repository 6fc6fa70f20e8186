"""Directory endpoints: agencies, API keys, and who am I."""
from gateway.http import route
from services.directory import schemas


class DirectoryRoutes:

    @route("GET", "/api/v1/me", summary="Who this key belongs to, and its forum role",
           tag="directory", response=schemas.Caller)
    def me(self, call):
        return call.caller

    @route("POST", "/api/v1/agencies", auth="coordinator", summary="Register a member agency",
           tag="directory", body=schemas.AgencyInput, response=schemas.Agency, status=201)
    def register_agency(self, call):
        return self.rpc("directory", "register_agency", call.actor, call.body,
                        idempotency_key=call.idempotency_key)

    @route("GET", "/api/v1/agencies/<agency_id>", summary="One agency", tag="directory",
           response=schemas.Agency)
    def get_agency(self, call, agency_id):
        return self.rpc("directory", "get_agency", agency_id)

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
