"""Outbound webhooks: Standard Webhooks signing, the retry schedule, the address guard, one attempt.

Free of the database: the delivery engine in ``service.py`` claims deliveries through
``domain`` and hands each to :func:`attempt` in its own green thread.
"""
import base64
import hashlib
import hmac
import ipaddress
import random
import re
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import certifi
import urllib3

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


_IPV4_PART = re.compile(r"^(?:0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def ipv4_number_form(host):
    """The IPv4 address a browser or libc's ``inet_aton`` reads in ``host``, or None for a name.

    Besides ``127.0.0.1`` they read ``127.1``, ``2130706433``, ``0x7f000001``, ``017700000001``
    and ``0`` (0.0.0.0): one to four parts, each decimal, hex (``0x``) or octal (leading ``0``),
    the last filling the remaining bytes.
    """
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.match(part) for part in parts):
        return None
    numbers = [int(part[2:] or "0", 16) if part[:2].lower() == "0x" else int(part, 8 if part[0] == "0" else 10)
               for part in parts]
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (4 - len(leading)):
        return None
    value = last
    for position, number in enumerate(leading):
        value += number << (8 * (3 - position))
    return ipaddress.IPv4Address(value)


def host_address(host):
    """The IP address a URL's host names literally (in any form a resolver accepts), or None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return ipv4_number_form(host)


def embedded_ipv4(address):
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), or None."""
    if address.version != 6:
        return None
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address):
    """Globally reachable unicast: not loopback, private, link-local, multicast, reserved or unspecified."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return is_public(inner)
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_private
                                      or address.is_unspecified)


def _local_name(host):
    return host == "localhost" or host.endswith(".localhost")


@dataclass(frozen=True)
class Destination:
    """Where one delivery goes: the URL's parts and the one address checked for it."""
    scheme: str
    host: str
    port: int
    address: str
    target: str

    @property
    def host_header(self):
        name = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"


def resolve_destination(url, allow_private):
    """Resolve the URL's host once and check every address it has; the delivery connects to the first.

    Connecting to the address that was checked (not resolving again) closes the DNS-rebinding
    window: a name cannot pass the check as a public address and then be reached at loopback.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedAddress("not an http(s) URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise RefusedAddress("the port is not a number from 1 to 65535") from None
    host = parts.hostname.rstrip(".")
    if not allow_private and _local_name(host):
        raise RefusedAddress(f"{host} is this machine")
    literal = host_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise RefusedAddress(f"cannot resolve {host}: {exc}") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses:
        raise RefusedAddress(f"{host} has no address")
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise RefusedAddress(f"{host} resolves to non-public address {address}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, host, port, str(addresses[0]), target)


def literal_address_refused(url, allow_private):
    """At registration: a URL naming a non-public address (in any literal form) or localhost.

    Names are resolved and checked at each sending.
    """
    if allow_private:
        return False
    host = (urlsplit(url).hostname or "").rstrip(".")
    if _local_name(host):
        return True
    address = host_address(host)
    return address is not None and not is_public(address)


def connection_pool(destination, timeout):
    """A connection pool to the checked address, speaking TLS (SNI, certificate) for the URL's host name."""
    timeouts = urllib3.Timeout(connect=min(5.0, timeout), read=timeout)
    if destination.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            destination.address, destination.port, timeout=timeouts, retries=False, maxsize=1,
            cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
            server_hostname=destination.host, assert_hostname=destination.host)
    return urllib3.HTTPConnectionPool(destination.address, destination.port, timeout=timeouts,
                                      retries=False, maxsize=1)


def attempt(url, body, headers, timeout, allow_private):
    """POST one signed delivery; never raises, always an Outcome. Redirects are not followed."""
    try:
        destination = resolve_destination(url, allow_private)
    except RefusedAddress as exc:
        return Outcome("failed", None, f"refused: {exc}")
    try:
        with connection_pool(destination, timeout) as pool:
            response = pool.urlopen("POST", destination.target, body=body,
                                    headers={**headers, "Host": destination.host_header},
                                    redirect=False, retries=False, preload_content=False)
            status, retry_after = response.status, response.headers.get("Retry-After")
            response.release_conn()
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return Outcome("retry", None, f"{type(exc).__name__}: {str(exc)[:300]}")
    return judge(status, parse_retry_after(retry_after))
