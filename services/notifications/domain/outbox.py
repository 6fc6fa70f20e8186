"""The outbox of messages: claimed with a lease, sent at least once, retried with backoff, and a
delivery log where a message that failed after its last try stays visible."""
import json
import random
from dataclasses import dataclass
from datetime import timedelta

from marshmallow import EXCLUDE
from sqlalchemy import func, select, update

from services.notifications import schemas
from services.notifications.domain.kinds import INVITATION_KIND
from services.notifications.models import Message
from shared.rules import is_coordinator, load

MESSAGE_STATES = ("pending", "retrying", "sent", "failed", "waiting", "digested", "skipped")


@dataclass(frozen=True)
class Policy:
    base_seconds: float = 30.0
    cap_seconds: float = 6 * 3600.0
    max_attempts: int = 10

    def delay(self, attempts, rng=random):
        """Doubling from ``base_seconds`` after each failed try, capped, drawn from the window's upper half."""
        return min(self.cap_seconds, self.base_seconds * 2 ** (attempts - 1)) * rng.uniform(0.5, 1.0)


@dataclass
class LogPage:
    """A page of the delivery log (``channels_on`` is added by the service, which knows its configuration)."""
    items: list
    total: int
    limit: int
    offset: int
    channels_on: tuple = ()


@dataclass(frozen=True)
class Outgoing:
    """A claimed message with what rendering it needs (a digest carries its items)."""
    id: str
    person: str
    channel: str
    kind: str
    language: str
    address: str | None
    name: str | None
    zone: str
    params: dict
    items: list


def claim_messages(uow, owner, limit, lease, now):
    """Lease due messages to ``owner``; one whose sender died is claimable once its lease ran out."""
    claimable = (Message.state.in_(("pending", "retrying")) & (Message.next_attempt_at <= now)
                 & (Message.leased_until.is_(None) | (Message.leased_until < now)))
    ids = uow.session.scalars(select(Message.id).where(claimable).order_by(Message.next_attempt_at)
                              .limit(limit)).all()
    if not ids:
        return []
    uow.session.execute(update(Message).where(Message.id.in_(ids) & claimable)
                        .values(leased_by=owner, leased_until=now + lease)
                        .execution_options(synchronize_session=False))
    mine = uow.session.scalars(select(Message).where(Message.id.in_(ids), Message.leased_by == owner)).all()
    return [_outgoing(uow.session, message) for message in mine]


def _outgoing(session, message):
    items = []
    if message.kind == "digest":
        items = [{"kind": item.kind, "params": json.loads(item.params), "created_at": item.created_at}
                 for item in session.scalars(select(Message).where(Message.digest_id == message.id)
                                             .order_by(Message.created_at))]
    return Outgoing(message.id, message.person, message.channel, message.kind, message.language, message.address,
                    message.name, message.zone, json.loads(message.params), items)


def forget_link(message):
    """An invitation's one-time link goes from its message once the message is done with."""
    if message.kind == INVITATION_KIND and message.state in ("sent", "failed", "skipped"):
        params = json.loads(message.params)
        params.pop("token", None)
        message.params = json.dumps(params)


def record_attempt(uow, owner, message_id, verdict, error, policy, now, rng=random, wamid=None):
    """``verdict``: ``sent``; ``retry`` (the server is away: later, until the last try); ``failed``
    (refused for good); ``skipped`` (nobody to send to any more, e.g. the reporter became anonymous).
    ``wamid``: the id Meta gave a sent WhatsApp message, which its later status reports name."""
    message = uow.session.get(Message, message_id)
    if message is None or message.leased_by != owner or message.state not in ("pending", "retrying"):
        return None
    message.leased_by = message.leased_until = None
    message.last_error = error[:300] if error else None
    if verdict == "skipped":
        message.state = "skipped"
        forget_link(message)
        return message
    message.attempts += 1
    if verdict == "sent":
        message.state, message.sent_at, message.wamid, message.reported = "sent", now, wamid, None
    elif verdict == "retry" and message.attempts < policy.max_attempts:
        message.state = "retrying"
        message.next_attempt_at = now + timedelta(seconds=policy.delay(message.attempts, rng))
    else:
        message.state = "failed"
    forget_link(message)
    return message


def delivery_log(session, actor, query):
    """The messages, newest first: the coordinator reads every agency's, an agency its own
    (never an address; a reporter is only "the reporter")."""
    values = load(schemas.LogQuery, query, unknown=EXCLUDE)
    stmt = select(Message)
    if not is_coordinator(actor):
        stmt = stmt.where(Message.agency_id == actor["agency_id"])
    if values.get("state"):
        stmt = stmt.where(Message.state == values["state"])
    if values.get("kind"):
        stmt = stmt.where(Message.kind == values["kind"])
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Message.created_at.desc(), Message.id)
                           .limit(values["limit"]).offset(values["offset"])).all()
    return LogPage(rows, total, values["limit"], values["offset"])


def messages_by_state(session):
    counted = dict(session.execute(select(Message.state, func.count()).group_by(Message.state)).all())
    return {state: counted.get(state, 0) for state in MESSAGE_STATES}
