"""Beranda: what waits for the officer and their agency, most urgent first (one round of three
reads in parallel, one per service, each kept a while by ``self.recent``)."""
from gateway.pages.console.session import console_page, console_render
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
