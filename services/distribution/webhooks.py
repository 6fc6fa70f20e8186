"""Outbound webhooks: Standard Webhooks signing, the retry schedule, the address guard, one attempt.

Free of the database: the delivery engine in ``service.py`` claims deliveries through
``domain`` and hands each to :func:`attempt` in its own green thread.
"""
import base64
import hashlib
import hmac
import ipaddress
import random
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests

SECRET_PREFIX = "whsec_"
RETRYABLE_4XX = (408, 429)


def new_secret():
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def sign(secret, webhook_id, timestamp, body):
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` with the secret's base64 key."""
    key = base64.b64decode(secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret)
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secrets_in_use, webhook_id, timestamp, body):
    """Headers of one attempt; during a rotation both secrets sign, so receivers can switch at leisure."""
    return {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, webhook_id, timestamp, body) for s in secrets_in_use),
    }


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 30.0
    cap_seconds: float = 6 * 3600.0
    max_attempts: int = 12

    def backoff(self, attempts, rng=random):
        """Seconds before the next try after ``attempts`` failed tries: doubling, capped, jittered.

        The jitter draws from the upper half of the window so that retries of many
        deliveries to one recovering destination spread out without collapsing to zero.
        """
        window = min(self.cap_seconds, self.base_seconds * 2 ** (attempts - 1))
        return window * rng.uniform(0.5, 1.0)


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: ``delivered``, ``retry``, ``failed`` or ``gone`` (410)."""
    verdict: str
    status: int | None = None
    error: str | None = None
    retry_after: float | None = None


def judge(status, retry_after=None):
    """Any 2xx delivers; 410 disables; 408/429 and 5xx retry; any other answer fails at once."""
    if 200 <= status < 300:
        return Outcome("delivered", status)
    if status == 410:
        return Outcome("gone", status, "the destination answered 410 Gone")
    if status in RETRYABLE_4XX or status >= 500:
        return Outcome("retry", status, f"HTTP {status}", retry_after)
    return Outcome("failed", status, f"HTTP {status}: not retried")


def parse_retry_after(value, now=None):
    """``Retry-After`` as seconds (a number of seconds or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RefusedAddress(Exception):
    pass


def check_destination(url, allow_private):
    """Refuse a URL whose host resolves to a loopback, private, link-local or otherwise non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedAddress("not an http(s) URL")
    if allow_private:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise RefusedAddress(f"cannot resolve {parts.hostname}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global:
            raise RefusedAddress(f"{parts.hostname} resolves to non-public address {address}")


def literal_address_refused(url, allow_private):
    """At registration: a URL naming a non-public IP literal or localhost (names are checked at sending)."""
    host = (urlsplit(url).hostname or "").lower()
    if allow_private:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def attempt(url, body, headers, timeout, allow_private):
    """POST one signed delivery; never raises, always an Outcome. Redirects are not followed."""
    try:
        check_destination(url, allow_private)
    except RefusedAddress as exc:
        return Outcome("failed", None, f"refused: {exc}")
    try:
        response = requests.post(url, data=body, headers=headers, timeout=(min(5.0, timeout), timeout),
                                 allow_redirects=False)
    except requests.RequestException as exc:
        return Outcome("retry", None, f"{type(exc).__name__}: {str(exc)[:300]}")
    outcome = judge(response.status_code, parse_retry_after(response.headers.get("Retry-After")))
    response.close()
    return outcome
