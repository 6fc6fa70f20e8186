"""The page an unsubscribe link in a mail opens: it asks, then turns that kind of notice off (a POST,
so that a mail scanner following links changes nothing; the one-click ``List-Unsubscribe-Post`` of
a mail client posts here too)."""
from gateway.pages.web import PAGES, page


class UnsubscribePages:
    """Needs ``self.rpc`` from the gateway service."""

    @page("/notifikasi/berhenti/<token>")
    def unsubscribe_form(self, request, language, token):
        link = self.rpc("notifications", "unsubscribe_link", token)
        return PAGES.render(language, "public/unsubscribe.html", link=link, token=token)

    @page("/notifikasi/berhenti/<token>", method="POST")
    def unsubscribe(self, request, language, token):
        link = self.rpc("notifications", "unsubscribe", token)
        return PAGES.render(language, "public/unsubscribe.html", link=link, token=token)
