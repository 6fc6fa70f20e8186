"""Webhook subscriptions and their deliveries: fan-out, leases, attempts, replays."""
import json
import uuid
from datetime import timedelta

from marshmallow import EXCLUDE
from sqlalchemy import func, select, update

from services.distribution import schemas, webhooks
from services.distribution.domain.documents import ninjs
from services.distribution.domain.paging import page_of
from services.distribution.models import ContentItem, Delivery, Subscription
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.rules import is_coordinator, load

PRIORITY_URGENT, PRIORITY_NORMAL = 0, 1
PREVIOUS_SECRET_GRACE = timedelta(hours=24)
DELIVERY_STATES = ("pending", "retrying", "delivered", "failed")


def matches(subscription, item):
    if subscription.types and item.kind not in subscription.types:
        return False
    if subscription.agencies and not ({item.agency_id, *item.co_issuers} & set(subscription.agencies)):
        return False
    if subscription.subjects and not (set(item.subjects) & set(subscription.subjects)):
        return False
    return not subscription.language or subscription.language == item.language


def queue(uow, item, event, subscriptions, priority, now):
    body = json.dumps({"type": event, "timestamp": now.isoformat(), "data": ninjs(uow.session, item)},
                      ensure_ascii=False, separators=(",", ":"))
    for subscription in subscriptions:
        uow.session.add(Delivery(
            id="msg_" + uuid.uuid4().hex, subscription_id=subscription.id, item_id=item.id,
            item_version=item.version, event=event, priority=priority, payload=body, state="pending",
            attempts=0, next_attempt_at=now, created_at=now))


def fan_out(uow, item, event, now):
    """One delivery per active matching subscription; clarifications jump the queue."""
    subscriptions = [s for s in uow.session.scalars(select(Subscription).where(Subscription.active.is_(True)))
                     if matches(s, item)]
    priority = PRIORITY_URGENT if item.kind == "clarification" else PRIORITY_NORMAL
    queue(uow, item, event, subscriptions, priority, now)
    return len(subscriptions)


def create_subscription(uow, actor, data, allow_private, now):
    values = load(schemas.SubscriptionInput, data)
    owner = values.get("owner_agency_id", actor["agency_id"])
    if owner != actor["agency_id"] and not is_coordinator(actor):
        raise Forbidden("a member subscribes only for itself", {"owner_agency_id": ["must be your own agency"]})
    if webhooks.literal_address_refused(values["url"], allow_private):
        raise ValidationFailed("webhook URLs must reach a public address", {"url": [
            "loopback, private, link-local, multicast and other non-public addresses are refused"]})
    filters = values["filters"]
    subscription = Subscription(
        id=str(uuid.uuid4()), owner_agency_id=owner, name=values["name"], url=values["url"],
        secret=webhooks.new_secret(), types=filters["types"], agencies=filters["agencies"],
        subjects=filters["subjects"], language=filters["language"], active=True, created_at=now)
    uow.session.add(subscription)
    uow.session.flush()
    return subscription


def get_subscription(session, actor, subscription_id):
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or (subscription.owner_agency_id != actor["agency_id"] and not is_coordinator(actor)):
        raise NotFound(f"no subscription {subscription_id}", {"subscription_id": ["unknown subscription"]})
    return subscription


def list_subscriptions(session, actor):
    stmt = select(Subscription).order_by(Subscription.created_at)
    if not is_coordinator(actor):
        stmt = stmt.where(Subscription.owner_agency_id == actor["agency_id"])
    return session.scalars(stmt).all()


def rotate_secret(uow, actor, subscription_id, now):
    """A new secret; the old one keeps signing beside it for a day so receivers can switch over."""
    subscription = get_subscription(uow.session, actor, subscription_id)
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_until = now + PREVIOUS_SECRET_GRACE
    subscription.secret = webhooks.new_secret()
    return subscription


def delete_subscription(uow, actor, subscription_id):
    subscription = get_subscription(uow.session, actor, subscription_id)
    for delivery in uow.session.scalars(select(Delivery).where(Delivery.subscription_id == subscription.id)):
        uow.session.delete(delivery)
    uow.session.delete(subscription)


def list_deliveries(session, actor, subscription_id, query):
    """The delivery log, newest first; ``query`` as sent (strings)."""
    values = load(schemas.DeliveryQuery, query, unknown=EXCLUDE)
    state = values.get("state")
    subscription = get_subscription(session, actor, subscription_id)
    stmt = select(Delivery).where(Delivery.subscription_id == subscription.id)
    if state:
        stmt = stmt.where(Delivery.state == state)
    return page_of(session, stmt.order_by(Delivery.created_at.desc(), Delivery.id), values["limit"], values["offset"])


