"""Turning what the calendar answers into what the Kalender pages show, and what a form sends
into what the calendar takes (no transport, no templates)."""
import functools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from gateway.pages.console import forms
from gateway.pages.console.forms import DEFAULT_ZONE, moment

WEEK = timedelta(days=7)


def month_of(text, today):
    """``2026-12`` as the first day of that month; anything else: the month of ``today``."""
    try:
        return datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return today.replace(day=1)


def week_of(text, today):
    """The Monday of the week of ``2026-12-09`` (any day in it); anything else: this week's."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        day = today
    return day - timedelta(days=day.weekday())


def period(args, today, language):
    """The month (``?bulan=2026-12``) or week (``?tampilan=minggu&minggu=2026-12-07``) a calendar
    page shows: its first and last (excluded) day, its title and the neighbours' links."""
    if args.get("tampilan") == "minggu":
        first = week_of(args.get("minggu"), today)
        return {"kind": "week", "first": first, "last": first + WEEK, "previous": (first - WEEK).isoformat(),
                "next": (first + WEEK).isoformat(), "title": format_date(first, "d MMMM y", locale=language)}
    first = month_of(args.get("bulan"), today)
    this_month = first == today.replace(day=1)
    return {"kind": "month", "first": first, "last": next_month(first),
            "previous": previous_month(first).strftime("%Y-%m"), "next": next_month(first).strftime("%Y-%m"),
            "week": week_of(None, today if this_month else first).isoformat(),
            "title": format_date(first, "MMMM y", locale=language)}


@functools.lru_cache(maxsize=4096)
def day_label(day, language):
    """``Senin, 7 Desember``: a calendar day's heading (the same few hundred days come back often)."""
    return format_date(day, "EEEE, d MMMM", locale=language)


def next_month(first):
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(first):
    return (first - timedelta(days=1)).replace(day=1)


def window(first, last, zone):
    """The list query of the days [first, last) in ``zone``, as the JSON API takes it."""
    tz = ZoneInfo(zone)
    return {"from": datetime.combine(first, time(), tz).isoformat(),
            "to": datetime.combine(last, time(), tz).isoformat()}


def shown_time(local_iso):
    """``14.30`` from ``2026-12-09T14:30:00+08:00``: the item's own local clock, as Indonesians write it."""
    return local_iso[11:16].replace(":", ".")


def days_with_items(items, first, last):
    """``[(day, [items], 0)]`` for each day in [first, last): an item is on the day it starts in its own zone."""
    by_day = {}
    for item in items:
        by_day.setdefault(item["start_local"][:10], []).append(item)
    return [(day, by_day.get(day.isoformat(), []), 0) for day in each_day(first, last)]


def month_days(answered, first, last):
    """``[(day, [first items], how many more)]`` for each day in [first, last), from the calendar's
    days (only those with items)."""
    by_day = {day["date"]: day for day in answered}
    days = []
    for day in each_day(first, last):
        found = by_day.get(day.isoformat())
        days.append((day, found["items"], found["count"] - len(found["items"])) if found else (day, [], 0))
    return days


def each_day(first, last):
    day = first
    while day < last:
        yield day
        day += timedelta(days=1)


def form_body(form, zone_default=DEFAULT_ZONE):
    """A propose or edit form, as the calendar's JSON body. What cannot be read is left for the
    calendar to name (it loads the body with the same schema as the API)."""
    zone = form.get("timezone") or zone_default
    body = {"kind": form.get("kind", ""), "title": form.get("title", "").strip(),
            "description": form.get("description", "").strip(), "timezone": zone,
            "venue": form.get("venue", "").strip(), "visibility": form.get("visibility") or "public",
            "officials": officials(form.get("officials", "")),
            "supporting_agency_ids": form.getlist("supporting_agency_ids")}
    for field, clock in (("start", "start_time"), ("end", "end_time")):
        body[field] = moment(form.get("date", ""), form.get(clock, ""), zone)
    for field in ("reason", "override_reason"):
        if form.get(field, "").strip():
            body[field] = form[field].strip()
    return body


def officials(text):
    """One official a line, ``Name, Position``."""
    found = []
    for line in text.splitlines():
        name, _, position = line.partition(",")
        if name.strip():
            found.append({"name": name.strip(), "position": position.strip()})
    return found


def form_values(item):
    """An item as its edit form shows it."""
    return {"kind": item["kind"], "title": item["title"], "description": item.get("description", ""),
            "timezone": item["timezone"], "venue": item["venue"], "visibility": item["visibility"],
            "date": item["start_local"][:10], "start_time": item["start_local"][11:16],
            "end_time": item["end_local"][11:16],
            "officials": "\n".join(f"{o['name']}, {o['position']}".rstrip(", ") for o in item.get("officials", [])),
            "supporting_agency_ids": [p["agency_id"] for p in item.get("participants", []) if p["role"] == "supporting"]}


def planning_query(body, exclude_item_id=None, lead_agency_id=None):
    """The clash check and free-slot search of a form's body: its agencies, officials, venue."""
    agencies = [a for a in [lead_agency_id, *body.get("supporting_agency_ids", [])] if a]
    query = {"agencies": ",".join(agencies), "officials": ",".join(o["name"] for o in body.get("officials", [])),
             "venue": body.get("venue", ""), "start": body.get("start", ""), "end": body.get("end", "")}
    if exclude_item_id:
        query["exclude_item_id"] = exclude_item_id
    return query


def slot_query(query, body):
    """Free slots of the same length over the next two weeks from the wanted start, in working hours."""
    try:
        start, end = datetime.fromisoformat(body["start"]), datetime.fromisoformat(body["end"])
    except (KeyError, ValueError):
        return None
    minutes = int((end - start).total_seconds() // 60)
    if minutes < 5:
        return None
    return {"agencies": query["agencies"], "officials": query["officials"], "venue": query["venue"],
            "from": start.isoformat(), "to": (start + 2 * WEEK).isoformat(), "duration_minutes": str(minutes),
            "timezone": body.get("timezone", DEFAULT_ZONE), "limit": "5"}


# Where the form asks for what the calendar names otherwise.
FORM_FIELDS = {"start": "start_time", "end": "end_time"}


def errors_of(exc):
    return forms.errors_of(exc, FORM_FIELDS)
