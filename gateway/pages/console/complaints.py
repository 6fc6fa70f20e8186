"""Pengaduan: complaint lists (filtered, paginated, exported), one complaint with its trail and the
moves its reader may make, and the coordinator's categories, routing rules and figures.

Every page calls the RPCs the JSON API calls; what a reader may do to a complaint is asked of the
complaints service (``actions``), never worked out here.
"""
import functools
import uuid
from urllib.parse import urlencode

import eventlet

from gateway.pages.console.posting import field_errors, refused, submitted
from gateway.pages.console.session import console_page, console_render
from gateway.pages.exports import complaint_rows, csv_download, xlsx_download
from gateway.pages.pickers import form_pickers, picker
from gateway.pages.web import PAGES, PageError
from gateway.uploads import attachment_response
from shared.errors import DomainError
from shared.rules import is_coordinator

PAGE_SIZE = 25
EXPORT_PAGE = 500  # the list RPC's largest page
EXPORT_READS = 4  # an export reads every page of the list, this many side by side
FILTERS = ("status", "stage", "agency_id", "category", "overdue", "triage")
BASE = "/console/pengaduan"
# The agency pickers of a complaint's forms: (form, field).
AGENCY_FIELDS = (("status", "agency_id"), ("forward", "to_agency_id"), ("decide", "agency_id"))


def list_filters(request):
    """The filters given, as the list RPC takes them (strings)."""
    return {name: request.args[name] for name in FILTERS if request.args.get(name, "").strip()}


def category_names(categories, language):
    """Each category's name in the page's language, by its code."""
    return {category["code"]: category["name_en" if language == "en" else "name_id"] for category in categories}


def page_number(request):
    try:
        return max(1, int(request.args.get("halaman", "1")))
    except ValueError:
        return 1


class ConsoleComplaints:
    """Needs ``self.rpc``, ``self.forum_timezone`` and ``self.complaint_intake`` from the gateway service."""

    # ------------------------------------------------ lists and exports

    @console_page(BASE)
    def console_complaints(self, request, language, actor):
        filters, number = list_filters(request), page_number(request)
        categories = self.rpc.start("complaints", "list_categories")
        agency = picker(self.rpc, request.args, "agency_id", [filters.get("agency_id")])
        errors, found = {}, {"complaints": [], "total": 0}
        try:
            found = self.rpc("complaints", "list_complaints", actor,
                             {**filters, "limit": PAGE_SIZE, "offset": (number - 1) * PAGE_SIZE})
        except DomainError as exc:
            if not refused(exc):
                raise
            errors = field_errors(exc)
        pages = max(1, -(-found["total"] // PAGE_SIZE))
        query = urlencode(filters)
        categories = categories()
        return console_render(
            request, language, actor, "console/pengaduan/list.html", found=found, filters=filters,
            errors=errors, number=number, pages=pages, query=query, categories=categories,
            category_names=category_names(categories, language), agency_picked=agency,
            coordinator=is_coordinator(actor), done=request.args.get("selesai"), zone=self.forum_timezone,
            status=400 if errors else 200)

    @console_page(BASE + "/ekspor.<file_type>")
    def console_complaints_export(self, request, language, actor, file_type):
        if file_type not in ("csv", "xlsx"):
            raise PageError(404, "not found")
        filters = list_filters(request)
        first = self.rpc("complaints", "list_complaints", actor, {**filters, "limit": EXPORT_PAGE, "offset": 0})
        rest = eventlet.GreenPool(EXPORT_READS).imap(lambda offset: self.rpc(
            "complaints", "list_complaints", actor, {**filters, "limit": EXPORT_PAGE, "offset": offset})["complaints"],
            range(EXPORT_PAGE, first["total"], EXPORT_PAGE))
        complaints = first["complaints"] + [complaint for page in rest for complaint in page]
        gettext = functools.partial(PAGES.gettext, language)
        rows = complaint_rows(complaints, gettext, self.forum_timezone, language)
        if file_type == "csv":
            return csv_download(rows, "pengaduan.csv")
        return xlsx_download(rows, "pengaduan.xlsx", gettext("Complaints"))

    # ------------------------------------------------ one complaint

    def _complaint_page(self, request, language, actor, complaint_id, form=None, values=None, errors=None,
                        status=200):
        complaint = self.rpc.start("complaints", "get_complaint", actor, complaint_id)
        pickers = form_pickers(self.rpc, form, values or {}, AGENCY_FIELDS)
        return console_render(
            request, language, actor, "console/pengaduan/complaint.html", complaint=complaint(),
            pickers=pickers, form=form, values=values or {}, errors=errors or {},
            idempotency_key=str(uuid.uuid4()), done=request.args.get("selesai"),
            coordinator=is_coordinator(actor), zone=self.forum_timezone, status=status)

    @console_page(BASE + "/<complaint_id>")
    def console_complaint(self, request, language, actor, complaint_id):
        return self._complaint_page(request, language, actor, complaint_id)

    @console_page(BASE + "/<complaint_id>/berkas/<attachment_id>")
    def console_complaint_file(self, request, language, actor, complaint_id, attachment_id):
        return attachment_response(self.rpc("complaints", "get_attachment", actor, complaint_id, attachment_id))

    def _act(self, request, language, actor, complaint_id, form, change, done, after=None):
        """Run ``change(values)``; on success on to the complaint (or ``after``), else the
        complaint again with the form as typed."""
        return submitted(request, change, lambda values, errors, status: self._complaint_page(
            request, language, actor, complaint_id, form=form, values=values, errors=errors, status=status),
            f"{after or BASE + '/' + complaint_id}?selesai={done}")

    @console_page(BASE + "/<complaint_id>/status", method="POST")
    def console_complaint_status(self, request, language, actor, complaint_id):
        return self._act(request, language, actor, complaint_id, "status", lambda values: self.rpc(
            "complaints", "change_status", actor, complaint_id, values), "status")

    @console_page(BASE + "/<complaint_id>/jawaban", method="POST")
    def console_complaint_answer(self, request, language, actor, complaint_id):
        return self._act(request, language, actor, complaint_id, "answer", lambda values: self.rpc(
            "complaints", "answer", actor, complaint_id, values,
            idempotency_key=request.form.get("idempotency_key") or None), "answer")

    @console_page(BASE + "/<complaint_id>/limpahkan", method="POST")
    def console_complaint_forward(self, request, language, actor, complaint_id):
        return self._act(request, language, actor, complaint_id, "forward", lambda values: self.rpc(
            "complaints", "forward", actor, complaint_id, values), "forward")

    @console_page(BASE + "/<complaint_id>/limpahan", method="POST")
    def console_complaint_forward_answer(self, request, language, actor, complaint_id):
        accept = request.form.get("decision") == "accept"
        return self._act(request, language, actor, complaint_id, "answer_forward", lambda values: self.rpc(
            "complaints", "answer_forward", actor, complaint_id, accept,
            {"reason": values.get("reason")}), "accepted" if accept else "refused",
            after=None if accept else BASE)

    @console_page(BASE + "/<complaint_id>/putuskan", method="POST")
    def console_complaint_decide(self, request, language, actor, complaint_id):
        return self._act(request, language, actor, complaint_id, "decide", lambda values: self.rpc(
            "complaints", "decide_forward", actor, complaint_id, values), "decided")
