"""Who may do what with a content item: its parties, its author, who reads drafts."""
from sqlalchemy import Text, cast

from services.distribution.models import ContentItem
from shared.errors import Forbidden, NotFound
from shared.rules import is_coordinator

PUBLIC_STATES = ("published", "corrected")
EDITABLE_STATES = ("draft", "embargoed")


def is_party(actor, item):
    """The author or a co-issuer; the public (no actor) is never a party."""
    return actor is not None and (actor["agency_id"] == item.agency_id or actor["agency_id"] in item.co_issuers)


def require_author(actor, item, action):
    if actor["agency_id"] != item.agency_id and not is_coordinator(actor):
        raise Forbidden(f"only the posting agency may {action} this item")


def get_item(session, actor, item_id):
    item = session.get(ContentItem, item_id)
    if item is None or not can_read(actor, item):
        raise NotFound(f"no content {item_id}", {"item_id": ["unknown content"]})
    return item


def can_read(actor, item):
    """Drafts and embargoed items are seen only by their agencies and the coordinator; the public
    (no actor) sees only what went out (a release withdrawn under embargo never did)."""
    if actor is None:
        return item.state not in ("draft", "embargoed") and item.published_at is not None
    return item.state not in ("draft", "embargoed") or is_coordinator(actor) or is_party(actor, item)


def names_agency(agency_id, agency_list=ContentItem.co_issuers):
    """A coarse SQL pre-filter on a list of agency ids kept as JSON text (by default the
    co-issuers); callers check exactly after."""
    return cast(agency_list, Text).contains(f'"{agency_id}"')
