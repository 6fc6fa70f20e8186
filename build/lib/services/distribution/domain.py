"""Distribution rules: content and its states, joint approval, fan-out to subscriptions, amplification, feeds."""
import json
import re
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

import nh3
from sqlalchemy import Text, cast, func, or_, select, update

from services.distribution import schemas, webhooks
from services.distribution.models import (Agency, Amplification, AmplificationRequest, Approval,
                                          ContentItem, Delivery, Subscription)
from shared import agencies
from shared.db import utcnow
from shared.rules import is_coordinator, load
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

URI_PREFIX = "urn:bakohumas:content:"
PUBLIC_STATES = ("published", "corrected")
EDITABLE_STATES = ("draft", "embargoed")
PRIORITY_URGENT, PRIORITY_NORMAL = 0, 1
PREVIOUS_SECRET_GRACE = timedelta(hours=24)
FEED_SIZE = 50

# What survives in a body: text structure, links and images; never scripts, styles or handlers.
ALLOWED_TAGS = {"p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a",
                "blockquote", "figure", "figcaption", "img", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"},
                      "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}


# --- sanitising -------------------------------------------------------------------------------

class _Markup(HTMLParser):
    """Counts the tags and (tag, attribute, value) triples of a fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes = Counter(), Counter()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        for name, value in attrs:
            self.attributes[(tag, name, value or "")] += 1

    handle_startendtag = handle_starttag


def _markup(html):
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


def sanitise(html):
    """The body with only safe markup, and a readable list of what was removed."""
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                      link_rel="noopener noreferrer")
    before, after = _markup(html), _markup(clean)
    stripped = [f"<{tag}> element" for tag in sorted(before.tags - after.tags)]
    for tag, name, value in sorted(before.attributes - after.attributes):
        if tag in ALLOWED_TAGS:  # attributes of a removed element go with it
            shown = f'{name}="{value[:60]}"' if name in ("href", "src") else name
            stripped.append(f"{shown} attribute on <{tag}>")
    return clean, stripped


# --- who may do what --------------------------------------------------------------------------

def is_party(actor, item):
    return actor["agency_id"] == item.agency_id or actor["agency_id"] in item.co_issuers


def require_author(actor, item, action):
    if actor["agency_id"] != item.agency_id and not is_coordinator(actor):
        raise Forbidden(f"only the posting agency may {action} this item")


def get_item(session, item_id, actor=None):
    item = session.get(ContentItem, item_id)
    if item is None or (actor is not None and not can_read(actor, item)):
        raise NotFound(f"no content {item_id}", {"item_id": ["unknown content"]})
    return item


def can_read(actor, item):
    """Drafts and embargoed items are seen only by their agencies and the coordinator."""
    return item.state not in ("draft", "embargoed") or is_coordinator(actor) or is_party(actor, item)


# --- content ----------------------------------------------------------------------------------

def _check_embargo(when, now, field="embargo_until"):
    if when is not None and when <= now:
        raise ValidationFailed("an embargo must be in the future", {field: ["must be in the future"]})


def _check_co_issuers(session, author_id, co_issuers):
    problems = []
    for agency_id in co_issuers:
        agency = session.get(Agency, agency_id)
        if agency_id == author_id:
            problems.append(f"{agency_id} is the posting agency itself")
        elif agency is None or not agency.active:
            problems.append(f"{agency_id} is not an active member agency")
    if problems:
        raise ValidationFailed("co-issuing agencies must be other active members", {"co_issuers": problems})
    if len(set(co_issuers)) != len(co_issuers):
        raise ValidationFailed("co-issuers are listed twice", {"co_issuers": ["each agency once"]})


def _apply(item, values):
    """Copy edited fields onto the item; the body is sanitised; returns what the sanitiser stripped."""
    stripped = []
    for name, value in values.items():
        if name == "body_html":
            value, stripped = sanitise(value)
        setattr(item, name, value)
    return stripped


def create_content(uow, actor, data):
    values = load(schemas.ContentInput, data)
    agency_id = values.pop("agency_id", actor["agency_id"])
    if agency_id != actor["agency_id"] and not is_coordinator(actor):
        raise Forbidden("a member posts only as itself", {"agency_id": ["must be your own agency"]})
    now = utcnow()
    _check_embargo(values.get("embargo_until"), now)
    _check_co_issuers(uow.session, agency_id, values.get("co_issuers", []))
    item = ContentItem(id=str(uuid.uuid4()), agency_id=agency_id, kind=values.pop("type"), state="draft",
                       pub_status="usable", version=1, summary="", body_html="", subjects=[], byline="",
                       place="", attachments=[], co_issuers=[], first_created=now, version_created=now)
    stripped = _apply(item, values)
    uow.session.add(item)
    uow.session.flush()
    return item, stripped


def edit_draft(uow, actor, item_id, data):
    """Change a draft; a new version, so earlier approvals of a joint release no longer count.

    An embargoed item that is edited goes back to draft: it is published (and approved) again.
    """
    item = get_item(uow.session, item_id, actor)
    require_author(actor, item, "edit")
    if item.state not in EDITABLE_STATES:
        raise Conflict(f"a {item.state} item cannot be edited; publish a correction instead",
                       {"state": [f"is {item.state}; only drafts and embargoed items are edited"]})
    values = load(schemas.ContentEdit, data)
    _check_embargo(values.get("embargo_until"), utcnow())
    if "co_issuers" in values:
        _check_co_issuers(uow.session, item.agency_id, values["co_issuers"])
    if item.kind == "clarification" and "claim" in values and not values["claim"]:
        raise ValidationFailed("a clarification carries the claim it answers", {"claim": ["required"]})
    stripped = _apply(item, values)
    item.version += 1
    item.version_created, item.state = utcnow(), "draft"
    return item, stripped


def approvals_of(session, item):
    return {a.agency_id: a.version for a in session.scalars(select(Approval).where(Approval.item_id == item.id))}


def approve(uow, actor, item_id, data):
    item = get_item(uow.session, item_id, actor)
    values = load(schemas.ApproveInput, data)
    if actor["agency_id"] not in item.co_issuers:
        raise Forbidden("only a co-issuing agency approves a joint release")
    if item.state != "draft":
        raise Conflict(f"the item is {item.state}; approvals are for drafts", {"state": [item.state]})
    if values["version"] != item.version:
        raise Conflict("the item changed since you read it; approve the current version",
                       {"version": [f"current version is {item.version}"]})
    approval = uow.session.get(Approval, (item.id, actor["agency_id"]))
    if approval is None:
        uow.session.add(Approval(item_id=item.id, agency_id=actor["agency_id"], version=item.version))
    else:
        approval.version, approval.approved_at = item.version, utcnow()
    return item


def missing_approvals(session, item):
    approved = approvals_of(session, item)
    return [agency for agency in item.co_issuers if approved.get(agency) != item.version]


def publish(uow, actor, item_id, data):
    """Publish now, or schedule at the embargo (from the request, else the item's own)."""
    item = get_item(uow.session, item_id, actor)
    require_author(actor, item, "publish")
    values = load(schemas.PublishInput, data)
    if item.state not in ("draft", "embargoed"):
        raise Conflict(f"the item is already {item.state}", {"state": [item.state]})
    missing = missing_approvals(uow.session, item)
    if missing:
        raise Conflict("every co-issuing agency must approve this version first",
                       {"approvals": [f"{agency} has not approved version {item.version}" for agency in missing]})
    now = utcnow()
    if "embargo_until" in values:  # the request sets (or, with null, lifts) the embargo
        _check_embargo(values["embargo_until"], now)
        item.embargo_until = values["embargo_until"]
    elif item.state == "embargoed":  # publishing an embargoed item again means: now
        item.embargo_until = None
    if item.embargo_until is not None and item.embargo_until > now:
        item.state, item.pub_status = "embargoed", "usable"
        return item
    _go_public(uow, item, now)
    return item


def _go_public(uow, item, now):
    item.state, item.pub_status, item.published_at = "published", "usable", now
    fan_out(uow, item, "content.published")
    uow.emit("content.published", {"content": content_ref(item)})


def publish_due_embargoes(uow, now=None, limit=100):
    """Publish embargoed items whose time has come; each is claimed by a conditional UPDATE.

    Only the instance whose UPDATE changed the row publishes it, so two instances (or a
    restart mid-way) never publish twice; an item missed while down is published on the next tick.
    """
    now = now or utcnow()
    due = uow.session.scalars(select(ContentItem.id).where(
        ContentItem.state == "embargoed", ContentItem.embargo_until <= now)
        .order_by(ContentItem.embargo_until).limit(limit)).all()
    published = []
    for item_id in due:
        claimed = uow.session.execute(update(ContentItem).where(
            ContentItem.id == item_id, ContentItem.state == "embargoed", ContentItem.embargo_until <= now)
            .values(state="published", published_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            continue
        item = uow.session.get(ContentItem, item_id)
        uow.session.refresh(item)
        fan_out(uow, item, "content.published")
        uow.emit("content.published", {"content": content_ref(item)})
        published.append(item_id)
    return published


def correct(uow, actor, item_id, data):
    """A new version of a published item that says what changed; sent again to every matching destination."""
    item = get_item(uow.session, item_id, actor)
    require_author(actor, item, "correct")
    if item.state not in PUBLIC_STATES:
        raise Conflict(f"only published items are corrected; this one is {item.state}",
                       {"state": [item.state]})
    values = load(schemas.Correction, data)
    change_note = values.pop("change_note")
    values.pop("embargo_until", None)
    if "co_issuers" in values and values["co_issuers"] != item.co_issuers:
        raise ValidationFailed("co-issuers cannot change after publication", {"co_issuers": ["fixed once published"]})
    stripped = _apply(item, values)
    now = utcnow()
    item.version += 1
    item.version_created, item.change_note, item.state = now, change_note, "corrected"
    fan_out(uow, item, "content.corrected")
    uow.emit("content.corrected", {"content": content_ref(item), "change_note": change_note})
    return item, stripped


def withdraw(uow, actor, item_id, data):
    """Kill the item: a kill notice goes to every destination that received (or may have received) it."""
    item = get_item(uow.session, item_id, actor)
    require_author(actor, item, "withdraw")
    values = load(schemas.WithdrawInput, data)
    if item.state in ("draft", "withdrawn"):
        raise Conflict(f"a {item.state} item cannot be withdrawn", {"state": [item.state]})
    now = utcnow()
    reached = set()
    for delivery in uow.session.scalars(select(Delivery).where(Delivery.item_id == item.id)):
        in_flight = delivery.leased_until is not None and delivery.leased_until > now
        if delivery.state == "delivered" or delivery.attempts > 0 or in_flight:
            reached.add(delivery.subscription_id)
        if delivery.state in ("pending", "retrying"):
            delivery.state, delivery.last_error = "failed", "the item was withdrawn before delivery"
    item.state, item.pub_status, item.withdraw_reason = "withdrawn", "canceled", values["reason"]
    item.version_created = now
    subscriptions = uow.session.scalars(select(Subscription).where(
        Subscription.id.in_(reached), Subscription.active.is_(True))).all()
    _queue(uow, item, "content.withdrawn", subscriptions, PRIORITY_URGENT, now)
    uow.emit("content.withdrawn", {"content": content_ref(item), "reason": values["reason"]})
    return item


def _names(agency_id):
    """A coarse SQL pre-filter on the co-issuer list (JSON text); callers check exactly after."""
    return cast(ContentItem.co_issuers, Text).contains(f'"{agency_id}"')


def list_content(session, actor, query):
    stmt = select(ContentItem).order_by(ContentItem.version_created.desc()).limit(200)
    if not is_coordinator(actor):
        stmt = stmt.where(or_(ContentItem.state.notin_(("draft", "embargoed")),
                              ContentItem.agency_id == actor["agency_id"],
                              _names(actor["agency_id"])))
    for name in ("state", "agency_id"):
        if query.get(name):
            stmt = stmt.where(getattr(ContentItem, name) == query[name])
    if query.get("type"):
        stmt = stmt.where(ContentItem.kind == query["type"])
    return [item for item in session.scalars(stmt) if can_read(actor, item)]


def content_ref(item):
    return {"id": item.id, "agency_id": item.agency_id, "co_issuers": list(item.co_issuers),
            "type": item.kind, "version": item.version, "headline": item.headline,
            "calendar_item_id": item.calendar_item_id}


def view(session, item, stripped=None):
    dumped = {
        "id": item.id, "uri": URI_PREFIX + item.id, "type": item.kind, "state": item.state,
        "pub_status": item.pub_status, "version": item.version, "agency_id": item.agency_id,
        "co_issuers": item.co_issuers, "approvals": approvals_of(session, item), "headline": item.headline,
        "summary": item.summary, "body_html": item.body_html, "language": item.language,
        "subjects": item.subjects, "byline": item.byline, "place": item.place,
        "attachments": item.attachments, "calendar_item_id": item.calendar_item_id,
        "embargo_until": item.embargo_until, "claim": item.claim, "change_note": item.change_note,
        "withdraw_reason": item.withdraw_reason, "first_created": item.first_created,
        "version_created": item.version_created, "published_at": item.published_at,
        "ninjs": ninjs(session, item)}
    if stripped is not None:
        dumped["stripped"] = stripped
    return schemas.ContentView().dump(dumped)


def _agency_name(session, agency_id):
    agency = session.get(Agency, agency_id)
    return agency.name if agency else agency_id


def ninjs(session, item):
    """The item as an IPTC ninjs 3.x document (what webhooks carry and the JSON feed lists)."""
    doc = {
        "uri": URI_PREFIX + item.id,
        "type": "graphic" if item.kind == "infographic" else "text",
        "profile": item.kind,
        "version": str(item.version),
        "firstCreated": item.first_created.isoformat(),
        "versionCreated": item.version_created.isoformat(),
        "pubStatus": item.pub_status,
        "urgency": 1 if item.kind == "clarification" else 5,
        "language": item.language,
        "headlines": [{"role": "main", "value": item.headline}],
        "bodies": [{"role": "main", "contentType": "text/html", "value": item.body_html}],
        "subjects": [{"uri": f"http://cv.iptc.org/newscodes/mediatopic/{code.split(':', 1)[1]}",
                      "name": schemas.SUBJECTS[code], "scheme": "medtop"} for code in item.subjects],
        "infoSources": [{"uri": f"urn:bakohumas:agency:{agency}", "name": _agency_name(session, agency),
                         "role": "originator" if agency == item.agency_id else "co-issuer"}
                        for agency in [item.agency_id, *item.co_issuers]],
    }
    if item.summary:
        doc["descriptions"] = [{"role": "summary", "contentType": "text/plain", "value": item.summary}]
    if item.byline:
        doc["by"] = item.byline
    if item.place:
        doc["places"] = [{"name": item.place}]
    if item.embargo_until:
        doc["embargoedUntil"] = item.embargo_until.isoformat()
    if item.attachments:
        doc["associations"] = [{"name": f"attachment-{n}", "uri": a["url"], "mimetype": a["media_type"],
                                "descriptions": [{"role": "caption", "value": a.get("caption", "")}]}
                               for n, a in enumerate(item.attachments, 1)]
    notes = [note for note in (item.change_note, item.withdraw_reason) if note]
    if notes:
        doc["edNote"] = " ".join(notes)
    if item.claim:
        doc["claim"] = item.claim
    if item.calendar_item_id:
        doc["related"] = [{"rel": "calendar-item", "uri": f"urn:bakohumas:calendar:{item.calendar_item_id}"}]
    return doc


# --- calendar links ---------------------------------------------------------------------------

def _instant(value):
    """A calendar time as an aware datetime, whether the contract handed a string or a datetime."""
    when = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    if when.tzinfo is None:
        raise ValueError("calendar times must carry their zone")
    return when.astimezone(timezone.utc)


def _linked_pending(uow, calendar_item):
    revision = calendar_item["revision"]
    for item in uow.session.scalars(select(ContentItem).where(
            ContentItem.calendar_item_id == calendar_item["id"],
            ContentItem.state.in_(("draft", "embargoed")))):
        if item.calendar_revision is not None and item.calendar_revision >= revision:
            continue
        item.calendar_revision = revision
        yield item


def follow_reschedule(uow, calendar_item):
    """The calendar item moved: an embargo tied to it moves to its new embargo time (else its new start)."""
    moved = []
    # the calendar's contract names the field embargo_at; embargo_until is accepted as its alias
    embargo = calendar_item.get("embargo_at", calendar_item.get("embargo_until"))
    new_time = _instant(embargo or calendar_item["start"])
    for item in _linked_pending(uow, calendar_item):
        if item.embargo_until is not None:
            item.embargo_until = new_time
            moved.append(item.id)
    return moved


def follow_cancellation(uow, calendar_item):
    """The calendar item was cancelled: its embargoed content goes back to draft, withheld."""
    held = []
    for item in _linked_pending(uow, calendar_item):
        if item.state == "embargoed":
            item.state, item.pub_status = "draft", "withheld"
            held.append(item.id)
    return held


# --- agencies (copied from the directory) -----------------------------------------------------

def keep_agency(uow, snapshot, as_of):
    """Insert or refresh the local copy of an agency from a directory event (older ones are ignored)."""
    return agencies.keep_agency(uow.session, Agency, snapshot, as_of)[0]


def agency_deactivated(uow, snapshot, as_of):
    """A deactivated agency keeps its content; its webhook subscriptions stop."""
    keep_agency(uow, snapshot, as_of)
    for subscription in uow.session.scalars(select(Subscription).where(
            Subscription.owner_agency_id == snapshot["id"], Subscription.active.is_(True))):
        _disable(uow, subscription.id, "the owning agency was deactivated")


# --- subscriptions and deliveries -------------------------------------------------------------

def filters_of(subscription):
    return {"types": subscription.types, "agencies": subscription.agencies,
            "subjects": subscription.subjects, "language": subscription.language}


def matches(subscription, item):
    if subscription.types and item.kind not in subscription.types:
        return False
    if subscription.agencies and not ({item.agency_id, *item.co_issuers} & set(subscription.agencies)):
        return False
    if subscription.subjects and not (set(item.subjects) & set(subscription.subjects)):
        return False
    return not subscription.language or subscription.language == item.language


def _queue(uow, item, event, subscriptions, priority, now):
    body = json.dumps({"type": event, "timestamp": now.isoformat(), "data": ninjs(uow.session, item)},
                      ensure_ascii=False, separators=(",", ":"))
    for subscription in subscriptions:
        uow.session.add(Delivery(
            id="msg_" + uuid.uuid4().hex, subscription_id=subscription.id, item_id=item.id,
            item_version=item.version, event=event, priority=priority, payload=body, state="pending",
            attempts=0, next_attempt_at=now, created_at=now))


def fan_out(uow, item, event):
    """One delivery per active matching subscription; clarifications jump the queue."""
    subscriptions = [s for s in uow.session.scalars(select(Subscription).where(Subscription.active.is_(True)))
                     if matches(s, item)]
    priority = PRIORITY_URGENT if item.kind == "clarification" else PRIORITY_NORMAL
    _queue(uow, item, event, subscriptions, priority, utcnow())
    return len(subscriptions)


def subscription_view(subscription, secret=None):
    dumped = schemas.SubscriptionView().dump({
        "id": subscription.id, "owner_agency_id": subscription.owner_agency_id, "name": subscription.name,
        "url": subscription.url, "filters": filters_of(subscription), "active": subscription.active,
        "disabled_reason": subscription.disabled_reason, "created_at": subscription.created_at})
    if secret:
        dumped["secret"] = secret
    return dumped


def create_subscription(uow, actor, data, allow_private):
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
        subjects=filters["subjects"], language=filters["language"], active=True, created_at=utcnow())
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


def rotate_secret(uow, actor, subscription_id):
    """A new secret; the old one keeps signing beside it for a day so receivers can switch over."""
    subscription = get_subscription(uow.session, actor, subscription_id)
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_until = utcnow() + PREVIOUS_SECRET_GRACE
    subscription.secret = webhooks.new_secret()
    return subscription


def delete_subscription(uow, actor, subscription_id):
    subscription = get_subscription(uow.session, actor, subscription_id)
    for delivery in uow.session.scalars(select(Delivery).where(Delivery.subscription_id == subscription.id)):
        uow.session.delete(delivery)
    uow.session.delete(subscription)


def list_deliveries(session, actor, subscription_id, state=None):
    subscription = get_subscription(session, actor, subscription_id)
    stmt = select(Delivery).where(Delivery.subscription_id == subscription.id)
    if state:
        stmt = stmt.where(Delivery.state == state)
    return session.scalars(stmt.order_by(Delivery.created_at.desc()).limit(500)).all()


def replay(uow, actor, subscription_id, delivery_id):
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
    delivery.state, delivery.attempts, delivery.next_attempt_at = "pending", 0, utcnow()
    delivery.last_error = None
    return delivery


def claim_deliveries(uow, owner, limit, lease):
    """Lease due deliveries to ``owner`` (urgent first); an expired lease (a crashed sender) is claimable again."""
    now = utcnow()
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


def record_attempt(uow, owner, delivery_id, outcome, policy, rng=None):
    """What one attempt did to the delivery (and, on 410, to its subscription)."""
    delivery = uow.session.get(Delivery, delivery_id)
    if delivery is None or delivery.leased_by != owner or delivery.state in ("delivered", "failed"):
        return None
    now = utcnow()
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
            _disable(uow, delivery.subscription_id, "the destination answered 410 Gone")
    return delivery


def _disable(uow, subscription_id, reason):
    subscription = uow.session.get(Subscription, subscription_id)
    subscription.active, subscription.disabled_reason = False, reason
    for other in uow.session.scalars(select(Delivery).where(
            Delivery.subscription_id == subscription_id, Delivery.state.in_(("pending", "retrying")))):
        other.state, other.last_error = "failed", f"subscription disabled: {reason}"


# --- amplification ----------------------------------------------------------------------------

def request_amplification(uow, actor, item_id, data):
    item = get_item(uow.session, item_id, actor)
    if actor["agency_id"] != item.agency_id and not is_coordinator(actor):
        raise Forbidden("only the author or the coordinator asks for amplification")
    if item.state not in PUBLIC_STATES:
        raise Conflict("only published items are amplified", {"state": [item.state]})
    values = load(schemas.AmplificationInput, data)
    _check_embargo(values["deadline"], utcnow(), "deadline")
    members = values["members"]
    if members is None:
        members = uow.session.scalars(select(Agency.id).where(
            Agency.active.is_(True), Agency.id != item.agency_id).order_by(Agency.short_name)).all()
    else:
        unknown = [m for m in members if uow.session.get(Agency, m) is None]
        if unknown:
            raise ValidationFailed("unknown member agencies", {"members": [f"{m} is unknown" for m in unknown]})
    request = AmplificationRequest(id=str(uuid.uuid4()), item_id=item.id, requested_by=actor["agency_id"],
                                   message=values["message"], deadline=values["deadline"],
                                   members=list(dict.fromkeys(members)), created_at=utcnow())
    uow.session.add(request)
    uow.session.flush()
    return request


def _get_request(session, request_id):
    request = session.get(AmplificationRequest, request_id)
    if request is None:
        raise NotFound(f"no amplification request {request_id}", {"request_id": ["unknown request"]})
    return request


def answer_amplification(uow, actor, request_id, data):
    request = _get_request(uow.session, request_id)
    if actor["agency_id"] not in request.members:
        raise Forbidden("this request did not ask your agency")
    values = load(schemas.AmplificationAnswer, data)
    answer = uow.session.get(Amplification, (request.id, actor["agency_id"]))
    if answer is None:
        uow.session.add(Amplification(request_id=request.id, agency_id=actor["agency_id"], url=values["url"],
                                      responded_at=utcnow()))
    else:
        answer.url, answer.responded_at = values["url"], utcnow()
    return request


def amplification_report(session, actor, request_id):
    request = _get_request(session, request_id)
    item = session.get(ContentItem, request.item_id)
    if actor["agency_id"] not in (request.requested_by, item.agency_id) and not is_coordinator(actor):
        raise Forbidden("only the author and the coordinator see who amplified")
    answers = {a.agency_id: a for a in session.scalars(select(Amplification).where(
        Amplification.request_id == request.id))}

    def who(agency_id):
        agency = session.get(Agency, agency_id)
        return {"agency_id": agency_id, "short_name": agency.short_name if agency else None}

    shared = [{**who(m), "url": answers[m].url, "responded_at": answers[m].responded_at.isoformat(),
               "late": answers[m].responded_at > request.deadline} for m in request.members if m in answers]
    return schemas.AmplificationReport().dump({
        "id": request.id, "item_id": request.item_id, "requested_by": request.requested_by,
        "message": request.message, "deadline": request.deadline, "deadline_passed": utcnow() > request.deadline,
        "shared": shared, "not_shared": [who(m) for m in request.members if m not in answers]})


# --- public feeds -----------------------------------------------------------------------------

def feed_items(session, agency_id=None, now=None):
    """Published items whose time has come; embargoed, withheld and withdrawn ones never."""
    now = now or utcnow()
    stmt = (select(ContentItem).where(ContentItem.state.in_(PUBLIC_STATES), ContentItem.pub_status == "usable",
                                      ContentItem.published_at <= now,
                                      or_(ContentItem.embargo_until.is_(None), ContentItem.embargo_until <= now))
            .order_by(ContentItem.version_created.desc()).limit(FEED_SIZE))
    if agency_id:
        stmt = stmt.where(or_(ContentItem.agency_id == agency_id, _names(agency_id)))
    return [item for item in session.scalars(stmt)
            if not agency_id or agency_id in (item.agency_id, *item.co_issuers)]


ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def atom_feed(session, items, feed_url, title):
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def add(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:  # control characters a JSON body may carry have no place in XML
            element.text = _NOT_XML.sub("", text)
        return element

    add(feed, "id", feed_url)
    add(feed, "title", title)
    updated = max((item.version_created for item in items), default=utcnow())
    add(feed, "updated", updated.isoformat())
    add(feed, "link", rel="self", href=feed_url)
    for item in items:
        entry = add(feed, "entry")
        add(entry, "id", URI_PREFIX + item.id)
        add(entry, "title", item.headline)
        add(entry, "updated", item.version_created.isoformat())
        add(entry, "published", item.published_at.isoformat())
        author = add(entry, "author")
        add(author, "name", _agency_name(session, item.agency_id))
        if item.summary:
            add(entry, "summary", item.summary)
        add(entry, "content", item.body_html, type="html")
        for code in item.subjects:
            add(entry, "category", term=code, label=schemas.SUBJECTS[code])
    return ET.tostring(feed, encoding="unicode", xml_declaration=True)


DELIVERY_STATES = ("pending", "retrying", "delivered", "failed")


def deliveries_by_state(session):
    """How many webhook deliveries are in each state (every state named, 0 when none)."""
    counted = dict(session.execute(select(Delivery.state, func.count()).group_by(Delivery.state)).all())
    return {state: counted.get(state, 0) for state in DELIVERY_STATES}
