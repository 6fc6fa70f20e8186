"""Notifikasi: the signed-in account chooses, per kind, at once, in the daily digest or not at all, and
by mail or WhatsApp; below, the delivery log (the coordinator reads every agency's, failures first)."""
from werkzeug.utils import redirect

from gateway.pages.console.session import console_page, console_render
from gateway.pages.paging import Paging
from gateway.pages.web import PageError
from shared.errors import DomainError

PATH = "/console/notifikasi"
LOG_PAGE = 50


def choices_from(form, kinds):
    """The form as the RPC takes it: the channel and each kind's mode (what the form did not send stays)."""
    data = {"kinds": {kind: form[f"kind-{kind}"] for kind in kinds if form.get(f"kind-{kind}")}}
    if form.get("channel"):
        data["channel"] = form["channel"]
    return data


class ConsoleNotifications:
    """Needs ``self.rpc``, ``self.sessions``, ``self.public_url`` and ``self.forum_timezone`` from the gateway."""

    def _show(self, request, language, actor, errors=None, status=200, saved=False):
        choices = self.rpc.start("notifications", "preferences", actor)
        log_page = Paging.of(request.args, LOG_PAGE, keep=("gagal",))
        failed_page = Paging.of(request.args, LOG_PAGE, keep=("halaman",), parameter="gagal")
        log = self.rpc.start("notifications", "delivery_log", actor, log_page.asked())
        failed = self.rpc("notifications", "delivery_log", actor, failed_page.asked({"state": "failed"}))
        log = log()
        return console_render(request, language, actor, "console/notifications.html", status=status,
                              choices=choices(), log=log, failed=failed, errors=errors or {}, saved=saved,
                              log_page=log_page.counted(log["total"]),
                              failed_page=failed_page.counted(failed["total"]), zone=self.forum_timezone)

    @console_page(PATH)
    def console_notifications(self, request, language, actor):
        return self._show(request, language, actor, saved=request.args.get("disimpan") == "1")

    @console_page(PATH, method="POST")
    def console_notifications_save(self, request, language, actor):
        kinds = [entry["kind"] for entry in self.rpc("notifications", "preferences", actor)["kinds"]]
        try:
            self.rpc("notifications", "set_preferences", actor, choices_from(request.form, kinds))
        except DomainError as exc:
            if exc.status != 400:
                raise PageError(exc.status, exc.message) from None
            return self._show(request, language, actor, errors=exc.fields, status=400)
        return redirect(f"{PATH}?disimpan=1", code=303)
