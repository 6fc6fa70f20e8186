"""Complaints endpoints: public intake and tracking, agency and coordinator views (Open311: routes/open311.py).

Intake does not call the complaints service: the gateway validates the complaint, gives it
a tracking number and puts it durably on the ``complaints.intake`` queue (persistent, with
publisher confirms) before it answers 202. A complaint that got its tracking number is
therefore never lost, even while the complaints service is down or restarting.
"""
import time

from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider

from gateway.errors import HttpError
from gateway.http import MAX_BODY_BYTES, route
from gateway.ratelimit import TokenBucket
from gateway.uploads import attachment_response, checked_uploads
from services.complaints import schemas
from shared.contracts import seal
from shared.contracts.complaints import INTAKE_QUEUE, intake_queue
from shared.db import utcnow
from shared.intake import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, intake_message, keyed_identity, next_steps
from shared.uploads import FileRefused

CATEGORY_CACHE_SECONDS = 30
CATEGORY_LOOKUP_TIMEOUT = 1.0
TAG = "complaints"
# A JSON body with files: up to 3 files of 5 MB, base64 (4 characters per 3 bytes), and the rest.
MAX_JSON_WITH_FILES = MAX_ATTACHMENTS * (MAX_ATTACHMENT_BYTES * 4 // 3 + 4) + MAX_BODY_BYTES


def refused_files(exc, field="files"):
    """A file that cannot be attached, as the API's 400."""
    return HttpError(400, "validation_failed", "a file cannot be attached", {field: [str(exc)]})


class ComplaintIntake(DependencyProvider):
    """The durable intake queue, the public rate limit and a cache of the category list."""

    def setup(self):
        config = self.container.config
        # Derives the tracking number of a keyed intake (see shared.intake.keyed_identity); never logged.
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


class ComplaintsRoutes:
    complaint_intake = ComplaintIntake()

    # ------------------------------------------------ public: intake and tracking

    def file_complaint(self, call, body, attachments=()):
        """File for the caller of an API route (a PTSP desk's key files for a walk-in citizen)."""
        filed_by = call.actor["agency_id"] if call.actor else None
        return self.queue_complaint(body, attachments, filed_by, call.idempotency_key)

    def queue_complaint(self, body, attachments=(), filed_by=None, key=None):
        """Validate against the live category list, then queue durably with the checked files
        (``gateway.uploads``); answers the 202 body. The complaint form calls this too."""
        category = body.get("category")
        if category is not None and not self.complaint_intake.category_known(self.rpc, category):
            raise HttpError(400, "validation_failed", "unknown category",
                            {"category": ["not in the coordinator's list (GET /api/v1/complaints/categories)"]})
        # A retry with the same key must not file twice: without a database here, the answer
        # is derived from the key, the caller and the body, and the service stores a tracking
        # number once.
        identity = None if key is None else keyed_identity(
            self.complaint_intake.secret, key, filed_by or "public", body)
        message, number, secret = intake_message(body, filed_by, utcnow(), identity, attachments)
        self.complaint_intake.publish(message)
        return {"tracking_number": number, "reporter_secret": secret, "status": "received",
                "next_steps": next_steps(number, self.public_url)}

    @route("POST", "/api/v1/complaints", auth="optional", tag=TAG, status=202, errors=(429,), idempotent=True,
           summary="File a complaint (public; a PTSP desk may file for a walk-in citizen with its key)",
           body=schemas.ComplaintInput, response=schemas.Accepted, max_body=MAX_JSON_WITH_FILES)
    def submit_complaint(self, call):
        self.complaint_intake.check_rate(call.request)
        body = dict(call.body)
        try:
            attachments = checked_uploads(body.pop("files", None))
        except FileRefused as exc:
            raise refused_files(exc) from None
        return 202, self.file_complaint(call, body, attachments)

    @route("GET", "/api/v1/complaints/track/<tracking_number>", auth="public", tag=TAG,
           summary="Follow a complaint: status, history, public answers (no personal data)",
           response=schemas.Tracking)
    def track_complaint(self, call, tracking_number):
        return self.rpc("complaints", "track", tracking_number)

    @route("POST", "/api/v1/complaints/track/<tracking_number>", auth="public", tag=TAG, errors=(403, 429),
           summary="The reporter confirms, reopens or supplements, with the secret given at intake",
           body=schemas.ReporterAction, response=schemas.Tracking, max_body=MAX_JSON_WITH_FILES)
    def reporter_action(self, call, tracking_number):
        self.complaint_intake.check_rate(call.request)
        body = call.body
        if body["action"] != "supplement":
            return self.rpc("complaints", "reporter_action", tracking_number, body)
        try:
            attachments = checked_uploads(body.get("files"))
        except FileRefused as exc:
            raise refused_files(exc) from None
        return self.rpc("complaints", "supplement_complaint", tracking_number, body["reporter_secret"],
                        {"text": body.get("text"), "attachments": attachments})

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
        return self.rpc("complaints", "list_complaints", call.actor, call.args)

    @route("GET", "/api/v1/complaints/waiting", tag=TAG, response=schemas.Waiting,
           summary="What waits for this agency, most urgent first, with working days left "
                   "(the coordinator also: triage and overdue per agency)")
    def complaints_waiting(self, call):
        return self.rpc("complaints", "waiting_for", call.actor)

    @route("GET", "/api/v1/complaints/<complaint_id>", tag=TAG, response=schemas.Complaint,
           summary="One complaint with its notes, forwards and audit trail")
    def get_complaint(self, call, complaint_id):
        return self.rpc("complaints", "get_complaint", call.actor, complaint_id)

    @route("GET", "/api/v1/complaints/<complaint_id>/attachments/<attachment_id>", tag=TAG,
           content_type="application/octet-stream",
           summary="Download one of the reporter's files (those who may see the complaint)")
    def get_complaint_attachment(self, call, complaint_id, attachment_id):
        return attachment_response(self.rpc("complaints", "get_attachment", call.actor, complaint_id, attachment_id))

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
