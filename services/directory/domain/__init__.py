"""Directory rules: membership, hierarchy, who may act for whom, API keys, people and their sessions
(one module per topic)."""
from services.directory.domain.accounts import (InvitedAccount, InviteView, accept_invite, account_contacts,
                                                deactivate_account, invite_account, invite_first_admin,
                                                list_accounts, read_invite, renew_invite)
from services.directory.domain.own_sign_in import (SecondFactorChange, TotpEnrolment, change_email,
                                                   change_password, confirm_totp, enrol_totp, get_own_account,
                                                   read_totp_enrolment, remove_totp)
from services.directory.domain.agencies import (AgencyPage, bootstrap_forum, deactivate_agency, list_agencies,
                                                reactivate_agency, register_agency, update_agency)
from services.directory.domain.coordinators import count_active_coordinators
from services.directory.domain.imports import ImportPlan, import_members, plan_import
from services.directory.domain.details import detail, get_agency, read_detail, snapshot, stored_detail
from services.directory.domain.sessions import (SessionActor, SignedIn, end_session, resolve_session,
                                                 sign_in)
from services.directory.domain.keys import (KEY_PREFIX, Caller, authenticate, hash_key, issue_key, list_keys,
                                            revoke_key)

__all__ = ["InvitedAccount", "InviteView", "SecondFactorChange", "SessionActor", "SignedIn", "TotpEnrolment",
           "accept_invite", "account_contacts", "change_email", "change_password", "confirm_totp", "remove_totp", "deactivate_account", "end_session",
           "enrol_totp", "get_own_account", "invite_account", "invite_first_admin", "list_accounts",
           "read_invite", "read_totp_enrolment", "renew_invite", "resolve_session", "sign_in",
           "AgencyPage", "Caller", "ImportPlan", "import_members", "plan_import", "KEY_PREFIX", "authenticate", "bootstrap_forum", "count_active_coordinators",
           "deactivate_agency", "detail", "get_agency", "hash_key", "issue_key", "list_agencies", "list_keys",
           "reactivate_agency", "read_detail", "register_agency", "revoke_key", "snapshot", "stored_detail",
           "update_agency"]
