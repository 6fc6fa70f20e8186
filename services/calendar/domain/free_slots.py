"""Free slots: the earliest gaps of a given length in working hours, around scheduled items."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE

from services.calendar import schemas
from services.calendar.domain.clashes import overlapping_bookings, resources, split_list
from services.calendar.domain.times import local
from shared.errors import ValidationFailed
from shared.rules import load

MAX_SLOT_WINDOW = timedelta(days=92)


def working_windows(start, end, zone, day_start, day_end, weekdays_only):
    """The working hours (in ``zone``) that fall inside [start, end), as UTC-aware intervals."""
    tz = ZoneInfo(zone)
    opens, closes = time.fromisoformat(day_start), time.fromisoformat(day_end)
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        if not (weekdays_only and day.weekday() >= 5):
            window_start = max(start, datetime.combine(day, opens, tz))
            window_end = min(end, datetime.combine(day, closes, tz))
            if window_end > window_start:
                yield window_start, window_end
        day += timedelta(days=1)


def free_gaps(busy, windows, duration, limit):
    """The earliest ``limit`` free intervals of ``duration`` in ``windows``, each offered at the
    beginning of its gap. ``busy`` is a list of (start, end) sorted by start."""
    slots = []
    for window_start, window_end in windows:
        cursor = window_start
        for busy_start, busy_end in busy:
            if busy_end <= cursor:
                continue
            if busy_start >= window_end:
                break
            if busy_start - cursor >= duration:
                slots.append((cursor, cursor + duration))
                if len(slots) == limit:
                    return slots
            cursor = max(cursor, busy_end)
        if window_end - cursor >= duration:
            slots.append((cursor, cursor + duration))
            if len(slots) == limit:
                return slots
    return slots


def free_slots(session, actor, args):
    """Where the named agencies, officials and venue are all free; any member may ask (``actor``),
    ``args`` is the query as sent."""
    query = load(schemas.FreeSlotQuery, args, unknown=EXCLUDE)
    start, end = query["start"], query["end"]
    if end <= start:
        raise ValidationFailed("the window ends before it starts", {"to": ["must be after from"]})
    if end - start > MAX_SLOT_WINDOW:
        raise ValidationFailed("the window is too wide", {"to": ["search at most 92 days at once"]})
    if query["day_end"] <= query["day_start"]:
        raise ValidationFailed("working hours end before they start", {"day_end": ["must be after day_start"]})
    keys = resources(split_list(query["agencies"]), split_list(query["officials"]), query["venue"])
    if not keys:
        raise ValidationFailed("say whose time to search", {"agencies": ["give agencies, officials or a venue"]})
    busy = [(b.starts_at, b.ends_at) for b in overlapping_bookings(session, keys, start, end)]
    windows = working_windows(start, end, query["timezone"], query["day_start"], query["day_end"],
                              query["weekdays_only"])
    duration = timedelta(minutes=query["duration_minutes"])
    # A gap begins at a window's opening (local) or at a booking's end (UTC): answered alike, in
    # UTC as every calendar time is, with the local times in the zone of the working hours.
    return [{"start": s.astimezone(timezone.utc).isoformat(), "end": e.astimezone(timezone.utc).isoformat(),
             "start_local": local(s, query["timezone"]).isoformat(), "end_local": local(e, query["timezone"]).isoformat()}
            for s, e in free_gaps(busy, windows, duration, query["limit"])]
