"""Who is calling: ``Authorization: Bearer <key>`` resolved to an agency and its forum role.

Keys are resolved by their SHA-256 through the directory once, then served from an
in-process cache, so authentication adds no round trip on the hot path. The cache
forgets a key when the directory announces ``key.revoked`` (or changes the agency),
at once in the gateway that handled the revocation, and after ``KEY_CACHE_SECONDS``
at the latest everywhere.
"""
import hashlib
import re
import time

from nameko.extensions import DependencyProvider

from gateway.errors import HttpError

BEARER = re.compile(r"^Bearer ([A-Za-z0-9_\-]{16,128})$")


def key_hash(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def bearer_secret(request):
    header = request.headers.get("Authorization")
    if not header:
        raise HttpError(401, "unauthenticated", "send an API key as 'Authorization: Bearer <key>'",
                        headers={"WWW-Authenticate": "Bearer"})
    match = BEARER.match(header.strip())
    if match is None:
        raise HttpError(401, "unauthenticated", "the Authorization header is not 'Bearer <key>'",
                        headers={"WWW-Authenticate": "Bearer"})
    return match.group(1)


class KeyCache:
    """Callers by the SHA-256 of their secret (an API key, or a console session's token), for
    ``ttl_seconds`` at most; ``forget`` drops at once every one matching any field given."""

    def __init__(self, ttl_seconds):
        self.ttl = ttl_seconds
        self._entries = {}

    def get(self, digest):
        entry = self._entries.get(digest)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, digest, caller):
        self._entries[digest] = (caller, time.monotonic() + self.ttl)

    def forget(self, **match):
        """``forget(key_id=...)``, ``forget(agency_id=...)``, ``forget(session_id=...)``, ..."""
        wanted = {(name, value) for name, value in match.items() if value is not None}
        for digest, (caller, _) in list(self._entries.items()):
            if any(caller.get(name) == value for name, value in wanted):
                self._entries.pop(digest, None)

    def drop(self, digest):
        self._entries.pop(digest, None)


class KnownKeys(DependencyProvider):
    """One key cache per gateway process, shared by its workers."""

    def setup(self):
        self.cache = KeyCache(float(self.container.config.get("KEY_CACHE_SECONDS") or 60))

    def get_dependency(self, worker_ctx):
        return self.cache
