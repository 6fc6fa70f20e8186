"""Informasi: the PPID's console pages (UU 14/2008). The inbox with the working days left, a
request with its moves (extend, decide, forward, take or refuse a forward, the superior's answer to
an objection, the Komisi Informasi record), the agency's Daftar Informasi Publik, and the reports
with their CSV/XLSX. Every page calls the same RPCs as ``gateway/routes/information.py``."""
from datetime import date, datetime, time
from urllib.parse import urlencode

from werkzeug.utils import redirect

from gateway.exports import export
from gateway.http import read_form
from gateway.pages.console.session import console_page, console_render
from gateway.pages.paging import Paging
from gateway.pages.pickers import finding, picker
from gateway.pages.web import PageError
from shared.errors import DomainError
from shared.workdays import forum_zone

BASE = "/console/informasi"
INBOX_PAGE = 50
FORWARD_TO = "forward-to_agency_id"
# The fields of each move's form, in the form's order (named "<move>-<field>" on the page, where
# several forms share it).
MOVE_FIELDS = {
    "extend": ("reason",),
    "decision": ("decision", "note", "documents", "article", "consequence_test", "public_interest", "holder"),
    "forward": ("to_agency_id", "reason"),
    "accept": ("reason",),
    "refuse": ("reason",),
    "objection": ("outcome", "answer"),
    "commission": ("filed_on", "outcome", "note"),
}


def optional(form, name):
    return (form.get(name) or "").strip() or None


def documents_of(text):
    """One document a line, "title | https://…" (a bare address is its own title)."""
    found = []
    for line in (text or "").splitlines():
        if line.strip():
            title, _, url = line.rpartition("|") if "|" in line else (line, "", line)
            found.append({"title": title.strip(), "url": url.strip()})
    return found


