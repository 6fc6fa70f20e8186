"""Distribution rules: content and its states, joint approval, fan-out to subscriptions, amplification, feeds.

One module per topic; the operations the service (and the courier) call are re-exported here.
"""
from services.distribution.domain.access import get_item
from services.distribution.domain.agenda import waiting_for
from services.distribution.domain.agencies import agency_departed, keep_agency
from services.distribution.domain.amplification import (Report, amplification_report, answer_amplification,
                                                        request_amplification, requests_addressed_to)
from services.distribution.domain.calendar_links import follow_cancellation, follow_reschedule
from services.distribution.domain.content import (ShownItem, approve, correct, create_content, edit_draft,
                                                  list_content, publish, publish_due_embargoes, show_item,
                                                  withdraw)
from services.distribution.domain.deliveries import (claim_deliveries, create_subscription, delete_subscription,
                                                     deliveries_by_state, list_deliveries, list_subscriptions,
                                                     record_attempt, replay, rotate_secret)
from services.distribution.domain.documents import ninjs
from services.distribution.domain.feeds import atom_feed, feed_items, json_feed
from services.distribution.domain.sanitising import sanitise

__all__ = ["Report", "ShownItem", "agency_departed", "amplification_report", "answer_amplification", "approve",
           "atom_feed", "claim_deliveries", "correct", "create_content", "create_subscription",
           "delete_subscription", "deliveries_by_state", "edit_draft", "feed_items", "follow_cancellation",
           "follow_reschedule", "get_item", "json_feed", "keep_agency", "list_content", "list_deliveries",
           "list_subscriptions", "ninjs", "publish", "publish_due_embargoes", "record_attempt", "replay",
           "request_amplification", "requests_addressed_to", "rotate_secret", "sanitise", "show_item",
           "waiting_for", "withdraw"]
