"""Directory rules: membership, hierarchy, who may act for whom, API keys (one module per topic)."""
from services.directory.domain.agencies import (AgencyPage, bootstrap_forum, deactivate_agency, list_agencies,
                                                reactivate_agency, register_agency, update_agency)
from services.directory.domain.coordinators import count_active_coordinators
from services.directory.domain.details import detail, get_agency, read_detail, snapshot, stored_detail
from services.directory.domain.keys import (KEY_PREFIX, Caller, authenticate, hash_key, issue_key, list_keys,
                                            revoke_key)

__all__ = ["AgencyPage", "Caller", "KEY_PREFIX", "authenticate", "bootstrap_forum", "count_active_coordinators",
           "deactivate_agency", "detail", "get_agency", "hash_key", "issue_key", "list_agencies", "list_keys",
           "reactivate_agency", "read_detail", "register_agency", "revoke_key", "snapshot", "stored_detail",
           "update_agency"]
