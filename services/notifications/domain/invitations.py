"""Mails to one account about the account itself, when mail is on, whatever the person's preferences:
its invitation (the directory's one-time link goes into this one message only, and the outbox drops
it once the message is sent or given up: a stored link would let whoever reads the database set the
person's password), and each change of its second factor (so that a change the person did not make
is noticed)."""
import hashlib
import json
import uuid

from sqlalchemy import select

from services.notifications import schemas
from services.notifications.domain.kinds import INVITATION_KIND, SECOND_FACTOR_KIND
from services.notifications.domain.zones import zone_of_region
from services.notifications.models import Agency, Message
from shared.errors import Forbidden
from shared.rules import is_coordinator, load


def invitation_event(token):
    """The message's event id: the same invitation asked twice is mailed once; never the token itself."""
    return "invitation:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:40]


def mail_invitation(uow, actor, invitation, channels_on, forum_zone, now):
    """Queue the invitation's mail; False when mail is off (the inviter passes the link on)."""
    values = load(schemas.Invitation, invitation)
    # A key acts as its agency (the directory's rule for accounts): the coordinator's key mails the
    # invitations of a member list it imports.
    is_person = actor.get("account_id") is not None
    if (is_person and actor.get("account_role") != "admin") or (actor["agency_id"] != values["agency_id"]
                                                                and not is_coordinator(actor)):
        raise Forbidden("only an admin of the agency, or of the coordinator's, invites to it")
    if "mail" not in channels_on:
        return False
    event_id, person = invitation_event(values["token"]), f"account:{values['account_id']}"
    if uow.session.scalar(select(Message.id).where(Message.event_id == event_id, Message.person == person,
                                                   Message.channel == "mail")) is None:
        queue_account_mail(uow.session, event_id, INVITATION_KIND, values, {
            "token": values["token"], "agency_name": values["agency_name"], "account_role": values["account_role"],
            "expires_at": values["expires_at"].isoformat()}, forum_zone, now)
    return True


def mail_second_factor_change(uow, actor, change, channels_on, forum_zone, now):
    """Queue the mail telling a person their second factor was added, replaced or removed; False when
    mail is off. Only the person's own session asks for it."""
    values = load(schemas.SecondFactorNotice, change)
    if actor.get("account_id") != values["account_id"]:
        raise Forbidden("a change of one's second factor is mailed for that person's own session only")
    if "mail" not in channels_on:
        return False
    queue_account_mail(uow.session, f"second_factor:{uuid.uuid4()}", SECOND_FACTOR_KIND, values,
                       {"change": values["change"], "changed_at": now.isoformat()}, forum_zone, now)
    return True


def queue_account_mail(session, event_id, kind, values, params, forum_zone, now):
    agency = session.get(Agency, values["agency_id"])
    session.add(Message(id=str(uuid.uuid4()), event_id=event_id, person=f"account:{values['account_id']}",
                        channel="mail", kind=kind, agency_id=values["agency_id"], language=values["language"],
                        address=values["email"], name=values["name"],
                        zone=zone_of_region(agency.region_code if agency else None, forum_zone),
                        params=json.dumps(params), state="pending", attempts=0, next_attempt_at=now,
                        created_at=now))
