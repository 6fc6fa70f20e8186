"""The public pages: Beranda, Berita, Instansi, Agenda, Lacak (and the static files they use)."""
from urllib.parse import quote

import eventlet
from werkzeug.utils import redirect

from gateway.http import feed_response
from gateway.pages.paging import Paging
from gateway.pages.public.reading import (by_week, one_event_calendar, release_from_ninjs,
                                          upcoming_events)
from gateway.pages.web import PAGES, STATIC_FILES, PageError, page
from shared.errors import DomainError

HOME_RELEASES = 8
HOME_EVENT_DAYS = 30
MEMBERS_PER_PAGE = 24
# How many agency reads the member list runs side by side (the list has no channels of its own).
AGENCY_READS = 10


class PublicPages:
    """Needs ``self.rpc``, ``self.public_url`` and ``self.forum_timezone`` from the gateway service."""

    @page("/")
    def home(self, request, language):
        feed = self.rpc.start("distribution", "json_feed", {})
        calendar = self.rpc.start("calendar", "public_feed")
        members = self.rpc("directory", "list_agencies", {"active": True, "limit": 1, "offset": 0})["total"]
        releases = [release_from_ninjs(document) for document in feed()[:HOME_RELEASES]]
        events = upcoming_events(calendar(), days=HOME_EVENT_DAYS)
        return PAGES.render(language, "public/home.html", releases=releases, events=events,
                            members=members, zone=self.forum_timezone, public_url=self.public_url)

    @page("/instansi")
    def members(self, request, language):
        """The forum's members with their official channels, a page at a time, found by name."""
        paging = Paging.of(request.args, MEMBERS_PER_PAGE, keep=("q",))
        query = {"active": True, "limit": paging.size, "offset": paging.offset}
        typed = request.args.get("q", "").strip()[:100]
        found = self.rpc("directory", "list_agencies", {**query, "q": typed} if typed else query)
        members = list(eventlet.GreenPool(AGENCY_READS).imap(
            lambda agency: self.rpc("directory", "get_agency", agency["id"]), found["items"]))
        return PAGES.render(language, "public/members.html", members=members, typed=typed,
                            paging=paging.counted(found["total"]))

    @page("/berita/<item_id>")
    def release(self, request, language, item_id):
        item = self.rpc("distribution", "get_content", None, item_id)  # the public's view: what went out
        agencies = [{"id": source["uri"].rsplit(":", 1)[-1], "name": source.get("name", "")}
                    for source in item["ninjs"].get("infoSources", [])]
        return PAGES.render(language, "public/release.html", item=item, agencies=agencies,
                            zone=self.forum_timezone, public_url=self.public_url,
                            page_url=f"{self.public_url}/berita/{item['id']}")

    @page("/instansi/<agency_id>")
    def agency(self, request, language, agency_id):
        feed = self.rpc.start("distribution", "json_feed", {"agency_id": agency_id})
        agency = self.rpc("directory", "get_agency", agency_id)
        if not agency["active"]:
            raise PageError(404, "not found")
        parent = self.rpc("directory", "get_agency", agency["parent_id"]) if agency["parent_id"] else None
        releases = [release_from_ninjs(document) for document in feed()]
        return PAGES.render(language, "public/agency.html", agency=agency, parent=parent, releases=releases,
                            zone=self.forum_timezone, public_url=self.public_url)

    @page("/agenda")
    def agenda(self, request, language):
        weeks = by_week(upcoming_events(self.rpc("calendar", "public_feed")))
        return PAGES.render(language, "public/agenda.html", weeks=weeks, zone=self.forum_timezone)

    @page("/agenda/<uid>.ics")
    def event_calendar(self, request, language, uid):
        single = one_event_calendar(self.rpc("calendar", "public_feed"), uid)
        if single is None:
            raise PageError(404, "not found")
        response = feed_response(single, "text/calendar")
        response.headers["Content-Disposition"] = "attachment; filename=agenda.ics"
        return response

    @page("/lacak")
    def track_form(self, request, language):
        number = request.args.get("nomor", "").strip()
        if number:  # the form's GET: on to the tracking page of what was typed
            return redirect(f"/lacak/{quote(number, safe='')}", code=303)
        return PAGES.render(language, "public/track_form.html", values={})

    @page("/lacak/<number>")
    def track(self, request, language, number):
        try:
            tracking = self.rpc("complaints", "track", number)
        except DomainError as exc:
            if exc.status != 404:
                raise
            return PAGES.render(language, "public/track_form.html", status=404, unknown_number=True,
                                values={"nomor": number})
        return PAGES.render(language, "public/track.html", tracking=tracking, zone=self.forum_timezone)

    @page("/static/<name>")
    def static_file(self, request, language, name):
        response = STATIC_FILES.response(name)
        if response is None:
            raise PageError(404, "not found")
        return response


