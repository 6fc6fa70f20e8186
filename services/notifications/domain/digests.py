"""The daily digest: what waited for a person is sent in one message at 07:00 in its agency's zone,
once per person and day, however many instances look (the message's unique key is the day)."""
import json
import uuid

from sqlalchemy import select, update

from services.notifications.domain.kinds import DIGEST_KIND
from services.notifications.domain.zones import last_digest_time
from services.notifications.models import Message


def digest_candidates(session, now):
    """``[(person, channel)]`` with something waiting from before their latest 07:00."""
    waiting = session.execute(select(Message.person, Message.channel, Message.zone, Message.created_at)
                              .where(Message.state == "waiting")).all()
    due = []
    for person, channel, zone, created_at in waiting:
        cutoff, _ = last_digest_time(now, zone)
        if created_at < cutoff and (person, channel) not in due:
            due.append((person, channel))
    return due


def build_digest(uow, person, channel, at, now):
    """The digest of ``person`` on ``channel`` for its latest 07:00 at ``at`` (the clock's ``now``,
    or the moment an operator names), made of what waited before it, sent from ``now``; None when
    there is nothing (or another instance built it: the day's key is taken)."""
    uow.hold_writes()  # SQLite: one builder at a time across processes; PostgreSQL: the unique key decides
    session = uow.session
    items = session.scalars(select(Message).where(Message.person == person, Message.channel == channel,
                                                  Message.state == "waiting").order_by(Message.created_at)).all()
    if not items:
        return None
    cutoff, day = last_digest_time(at, items[0].zone)
    items = [item for item in items if item.created_at < cutoff]
    if not items:
        return None
    first = items[0]
    digest = Message(id=str(uuid.uuid4()), event_id=f"digest:{day.isoformat()}", person=person, channel=channel,
                     kind=DIGEST_KIND, agency_id=first.agency_id, language=first.language, address=first.address,
                     name=first.name, zone=first.zone, params=json.dumps({"day": day.isoformat(), "count": len(items)}),
                     state="pending", attempts=0, next_attempt_at=now, created_at=now)
    session.add(digest)
    session.flush()  # a second digest of this day raises IntegrityError: the caller lets it go
    session.execute(update(Message).where(Message.id.in_([i.id for i in items]), Message.state == "waiting")
                    .values(state="digested", digest_id=digest.id).execution_options(synchronize_session=False))
    return digest
