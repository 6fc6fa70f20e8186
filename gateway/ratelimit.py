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

    def waiting(self, client):
        """The seconds ``client`` must wait before its next request, without taking one (None: none)."""
        with self.lock:
            tokens = self._tokens(client, self.clock())
        return None if tokens >= 1 else self._wait(tokens)

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
