"""From an event to messages: the event's notices are recorded with it (one transaction), then each
notice is fanned out to the people it concerns, found by RPC outside any transaction."""
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from services.notifications.domain.kinds import default_mode, notices_for
from services.notifications.domain.preferences import CHANNEL_ROW, choices_of, mode_of
from services.notifications.domain.reminders import plan_reminders
from services.notifications.domain.zones import zone_of_region
from services.notifications.models import Agency, Message, Notice

NOTICE_LEASE = timedelta(seconds=60)
REMINDING = ("amplification.requested", "amplification.answered")


@dataclass(frozen=True)
class Claimed:
    """A notice leased for fan-out: what the service must look up before ``fan_out``."""
    id: int
    kind: str
    agency_ids: tuple
    complaint_id: str | None


def record_notices(uow, envelope):
    """The notices an event makes (and the reminders it plans or drops), kept until fanned out; a
    redelivered event adds none."""
    if envelope.name in REMINDING:
        plan_reminders(uow, envelope)
    for spec in notices_for(uow.session, envelope.name, envelope.data):
        exists = uow.session.scalar(select(Notice.id).where(Notice.event_id == envelope.id, Notice.kind == spec.kind))
        if exists is None:
            uow.session.add(Notice(event_id=envelope.id, kind=spec.kind, agency_ids=json.dumps(list(spec.agency_ids)),
                                   complaint_id=spec.complaint_id, params=json.dumps(spec.params, default=str),
                                   state="pending", created_at=envelope.occurred))


def claim_notices(uow, now, limit=20):
    """Lease pending notices (an expired lease, its fan-out having died, is claimable again)."""
    claimable = (Notice.state == "pending") & (Notice.leased_until.is_(None) | (Notice.leased_until < now))
    ids = uow.session.scalars(select(Notice.id).where(claimable).order_by(Notice.id).limit(limit)).all()
    if not ids:
        return []
    uow.session.execute(update(Notice).where(Notice.id.in_(ids) & claimable).values(leased_until=now + NOTICE_LEASE)
                        .execution_options(synchronize_session=False))
    return [Claimed(n.id, n.kind, tuple(json.loads(n.agency_ids)), n.complaint_id)
            for n in uow.session.scalars(select(Notice).where(Notice.id.in_(ids)).order_by(Notice.id))]


def _add_message(session, notice, person, channel, values, now, taken=None):
    """One message, unless this event already made one for this person on this channel (``taken``:
    those pairs, when the caller read them at once)."""
    if taken is None:
        taken = {(p, c) for p, c in session.execute(select(Message.person, Message.channel).where(
            Message.event_id == notice.event_id, Message.person == person))}
    if (person, channel) in taken:
        return None
    message = Message(id=str(uuid.uuid4()), event_id=notice.event_id, person=person, channel=channel,
                      kind=notice.kind, params=notice.params, attempts=0, next_attempt_at=now, created_at=now,
                      **values)
    session.add(message)
    return message


def fan_out(uow, notice_id, contacts, reporter, channels_on, forum_zone, now):
    """Make the notice's messages and mark it done.

    ``contacts``: the active accounts of its agencies (``account_contacts``), ``reporter``: the
    complaint's reporter contact (``reporter_contact``) or None; ``channels_on``: the channels
    configured. A person gets the kind as their preference says (at once, in the digest, or
    not), on their channel; a channel that is off records the message as skipped, visibly.
    """
    session = uow.session
    notice = session.get(Notice, notice_id)
    if notice is None or notice.state != "pending":
        return []
    made = []
    # Read at once what 500 people would otherwise cost 1,500 queries: their choices, and what this event made.
    chosen = choices_of(session, [f"account:{c['account_id']}" for c in contacts], (notice.kind, CHANNEL_ROW))
    taken = {(p, c) for p, c in session.execute(select(Message.person, Message.channel)
                                                 .where(Message.event_id == notice.event_id))}
    for contact in contacts:
        person = f"account:{contact['account_id']}"
        mode = chosen.get((person, notice.kind)) or default_mode(contact.get("account_role"), notice.kind)
        if mode == "off":
            continue
        channel = chosen.get((person, CHANNEL_ROW)) or "mail"
        address = contact.get("email") if channel == "mail" else contact.get("phone")
        if not address:
            channel = "whatsapp" if channel == "mail" else "mail"
            address = contact.get("email") if channel == "mail" else contact.get("phone")
        if not address:
            continue
        agency = session.get(Agency, contact["agency_id"])
        state = "pending" if mode == "immediate" else "waiting"
        made.append(_add_message(session, notice, person, channel, dict(
            agency_id=contact["agency_id"], language=contact.get("language") or "id", address=address,
            name=contact.get("name"), zone=zone_of_region(agency.region_code if agency else None, forum_zone),
            state=state if channel in channels_on else "skipped",
            last_error=None if channel in channels_on else f"{channel} is off"), now, taken))
    if reporter is not None:
        made.extend(_reporter_message(session, notice, reporter, channels_on, forum_zone, now))
    notice.state, notice.leased_until = "done", None
    return [m for m in made if m is not None]


def _reporter_message(session, notice, reporter, channels_on, forum_zone, now):
    """A reporter who gave an email is written to; one who came by WhatsApp is answered there.
    An anonymous reporter is never contacted. The address is not kept: it is asked again when sent."""
    if reporter.get("anonymous"):
        return []
    person = f"reporter:{notice.complaint_id}"
    if mode_of(session, person, None, notice.kind) == "off":
        return []
    if reporter.get("channel") == "whatsapp" and reporter.get("phone"):
        channel = "whatsapp"
    elif reporter.get("email"):
        channel = "mail"
    else:
        return []
    return [_add_message(session, notice, person, channel, dict(
        agency_id=None, language=reporter.get("language") or "id", address=None, name=None, zone=forum_zone,
        state="pending" if channel in channels_on else "skipped",
        last_error=None if channel in channels_on else f"{channel} is off"), now)]
