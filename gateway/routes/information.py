"""Public information requests (UU 14/2008): the public's request, tracking and objection, each
agency's Daftar Informasi Publik, the PPID's moves and the reports.

The request is registered synchronously: the information service numbers it at once (Pasal 22
ayat 4) and answers the deadline; while the service is down the gateway answers 503 with
Retry-After and nothing is registered (the public page says to try again in a moment).
"""
from nameko.extensions import DependencyProvider

from gateway.errors import HttpError
from gateway.exports import export
from gateway.http import route
from gateway.ratelimit import TokenBucket
from gateway.pages.web import local_date
from services.information import schemas

TAG = "information"
ANSWER = "/api/v1/information/requests/<request_id>"


class InformationIntake(DependencyProvider):
    """The per-address limit of the public's requests and objections (a desk with a key is not limited)."""

    def setup(self):
        config = self.container.config
        self.limit = TokenBucket(float(config.get("INFORMATION_INTAKE_PER_MINUTE") or 30),
                                 float(config.get("INFORMATION_INTAKE_BURST") or 10))

    def get_dependency(self, worker_ctx):
        return self

    def check_rate(self, request):
        wait = self.limit.take(request.remote_addr or "unknown")
        if wait is not None:
            raise HttpError(429, "too_many_requests", "too many requests from this address; wait a moment",
                            headers={"Retry-After": str(max(1, int(wait + 0.999)))})


def next_steps(accepted):
    number, due = accepted["registration_number"], accepted["answer_due"]
    return {
        "id": (f"Permohonan informasi Anda terdaftar dengan nomor {number}. Badan publik wajib menjawab "
               f"secara tertulis paling lambat {local_date(due, 'Asia/Jakarta', 'id')} (10 hari kerja; dapat "
               f"diperpanjang sekali 7 hari kerja dengan alasan tertulis). Pantau di /informasi/lacak/{number}."),
        "en": (f"Your request for information is registered as {number}. The public body must answer in "
               f"writing by {local_date(due, 'Asia/Jakarta', 'en')} (10 working days; it may extend once by 7 "
               f"working days with a written reason). Follow it at /informasi/lacak/{number}."),
    }


