"""What proves who a person is: argon2 password hashes, TOTP codes, and the SHA-256 of random tokens
(invitation links and session cookies are random, so no slow hash is needed for them).

argon2 runs in the process's pool for CPU work (``shared.offload``), off the event loop: a storm of
wrong sign-ins waits there, or is refused (``TooBusy``), while the directory's other calls go on."""
import hashlib
import hmac
import secrets
from datetime import timezone

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.offload import offloaded

# argon2id with the package's defaults (RFC 9106's second recommended set).
PASSWORDS = PasswordHasher()
# Verified when no account matches, so an unknown email costs as long as a wrong password.
_NOBODY = PASSWORDS.hash(secrets.token_urlsafe(16))


def token_hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password):
    return offloaded(PASSWORDS.hash, password)


def needs_rehash(password_hash):
    """True for a hash made with other parameters than today's (it is replaced at the next sign-in)."""
    return PASSWORDS.check_needs_rehash(password_hash)


def password_matches(password_hash, password):
    """argon2 verification; with no hash it verifies against a throwaway one and answers False."""
    try:
        return offloaded(PASSWORDS.verify, password_hash or _NOBODY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def totp_step(secret, code, last_step, now):
    """The time step ``code`` belongs to (now, or one step either side), or None; a step already
    used (``last_step``) is refused, so a code is good once."""
    totp = pyotp.TOTP(secret)
    current = int(now.astimezone(timezone.utc).timestamp()) // totp.interval
    for step in (current, current - 1, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * totp.interval), (code or "").strip()):
            return step
    return None


