"""The services' answers that the console's busiest pages ask for again and again (each agency's
agenda on Beranda, a month of the forum's calendar), kept by each gateway process so that a page
seen again costs no round trip (``self.recent``).

An answer is the same for every person of an agency in one role (the services decide what an
actor sees by its agency and role alone), so it is kept per ``(agency, role)``. It is forgotten:
- when its service announces any change (the gateway hears every event, on every process);
- when this process has sent a write of its own (any request that is not a GET), before the
  browser follows the redirect, so an officer never sees the page from before their own move;
- after ``RECENT_READS_SECONDS`` (10) in any case, for what changes with the clock alone
  (working days left, items that ended); 0 keeps nothing.
An answer asked for before a change and arriving after it is not kept.
"""
import json
import time
from collections import Counter

from nameko.extensions import DependencyProvider

DEFAULT_SECONDS = 10.0
# Enough for every agency's agenda and a few months each; past it the whole store starts again.
MOST_ANSWERS = 500
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


class RecentReads(DependencyProvider):
    """One store per gateway process, shared by its workers."""

    def setup(self):
        seconds = self.container.config.get("RECENT_READS_SECONDS")
        self.answers = RecentAnswers(DEFAULT_SECONDS if seconds in (None, "") else float(seconds))

    def get_dependency(self, worker_ctx):
        return self.answers


class RecentAnswers:
    def __init__(self, seconds, most=MOST_ANSWERS, clock=time.monotonic):
        self.seconds = seconds
        self.most = most
        self.clock = clock
        self._kept = {}
        # How many times answers were forgotten: per service, and all at once.
        self._changes = Counter()
        self._all_changes = 0

    def start(self, rpc, service, method, actor, *args):
        """As ``rpc.start(service, method, actor, *args)``: a function that gives the answer, at once
        when a fresh one is kept."""
        key = (service, method, actor["agency_id"], actor["role"], json.dumps(args, sort_keys=True, default=str))
        found = self._kept.get(key)
        if found is not None and found[0] > self.clock():
            return lambda: found[1]
        changes = self._changed(service)
        pending = rpc.start(service, method, actor, *args)

        def answer():
            value = pending()
            if self.seconds > 0 and self._changed(service) == changes:
                if len(self._kept) >= self.most:
                    self._kept.clear()
                self._kept[key] = (self.clock() + self.seconds, value)
            return value

        return answer

    def read(self, rpc, service, method, actor, *args):
        return self.start(rpc, service, method, actor, *args)()

    def _changed(self, service):
        return self._all_changes, self._changes[service]

    def forget(self, service=None):
        """Forget the answers of ``service`` (of every service when None)."""
        if service is None:
            self._all_changes += 1
            self._kept = {}
        else:
            self._changes[service] += 1
            self._kept = {key: kept for key, kept in self._kept.items() if key[0] != service}

    def after(self, request):
        """Called by every route and page once answered: a write forgets everything."""
        if request.method not in SAFE_METHODS:
            self.forget()
