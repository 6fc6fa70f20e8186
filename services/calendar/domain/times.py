"""Time rules of an item: a real duration of at most a week, an embargo only on a press release,
kept in UTC and shown in the item's zone."""
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from shared.errors import ValidationFailed

MAX_DURATION = timedelta(days=7)


def check_times(start, end):
    if end < start:
        raise ValidationFailed("the item ends before it starts", {"end": ["must be after the start"]})
    if end == start:
        raise ValidationFailed("the item has no duration", {"end": ["must be after the start (zero duration)"]})
    if end - start > MAX_DURATION:
        raise ValidationFailed("the item is too long", {"end": ["an item lasts at most 7 days"]})


def check_embargo(kind, embargo_at):
    if embargo_at is not None and kind != "press_release":
        raise ValidationFailed("only a press release has an embargo", {"embargo_at": ["press releases only"]})


def in_utc(values):
    """Times are kept (and answered) in UTC; the item's zone says how to show them."""
    for field in ("start", "end", "embargo_at"):
        if values.get(field) is not None:
            values[field] = values[field].astimezone(timezone.utc)
    return values


def local(moment, zone):
    return moment.astimezone(ZoneInfo(zone))
