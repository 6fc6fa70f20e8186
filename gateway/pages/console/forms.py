"""What every console form shares: a typed date and time as ISO 8601, the forum's agencies as
checkbox options, and a service's field errors as the form macros show them."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from gateway.pages.service_said import ServiceMessage
from services.calendar.schemas import ZONES

DEFAULT_ZONE = "Asia/Makassar"


def moment(day, clock, zone):
    """``2026-12-09`` and ``14:30`` in ``zone`` as ISO 8601 with its offset; what was typed, else
    (the service then names the field)."""
    try:
        tz = ZoneInfo(zone if zone in ZONES else DEFAULT_ZONE)
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tz).isoformat()
    except ValueError:
        return f"{day}T{clock}"


def local_parts(value, zone):
    """``("2026-12-09", "14:30")``: an ISO 8601 moment as a date and time field show it in ``zone``."""
    if not value:
        return "", ""
    local = datetime.fromisoformat(value).astimezone(ZoneInfo(zone))
    return local.date().isoformat(), local.strftime("%H:%M")


def first_message(messages):
    """The first message of a marshmallow error value (nested dicts and lists included)."""
    while isinstance(messages, (dict, list)):
        if not messages:
            return ""
        messages = next(iter(messages.values())) if isinstance(messages, dict) else messages[0]
    return str(messages)


def errors_of(exc, renames=None, skip=("clashes",)):
    """A domain error's fields as ``{form field: message}`` for the form macros (the service's words,
    which pages show in their language); ``renames`` maps a service's field to the form's (``start``
    is typed as ``start_time``)."""
    renames = renames or {}
    found = {renames.get(field, field): ServiceMessage(first_message(messages))
             for field, messages in (exc.fields or {}).items() if field not in skip}
    return found or {"form": ServiceMessage(exc.message)}

