"""Kalender: the forum's joint press calendar for officers (month and week views, an agenda list on
a phone), an item's page with its history and the moves its reader may make, the propose and edit
forms (clashes and free slots shown as one types), and the ICS links.

Every page calls the same calendar RPCs as ``gateway/routes/calendar.py``; a form's POST works
without JavaScript (htmx only refreshes the clash panel as one types).
"""
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from werkzeug.utils import redirect

from gateway.http import read_form
from gateway.pages.console import calendar_reading as reading
from gateway.pages.console.session import N_, console_page, console_render
from gateway.pages.pickers import finding, picker
from gateway.pages.web import PAGES, PageError
from services.calendar.schemas import ZONES
from shared.contracts.calendar import ITEM_KINDS
from shared.errors import DomainError

# What one day of the month view shows; the rest is a link to its week, where every item is listed.
MONTH_DAY_ITEMS = 3
# The list's largest page: a busier week is read a page after another, every item listed.
WEEK_PAGE = 500
ITEM_PATH = "/console/kalender/<item_id>"
CLASH_NEEDS_REASON = N_("The item clashes with a scheduled item: say why it is scheduled anyway")


class CalendarPages:
    """Needs ``self.rpc`` and ``self.forum_timezone`` from the gateway service."""

    @console_page("/console/kalender")
    def calendar_month(self, request, language, actor):
        zone = self.forum_timezone
        today = datetime.now(ZoneInfo(zone)).date()
        view = reading.period(request.args, today, language)
        first, last = view["first"], view["last"]
        if view["kind"] == "month":  # each day's first items and how many more: a month is a grid
            answer = self.recent.read(self.rpc, "calendar", "list_days", actor,
                                      {**reading.window(first, last, zone), "per_day": str(MONTH_DAY_ITEMS)})
            days = reading.month_days(json.loads(answer)["days"], first, last)
        else:  # a week lists every item
            days = reading.days_with_items(self._every_item(actor, reading.window(first, last, zone)), first, last)
        count = sum(len(items) + more for _, items, more in days)
        return console_render(request, language, actor, "console/calendar/month.html", view=view, first=first,
                              days=days, count=count, blanks=first.weekday() if view["kind"] == "month" else 0,
                              today=today, shown_time=reading.shown_time,
                              day_label=lambda day: reading.day_label(day, language))

    def _every_item(self, actor, window):
        items = []
        while True:
            page = json.loads(self.rpc("calendar", "list_items", actor, {**window, "limit": str(WEEK_PAGE),
                                                                         "offset": str(len(items))}))["items"]
            items += page
            if len(page) < WEEK_PAGE:
                return items

    @console_page(ITEM_PATH)
    def calendar_item(self, request, language, actor, item_id):
        return self._item_page(request, language, actor, item_id)

    def _item_page(self, request, language, actor, item_id, status=200, errors=None, values=None,
                   clashes=None, action=None):
        """The item, its history and (for the coordinator, on a proposal) what it would clash with:
        the item first, then history and clashes side by side (two round trips)."""
        item = self.rpc("calendar", "get_item", actor, item_id)
        history = self.rpc.start("calendar", "item_history", actor, item_id)
        if clashes is None and actor["role"] == "coordinator" and item["state"] == "proposed":
            check = self.rpc.start("calendar", "clash_check", actor, {
                "agencies": ",".join(p["agency_id"] for p in item["participants"] if p["response"] != "declined"),
                "officials": ",".join(o["name"] for o in item["officials"]), "venue": item["venue"],
                "start": item["start"], "end": item["end"], "exclude_item_id": item["id"]})
            clashes = check()["clashes"]
        return console_render(request, language, actor, "console/calendar/item.html", status=status, item=item,
                              history=history()["entries"], clashes=clashes or [], errors=errors or {},
                              values=values or {}, action=action, moves=moves_of(actor, item))

    @console_page(ITEM_PATH + "/<move>", method="POST")
    def calendar_move(self, request, language, actor, item_id, move):
        """Schedule, decline, withdraw, cancel, or answer for one's part: each a plain POST."""
        operation = MOVES.get(move)
        if operation is None:
            raise PageError(404, "not found")
        form = read_form(request)
        body = operation[1](form)
        try:
            self.rpc("calendar", operation[0], actor, item_id, body)
        except DomainError as exc:
            if exc.status not in (400, 409):
                raise
            errors = {f"{move}-{field}": message for field, message in reading.errors_of(exc).items()}
            if (exc.fields or {}).get("clashes"):  # schedule refused: the reason to override is what is missing
                errors = {f"{move}-override_reason": PAGES.gettext(language, CLASH_NEEDS_REASON)}
            return self._item_page(request, language, actor, item_id, status=exc.status,
                                   errors=errors, values=form.to_dict(), action=move,
                                   clashes=(exc.fields or {}).get("clashes"))
        return redirect(f"/console/kalender/{item_id}", code=303)

    # --- propose and edit ---

    @console_page("/console/kalender/usul")
    def calendar_propose_form(self, request, language, actor):
        return self._item_form(request, language, actor, None, {"timezone": self.forum_timezone,
                                                                 "kind": "press_conference",
                                                                 "visibility": "public"})

    @console_page("/console/kalender/usul", method="POST")
    def calendar_propose(self, request, language, actor):
        form = read_form(request)
        body = reading.form_body(form, self.forum_timezone)
        if finding(form):
            return self._item_form(request, language, actor, None, form_state(form))
        if form.get("action") == "check":
            return self._item_form(request, language, actor, None, form_state(form), check=body)
        try:
            item = self.rpc("calendar", "propose_item", actor, body)
        except DomainError as exc:
            if exc.status not in (400, 409):
                raise
            return self._item_form(request, language, actor, None, form_state(form), errors=reading.errors_of(exc),
                                   status=exc.status, check=body)
        return redirect(f"/console/kalender/{item['id']}", code=303)

    @console_page(ITEM_PATH + "/ubah")
    def calendar_edit_form(self, request, language, actor, item_id):
        item = self.rpc("calendar", "get_item", actor, item_id)
        return self._item_form(request, language, actor, item, reading.form_values(item))

    @console_page(ITEM_PATH + "/ubah", method="POST")
    def calendar_edit(self, request, language, actor, item_id):
        form = read_form(request)
        item = self.rpc("calendar", "get_item", actor, item_id)
        body = reading.form_body(form, item["timezone"])
        body.pop("kind", None)
        if finding(form):
            return self._item_form(request, language, actor, item, form_state(form))
        if form.get("action") == "check":
            return self._item_form(request, language, actor, item, form_state(form), check=body)
        try:
            self.rpc("calendar", "change_item", actor, item_id, body)
        except DomainError as exc:
            if exc.status not in (400, 409):
                raise
            return self._item_form(request, language, actor, item, form_state(form), errors=reading.errors_of(exc),
                                   status=exc.status, check=body, clashes=(exc.fields or {}).get("clashes"))
        return redirect(f"/console/kalender/{item_id}", code=303)

    def _item_form(self, request, language, actor, item, values, errors=None, status=200, check=None,
                   clashes=None):
        """The propose (``item`` None) or edit form; with ``check``, the clashes and free slots of
        what was typed beside it (asked side by side with the agencies)."""
        planning = self._planning(actor, item, check) if check else None
        if planning is not None and clashes:
            planning["clashes"] = clashes
        return console_render(request, language, actor, "console/calendar/form.html", status=status, item=item,
                              values=values, errors=errors or {}, planning=planning, zones=ZONES,
                              kinds=ITEM_KINDS, supporting=picker(self.rpc, values, "supporting_agency_ids",
                                                                  values.get("supporting_agency_ids") or []))

    def _planning(self, actor, item, body):
        """Clashes and free slots of a form's body, asked side by side; what cannot be asked yet
        (no time typed) is an empty panel, never an error."""
        lead = item["lead_agency_id"] if item else actor["agency_id"]
        query = reading.planning_query(body, item and item["id"], lead)
        slots_query = reading.slot_query(query, body)
        if slots_query is None:
            return {"clashes": [], "slots": [], "asked": False}
        clashes = self.rpc.start("calendar", "clash_check", actor, query)
        slots = self.rpc.start("calendar", "free_slots", actor, slots_query)
        try:
            return {"clashes": clashes()["clashes"], "slots": slots()["slots"], "asked": True,
                    "zone": slots_query["timezone"]}
        except DomainError:
            return {"clashes": [], "slots": [], "asked": False}

    @console_page("/console/kalender/periksa")
    def calendar_check(self, request, language, actor):
        """The clash panel alone, for htmx as one types in the form (the form's fields as a query)."""
        item = self.rpc("calendar", "get_item", actor, request.args["item_id"]) if request.args.get("item_id") else None
        body = reading.form_body(request.args, item["timezone"] if item else self.forum_timezone)
        return console_render(request, language, actor, "console/calendar/_planning.html",
                              planning=self._planning(actor, item, body), values=request.args)

    # --- the ICS links ---

    @console_page("/console/kalender/langganan")
    def calendar_feeds(self, request, language, actor):
        return console_render(request, language, actor, "console/calendar/feeds.html", link=None,
                              public_url=self.public_url)

    @console_page("/console/kalender/langganan", method="POST")
    def calendar_rotate_feed(self, request, language, actor):
        read_form(request)
        link = self.rpc("calendar", "rotate_feed_link", actor, actor["agency_id"])
        return console_render(request, language, actor, "console/calendar/feeds.html", link=link,
                              public_url=self.public_url)


