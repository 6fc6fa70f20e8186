"""Beranda: the console's home page (a greeting until the work lists arrive)."""
from gateway.pages.console.session import HOME_PATH, console_page, console_render


class ConsoleHome:
    """Needs ``self.rpc``, ``self.sessions`` and ``self.public_url`` from the gateway service."""

    @console_page(HOME_PATH)
    def console_home(self, request, language, actor):
        return console_render(request, language, actor, "console/home.html")
