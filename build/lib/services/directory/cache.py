"""Agency details recently read, kept in the directory process so that the most frequent read
(GET one agency) costs no database work.

Any change of any agency empties the cache: at once in the instance that made the change, and in
every other instance when the directory's own ``agency.*`` event reaches it. A read that was under
way while the cache was emptied does not store what it read (the generation moved on), and an
entry expires after ``ttl`` seconds in any case, should an event be lost.
"""
import time

from nameko.extensions import DependencyProvider

TTL_SECONDS = 60.0
CAPACITY = 10_000


class DetailCache:
    def __init__(self, ttl=TTL_SECONDS, capacity=CAPACITY):
        self.ttl = ttl
        self.capacity = capacity
        self.generation = 0
        self._entries = {}

    def get(self, agency_id):
        entry = self._entries.get(agency_id)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, agency_id, detail, generation):
        """Keep ``detail`` if nothing changed since the read began at ``generation``."""
        if generation != self.generation:
            return
        if len(self._entries) >= self.capacity:
            self._entries.clear()
        self._entries[agency_id] = (detail, time.monotonic() + self.ttl)

    def clear(self):
        self.generation += 1
        self._entries.clear()


class Details(DependencyProvider):
    """One detail cache per directory process, shared by its workers."""

    def setup(self):
        self.cache = DetailCache()

    def get_dependency(self, worker_ctx):
        return self.cache
