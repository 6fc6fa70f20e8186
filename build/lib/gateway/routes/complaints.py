"""Complaints endpoints: public intake and tracking, agency and coordinator views, Open311 GeoReport v2.

Intake does not call the complaints service: the gateway validates the complaint, gives it
a tracking number and puts it durably on the ``complaints.intake`` queue (persistent, with
publisher confirms) before it answers 202. A complaint that got its tracking number is
therefore never lost, even while the complaints service is down or restarting.
"""
import functools
import threading
import time

from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider

from gateway.errors import HttpError, json_response
from gateway.http import route, validate_with
from services.complaints import domain, schemas
from shared.contracts import seal
from shared.contracts.complaints import INTAKE_QUEUE, intake_queue
from shared.db import utcnow
from shared.errors import DomainError

CATEGORY_CACHE_SECONDS = 30
CATEGORY_LOOKUP_TIMEOUT = 1.0
OPEN311_ERRORS = schemas.Open311Error(many=True)
TAG = "complaints"
OPEN311_FIELDS = ("service_code", "lat", "long", "address_string", "email", "first_name", "last_name",
                  "phone", "description", "media_url")


class TokenBucket:
    """Per client address: ``burst`` requests at once, refilled at ``per_minute``."""

    MAX_CLIENTS = 10_000

    def __init__(self, per_minute, burst, clock=time.monotonic):
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self.buckets = {}
        self.lock = threading.Lock()

    def take(self, client):
        """None when allowed, else the seconds to wait before the next request."""
        now = self.clock()
        with self.lock:
            tokens, since = self.buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - since) * self.rate)
            if tokens >= 1:
                self.buckets[client] = (tokens - 1, now)
                self._forget_idle(now)
                return None
            self.buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate if self.rate else 60.0

    def _forget_idle(self, now):
        if len(self.buckets) > self.MAX_CLIENTS:
            full = [c for c, (t, s) in self.buckets.items() if t + (now - s) * self.rate >= self.burst]
            for client in full:
                del self.buckets[client]


class ComplaintIntake(DependencyProvider):
    """The durable intake queue, the public rate limit and a cache of the category list."""

    def setup(self):
        config = self.container.config
        # Derives the tracking number of a keyed intake (see domain.keyed_identity); never logged.
        self.secret = config.get("GATEWAY_SECRET")
        if not self.secret:
            raise RuntimeError("GATEWAY_SECRET is not set (bakohumas run and serve make one under DATA_DIR)")
        self.publisher = Publisher(config[AMQP_URI_CONFIG_KEY], use_confirms=True, declare=[intake_queue()])
        self.limit = TokenBucket(float(config.get("COMPLAINTS_INTAKE_PER_MINUTE") or 60),
                                 float(config.get("COMPLAINTS_INTAKE_BURST") or 30))
        self.categories = None
        self.categories_checked = float("-inf")

    def get_dependency(self, worker_ctx):
        return self

    def publish(self, message):
        """Return only once the broker confirmed the persistent message."""
        try:
            self.publisher.publish(seal("complaint.submitted", message), routing_key=INTAKE_QUEUE,
                                   mandatory=True, retry=True,
                                   retry_policy={"max_retries": 3, "interval_start": 0.2,
                                                 "interval_step": 0.5, "interval_max": 1.0})
        except Exception:
            raise HttpError(503, "service_unavailable", "the complaint could not be queued; please retry",
                            headers={"Retry-After": "5"}) from None

    def check_rate(self, request):
        wait = self.limit.take(request.remote_addr or "unknown")
        if wait is not None:
            seconds = str(max(1, int(wait + 0.999)))
            raise HttpError(429, "too_many_requests", "too many complaints from this address; wait a moment",
                            headers={"Retry-After": seconds})

    def category_known(self, rpc, code):
        """Is ``code`` in the coordinator's list? The list is cached for 30 s (a change made
        through this gateway drops it at once) and looked up again, at most once a second, on
        a miss; while the service is away the last list
        known answers, and before any is known every code passes (the service sends an
        unknown one to the coordinator's triage)."""
        age = time.monotonic() - self.categories_checked
        if age > CATEGORY_CACHE_SECONDS or (age > 1 and self.categories is not None
                                            and code not in self.categories):
            self.refresh_categories(rpc)
        return self.categories is None or code in self.categories

    def categories_changed(self):
        self.categories_checked = float("-inf")

    def refresh_categories(self, rpc):
        self.categories_checked = time.monotonic()
        try:
            self.categories = {c["code"] for c in rpc("complaints", "list_categories",
                                                      timeout=CATEGORY_LOOKUP_TIMEOUT)}
        except HttpError:
            pass


