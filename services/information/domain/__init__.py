"""Public information requests under UU 14/2008 (Keterbukaan Informasi Publik) and PP 61/2010:
registration, the written answer on the law's working-day clocks, forwarding to the body that
holds the information, objections to the atasan PPID, disputes at the Komisi Informasi, the
Daftar Informasi Publik and the PPID's report.

One module per topic; the operations a caller uses are re-exported here (``domain.register(...)``).
Everything takes the session (or unit of work) and the current time as arguments, so it is tested
without a broker and with any clock.
"""
from services.information.domain.agencies import agency_departed, keep_agency
from services.information.domain.clocks import (
    ANSWER_WORKING_DAYS, COMMISSION_WINDOW_WORKING_DAYS, EXTENSION_WORKING_DAYS, OBJECTION_ANSWER_WORKING_DAYS,
    OBJECTION_WINDOW_WORKING_DAYS, forum_day, forum_zone)
from services.information.domain.deadlines import (
    escalate, near_candidates, overdue_by_stage, overdue_candidates, warn)
from services.information.domain.dip import add_entry, change_entry, dip, remove_entry
from services.information.domain.forwarding import answer_forward, forward
from services.information.domain.numbers import normalise_registration_number
from services.information.domain.objections import answer_objection, file_objection, record_commission
from services.information.domain.reports import forum_report, report
from services.information.domain.requests import decide, extend, intake_scope, register, visible_request
from services.information.domain.views import list_requests, request_view, tracking_view

__all__ = [
    "agency_departed", "keep_agency", "ANSWER_WORKING_DAYS", "COMMISSION_WINDOW_WORKING_DAYS",
    "EXTENSION_WORKING_DAYS", "OBJECTION_ANSWER_WORKING_DAYS", "OBJECTION_WINDOW_WORKING_DAYS", "forum_day", "forum_zone",
    "escalate", "near_candidates", "overdue_by_stage", "overdue_candidates", "warn", "add_entry", "change_entry",
    "dip", "remove_entry", "answer_forward", "forward", "normalise_registration_number", "answer_objection",
    "file_objection", "record_commission", "forum_report", "report", "decide", "extend", "intake_scope", "register",
    "visible_request", "list_requests", "request_view", "tracking_view",
]