def replay(uow, actor, subscription_id, delivery_id, now):
    """Send a failed delivery again, with the same webhook-id and payload."""
    subscription = get_subscription(uow.session, actor, subscription_id)
    delivery = uow.session.get(Delivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription.id:
        raise NotFound(f"no delivery {delivery_id}", {"delivery_id": ["unknown delivery"]})
    if delivery.state != "failed":
        raise Conflict(f"only failed deliveries are replayed; this one is {delivery.state}",
                       {"state": [delivery.state]})
    if not subscription.active:
        raise Conflict("the subscription is disabled", {"subscription": [subscription.disabled_reason or "disabled"]})
    item = uow.session.get(ContentItem, delivery.item_id)
    if item is not None and item.state == "withdrawn" and delivery.event != "content.withdrawn":
        raise Conflict("the item was withdrawn; it is not sent again", {"item": ["withdrawn"]})
    delivery.state, delivery.attempts, delivery.next_attempt_at = "pending", 0, now
    delivery.last_error = None
    return delivery


def claim_deliveries(uow, owner, limit, lease, now):
    """Lease due deliveries to ``owner`` (urgent first); an expired lease (a crashed sender) is claimable again."""
    claimable = (Delivery.state.in_(("pending", "retrying")) & (Delivery.next_attempt_at <= now)
                 & (Delivery.leased_until.is_(None) | (Delivery.leased_until < now)))
    ids = uow.session.scalars(select(Delivery.id).where(claimable)
                              .order_by(Delivery.priority, Delivery.next_attempt_at).limit(limit)).all()
    if not ids:
        return []
    uow.session.execute(update(Delivery).where(Delivery.id.in_(ids) & claimable)
                        .values(leased_by=owner, leased_until=now + lease)
                        .execution_options(synchronize_session=False))
    rows = uow.session.execute(
        select(Delivery, Subscription).join(Subscription, Subscription.id == Delivery.subscription_id)
        .where(Delivery.id.in_(ids), Delivery.leased_by == owner)
        .order_by(Delivery.priority, Delivery.next_attempt_at)).all()
    return [{"id": d.id, "url": s.url, "payload": d.payload, "attempts": d.attempts,
             "secrets": signing_secrets(s, now)} for d, s in rows]


def signing_secrets(subscription, now):
    if subscription.previous_secret and subscription.previous_secret_until and subscription.previous_secret_until > now:
        return [subscription.secret, subscription.previous_secret]
    return [subscription.secret]


def record_attempt(uow, owner, delivery_id, outcome, policy, now, rng=None):
    """What one attempt did to the delivery (and, on 410, to its subscription)."""
    delivery = uow.session.get(Delivery, delivery_id)
    if delivery is None or delivery.leased_by != owner or delivery.state in ("delivered", "failed"):
        return None
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = outcome.status, outcome.error
    delivery.leased_by, delivery.leased_until = None, None
    if outcome.verdict == "delivered":
        delivery.state, delivery.delivered_at = "delivered", now
    elif outcome.verdict == "retry" and delivery.attempts < policy.max_attempts:
        delay = outcome.retry_after if outcome.retry_after is not None else (
            policy.backoff(delivery.attempts, rng) if rng else policy.backoff(delivery.attempts))
        delivery.state = "retrying"
        delivery.next_attempt_at = now + timedelta(seconds=min(delay, policy.cap_seconds))
    else:
        delivery.state = "failed"
        if outcome.verdict == "gone":
            disable(uow, delivery.subscription_id, "the destination answered 410 Gone")
        else:
            tell_failing(uow, uow.session.get(Subscription, delivery.subscription_id),
                         f"a delivery failed after {delivery.attempts} tries ({outcome.error or outcome.status})")
    return delivery


def tell_failing(uow, subscription, reason):
    uow.emit("subscription.failing", {"subscription_id": subscription.id,
                                      "owner_agency_id": subscription.owner_agency_id,
                                      "subscription_name": subscription.name, "reason": reason})


def disable(uow, subscription_id, reason):
    subscription = uow.session.get(Subscription, subscription_id)
    subscription.active, subscription.disabled_reason = False, reason
    tell_failing(uow, subscription, f"disabled: {reason}")
    for other in uow.session.scalars(select(Delivery).where(
            Delivery.subscription_id == subscription_id, Delivery.state.in_(("pending", "retrying")))):
        other.state, other.last_error = "failed", f"subscription disabled: {reason}"


def deliveries_by_state(session):
    """How many webhook deliveries are in each state (every state named, 0 when none)."""
    counted = dict(session.execute(select(Delivery.state, func.count()).group_by(Delivery.state)).all())
    return {state: counted.get(state, 0) for state in DELIVERY_STATES}
