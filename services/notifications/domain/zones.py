"""Which zone an agency lives in (its digest comes at 07:00 there), from its Kemendagri region code."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
# Province codes (the first two digits of a region code) by zone: Sumatra, Java, West and Central
# Kalimantan are WIB; Bali, Nusa Tenggara, South, East and North Kalimantan and Sulawesi WITA;
# Maluku and Papua WIT.
WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96", "97"})
DIGEST_TIME = time(7, 0)


def zone_of_region(region_code, default):
    """The IANA zone of a region code such as ``73.72``; ``default`` (the forum's) when none is known."""
    province = (region_code or "").split(".")[0]
    if not province.isdigit():
        return default
    if province in WITA_PROVINCES:
        return WITA
    if province in WIT_PROVINCES:
        return WIT
    return WIB


def last_digest_time(now, zone, at=DIGEST_TIME):
    """The latest digest moment (``at`` local time in ``zone``) at or before ``now``, aware, and its local day."""
    local = now.astimezone(ZoneInfo(zone))
    day = local.date() if local.time() >= at else local.date() - timedelta(days=1)
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)), day
