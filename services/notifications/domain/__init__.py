"""Notification rules: who is told what (kinds, audiences, defaults per role), preferences and the
signed unsubscribe link, the fan-out from an event to messages, the outbox with its retries and
delivery log, the daily digest in each agency's zone, the WhatsApp door's replies, WhatsApp's 24-hour
window and Meta's status reports, and the mails to an account about itself (its invitation, a change
of its second factor).

One module per topic; the operations the service, the tests and the bench call are named here.
"""
from services.notifications.domain.agencies import agency_departed, keep_agency
from services.notifications.domain.digests import build_digest, digest_candidates
from services.notifications.domain.door import NEEDS_A_NUMBER, complaint_body, queue_reply, read_message, replied
from services.notifications.domain.invitations import mail_invitation, mail_second_factor_change
from services.notifications.domain.fanout import claim_notices, fan_out, record_notices
from services.notifications.domain.kinds import (
    CHANNELS, DEFAULT_MODES, INVITATION_KIND, MODES, OFFICER_KINDS, REPORTER_KINDS, SECOND_FACTOR_KIND,
    WHATSAPP_TEMPLATE_KINDS, default_mode, notices_for)
from services.notifications.domain.outbox import (
    Outgoing, Policy, claim_messages, delivery_log, messages_by_state, record_attempt)
from services.notifications.domain.reminders import due_reminders
from services.notifications.domain.preferences import (
    preferences, set_preferences, unsubscribe, unsubscribe_link_kind, unsubscribe_token)
from services.notifications.domain.whatsapp import (
    NotYetSent, heard_from, meta_error, record_status, retriable, whatsapp_form, window_open)
from services.notifications.domain.zones import last_digest_time, zone_of_region

__all__ = [
    "agency_departed", "keep_agency", "build_digest", "digest_candidates",
    "NEEDS_A_NUMBER", "complaint_body", "queue_reply", "read_message", "replied", "claim_notices", "fan_out", "record_notices",
    "CHANNELS", "DEFAULT_MODES", "MODES", "OFFICER_KINDS", "REPORTER_KINDS", "default_mode", "notices_for",
    "Outgoing", "Policy", "claim_messages", "delivery_log", "messages_by_state", "record_attempt",
    "preferences", "set_preferences", "unsubscribe", "unsubscribe_link_kind", "unsubscribe_token",
    "last_digest_time", "zone_of_region", "due_reminders", "INVITATION_KIND", "mail_invitation",
    "WHATSAPP_TEMPLATE_KINDS", "NotYetSent", "heard_from", "meta_error", "record_status", "retriable",
    "whatsapp_form", "window_open",
    "SECOND_FACTOR_KIND", "mail_second_factor_change",
]
