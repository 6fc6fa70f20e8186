"""Direktori → Impor: the coordinator moves the forum in from its member list (the same preview and
apply as ``POST /api/v1/agencies/import``). The preview keeps the table it read in the page, so
what is applied is exactly what was previewed, without sending the file again."""
import json

from gateway.errors import HttpError
from gateway.http import download_response, read_form
from gateway.pages.console.session import N_, console_page, console_render
from gateway.pages.service_said import ServiceMessage
from gateway.pages.web import PAGES, PageError
from gateway.routes.directory import import_member_list
from gateway.spreadsheets import (MAX_MEMBER_LIST_UPLOAD, TEMPLATE_FILENAME, XLSX_TYPE, read_member_list,
                                  template_xlsx, uploaded_file)
from services.directory import schemas
from shared.errors import ValidationFailed
from shared.rules import is_coordinator

IMPORT_PATH = "/console/direktori/impor"
HEADERS = dict(schemas.IMPORT_COLUMNS)
NOT_A_MEMBER_LIST = N_("Choose the member list's file (XLSX or CSV with the template's columns) and preview it")


def problems_of(exc):
    """What is wrong with the file as a whole: the service's messages (the header's), or the gateway's."""
    fields = exc.fields or {}
    messages = [message for values in fields.values() for message in (values if isinstance(values, list) else [])
                if isinstance(message, str)]
    return [ServiceMessage(message) for message in messages] or [ServiceMessage(exc.message)]


def plan_shown(plan):
    """The plan as the page reads it: columns by their headers, the service's reasons in the reader's language."""
    if plan is None:
        return None
    return {**plan, "rows": [{**row, "changed": [HEADERS.get(name, name) for name in row["changed"]],
                              "errors": {column: [ServiceMessage(m) for m in messages]
                                         for column, messages in row["errors"].items()}}
                             for row in plan["rows"]]}


class ConsoleMemberList:
    """Needs ``self.rpc`` and ``self.public_url`` from the gateway service."""

    def _import_page(self, request, language, actor, plan=None, table=None, problems=(), status=200):
        if not is_coordinator(actor):
            raise PageError(404, "not found")
        return console_render(request, language, actor, "console/direktori/import.html", status=status,
                              plan=plan_shown(plan), table=json.dumps(table) if table else None, problems=problems,
                              columns=schemas.IMPORT_COLUMNS, required=schemas.IMPORT_REQUIRED)

    @console_page(IMPORT_PATH)
    def console_import(self, request, language, actor):
        return self._import_page(request, language, actor)

    @console_page(IMPORT_PATH + "/templat.xlsx")
    def console_import_template(self, request, language, actor):
        if not is_coordinator(actor):
            raise PageError(404, "not found")
        return download_response(template_xlsx(), XLSX_TYPE, TEMPLATE_FILENAME)

    @console_page(IMPORT_PATH, method="POST", max_body=MAX_MEMBER_LIST_UPLOAD)
    def console_import_preview(self, request, language, actor):
        return self._imported(request, language, actor, lambda: read_member_list(uploaded_file(request)), True)

    @console_page(IMPORT_PATH + "/terapkan", method="POST", max_body=MAX_MEMBER_LIST_UPLOAD)
    def console_import_apply(self, request, language, actor):
        return self._imported(request, language, actor, lambda: previewed_table(request), False)

    def _imported(self, request, language, actor, read_table, dry_run):
        """The preview or the applied import of the table ``read_table`` gives; a file or a header that
        is refused shows the form again, saying why."""
        if not is_coordinator(actor):
            raise PageError(404, "not found")
        try:
            table = read_table()
            plan = import_member_list(self.rpc, self.public_url, actor, table, dry_run)
        except (HttpError, ValidationFailed) as exc:
            if exc.status >= 500:
                raise
            return self._import_page(request, language, actor, problems=problems_of(exc), status=exc.status)
        return self._import_page(request, language, actor, plan=plan, table=table if dry_run else None)


def previewed_table(request):
    """The table a preview kept in its page."""
    try:
        table = json.loads(read_form(request).get("table") or "null")
    except ValueError:
        table = None
    if not isinstance(table, dict):
        raise HttpError(400, "validation_failed", NOT_A_MEMBER_LIST)
    return table
