"""The gateway service: composes every route module into one nameko HTTP service."""
import eventlet
from nameko.events import BROADCAST, event_handler
from werkzeug.wrappers import Response

from bakohumas import __version__
from gateway.auth import KnownKeys, bearer_secret, key_hash
from gateway.errors import HttpError, error_response, service_unavailable
from gateway.http import ROUTES, PublicUrl, route
from gateway.observe import Watch, exposition
from gateway.openapi import build_spec
from gateway.pages.console.accounts import ConsoleAccounts
from gateway.pages.console.calendar import CalendarPages
from gateway.pages.console.complaint_settings import ConsoleComplaintSettings
from gateway.pages.console.complaints import ConsoleComplaints
from gateway.pages.console.content import ContentPages
from gateway.pages.console.directory import ConsoleDirectory
from gateway.pages.console.home import ConsoleHome
from gateway.pages.console.information import InformationConsole
from gateway.pages.console.member_list import ConsoleMemberList
from gateway.pages.console.notifications import ConsoleNotifications
from gateway.pages.console.session import KnownSessions
from gateway.pages.console.signin import ConsoleSignIn, SignInFailures
from gateway.pages.pickers import AgencyPickers
from gateway.pages.public.complaints import ComplaintPages
from gateway.pages.public.information import InformationPages
from gateway.pages.public.routes import PublicPages
from gateway.pages.public.unsubscribe import UnsubscribePages
from gateway.pages.web import ForumTimezone
from gateway.recent import RecentReads
from gateway.routes.calendar import CalendarRoutes
from gateway.routes.complaints import ComplaintsRoutes
from gateway.routes.directory import DirectoryRoutes
from gateway.routes.distribution import DistributionRoutes
from gateway.routes.information import InformationRoutes
from gateway.routes.notifications import NotificationsRoutes
from gateway.routes.open311 import Open311Routes
from gateway.rpc import ServiceCalls
from gateway.schemas import Health
from services import SERVICE_NAMES
from shared.contracts import MalformedEvent, open_envelope
from shared.observe import Observation

HEALTH_TIMEOUT = 3.0


