"""The directory's cache of agency details: emptied by any change, never refilled by a read that raced one."""
from services.directory.cache import DetailCache


def test_a_change_empties_the_cache():
    cache = DetailCache()
    cache.put("a", {"name": "Polres"}, cache.generation)
    assert cache.get("a") == {"name": "Polres"}
    cache.clear()
    assert cache.get("a") is None


def test_a_read_that_began_before_a_change_is_not_kept():
    cache = DetailCache()
    began = cache.generation
    cache.clear()
    cache.put("a", {"name": "before the change"}, began)
    assert cache.get("a") is None


def test_entries_expire_and_the_cache_stays_bounded():
    expired = DetailCache(ttl=-1)
    expired.put("a", {}, expired.generation)
    assert expired.get("a") is None
    small = DetailCache(capacity=2)
    for agency_id in "abc":
        small.put(agency_id, {"id": agency_id}, small.generation)
    assert small.get("c") == {"id": "c"} and len(small._entries) <= 2
