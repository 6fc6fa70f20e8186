"""Which new passwords are refused, after NIST SP 800-63B (5.1.1.2): fewer than 10 characters (the
schemas say so), one on a list of common or leaked passwords, one that holds a word of this place
(the account's email name, the forum's name or short name), and one of a few characters repeated."""
import gzip
import re
from functools import cache
from pathlib import Path

from sqlalchemy import select

from services.directory import schemas
from services.directory.models import Agency
from shared.errors import ValidationFailed

# The 20,000 most common passwords, lowercased, as Django ships them (see common-passwords.LICENSE).
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "common-passwords.txt.gz"
PRODUCT_NAME = "Bakohumas"
# Shorter names are parts of too many words to be refused inside a password.
SHORTEST_NAME = 4
SHORTEST_EMAIL_NAME = 3
FEWEST_CHARACTERS = 4


@cache
def common_passwords():
    """The list's passwords that the length rule lets through (the others are refused anyway)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as listed:
        return frozenset(word for word in (line.strip() for line in listed) if len(word) >= schemas.PASSWORD_MIN)


def squeezed(text):
    """Letters and digits only, case folded: ``Humas-Koord`` is in ``humaskoord2026``."""
    return re.sub(r"[\W_]+", "", text.casefold())


def password_refusal(password, email, forum_names):
    """Why ``password`` may not be chosen by the account of ``email`` (one of the schemas' messages), or None."""
    plain = squeezed(password)
    if password.strip().casefold() in common_passwords():
        return schemas.PASSWORD_COMMON
    if len(set(plain or password)) < FEWEST_CHARACTERS:
        return schemas.PASSWORD_REPETITIVE
    email_name = squeezed(email.partition("@")[0])
    if len(email_name) >= SHORTEST_EMAIL_NAME and email_name in plain:
        return schemas.PASSWORD_EMAIL_NAME
    if any(len(name) >= SHORTEST_NAME and name in plain for name in map(squeezed, forum_names)):
        return schemas.PASSWORD_FORUM_NAME
    return None


def require_acceptable_password(session, password, email, field):
    """ValidationFailed on ``field`` when the password may not be chosen."""
    names = [PRODUCT_NAME]
    for name, short_name in session.execute(select(Agency.name, Agency.short_name)
                                            .where(Agency.role == "coordinator")):
        names += [name, short_name]
    refusal = password_refusal(password, email, names)
    if refusal:
        raise ValidationFailed("this password may not be chosen", {field: [refusal]})
