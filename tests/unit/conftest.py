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
