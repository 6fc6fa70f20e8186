"""Each person's choices: per kind at once, in the daily digest, or not at all (absent: the role's
default), and the channel (mail or WhatsApp). The unsubscribe link in a message is a signed
``(person, kind)`` that turns that kind off without signing in."""
import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

from sqlalchemy import select

from services.notifications import schemas
from services.notifications.domain.kinds import OFFICER_KINDS, REPORTER_KINDS, default_mode
from services.notifications.models import Preference
from shared.errors import Forbidden, NotFound
from shared.rules import load

CHANNEL_ROW = "channel"


def mode_of(session, person, account_role, kind):
    chosen = session.get(Preference, (person, kind))
    return chosen.mode if chosen is not None else default_mode(account_role, kind)


def choices_of(session, persons, kinds):
    """``{(person, kind): mode}`` of what these people chose for these kinds (absent: the default), in one query."""
    if not persons:
        return {}
    return {(p.person, p.kind): p.mode for p in session.scalars(select(Preference).where(
        Preference.person.in_(persons), Preference.kind.in_(kinds)))}


def channel_of(session, person):
    chosen = session.get(Preference, (person, CHANNEL_ROW))
    return chosen.mode if chosen is not None else "mail"


@dataclass
class Choices:
    """An account's choices as the console shows them."""
    account_id: str
    channel: str
    kinds: list


def _person(actor):
    if not actor or not actor.get("account_id"):
        raise Forbidden("preferences belong to a person: sign in to the console")
    return f"account:{actor['account_id']}"


def preferences(session, actor):
    person = _person(actor)
    return Choices(actor["account_id"], channel_of(session, person), [
        {"kind": kind, "mode": mode_of(session, person, actor.get("account_role"), kind),
         "default": default_mode(actor.get("account_role"), kind)} for kind in OFFICER_KINDS])


def _choose(session, person, kind, mode, now):
    chosen = session.get(Preference, (person, kind))
    if chosen is None:
        session.add(Preference(person=person, kind=kind, mode=mode, updated_at=now))
    else:
        chosen.mode, chosen.updated_at = mode, now


def set_preferences(uow, actor, data, now):
    """The signed-in account changes its own choices (the kinds it names; the others stay)."""
    person = _person(actor)
    values = load(schemas.PreferencesInput, data)
    if values.get("channel"):
        _choose(uow.session, person, CHANNEL_ROW, values["channel"], now)
    for kind, mode in (values.get("kinds") or {}).items():
        _choose(uow.session, person, kind, mode, now)
    uow.session.flush()
    return preferences(uow.session, actor)


def _b64(raw):
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def unsubscribe_token(secret, person, kind):
    """``<payload>.<signature>``: the person and the kind, signed with the service's secret."""
    payload = _b64(json.dumps([person, kind], separators=(",", ":")).encode("utf-8"))
    signature = _b64(hmac.new(secret.encode("utf-8"), payload.encode("ascii"), hashlib.sha256).digest()[:18])
    return f"{payload}.{signature}"


def read_token(secret, token):
    """``(person, kind)`` of a valid token; NotFound for anything else (one answer for every bad link)."""
    payload, _, signature = (token or "").partition(".")
    try:
        person, kind = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        expected = unsubscribe_token(secret, person, kind)
    except (ValueError, TypeError):
        raise NotFound("this link is not valid") from None
    if not hmac.compare_digest(expected, f"{payload}.{signature}") or kind not in (*OFFICER_KINDS, *REPORTER_KINDS):
        raise NotFound("this link is not valid")
    return person, kind


@dataclass
class Unsubscribed:
    kind: str
    mode: str


def unsubscribe_link_kind(session, secret, token):
    """What a link would turn off (the page asks before it does)."""
    person, kind = read_token(secret, token)
    return Unsubscribed(kind, mode_of(session, person, None, kind))


def unsubscribe(uow, secret, token, now):
    """Turn off the link's kind for its person (again: nothing changes)."""
    person, kind = read_token(secret, token)
    _choose(uow.session, person, kind, "off", now)
    return Unsubscribed(kind, "off")