def open311_errors(handler):
    """Open311 answers errors as a list of ``{code, description}``."""
    @functools.wraps(handler)
    def answer(self, call, **path_args):
        try:
            return handler(self, call, **path_args)
        except (HttpError, DomainError) as exc:
            status = exc.status
            details = [f"{field}: {'; '.join(map(str, messages)) if isinstance(messages, list) else messages}"
                       for field, messages in (exc.fields or {}).items()]
            description = exc.message + (f" ({', '.join(details)})" if details else "")
            return json_response(status, [{"code": status, "description": description}],
                                 getattr(exc, "headers", None))
    return answer


class ComplaintsRoutes:
    complaint_intake = ComplaintIntake()

    # ------------------------------------------------ public: intake and tracking

    def file_complaint(self, call, body):
        """Validate against the live category list, then queue durably; answers the 202 body."""
        category = body.get("category")
        if category is not None and not self.complaint_intake.category_known(self.rpc, category):
            raise HttpError(400, "validation_failed", "unknown category",
                            {"category": ["not in the coordinator's list (GET /api/v1/complaints/categories)"]})
        filed_by = call.actor["agency_id"] if call.actor else None
        key = call.idempotency_key
        # A retry with the same key must not file twice: without a database here, the answer
        # is derived from the key, the caller and the body, and the service stores a tracking
        # number once.
        identity = None if key is None else domain.keyed_identity(
            self.complaint_intake.secret, key, filed_by or "public", body)
        message, number, secret = domain.intake_message(body, filed_by, utcnow(), identity)
        self.complaint_intake.publish(message)
        return {"tracking_number": number, "reporter_secret": secret, "status": "received",
                "next_steps": domain.next_steps(number)}

    @route("POST", "/api/v1/complaints", auth="optional", tag=TAG, status=202, errors=(429,), idempotent=True,
           summary="File a complaint (public; a PTSP desk may file for a walk-in citizen with its key)",
           body=schemas.ComplaintInput, response=schemas.Accepted)
    def submit_complaint(self, call):
        self.complaint_intake.check_rate(call.request)
        return 202, self.file_complaint(call, call.body)

    @route("GET", "/api/v1/complaints/track/<tracking_number>", auth="public", tag=TAG,
           summary="Follow a complaint: status, history, public answers (no personal data)",
           response=schemas.Tracking)
    def track_complaint(self, call, tracking_number):
        return self.rpc("complaints", "track", tracking_number)

    @route("POST", "/api/v1/complaints/track/<tracking_number>", auth="public", tag=TAG, errors=(403, 429),
           summary="The reporter confirms, reopens or supplements, with the secret given at intake",
           body=schemas.ReporterAction, response=schemas.Tracking)
    def reporter_action(self, call, tracking_number):
        self.complaint_intake.check_rate(call.request)
        return self.rpc("complaints", "reporter_action", tracking_number, call.body)

    # ------------------------------------------------ coordinator: categories, rules, figures

    @route("GET", "/api/v1/complaints/categories", auth="public", tag=TAG,
           summary="Complaint categories (the coordinator's list)", response=schemas.Category(many=True))
    def list_complaint_categories(self, call):
        return self.rpc("complaints", "list_categories")

    @route("POST", "/api/v1/complaints/categories", auth="coordinator", tag=TAG, status=201,
           summary="Add a complaint category", body=schemas.CategoryInput, response=schemas.Category)
    def add_complaint_category(self, call):
        changed = self.rpc("complaints", "add_category", call.actor, call.body,
                           idempotency_key=call.idempotency_key)
        self.complaint_intake.categories_changed()
        return changed

    @route("PATCH", "/api/v1/complaints/categories/<code>", auth="coordinator", tag=TAG,
           summary="Rename or (de)activate a complaint category", body=schemas.CategoryUpdate,
           response=schemas.Category)
    def change_complaint_category(self, call, code):
        changed = self.rpc("complaints", "change_category", call.actor, code, call.body)
        self.complaint_intake.categories_changed()
        return changed

    @route("DELETE", "/api/v1/complaints/categories/<code>", auth="coordinator", tag=TAG,
           summary="Retire a complaint category (kept, inactive, for the complaints that name it)",
           response=schemas.Category)
    def remove_complaint_category(self, call, code):
        changed = self.rpc("complaints", "remove_category", call.actor, code)
        self.complaint_intake.categories_changed()
        return changed

    @route("GET", "/api/v1/complaints/rules", auth="coordinator", tag=TAG,
           summary="Routing rules, most specific first", response=schemas.Rule(many=True))
    def list_routing_rules(self, call):
        return self.rpc("complaints", "list_rules", call.actor)

    @route("POST", "/api/v1/complaints/rules", auth="coordinator", tag=TAG, status=201,
           summary="Add a routing rule (category, region, to an agency or an agency kind)",
           body=schemas.RuleInput, response=schemas.Rule)
    def add_routing_rule(self, call):
        return self.rpc("complaints", "add_rule", call.actor, call.body,
                        idempotency_key=call.idempotency_key)

    @route("PUT", "/api/v1/complaints/rules/<rule_id>", auth="coordinator", tag=TAG,
           summary="Replace a routing rule", body=schemas.RuleInput, response=schemas.Rule)
    def change_routing_rule(self, call, rule_id):
        return self.rpc("complaints", "change_rule", call.actor, rule_id, call.body)

    @route("DELETE", "/api/v1/complaints/rules/<rule_id>", auth="coordinator", tag=TAG,
           summary="Delete a routing rule", response=schemas.Rule)
    def delete_routing_rule(self, call, rule_id):
        return self.rpc("complaints", "delete_rule", call.actor, rule_id)

    @route("GET", "/api/v1/complaints/stats", auth="coordinator", tag=TAG,
           summary="Open, overdue, forwarded and median time to first response, by agency and category",
           response=schemas.Stats)
    def complaint_stats(self, call):
        return self.rpc("complaints", "stats", call.actor)

    # ------------------------------------------------ agencies

    @route("GET", "/api/v1/complaints", tag=TAG, query=schemas.ComplaintQuery, response=schemas.ComplaintList,
           summary="Complaints with this agency (all of them for the coordinator), by status and overdue-ness")
    def list_complaints(self, call):
        return self.rpc("complaints", "list_complaints", call.actor, call.query)

    @route("GET", "/api/v1/complaints/<complaint_id>", tag=TAG, response=schemas.Complaint,
           summary="One complaint with its notes, forwards and audit trail")
    def get_complaint(self, call, complaint_id):
        return self.rpc("complaints", "get_complaint", call.actor, complaint_id)

    @route("POST", "/api/v1/complaints/<complaint_id>/status", tag=TAG, body=schemas.StatusChange,
           response=schemas.Complaint, summary="Move a complaint along its lifecycle")
    def change_complaint_status(self, call, complaint_id):
        return self.rpc("complaints", "change_status", call.actor, complaint_id, call.body)

    @route("POST", "/api/v1/complaints/<complaint_id>/notes", tag=TAG, body=schemas.NoteInput, idempotent=True,
           response=schemas.Complaint, summary="Answer: a public answer or an internal note")
    def answer_complaint(self, call, complaint_id):
        return self.rpc("complaints", "answer", call.actor, complaint_id, call.body,
                        idempotency_key=call.idempotency_key)

    @route("POST", "/api/v1/complaints/<complaint_id>/forward", tag=TAG, body=schemas.ForwardInput,
           response=schemas.Complaint, summary="Bukan wewenang: propose the agency in charge")
    def forward_complaint(self, call, complaint_id):
        return self.rpc("complaints", "forward", call.actor, complaint_id, call.body)

    @route("POST", "/api/v1/complaints/<complaint_id>/forward/accept", tag=TAG, body=schemas.ForwardAnswer,
           response=schemas.Complaint, summary="The proposed agency takes the complaint (its clock starts)")
    def accept_forward(self, call, complaint_id):
        return self.rpc("complaints", "answer_forward", call.actor, complaint_id, True, call.body)

    @route("POST", "/api/v1/complaints/<complaint_id>/forward/refuse", tag=TAG, body=schemas.ForwardAnswer,
           response=schemas.Complaint, summary="The proposed agency refuses, with a reason; the coordinator decides")
    def refuse_forward(self, call, complaint_id):
        return self.rpc("complaints", "answer_forward", call.actor, complaint_id, False, call.body)

    @route("POST", "/api/v1/complaints/<complaint_id>/forward/decide", auth="coordinator", tag=TAG,
           body=schemas.ForwardDecision, response=schemas.Complaint,
           summary="The coordinator names the agency in charge of a refused or disputed forward")
    def decide_forward(self, call, complaint_id):
        return self.rpc("complaints", "decide_forward", call.actor, complaint_id, call.body)

    # ------------------------------------------------ Open311 GeoReport v2 (JSON only)

    @route("GET", "/open311/v2/services.json", auth="public", tag="open311", error_schema=OPEN311_ERRORS,
           summary="Open311: the service list (complaint categories)")
    @open311_errors
    def open311_services(self, call):
        return [{"service_code": c["code"], "service_name": c["name_id"], "description": c["name_en"],
                 "metadata": False, "type": "realtime", "keywords": c["code"].replace("_", ","),
                 "group": "dumas"}
                for c in self.rpc("complaints", "list_categories")]

    @route("GET", "/open311/v2/services/<service_code>.json", auth="public", tag="open311", error_schema=OPEN311_ERRORS,
           summary="Open311: one service's definition (no extra attributes)")
    @open311_errors
    def open311_service(self, call, service_code):
        codes = {c["code"] for c in self.rpc("complaints", "list_categories")}
        if service_code not in codes:
            raise HttpError(404, "not_found", f"no service {service_code}")
        return {"service_code": service_code, "attributes": []}

    @route("GET", "/open311/v2/requests.json", auth="public", tag="open311", error_schema=OPEN311_ERRORS,
           summary="Open311: service requests (verified, non-confidential), with the spec's filters")
    @open311_errors
    def open311_list_requests(self, call):
        return self.rpc("complaints", "open311_requests", call.request.args.to_dict())

    @route("POST", "/open311/v2/requests.json", auth="public", tag="open311", error_schema=OPEN311_ERRORS, errors=(429,),
           idempotent=True,
           summary="Open311: file a complaint (form-encoded); answers a token to follow it",
           openapi={"requestBody": {"required": True, "content": {
               "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                   name: {"type": "string"} for name in OPEN311_FIELDS}, "required": ["service_code"]}}}}})
    @open311_errors
    def open311_create_request(self, call):
        self.complaint_intake.check_rate(call.request)
        body = open311_complaint(call.request.form)
        validate_with(schemas.ComplaintInput(), body, "body")
        accepted = self.file_complaint(call, body)
        return [{"token": accepted["tracking_number"], "service_notice": accepted["next_steps"]["en"],
                      "reporter_secret": accepted["reporter_secret"]}]

    @route("GET", "/open311/v2/requests/<request_id>.json", auth="public", tag="open311", error_schema=OPEN311_ERRORS,
           summary="Open311: one service request")
    @open311_errors
    def open311_get_request(self, call, request_id):
        return self.rpc("complaints", "open311_request", request_id)

    @route("GET", "/open311/v2/tokens/<token>.json", auth="public", tag="open311", error_schema=OPEN311_ERRORS,
           summary="Open311: the service_request_id of a token once the complaint is processed")
    @open311_errors
    def open311_token(self, call, token):
        return self.rpc("complaints", "open311_token", token)


def open311_complaint(form):
    """An Open311 POST as our intake body (the same validation applies)."""
    body = {"channel": "open311", "category": form.get("service_code", ""), "text": form.get("description", "")}
    location = {}
    for ours, theirs in (("latitude", "lat"), ("longitude", "long")):
        if form.get(theirs):
            location[ours] = form[theirs]
    if form.get("address_string"):
        location["address"] = form["address_string"]
    if location:
        body["location"] = location
    name = " ".join(part for part in (form.get("first_name"), form.get("last_name")) if part)
    reporter = {"name": name or None, "email": form.get("email") or None, "phone": form.get("phone") or None}
    if any(reporter.values()):
        body["reporter"] = reporter
    else:
        body["anonymous"] = True
    if form.get("media_url"):
        body["attachments"] = [form["media_url"]]
    return body