def form_state(form):
    """What was typed, as the form shows it again (checkboxes as a list)."""
    values = form.to_dict()
    values["supporting_agency_ids"] = form.getlist("supporting_agency_ids")
    return values


def _reason(form):
    return {"reason": form.get("reason", "").strip()}


def _schedule(form):
    override = form.get("override_reason", "").strip()
    return {"override_reason": override} if override else {}


# The moves of an item page: the path's last part -> (RPC, how the form becomes its body).
MOVES = {
    "jadwalkan": ("schedule_item", _schedule),
    "tolak": ("decline_item", _reason),
    "tarik": ("withdraw_item", _reason),
    "batalkan": ("cancel_item", _reason),
    "partisipasi": ("respond", lambda form: {"response": form.get("response", "")}),
}


def moves_of(actor, item):
    """The moves the reader may make on the item in its current state (the calendar decides again)."""
    coordinator = actor["role"] == "coordinator"
    lead = actor["agency_id"] == item["lead_agency_id"]
    part = next((p for p in item["participants"] if p["role"] == "supporting" and p["agency_id"] == actor["agency_id"]),
                None)
    state = item["state"]
    return {"schedule": coordinator and state == "proposed", "decline": coordinator and state == "proposed",
            "withdraw": lead and state == "proposed", "cancel": (lead or coordinator) and state == "scheduled",
            "edit": (lead or coordinator) and state in ("proposed", "scheduled"),
            "respond": part if part and state in ("proposed", "scheduled") else None}
