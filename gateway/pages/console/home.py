"""Beranda: what waits for the officer and their agency, most urgent first (one round of three
reads in parallel, one per service, each kept a while by ``self.recent``); and the page for a
console address that has none."""
from gateway.pages.console.session import console_page, console_render
from gateway.pages.web import PageError, page
from shared.rules import is_coordinator


class ConsoleHome:
    """Needs ``self.rpc``, ``self.recent`` and ``self.forum_timezone`` from the gateway service."""

    @console_page("/console/")
    def console_home(self, request, language, actor):
        complaints = self.recent.start(self.rpc, "complaints", "waiting_for", actor)
        calendar = self.recent.start(self.rpc, "calendar", "waiting_for", actor)
        content = self.recent.start(self.rpc, "distribution", "waiting_for", actor)
        return console_render(request, language, actor, "console/home.html", complaints=complaints(),
                              calendar=calendar(), content=content(), coordinator=is_coordinator(actor),
                              zone=self.forum_timezone)

    @page("/console/<path:unknown>")
    def unknown_console_page(self, request, language, unknown):
        """Matched only when no console page has the address: a page in the reader's language, not
        the API's JSON 404."""
        raise PageError(404, "no such console page")
