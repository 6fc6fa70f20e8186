"""Konten: content for officers — the list, the editor, the preview as the public will see it, joint
approval, publishing (now or under embargo), corrections, withdrawal, amplification requests and
their report, and webhook subscriptions with their delivery log and replay.

Every page calls the same distribution RPCs as ``gateway/routes/distribution.py``; every form is a
plain POST that redirects.
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from werkzeug.utils import redirect

from gateway.http import read_form
from gateway.pages.console import content_reading as reading
from gateway.pages.console.forms import moment
from gateway.pages.console.session import console_page, console_render
from gateway.pages.paging import Paging
from gateway.pages.pickers import finding, picker
from gateway.pages.web import PageError
from services.calendar.schemas import ZONES
from services.distribution.schemas import SUBJECT_NAMES_ID, SUBJECTS
from shared.contracts.distribution import CONTENT_TYPES
from shared.errors import DomainError

ITEM_PATH = "/console/konten/<item_id>"
STATES = ("draft", "embargoed", "published", "corrected", "withdrawn")
CONTENT_PAGE = DELIVERY_PAGE = 50


def form_problem(exc):
    """A refusal a form shows again (bad input, or a conflict with the item's state); anything else raises."""
    if exc.status not in (400, 409):
        raise exc
    return reading.errors_of(exc)


class ContentPages:
    """Needs ``self.rpc``, ``self.public_url`` and ``self.forum_timezone`` from the gateway service."""

    @console_page("/console/konten")
    def content_list(self, request, language, actor):
        query = {name: request.args[name] for name in ("state", "type") if request.args.get(name)}
        if query.get("state") not in (None, *STATES) or query.get("type") not in (None, *CONTENT_TYPES):
            query = {}
        paging = Paging.of(request.args, CONTENT_PAGE, keep=query)
        listed = self.rpc("distribution", "list_content", actor, paging.asked(query))
        return console_render(request, language, actor, "console/content/list.html", items=listed["items"],
                              query=query, paging=paging.counted(listed["total"]), states=STATES,
                              types=CONTENT_TYPES, zone=self.forum_timezone)

    # --- the editor ---

    @console_page("/console/konten/baru")
    def content_new(self, request, language, actor):
        kind = request.args.get("jenis") if request.args.get("jenis") in CONTENT_TYPES else "release"
        return self._editor(request, language, actor, None, {"type": kind, "language": language,
                                                               "embargo_zone": self.forum_timezone})

    @console_page("/console/konten/baru", method="POST")
    def content_create(self, request, language, actor):
        form = read_form(request)
        if finding(form):
            return self._editor(request, language, actor, None, reading.form_state(form))
        try:
            item = self.rpc("distribution", "create_content", actor,
                            reading.content_body(form, self.forum_timezone, creating=True))
        except DomainError as exc:
            return self._editor(request, language, actor, None, reading.form_state(form), form_problem(exc),
                                status=exc.status)
        return redirect(f"/console/konten/{item['id']}", code=303)

    @console_page(ITEM_PATH + "/ubah")
    def content_edit_form(self, request, language, actor, item_id):
        item = self.rpc("distribution", "get_content", actor, item_id)
        return self._editor(request, language, actor, item, reading.content_values(item, self.forum_timezone))

    @console_page(ITEM_PATH + "/ubah", method="POST")
    def content_edit(self, request, language, actor, item_id):
        form = read_form(request)
        if finding(form):
            item = self.rpc("distribution", "get_content", actor, item_id)
            return self._editor(request, language, actor, item, reading.form_state(form))
        body = reading.content_body(form, self.forum_timezone, creating=False)
        try:
            self.rpc("distribution", "edit_content", actor, item_id, body)
        except DomainError as exc:
            item = self.rpc("distribution", "get_content", actor, item_id)
            return self._editor(request, language, actor, item, reading.form_state(form), form_problem(exc),
                                status=exc.status)
        return redirect(f"/console/konten/{item_id}", code=303)

    def _editor(self, request, language, actor, item, values, errors=None, status=200):
        return console_render(request, language, actor, "console/content/editor.html", status=status, item=item,
                              values=values, errors=errors or {}, types=CONTENT_TYPES,
                              subjects=SUBJECT_NAMES_ID if language == "id" else SUBJECTS, zones=ZONES,
                              co_issuers=picker(self.rpc, values, "co_issuers", values.get("co_issuers") or []))

    # --- one item: preview and its moves ---

    @console_page(ITEM_PATH)
    def content_item(self, request, language, actor, item_id):
        return self._item(request, language, actor, item_id)

    def _item(self, request, language, actor, item_id, errors=None, values=None, status=200):
        item = self.rpc("distribution", "get_content", actor, item_id)
        return console_render(request, language, actor, "console/content/item.html", status=status, item=item,
                              errors=errors or {}, values=values or {}, moves=moves_of(actor, item),
                              zone=self.forum_timezone, public_url=self.public_url,
                              agencies=[item["agency"], *item["co_issuer_agencies"]])

    @console_page(ITEM_PATH + "/<move>", method="POST")
    def content_move(self, request, language, actor, item_id, move):
        """Approve, publish (now or at the embargo), withdraw, or ask members to amplify."""
        form = read_form(request)
        if move not in MOVES:
            raise PageError(404, "not found")
        rpc, body_of = MOVES[move]
        try:
            answer = self.rpc("distribution", rpc, actor, item_id, body_of(form, self.forum_timezone))
        except DomainError as exc:
            errors = {f"{move}-{field}": message for field, message in form_problem(exc).items()}
            return self._item(request, language, actor, item_id, errors, form.to_dict(), status=exc.status)
        if move == "amplifikasi":
            return redirect(f"/console/konten/amplifikasi/{answer['id']}", code=303)
        return redirect(f"/console/konten/{item_id}", code=303)

    @console_page(ITEM_PATH + "/koreksi")
    def content_correction_form(self, request, language, actor, item_id):
        item = self.rpc("distribution", "get_content", actor, item_id)
        return console_render(request, language, actor, "console/content/correct.html", item=item,
                              values=reading.content_values(item, self.forum_timezone), errors={})

    @console_page(ITEM_PATH + "/koreksi", method="POST")
    def content_correct(self, request, language, actor, item_id):
        form = read_form(request)
        body = {"headline": form.get("headline", "").strip(), "summary": form.get("summary", "").strip(),
                "body_html": reading.body_html(form.get("body", "")), "change_note": form.get("change_note", "").strip()}
        try:
            self.rpc("distribution", "correct_content", actor, item_id, body)
        except DomainError as exc:
            item = self.rpc("distribution", "get_content", actor, item_id)
            return console_render(request, language, actor, "console/content/correct.html", status=exc.status,
                                  item=item, values=form.to_dict(), errors=form_problem(exc))
        return redirect(f"/console/konten/{item_id}", code=303)

    # --- amplification ---

    @console_page("/console/konten/amplifikasi")
    def amplification_inbox(self, request, language, actor):
        requests = self.rpc("distribution", "amplification_requests_to_me", actor, {})
        return console_render(request, language, actor, "console/content/amplification_inbox.html",
                              requests=requests, zone=self.forum_timezone, errors={})

    @console_page("/console/konten/amplifikasi/<request_id>")
    def amplification_page(self, request, language, actor, request_id):
        report = self.rpc("distribution", "amplification_report", actor, request_id)
        return console_render(request, language, actor, "console/content/amplification.html", report=report,
                              zone=self.forum_timezone, errors={}, values={})

    @console_page("/console/konten/amplifikasi/<request_id>", method="POST")
    def amplification_answer(self, request, language, actor, request_id):
        form = read_form(request)
        try:
            self.rpc("distribution", "answer_amplification", actor, request_id, {"url": form.get("url", "").strip()})
        except DomainError as exc:
            report = self.rpc("distribution", "amplification_report", actor, request_id)
            return console_render(request, language, actor, "console/content/amplification.html", status=exc.status,
                                  report=report, zone=self.forum_timezone, errors=form_problem(exc),
                                  values=form.to_dict())
        return redirect(f"/console/konten/amplifikasi/{request_id}", code=303)

    # --- subscriptions ---

    @console_page("/console/konten/langganan")
    def subscriptions(self, request, language, actor):
        return self._subscriptions(request, language, actor)

    def _subscriptions(self, request, language, actor, issued=None, errors=None, values=None, status=200):
        subscriptions = self.rpc("distribution", "list_subscriptions", actor)
        return console_render(request, language, actor, "console/content/subscriptions.html", status=status,
                              subscriptions=subscriptions, issued=issued, errors=errors or {}, values=values or {},
                              types=CONTENT_TYPES, zone=self.forum_timezone)

    @console_page("/console/konten/langganan", method="POST")
    def subscription_create(self, request, language, actor):
        form = read_form(request)
        body = {"url": form.get("url", "").strip(), "name": form.get("name", "").strip(),
                "filters": {"types": form.getlist("types")}}
        try:
            issued = self.rpc("distribution", "create_subscription", actor, body)
        except DomainError as exc:
            return self._subscriptions(request, language, actor, errors=form_problem(exc), values=form.to_dict(),
                                       status=exc.status)
        return self._subscriptions(request, language, actor, issued=issued)

    @console_page("/console/konten/langganan/<subscription_id>")
    def deliveries(self, request, language, actor, subscription_id):
        state = request.args.get("state")
        query = {"state": state} if state in ("pending", "retrying", "delivered", "failed") else {}
        paging = Paging.of(request.args, DELIVERY_PAGE, keep=query)
        deliveries = self.rpc.start("distribution", "list_deliveries", actor, subscription_id, paging.asked(query))
        subscriptions = self.rpc("distribution", "list_subscriptions", actor)
        subscription = next((s for s in subscriptions if s["id"] == subscription_id), None)
        if subscription is None:
            raise PageError(404, "not found")
        listed = deliveries()
        return console_render(request, language, actor, "console/content/deliveries.html",
                              subscription=subscription, deliveries=listed["items"], query=query,
                              paging=paging.counted(listed["total"]), zone=self.forum_timezone)

    @console_page("/console/konten/langganan/<subscription_id>/<delivery_id>/ulang", method="POST")
    def delivery_replay(self, request, language, actor, subscription_id, delivery_id):
        read_form(request)
        self.rpc("distribution", "replay_delivery", actor, subscription_id, delivery_id)
        return redirect(f"/console/konten/langganan/{subscription_id}", code=303)


def _publish(form, zone):
    if form.get("embargo_date", "").strip():
        return {"embargo_until": moment(form["embargo_date"].strip(), form.get("embargo_time", "").strip() or "00:00",
                                        form.get("embargo_zone") or zone)}
    return {}


def _amplify(form, zone):
    deadline = form.get("deadline_date", "").strip()
    if not deadline:  # by default: a day from now
        tomorrow = datetime.now(ZoneInfo(zone)) + timedelta(days=1)
        return {"deadline": tomorrow.isoformat(), "message": form.get("message", "").strip()}
    return {"deadline": moment(deadline, form.get("deadline_time", "").strip() or "17:00", zone),
            "message": form.get("message", "").strip()}


def _version(form, zone):
    try:
        return {"version": int(form.get("version", ""))}
    except ValueError:
        return {"version": -1}


# The moves of an item page: the path's last part -> (RPC, how the form becomes its body).
MOVES = {
    "setujui": ("approve_content", _version),
    "terbitkan": ("publish_content", _publish),
    "tarik": ("withdraw_content", lambda form, zone: {"reason": form.get("reason", "").strip()}),
    "amplifikasi": ("request_amplification", _amplify),
}


def moves_of(actor, item):
    """The moves the reader may make on the item in its state (distribution decides again)."""
    author = actor["agency_id"] == item["agency_id"] or actor["role"] == "coordinator"
    state = item["state"]
    approved = {a["id"]: a["version"] for a in item["approved_by"]}
    return {"edit": author and state in ("draft", "embargoed"), "publish": author and state in ("draft", "embargoed"),
            "approve": actor["agency_id"] in item["co_issuers"] and state == "draft"
            and approved.get(actor["agency_id"]) != item["version"],
            "correct": author and state in ("published", "corrected"),
            "withdraw": author and state not in ("draft", "withdrawn"),
            "amplify": author and state in ("published", "corrected"),
            "missing": [a for a in item["co_issuer_agencies"] if approved.get(a["id"]) != item["version"]]}
