"""Directory service entrypoints."""
import json

from nameko.events import BROADCAST, event_handler
from nameko.rpc import rpc

from services.directory import domain, models, schemas
from services.directory.cache import Details
from shared.db import Database, utcnow
from shared.service import HealthCheck, service_rpc

AGENCY_PAGE = schemas.AgencyPage()
CALLER = schemas.Caller()
KEY = schemas.ApiKey()
KEYS = schemas.ApiKey(many=True)
ACCOUNT = schemas.Account()
ACCOUNTS = schemas.Account(many=True)
INVITED_ACCOUNT = schemas.InvitedAccount()
INVITE_VIEW = schemas.InviteView()
SESSION_ACTOR = schemas.SessionActor()
SIGNED_IN = schemas.SignedIn()
TOTP_ENROLMENT = schemas.TotpEnrolment()
SECOND_FACTOR_CHANGE = schemas.SecondFactorChange()
ACCOUNT_CONTACTS = schemas.AccountContact(many=True)
IMPORT_PLAN = schemas.ImportPlan()


class DirectoryService(HealthCheck):
    name = "directory"
    db = Database(models)
    details = Details()
    # Pages of the list as asked (a picker asks for the same words again and again), kept as the
    # details are: forgotten on any change of any agency.
    pages = Details()

    @rpc
    def authenticate(self, key_hash):
        with self.db.reading() as session:
            caller = domain.authenticate(session, key_hash)
        return CALLER.dump(caller) if caller else None

    @service_rpc
    def register_agency(self, actor, data, idempotency_key=None):
        with self.db.unit_of_work() as uow:
            answer = uow.once(f"register:{actor['agency_id']}", idempotency_key, lambda: domain.stored_detail(
                domain.register_agency(uow, actor, data, utcnow())))
        self._forget()
        return answer

    @service_rpc
    def get_agency(self, agency_id):
        return self._kept(self.details, agency_id, lambda session: domain.read_detail(session, agency_id))

    @service_rpc
    def list_agencies(self, args):
        return self._kept(self.pages, json.dumps(args, sort_keys=True, default=str),
                          lambda session: AGENCY_PAGE.dump(domain.list_agencies(session, args)))

    def _kept(self, cache, key, read):
        """The answer ``cache`` keeps under ``key``, else ``read(session)``'s, kept unless an agency
        changed while it was read."""
        answer = cache.get(key)
        if answer is None:
            generation = cache.generation
            with self.db.reading() as session:
                answer = read(session)
            cache.put(key, answer, generation)
        return answer

    def _forget(self):
        self.details.clear()
        self.pages.clear()

    @service_rpc
    def update_agency(self, actor, agency_id, data):
        return self._change(lambda uow: domain.update_agency(uow, actor, agency_id, data, utcnow()))

    @service_rpc
    def deactivate_agency(self, actor, agency_id):
        return self._change(lambda uow: domain.deactivate_agency(uow, actor, agency_id, utcnow()))

    @service_rpc
    def reactivate_agency(self, actor, agency_id):
        return self._change(lambda uow: domain.reactivate_agency(uow, actor, agency_id, utcnow()))

    @service_rpc
    def preview_import(self, actor, table):
        with self.db.reading() as session:
            return IMPORT_PLAN.dump(domain.plan_import(session, actor, table))

    @service_rpc
    def import_members(self, actor, table):
        """The invitations' one-time tokens are in this answer only (a repeat invites nobody again)."""
        with self.db.unit_of_work() as uow:
            answer = IMPORT_PLAN.dump(domain.import_members(uow, actor, table, utcnow()))
        self._forget()
        return answer

    @service_rpc
    def issue_key(self, actor, agency_id, data, idempotency_key=None):
        """The secret is in the first answer only: a repeat with the same Idempotency-Key gets the key
        without it. The repeat is the caller's own (its agency scopes the key), so the domain's check
        of who may issue runs before any stored answer is given back."""
        issued = {}
        with self.db.unit_of_work() as uow:
            def issue():
                key, issued["secret"] = domain.issue_key(uow, actor, agency_id, data, utcnow())
                return KEY.dump(key)
            answer = uow.once(f"issue_key:{actor['agency_id']}:{agency_id}", idempotency_key, issue)
        return {**answer, "api_key": issued["secret"]} if issued else answer

    @service_rpc
    def list_keys(self, actor, agency_id):
        with self.db.reading() as session:
            return KEYS.dump(domain.list_keys(session, actor, agency_id))

    @service_rpc
    def revoke_key(self, actor, agency_id, key_id):
        with self.db.unit_of_work() as uow:
            return KEY.dump(domain.revoke_key(uow, actor, agency_id, key_id, utcnow()))

    # People and their console sessions. Tokens never travel here: the gateway sends their SHA-256.
    @service_rpc
    def invite_account(self, actor, agency_id, data, idempotency_key=None):
        """The one-time token is in the first answer only; a repeat gets the account without it."""
        issued = {}
        with self.db.unit_of_work() as uow:
            def invite():
                made = domain.invite_account(uow, actor, agency_id, data, utcnow())
                issued["invite_token"] = made.invite_token
                return {**INVITED_ACCOUNT.dump(made), "invite_token": None}
            answer = uow.once(f"invite_account:{actor['agency_id']}:{agency_id}", idempotency_key, invite)
        return {**answer, **issued}

    @service_rpc
    def renew_invite(self, actor, agency_id, account_id):
        with self.db.unit_of_work() as uow:
            return INVITED_ACCOUNT.dump(domain.renew_invite(uow, actor, agency_id, account_id, utcnow()))

    @service_rpc
    def read_invite(self, invite_token_hash):
        with self.db.reading() as session:
            return INVITE_VIEW.dump(domain.read_invite(session, invite_token_hash, utcnow()))

    @service_rpc
    def accept_invite(self, invite_token_hash, data):
        with self.db.unit_of_work() as uow:
            return ACCOUNT.dump(domain.accept_invite(uow, invite_token_hash, data, utcnow()))

    @service_rpc
    def sign_in(self, data, session_token_hash):
        return SIGNED_IN.dump(domain.sign_in(self.db.unit_of_work, data, session_token_hash, utcnow()))

    @service_rpc
    def resolve_session(self, session_token_hash):
        with self.db.unit_of_work() as uow:
            actor = domain.resolve_session(uow, session_token_hash, utcnow())
            return SESSION_ACTOR.dump(actor) if actor else None

    @service_rpc
    def end_session(self, session_token_hash):
        with self.db.unit_of_work() as uow:
            domain.end_session(uow, session_token_hash, utcnow())

    @service_rpc
    def list_accounts(self, actor, agency_id):
        with self.db.reading() as session:
            return ACCOUNTS.dump(domain.list_accounts(session, actor, agency_id))

    @service_rpc
    def deactivate_account(self, actor, agency_id, account_id):
        with self.db.unit_of_work() as uow:
            return ACCOUNT.dump(domain.deactivate_account(uow, actor, agency_id, account_id, utcnow()))

    @service_rpc
    def get_own_account(self, actor):
        with self.db.reading() as session:
            return ACCOUNT.dump(domain.get_own_account(session, actor))

    # One's own password, second factor and email: each asks for the current password (and code).
    @service_rpc
    def change_password(self, actor, session_token_hash, data):
        with self.db.unit_of_work() as uow:
            return ACCOUNT.dump(domain.change_password(uow, actor, session_token_hash, data, utcnow()))

    @service_rpc
    def change_email(self, actor, session_token_hash, data):
        with self.db.unit_of_work() as uow:
            return ACCOUNT.dump(domain.change_email(uow, actor, session_token_hash, data, utcnow()))

    @service_rpc
    def enrol_totp(self, actor, data):
        with self.db.unit_of_work() as uow:
            return TOTP_ENROLMENT.dump(domain.enrol_totp(uow, actor, data, utcnow()))

    @service_rpc
    def read_totp_enrolment(self, actor):
        with self.db.reading() as session:
            return TOTP_ENROLMENT.dump(domain.read_totp_enrolment(session, actor))

    @service_rpc
    def confirm_totp(self, actor, session_token_hash, data):
        with self.db.unit_of_work() as uow:
            return SECOND_FACTOR_CHANGE.dump(domain.confirm_totp(uow, actor, session_token_hash, data, utcnow()))

    @service_rpc
    def remove_totp(self, actor, session_token_hash, data):
        with self.db.unit_of_work() as uow:
            return SECOND_FACTOR_CHANGE.dump(domain.remove_totp(uow, actor, session_token_hash, data, utcnow()))

    @service_rpc
    def account_contacts(self, agency_id):
        """Internal (notifications): never exposed by the gateway."""
        with self.db.reading() as session:
            return ACCOUNT_CONTACTS.dump(domain.account_contacts(session, agency_id))

    def _change(self, change):
        """Commit a change of an agency, then empty this instance's detail cache; answers the agency's detail."""
        with self.db.unit_of_work() as uow:
            answer = domain.stored_detail(change(uow))
        self._forget()
        return answer

    # Broadcast, not @consumes: every instance must hear these to drop its cached details; a lost
    # one only delays that until the cache's expiry, and there is nothing to record or retry.
    @event_handler("directory", "agency.registered", handler_type=BROADCAST, reliable_delivery=False)
    def forget_details_on_registration(self, payload):
        self._forget()

    @event_handler("directory", "agency.updated", handler_type=BROADCAST, reliable_delivery=False)
    def forget_details_on_change(self, payload):
        self._forget()

    @event_handler("directory", "agency.deactivated", handler_type=BROADCAST, reliable_delivery=False)
    def forget_details_on_deactivation(self, payload):
        self._forget()
