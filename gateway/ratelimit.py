"""Rate limits the gateway applies by itself, before any service is asked."""
import threading
import time


class TokenBucket:
    """Per client address: ``burst`` requests at once, refilled at ``per_minute``."""

    MAX_CLIENTS = 10_000

    def __init__(self, per_minute, burst, clock=time.monotonic):
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self.buckets = {}
        self.lock = threading.Lock()

    def take(self, client):
        """None when allowed, else the seconds to wait before the next request."""
        now = self.clock()
        with self.lock:
            tokens = self._tokens(client, now)
            if tokens >= 1:
                self.buckets[client] = (tokens - 1, now)
                self._forget_idle(now)
                return None
            self.buckets[client] = (tokens, now)
            return self._wait(tokens)

    def refund(self, client):
        """Give back a token taken for a try that turned out not to count (a sign-in that succeeded).
        Taking first and refunding after, rather than looking first and taking after, is what keeps
        requests in flight at the same moment within the burst."""
        now = self.clock()
        with self.lock:
            self.buckets[client] = (min(self.burst, self._tokens(client, now) + 1), now)

    def _tokens(self, client, now):
        tokens, since = self.buckets.get(client, (self.burst, now))
        return min(self.burst, tokens + (now - since) * self.rate)

    def _wait(self, tokens):
        return (1 - tokens) / self.rate if self.rate else 60.0

    def _forget_idle(self, now):
        if len(self.buckets) > self.MAX_CLIENTS:
            full = [c for c, (t, s) in self.buckets.items() if t + (now - s) * self.rate >= self.burst]
            for client in full:
                del self.buckets[client]
