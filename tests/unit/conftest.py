"""Unit-test fixtures: the domain on a migrated SQLite database of its service, no broker."""
import pytest

from tests.unit.calendar_unit_support import Calendar


@pytest.fixture
def cal(service_db):
    """The calendar domain with a coordinator (``koord``) and four member agencies it knows."""
    calendar = Calendar(service_db("calendar"))
    calendar.agency("koord", role="coordinator")
    for agency_id in ("polres", "dinkes", "kominfo", "imigrasi"):
        calendar.agency(agency_id)
    return calendar


@pytest.fixture
def forum_in():
    """``forum_in("Asia/Jayapura")``: the working days of this test are that zone's; the default
    forum zone (shared.workdays.DEFAULT_FORUM_ZONE) comes back after it."""
    from shared.workdays import DEFAULT_FORUM_ZONE, set_forum_zone

    yield set_forum_zone
    set_forum_zone(DEFAULT_FORUM_ZONE)