class InformationRoutes:
    information_intake = InformationIntake()

    def register_information_request(self, call, body):
        """Register a request (the public's or a desk's); the answer with what happens next."""
        if call.caller is None:
            self.information_intake.check_rate(call.request)
        accepted = self.rpc("information", "register", call.actor, body, idempotency_key=call.idempotency_key)
        return {**accepted, "next_steps": next_steps(accepted)}

    # ------------------------------------------------ public

    @route("POST", "/api/v1/information/requests", auth="optional", tag=TAG, status=201, errors=(429,),
           summary="Ask a public body for information (public; a desk may file for a walk-in requester)",
           body=schemas.RequestInput, response=schemas.Accepted)
    def submit_information_request(self, call):
        return 201, self.register_information_request(call, call.body)

    @route("GET", "/api/v1/information/track/<registration_number>", auth="public", tag=TAG,
           summary="Follow a request: the deadline, the decision and its documents (never the requester)",
           response=schemas.Tracking)
    def track_information_request(self, call, registration_number):
        return self.rpc("information", "track", registration_number)

    @route("POST", "/api/v1/information/track/<registration_number>/objection", auth="public", tag=TAG,
           errors=(403, 429), body=schemas.ObjectionInput, response=schemas.Tracking,
           summary="The requester objects to the atasan PPID (Pasal 35), with the identity number given")
    def file_information_objection(self, call, registration_number):
        self.information_intake.check_rate(call.request)
        return self.rpc("information", "file_objection", registration_number, call.body)

    @route("GET", "/api/v1/information/dip/<agency_id>", auth="public", tag=TAG, response=schemas.Dip,
           summary="An agency's Daftar Informasi Publik, by class")
    def get_dip(self, call, agency_id):
        return self.rpc("information", "dip", agency_id)

    # ------------------------------------------------ the PPID of an agency, and the coordinator

    @route("GET", "/api/v1/information/requests", tag=TAG, query=schemas.RequestQuery,
           response=schemas.RequestList,
           summary="Requests with this agency (all for the coordinator), open ones first by deadline")
    def list_information_requests(self, call):
        return self.rpc("information", "list_requests", call.actor, call.args)

    @route("GET", ANSWER, tag=TAG, response=schemas.Request,
           summary="One request with the requester, its forwards, objection and audit trail")
    def get_information_request(self, call, request_id):
        return self.rpc("information", "get_request", call.actor, request_id)

    @route("POST", ANSWER + "/extend", tag=TAG, body=schemas.ExtensionInput, response=schemas.Request,
           summary="Extend once by 7 working days, with the written reason (Pasal 22 ayat 8)")
    def extend_information_request(self, call, request_id):
        return self.rpc("information", "extend", call.actor, request_id, call.body)

    @route("POST", ANSWER + "/decision", tag=TAG, body=schemas.DecisionInput, response=schemas.Request,
           summary="The written answer: granted (fully or partly), refused (Pasal 17), not held, not documented")
    def decide_information_request(self, call, request_id):
        return self.rpc("information", "decide", call.actor, request_id, call.body)

    @route("POST", ANSWER + "/forward", tag=TAG, body=schemas.ForwardInput, response=schemas.Request,
           summary="Not held here: propose the member agency that holds it")
    def forward_information_request(self, call, request_id):
        return self.rpc("information", "forward", call.actor, request_id, call.body)

    @route("POST", ANSWER + "/forward/accept", tag=TAG, body=schemas.ForwardAnswer, response=schemas.Request,
           summary="The proposed agency takes the request; its own 10 working days start")
    def accept_information_forward(self, call, request_id):
        return self.rpc("information", "answer_forward", call.actor, request_id, True, call.body)

    @route("POST", ANSWER + "/forward/refuse", tag=TAG, body=schemas.ForwardAnswer, response=schemas.Request,
           summary="The proposed agency refuses, with a reason; the request stays with the sender")
    def refuse_information_forward(self, call, request_id):
        return self.rpc("information", "answer_forward", call.actor, request_id, False, call.body)

    @route("POST", ANSWER + "/objection/answer", tag=TAG, body=schemas.ObjectionAnswerInput,
           response=schemas.Request, summary="The atasan PPID answers the objection (within 30 working days)")
    def answer_information_objection(self, call, request_id):
        return self.rpc("information", "answer_objection", call.actor, request_id, call.body)

    @route("POST", ANSWER + "/commission", tag=TAG, body=schemas.CommissionInput, response=schemas.Request,
           summary="Record the dispute at the Komisi Informasi and its outcome")
    def record_information_commission(self, call, request_id):
        return self.rpc("information", "record_commission", call.actor, request_id, call.body)

    @route("POST", "/api/v1/information/dip", tag=TAG, status=201, body=schemas.DipEntryInput,
           response=schemas.DipEntry, summary="Add to the agency's Daftar Informasi Publik")
    def add_dip_entry(self, call):
        return 201, self.rpc("information", "add_dip_entry", call.actor, call.body,
                             idempotency_key=call.idempotency_key)

    @route("PATCH", "/api/v1/information/dip/entries/<entry_id>", tag=TAG, body=schemas.DipEntryUpdate,
           response=schemas.DipEntry, summary="Change an entry of the Daftar Informasi Publik")
    def change_dip_entry(self, call, entry_id):
        return self.rpc("information", "change_dip_entry", call.actor, entry_id, call.body)

    @route("DELETE", "/api/v1/information/dip/entries/<entry_id>", tag=TAG, response=schemas.DipEntry,
           summary="Remove an entry of the Daftar Informasi Publik")
    def remove_dip_entry(self, call, entry_id):
        return self.rpc("information", "remove_dip_entry", call.actor, entry_id)

    @route("GET", "/api/v1/information/reports", tag=TAG, query=schemas.ReportQuery, response=schemas.Report,
           summary="The PPID report of an agency for a year or semester (the coordinator: any agency)")
    def information_report(self, call):
        return self.rpc("information", "report", call.actor, call.args)

    @route("GET", "/api/v1/information/reports/export", tag=TAG, query=schemas.ReportExportQuery,
           content_type="text/csv", summary="The PPID report as CSV or XLSX (format=csv|xlsx)")
    def export_information_report(self, call):
        report = self.rpc("information", "report", call.actor, call.args)
        return export(report, call.query["format"], f"laporan-ppid-{report['agency']['short_name'] or 'instansi'}")

    @route("GET", "/api/v1/information/reports/forum", auth="coordinator", tag=TAG,
           query=schemas.ForumReportQuery, response=schemas.ForumReport,
           summary="Every agency's PPID figures side by side, and the forum's total")
    def information_forum_report(self, call):
        return self.rpc("information", "forum_report", call.actor, call.args)

    @route("GET", "/api/v1/information/reports/forum/export", auth="coordinator", tag=TAG,
           query=schemas.ForumExportQuery, content_type="text/csv",
           summary="The forum's PPID comparison as CSV or XLSX (format=csv|xlsx)")
    def export_information_forum_report(self, call):
        return export(self.rpc("information", "forum_report", call.actor, call.args), call.query["format"],
                      "laporan-ppid-forum")
