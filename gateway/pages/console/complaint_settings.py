"""Pengaduan for the coordinator: the categories, the routing rules and the figures (charts drawn
as SVG on the server, the same figures in tables). The complaints service refuses a member; these
pages only call it."""
import functools
import uuid

from gateway.pages.charts import bar_chart
from gateway.pages.console.complaints import BASE, category_names
from gateway.pages.console.posting import submitted
from gateway.pages.console.session import console_page, console_render
from gateway.pages.pickers import picker
from gateway.pages.web import PAGES
from shared.contracts.directory import AGENCY_KINDS


def figure_rows(groups, label, figure):
    """``[(label, value)]`` of one figure over the groups, the largest first."""
    rows = [(label(key, figures), figures[figure]) for key, figures in groups.items()]
    return sorted(rows, key=lambda row: (-(row[1] or 0), str(row[0])))


class ConsoleComplaintSettings:
    """Needs ``self.rpc`` and ``self.complaint_intake`` from the gateway service."""

    # ------------------------------------------------ figures

    @console_page(BASE + "/angka")
    def console_complaint_figures(self, request, language, actor):
        figures = self.rpc.start("complaints", "stats", actor)
        names = category_names(self.rpc("complaints", "list_categories"), language)
        figures = figures()
        gettext = functools.partial(PAGES.gettext, language)

        def agency(key, found):
            return found["agency"]["name"] if found.get("agency") else gettext("Triage")

        def category(key, found):
            return names.get(key, key) if key != "uncategorised" else gettext("No category")

        charts = [
            ("overdue-agency", gettext("Overdue open complaints per agency"),
             figure_rows(figures["by_agency"], agency, "overdue")),
            ("first-answer-agency", gettext("Median hours to the first public answer, per agency"),
             figure_rows(figures["by_agency"], agency, "median_first_response_hours")),
            ("overdue-category", gettext("Overdue open complaints per category"),
             figure_rows(figures["by_category"], category, "overdue")),
            ("first-answer-category", gettext("Median hours to the first public answer, per category"),
             figure_rows(figures["by_category"], category, "median_first_response_hours")),
        ]
        return console_render(request, language, actor, "console/pengaduan/figures.html", figures=figures,
                              charts=[(chart_id, title, bar_chart(chart_id, title, rows), rows)
                                      for chart_id, title, rows in charts])

    # ------------------------------------------------ categories

    def _categories_page(self, request, language, actor, values=None, errors=None, status=200):
        return console_render(request, language, actor, "console/pengaduan/categories.html",
                              categories=self.rpc("complaints", "list_categories"), values=values or {},
                              errors=errors or {}, idempotency_key=str(uuid.uuid4()),
                              done=request.args.get("selesai"), status=status)

    @console_page(BASE + "/kategori")
    def console_categories(self, request, language, actor):
        return self._categories_page(request, language, actor)

    def _change_categories(self, request, language, actor, change, done):
        def changed(values):
            change(values)
            self.complaint_intake.categories_changed()  # the intake's cached list, at once

        return submitted(request, changed, lambda values, errors, status: self._categories_page(
            request, language, actor, values, errors, status), f"{BASE}/kategori?selesai={done}")

    @console_page(BASE + "/kategori", method="POST")
    def console_add_category(self, request, language, actor):
        return self._change_categories(request, language, actor, lambda values: self.rpc(
            "complaints", "add_category", actor, values,
            idempotency_key=request.form.get("idempotency_key") or None), "added")

    @console_page(BASE + "/kategori/<code>/nonaktifkan", method="POST")
    def console_retire_category(self, request, language, actor, code):
        return self._change_categories(request, language, actor, lambda values: self.rpc(
            "complaints", "remove_category", actor, code), "retired")

    # ------------------------------------------------ routing rules

    def _rules_page(self, request, language, actor, values=None, errors=None, status=200):
        rules = self.rpc.start("complaints", "list_rules", actor)
        categories = self.rpc.start("complaints", "list_categories")
        values = values or {}
        agency = picker(self.rpc, values, "agency_id", [values.get("agency_id")])
        rules, categories = rules(), categories()
        named = {agency_id: self.rpc.start("directory", "get_agency", agency_id)
                 for agency_id in {rule["agency_id"] for rule in rules if rule["agency_id"]}}
        return console_render(request, language, actor, "console/pengaduan/rules.html", rules=rules,
                              categories=categories, category_names=category_names(categories, language),
                              agency_picked=agency, names={agency_id: read() for agency_id, read in named.items()},
                              kinds=AGENCY_KINDS,
                              values=values or {}, errors=errors or {}, idempotency_key=str(uuid.uuid4()),
                              done=request.args.get("selesai"), status=status)

    @console_page(BASE + "/aturan")
    def console_rules(self, request, language, actor):
        return self._rules_page(request, language, actor)

    def _change_rules(self, request, language, actor, change, done):
        return submitted(request, change, lambda values, errors, status: self._rules_page(
            request, language, actor, values, errors, status), f"{BASE}/aturan?selesai={done}")

    @console_page(BASE + "/aturan", method="POST")
    def console_add_rule(self, request, language, actor):
        return self._change_rules(request, language, actor, lambda values: self.rpc(
            "complaints", "add_rule", actor, values,
            idempotency_key=request.form.get("idempotency_key") or None), "added")

    @console_page(BASE + "/aturan/<rule_id>/hapus", method="POST")
    def console_delete_rule(self, request, language, actor, rule_id):
        return self._change_rules(request, language, actor, lambda values: self.rpc(
            "complaints", "delete_rule", actor, rule_id), "deleted")