def day_at_noon(text):
    """A date typed in a date field, as noon that day in the forum's zone (the Komisi Informasi files by day)."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return text
    return datetime.combine(day, time(12), tzinfo=forum_zone()).isoformat()


def move_body(move, form):
    if move == "decision":
        article = optional(form, "article")
        return {"decision": form.get("decision", ""), "note": optional(form, "note"),
                "documents": documents_of(form.get("documents")), "holder": optional(form, "holder"),
                "exemption": {"article": article, "consequence_test": form.get("consequence_test", ""),
                              "public_interest": optional(form, "public_interest")} if article else None}
    if move == "forward":
        return {"to_agency_id": form.get("to_agency_id", ""), "reason": form.get("reason", "")}
    if move == "objection":
        return {"outcome": form.get("outcome", ""), "answer": form.get("answer", "")}
    if move == "commission":
        return {"filed_on": day_at_noon(form.get("filed_on", "")), "outcome": form.get("outcome") or "pending",
                "note": optional(form, "note")}
    return {"reason": optional(form, "reason") if move in ("accept", "refuse") else form.get("reason", "")}


def bad_fields(move, fields):
    """The ids of the fields a service refused, nested ones (the exemption's, a document's) flattened."""
    found = set()
    for name, problem in (fields or {}).items():
        found |= set(problem) if isinstance(problem, dict) and name == "exemption" else {name}
    return [f"{move}-{name}" for name in MOVE_FIELDS[move] if name in found]


class InformationConsole:
    """Needs ``self.rpc``, ``self.sessions``, ``self.public_url`` and ``self.forum_timezone``."""

    @console_page(BASE)
    def information_inbox(self, request, language, actor):
        query = {name: request.args[name] for name in ("status", "overdue", "objection") if request.args.get(name)}
        paging = Paging.of(request.args, INBOX_PAGE, keep=query)
        listed = self.rpc("information", "list_requests", actor, paging.asked(query))
        return console_render(request, language, actor, "console/information/inbox.html", listed=listed,
                              query=query, paging=paging.counted(listed["total"]), zone=self.forum_timezone)

    def _request_page(self, request, language, actor, request_id, status=200, errors=(), values=None,
                      problem=None, move=None):
        found = self.rpc.start("information", "get_request", actor, request_id)
        values = values or {}
        holder = picker(self.rpc, values, FORWARD_TO, [values.get(FORWARD_TO)])
        return console_render(request, language, actor, "console/information/request.html", status=status,
                              request_=found(), holder=holder, errors=list(errors), values=values,
                              problem=problem, failed_move=move, done=request.args.get("selesai"),
                              zone=self.forum_timezone)

    @console_page(BASE + "/permohonan/<request_id>")
    def information_request_page(self, request, language, actor, request_id):
        return self._request_page(request, language, actor, request_id)

    @console_page(BASE + "/permohonan/<request_id>/<move>", method="POST")
    def information_request_move(self, request, language, actor, request_id, move):
        if move not in MOVE_FIELDS:
            raise PageError(404, "no such move")
        typed = read_form(request)
        if finding(typed):
            return self._request_page(request, language, actor, request_id, values=typed.to_dict())
        form = {name: typed.get(f"{move}-{name}", "") for name in MOVE_FIELDS[move]}
        body = move_body(move, form)
        try:
            if move in ("accept", "refuse"):
                self.rpc("information", "answer_forward", actor, request_id, move == "accept", body)
            else:
                method = {"extend": "extend", "decision": "decide", "forward": "forward",
                          "objection": "answer_objection", "commission": "record_commission"}[move]
                self.rpc("information", method, actor, request_id, body)
        except DomainError as exc:
            if exc.status not in (400, 403, 409):
                raise
            values = {f"{move}-{name}": value for name, value in form.items()}
            errors = bad_fields(move, exc.fields) if exc.status == 400 else []
            return self._request_page(request, language, actor, request_id, status=exc.status, errors=errors,
                                      values=values, problem=exc.status if not errors else None, move=move)
        if move == "refuse":  # refused, the request is no longer one we may see: back to the inbox
            return redirect(BASE, code=303)
        return redirect(f"{BASE}/permohonan/{request_id}?selesai={move}", code=303)

    def _dip_agency(self, request, actor):
        chosen = request.args.get("instansi") or actor["agency_id"]
        if chosen != actor["agency_id"] and actor["role"] != "coordinator":
            raise PageError(404, "not yours")
        return chosen

    def _dip_page(self, request, language, actor, agency_id, status=200, errors=(), values=None):
        dip = self.rpc.start("information", "dip", agency_id)
        keeper = picker(self.rpc, request.args, "instansi", [agency_id]) if actor["role"] == "coordinator" else None
        return console_render(request, language, actor, "console/information/dip.html", status=status, dip=dip(),
                              errors=list(errors), values=values or {"class": "berkala"}, keeper=keeper,
                              zone=self.forum_timezone)

    @console_page(BASE + "/dip")
    def information_dip_editor(self, request, language, actor):
        return self._dip_page(request, language, actor, self._dip_agency(request, actor))

    @console_page(BASE + "/dip", method="POST")
    def information_dip_add(self, request, language, actor):
        agency_id = self._dip_agency(request, actor)
        form = read_form(request)
        values = {name: form.get(name, "") for name in ("class", "title", "summary", "url", "responsible",
                                                          "retention")}
        body = {"agency_id": agency_id, "class": values["class"], "title": values["title"],
                **{name: values[name].strip() or None for name in ("summary", "url", "responsible", "retention")}}
        try:
            self.rpc("information", "add_dip_entry", actor, body)
        except DomainError as exc:
            if exc.status != 400:
                raise
            errors = [name for name in values if name in exc.fields or (name == "class" and "klass" in exc.fields)]
            return self._dip_page(request, language, actor, agency_id, 400, errors, values)
        return redirect(f"{BASE}/dip?{urlencode({'instansi': agency_id})}", code=303)

    @console_page(BASE + "/dip/<entry_id>/hapus", method="POST")
    def information_dip_remove(self, request, language, actor, entry_id):
        removed = self.rpc("information", "remove_dip_entry", actor, entry_id)
        return redirect(f"{BASE}/dip?{urlencode({'instansi': removed['agency_id']})}", code=303)

    @staticmethod
    def _report_query(request):
        today = datetime.now(forum_zone())
        query = {"year": request.args.get("tahun") or str(today.year)}
        if request.args.get("semester") in ("1", "2"):
            query["semester"] = request.args["semester"]
        return query

    @console_page(BASE + "/laporan")
    def information_reports(self, request, language, actor):
        query = self._report_query(request)
        report = self.rpc("information", "report", actor, query)
        forum = self.rpc("information", "forum_report", actor, query) if actor["role"] == "coordinator" else None
        links = {fmt: f"{BASE}/laporan/unduh?{urlencode({**self._form_query(query), 'format': fmt})}"
                 for fmt in ("csv", "xlsx")}
        forum_links = {fmt: f"{BASE}/laporan/unduh?{urlencode({**self._form_query(query), 'format': fmt, 'forum': '1'})}"
                       for fmt in ("csv", "xlsx")}
        return console_render(request, language, actor, "console/information/reports.html", report=report,
                              forum=forum, links=links, forum_links=forum_links, query=query)

    @staticmethod
    def _form_query(query):
        return {"tahun": query["year"], **({"semester": query["semester"]} if "semester" in query else {})}

    @console_page(BASE + "/laporan/unduh")
    def information_report_download(self, request, language, actor):
        query = self._report_query(request)
        fmt = request.args.get("format") if request.args.get("format") in ("csv", "xlsx") else "csv"
        if request.args.get("forum") == "1":
            return export(self.rpc("information", "forum_report", actor, query), fmt, "laporan-ppid-forum")
        report = self.rpc("information", "report", actor, query)
        return export(report, fmt, f"laporan-ppid-{report['agency']['short_name'] or 'instansi'}")
