"""Calendar links: content tied to a calendar item follows it when it moves or is cancelled."""
from datetime import datetime, timezone

from sqlalchemy import select

from services.distribution.models import ContentItem


def _instant(value):
    """A calendar time as an aware datetime, whether the contract handed a string or a datetime."""
    when = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    if when.tzinfo is None:
        raise ValueError("calendar times must carry their zone")
    return when.astimezone(timezone.utc)


def _linked_pending(uow, calendar_item):
    revision = calendar_item["revision"]
    for item in uow.session.scalars(select(ContentItem).where(
            ContentItem.calendar_item_id == calendar_item["id"],
            ContentItem.state.in_(("draft", "embargoed")))):
        if item.calendar_revision is not None and item.calendar_revision >= revision:
            continue
        item.calendar_revision = revision
        yield item


def follow_reschedule(uow, calendar_item):
    """The calendar item moved: an embargo tied to it moves to its new embargo time (else its new start)."""
    moved = []
    # the calendar's contract names the field embargo_at; embargo_until is accepted as its alias
    embargo = calendar_item.get("embargo_at", calendar_item.get("embargo_until"))
    new_time = _instant(embargo or calendar_item["start"])
    for item in _linked_pending(uow, calendar_item):
        if item.embargo_until is not None:
            item.embargo_until = new_time
            moved.append(item.id)
    return moved


def follow_cancellation(uow, calendar_item):
    """The calendar item was cancelled: its embargoed content goes back to draft, withheld."""
    held = []
    for item in _linked_pending(uow, calendar_item):
        if item.state == "embargoed":
            item.state, item.pub_status = "draft", "withheld"
            held.append(item.id)
    return held
