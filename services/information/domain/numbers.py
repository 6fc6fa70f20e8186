"""Registration numbers (given at once, Pasal 22 ayat 4 UU 14/2008) and the requester's identity
document number, which is never stored: only a slow salted hash and its last four characters."""
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.intake import CROCKFORD
from shared.offload import offloaded

PREFIX = "PPID"
# An identity number is short and structured (a NIK is region, birth date and a serial): a fast
# hash of it could be reversed by trying them all, hence argon2 with its own salt per request,
# computed off the event loop (``shared.offload``).
IDENTITY_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def new_registration_number():
    """PPID-XXXX-XXXX-XXXX: 60 random bits in Crockford base32 (no I, L, O, U to misread)."""
    bits = secrets.randbits(60)
    chars = "".join(CROCKFORD[(bits >> shift) & 31] for shift in range(55, -1, -5))
    return f"{PREFIX}-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalise_registration_number(value):
    """Accept what a person types: lower case, spaces for dashes, O for 0, I/L for 1."""
    cleaned = "".join((value or "").split()).upper()
    head, _, rest = cleaned.partition("-")
    if head.replace("1", "I").replace("L", "I") == PREFIX and rest:
        cleaned = rest
    elif cleaned.replace("1", "I").startswith(PREFIX):
        cleaned = cleaned[len(PREFIX):]
    body = cleaned.replace("-", "").replace("O", "0").replace("I", "1").replace("L", "1")
    if len(body) != 12:
        return f"{PREFIX}-{body}"
    return f"{PREFIX}-{body[:4]}-{body[4:8]}-{body[8:]}"


def identity_key(number):
    """What makes two spellings of an identity number the same: letters and digits, upper case."""
    return "".join(ch for ch in number.upper() if ch.isalnum())


def hash_identity(number):
    return offloaded(IDENTITY_HASHER.hash, identity_key(number))


def identity_matches(stored_hash, number):
    try:
        return offloaded(IDENTITY_HASHER.verify, stored_hash, identity_key(number))
    except (VerificationError, InvalidHashError):
        return False
