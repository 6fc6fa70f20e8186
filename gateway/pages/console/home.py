"""Beranda: what waits for the officer and their agency, most urgent first (one round of three
reads in parallel, one per service)."""
from gateway.pages.console.session import console_page, console_render
from shared.rules import is_coordinator


class ConsoleHome:
    """Needs ``self.rpc`` and ``self.forum_timezone`` from the gateway service."""

    @console_page("/console/")
    def console_home(self, request, language, actor):
        complaints = self.rpc.start("complaints", "waiting_for", actor)
        calendar = self.rpc.start("calendar", "waiting_for", actor)
        content = self.rpc.start("distribution", "waiting_for", actor)
        return console_render(request, language, actor, "console/home.html", complaints=complaints(),
                              calendar=calendar(), content=content(), coordinator=is_coordinator(actor),
                              zone=self.forum_timezone)
