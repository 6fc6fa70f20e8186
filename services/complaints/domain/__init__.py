"""Complaint rules: routing, the SP4N-LAPOR! lifecycle, forwarding, working-day deadlines, privacy.

One module per topic; the operations a caller uses are re-exported here (``domain.receive(...)``).
Everything takes the session (or unit of work) and the current time as arguments, so it is tested
without a broker and with any clock.
"""
from services.complaints.domain.actions import allowed_actions
from services.complaints.domain.agenda import next_deadline, waiting_for, working_days_left
from services.complaints.domain.attachments import get_attachment, reporter_attachment
from services.complaints.domain.agencies import active_agency, agency_departed, agency_names, keep_agency
from services.complaints.domain.categories import add_category, categories, change_category, remove_category
from services.complaints.domain.deadlines import (
    close_silent, escalate, near_candidates, overdue_by_stage, overdue_candidates, overdue_in_sql, overdue_stages,
    remind, silent_candidates)
from services.complaints.domain.contacts import open_complaint_of_phone, reporter_contact
from services.complaints.domain.figures import stats
from services.complaints.domain.forwarding import answer_forward, decide_forward, forward
from services.complaints.domain.intake import is_received, receive
from services.complaints.domain.lifecycle import answer, change_status, reporter_acts
from services.complaints.domain.local_holidays import keep_local_holidays, recount_running_deadlines
from services.complaints.domain.reporter import intake_deadlines, reporter_view, supplement_complaint
from services.complaints.domain.routing import (
    add_rule, change_rule, delete_rule, matching_rules, route, rules, specificity)
from services.complaints.domain.statuses import MOVES, SETTLED, STAGES
from services.complaints.domain.views import complaint_view, list_complaints, next_step, tracking_view
from services.complaints.domain.visibility import (
    get_complaint, open_to_public, public_complaint, reported_complaint, reporter_for, visible_complaint)
from services.complaints.domain.workdays import (
    SETTLE_WORKING_DAYS, SILENCE_WORKING_DAYS, forum_day, forum_zone, is_working_day, working_deadline)
from shared.intake import FOLLOW_UP_WORKING_DAYS, VERIFY_WORKING_DAYS

__all__ = [
    "allowed_actions", "next_deadline", "waiting_for", "working_days_left",
    "get_attachment", "reporter_attachment", "intake_deadlines", "reporter_view", "supplement_complaint",
    "reported_complaint",
    "active_agency", "agency_departed", "agency_names", "keep_agency",
    "add_category", "categories", "change_category", "remove_category",
    "close_silent", "escalate", "overdue_by_stage", "overdue_candidates", "overdue_in_sql", "overdue_stages",
    "silent_candidates", "near_candidates", "remind", "open_complaint_of_phone", "reporter_contact", "stats", "answer_forward", "decide_forward", "forward", "is_received", "receive",
    "answer", "change_status", "reporter_acts", "keep_local_holidays", "recount_running_deadlines", "add_rule", "change_rule", "delete_rule", "matching_rules",
    "route", "rules", "specificity", "MOVES", "SETTLED", "STAGES", "complaint_view", "next_step",
    "list_complaints", "tracking_view", "get_complaint", "open_to_public", "public_complaint", "reporter_for",
    "visible_complaint", "FOLLOW_UP_WORKING_DAYS", "forum_day", "forum_zone", "SETTLE_WORKING_DAYS", "SILENCE_WORKING_DAYS",
    "VERIFY_WORKING_DAYS", "is_working_day", "working_deadline",
]