class GatewayService(DirectoryRoutes, CalendarRoutes, DistributionRoutes, ComplaintsRoutes, Open311Routes,
                     InformationRoutes, NotificationsRoutes, PublicPages, UnsubscribePages, ComplaintPages,
                     InformationPages, ConsoleSignIn, ConsoleHome, ConsoleAccounts, ConsoleComplaints,
                     ConsoleComplaintSettings, ConsoleDirectory, CalendarPages, ContentPages, InformationConsole,
                     ConsoleNotifications, ConsoleMemberList, AgencyPickers):
    name = "gateway"
    rpc = ServiceCalls()
    keys = KnownKeys()
    sessions = KnownSessions()
    recent = RecentReads()
    sign_in_failures = SignInFailures()
    public_url = PublicUrl()
    watch = Watch()
    observation = Observation()
    forum_timezone = ForumTimezone()

    def identify(self, request, auth):
        """The caller behind the request's key (None for public routes without a key)."""
        if auth == "public" or (auth == "optional" and "Authorization" not in request.headers):
            return None
        digest = key_hash(bearer_secret(request))
        caller = self.keys.get(digest)
        if caller is None:
            caller = self.rpc("directory", "authenticate", digest)
            if caller is None:
                raise HttpError(401, "unauthenticated", "the API key is unknown or revoked",
                                headers={"WWW-Authenticate": "Bearer"})
            self.keys.put(digest, caller)
        if auth == "coordinator" and caller["role"] != "coordinator":
            raise HttpError(403, "forbidden", "only a coordinator of the forum may do this")
        return caller

    @route("GET", "/health", auth="public", summary="Health of the gateway and every service",
           tag="system", response=Health)
    def health(self, call):
        answers, broker = self._look()
        down = sorted(name for name, answer in answers.items() if answer is None)
        if down:
            exc = service_unavailable(down)
            response = error_response(503, exc.code, exc.message, {"services": down}, exc.headers)
            return response
        return {"status": "ok", "version": __version__,
                "services": {name: {"service": name, "status": answer["status"],
                                    "outbox_backlog": answer["outbox"]["backlog"],
                                    "outbox_oldest_seconds": answer["outbox"]["oldest_seconds"]}
                             for name, answer in answers.items()},
                "dead_letters": broker["dead_letters"],
                "intake": {"waiting": broker["intake_waiting"],
                           "oldest_seconds": broker["intake_oldest_seconds"]},
                "notifications": {channel: "on" if on else "off" for channel, on in
                                  answers["notifications"]["gauges"]["notification_channel_on"]["channel"].items()}}

    @route("GET", "/metrics", auth="public", summary="Metrics in the Prometheus text format",
           tag="system", content_type="text/plain")
    def metrics(self, call):
        if not self.watch.snapshot.fresh():
            self._look()
        body, content_type = exposition(self.watch.snapshot)
        return Response(body, status=200, content_type=content_type)

    def _look(self):
        """Ask every service's ``health`` and the broker's queues at once; keep the answers for ``/metrics``."""
        broker = eventlet.spawn(self.watch.broker.look)
        pending = {}
        for service in SERVICE_NAMES:
            try:
                pending[service] = self.rpc.start(service, "health", timeout=HEALTH_TIMEOUT)
            except HttpError:
                pending[service] = None
        answers = dict(zip(pending, eventlet.GreenPool().imap(self._answer, pending.values())))
        figures = broker.wait()
        self.watch.snapshot.update(answers, figures)
        return answers, figures

    @staticmethod
    def _answer(result):
        if result is None:
            return None
        try:
            return result()
        except HttpError:
            return None

    @route("GET", "/openapi.json", auth="public", summary="This API's OpenAPI 3 description",
           tag="system")
    def openapi(self, call):
        return build_spec(ROUTES)

    # Any event of these services may change an answer the console keeps (``self.recent``); the
    # payload is not read, only the fact that something changed ("#" binds to every event name).
    @event_handler("calendar", "#", handler_type=BROADCAST, reliable_delivery=False)
    def calendar_changed(self, payload):
        self.recent.forget("calendar")

    @event_handler("complaints", "#", handler_type=BROADCAST, reliable_delivery=False)
    def complaints_changed(self, payload):
        self.recent.forget("complaints")

    @event_handler("distribution", "#", handler_type=BROADCAST, reliable_delivery=False)
    def distribution_changed(self, payload):
        self.recent.forget("distribution")

    @event_handler("directory", "key.revoked", handler_type=BROADCAST, reliable_delivery=False)
    def forget_revoked_key(self, payload):
        self._forget(payload, key=True)

    @event_handler("directory", "agency.deactivated", handler_type=BROADCAST, reliable_delivery=False)
    def forget_deactivated_agency(self, payload):
        self._forget(payload, key=False)

    @event_handler("directory", "agency.updated", handler_type=BROADCAST, reliable_delivery=False)
    def forget_changed_agency(self, payload):
        self._forget(payload, key=False)

    @event_handler("directory", "session.ended", handler_type=BROADCAST, reliable_delivery=False)
    def forget_ended_session(self, payload):
        data = self._data(payload)
        if data:
            self.sessions.forget(session_id=data["session_id"])

    @event_handler("directory", "account.deactivated", handler_type=BROADCAST, reliable_delivery=False)
    def forget_deactivated_account(self, payload):
        data = self._data(payload)
        if data:
            self.sessions.forget(account_id=data["account_id"])

    def _forget(self, payload, key):
        data = self._data(payload)
        if data is None:
            return
        if key:
            self.keys.forget(key_id=data["key_id"])
        else:
            self.keys.forget(agency_id=data["agency"]["id"])
            self.sessions.forget(agency_id=data["agency"]["id"])
            self.recent.forget()  # the agendas name agencies

    @staticmethod
    def _data(payload):
        try:
            return open_envelope(payload).data
        except MalformedEvent:
            return None
