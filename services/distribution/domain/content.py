"""Content and its states: drafts, joint approval, embargoes, publication, corrections, withdrawal."""
import dataclasses
import uuid
from dataclasses import dataclass

from marshmallow import EXCLUDE
from sqlalchemy import or_, select, update

from services.distribution import schemas
from services.distribution.domain.access import (EDITABLE_STATES, PUBLIC_STATES, can_read, get_item,
                                                 names_agency, require_author)
from services.distribution.domain.deliveries import PRIORITY_URGENT, fan_out, queue
from services.distribution.domain.documents import URI_PREFIX, content_ref, ninjs
from services.distribution.domain.paging import page_of
from services.distribution.domain.sanitising import sanitise
from services.distribution.models import Agency, Approval, ContentItem, Delivery, Subscription
from shared import agencies
from shared.errors import Conflict, Forbidden, ValidationFailed
from shared.rules import is_coordinator, load


@dataclass
class ShownItem:
    """An item as the API answers it: the agencies it names carry their names beside their ids;
    ``stripped`` is what the sanitiser removed in this request (None when the body was not sent)."""
    item: ContentItem
    approvals: dict
    names: dict
    ninjs: dict
    stripped: list | None = None
    approvers: dict = dataclasses.field(default_factory=dict)  # agency id -> the person who approved for it, if one did

    @property
    def uri(self):
        return URI_PREFIX + self.item.id

    @property
    def agency(self):
        return self.names[self.item.agency_id]

    @property
    def co_issuer_agencies(self):
        return [self.names[agency_id] for agency_id in self.item.co_issuers]

    @property
    def approved_by(self):
        return [{**self.names[agency_id], "version": self.approvals[agency_id], **self.approvers[agency_id]}
                for agency_id in self.item.co_issuers if agency_id in self.approvals]


def shown(session, item, stripped=None):
    rows = approval_rows(session, item)
    return ShownItem(item, {a.agency_id: a.version for a in rows},
                     agencies.names_of(session, Agency, [item.agency_id, *item.co_issuers]),
                     ninjs(session, item), stripped,
                     {a.agency_id: {"account_id": a.account_id, "account_name": a.account_name} for a in rows})


def check_embargo(when, now, field="embargo_until"):
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


def create_content(uow, actor, data, now):
    values = load(schemas.ContentInput, data)
    agency_id = values.pop("agency_id", actor["agency_id"])
    if agency_id != actor["agency_id"] and not is_coordinator(actor):
        raise Forbidden("a member posts only as itself", {"agency_id": ["must be your own agency"]})
    check_embargo(values.get("embargo_until"), now)
    _check_co_issuers(uow.session, agency_id, values.get("co_issuers", []))
    item = ContentItem(id=str(uuid.uuid4()), agency_id=agency_id, kind=values.pop("type"), state="draft",
                       pub_status="usable", version=1, summary="", body_html="", subjects=[], byline="",
                       place="", attachments=[], co_issuers=[], first_created=now, version_created=now)
    stripped = _apply(item, values)
    uow.session.add(item)
    uow.session.flush()
    _ask_approval(uow, item)
    return shown(uow.session, item, stripped)


def edit_draft(uow, actor, item_id, data, now):
    """Change a draft; a new version, so earlier approvals of a joint release no longer count.

    An embargoed item that is edited goes back to draft: it is published (and approved) again.
    """
    item = get_item(uow.session, actor, item_id)
    require_author(actor, item, "edit")
    if item.state not in EDITABLE_STATES:
        raise Conflict(f"a {item.state} item cannot be edited; publish a correction instead",
                       {"state": [f"is {item.state}; only drafts and embargoed items are edited"]})
    values = load(schemas.ContentEdit, data)
    check_embargo(values.get("embargo_until"), now)
    if "co_issuers" in values:
        _check_co_issuers(uow.session, item.agency_id, values["co_issuers"])
    if item.kind == "clarification" and "claim" in values and not values["claim"]:
        raise ValidationFailed("a clarification carries the claim it answers", {"claim": ["required"]})
    stripped = _apply(item, values)
    item.version += 1
    item.version_created, item.state = now, "draft"
    _ask_approval(uow, item)
    return shown(uow.session, item, stripped)


def approval_rows(session, item):
    return session.scalars(select(Approval).where(Approval.item_id == item.id)).all()


def _ask_approval(uow, item):
    """A joint release's new version waits for its co-issuers (earlier approvals no longer count)."""
    if item.co_issuers:
        uow.emit("content.approval_requested", {"content": content_ref(item),
                                                "awaiting_agency_ids": list(item.co_issuers)})


def approvals_of(session, item):
    return {a.agency_id: a.version for a in approval_rows(session, item)}


def approve(uow, actor, item_id, data, now):
    item = get_item(uow.session, actor, item_id)
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
        approval = Approval(item_id=item.id, agency_id=actor["agency_id"])
        uow.session.add(approval)
    # Who approved: the person (kept as named then), or None when the agency's key did.
    approval.version, approval.approved_at = item.version, now
    approval.account_id, approval.account_name = actor.get("account_id"), actor.get("account_name")
    uow.emit("content.approved", {"content": content_ref(item), "agency_id": actor["agency_id"]})
    return shown(uow.session, item)


def missing_approvals(session, item):
    approved = approvals_of(session, item)
    return [agency for agency in item.co_issuers if approved.get(agency) != item.version]


def publish(uow, actor, item_id, data, now):
    """Publish now, or schedule at the embargo (from the request, else the item's own)."""
    item = get_item(uow.session, actor, item_id)
    require_author(actor, item, "publish")
    values = load(schemas.PublishInput, data)
    if item.state not in ("draft", "embargoed"):
        raise Conflict(f"the item is already {item.state}", {"state": [item.state]})
    missing = missing_approvals(uow.session, item)
    if missing:
        names = agencies.names_of(uow.session, Agency, missing)
        raise Conflict("every co-issuing agency must approve this version first", {"approvals": [
            f"{names[agency]['short_name'] or agency} ({agency}) has not approved version {item.version}"
            for agency in missing]})
    if "embargo_until" in values:  # the request sets (or, with null, lifts) the embargo
        check_embargo(values["embargo_until"], now)
        item.embargo_until = values["embargo_until"]
    elif item.state == "embargoed":  # publishing an embargoed item again means: now
        item.embargo_until = None
    if item.embargo_until is not None and item.embargo_until > now:
        item.state, item.pub_status = "embargoed", "usable"
    else:
        item.state, item.pub_status, item.published_at = "published", "usable", now
        _announce(uow, item, now)
    return shown(uow.session, item)


def _announce(uow, item, now):
    fan_out(uow, item, "content.published", now)
    uow.emit("content.published", {"content": content_ref(item)})


def publish_due_embargoes(uow, now, limit=100):
    """Publish embargoed items whose time has come; each is claimed by a conditional UPDATE.

    Only the instance whose UPDATE changed the row publishes it, so two instances (or a
    restart mid-way) never publish twice; an item missed while down is published on the next tick.
    """
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
        _announce(uow, item, now)
        published.append(item_id)
    return published


def correct(uow, actor, item_id, data, now):
    """A new version of a published item that says what changed; sent again to every matching destination."""
    item = get_item(uow.session, actor, item_id)
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
    item.version += 1
    item.version_created, item.change_note, item.state = now, change_note, "corrected"
    fan_out(uow, item, "content.corrected", now)
    uow.emit("content.corrected", {"content": content_ref(item), "change_note": change_note})
    return shown(uow.session, item, stripped)


def withdraw(uow, actor, item_id, data, now):
    """Kill the item: a kill notice goes to every destination that received (or may have received) it."""
    item = get_item(uow.session, actor, item_id)
    require_author(actor, item, "withdraw")
    values = load(schemas.WithdrawInput, data)
    if item.state in ("draft", "withdrawn"):
        raise Conflict(f"a {item.state} item cannot be withdrawn", {"state": [item.state]})
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
    queue(uow, item, "content.withdrawn", subscriptions, PRIORITY_URGENT, now)
    uow.emit("content.withdrawn", {"content": content_ref(item), "reason": values["reason"]})
    return shown(uow.session, item)


def show_item(session, actor, item_id):
    return shown(session, get_item(session, actor, item_id))


def list_content(session, actor, query):
    """Content the actor may see, newest first; ``query`` as sent (strings)."""
    values = load(schemas.ContentQuery, query, unknown=EXCLUDE)
    stmt = select(ContentItem).order_by(ContentItem.version_created.desc(), ContentItem.id)
    if not is_coordinator(actor):
        stmt = stmt.where(or_(ContentItem.state.notin_(("draft", "embargoed")),
                              ContentItem.agency_id == actor["agency_id"],
                              names_agency(actor["agency_id"])))
    for name in ("state", "agency_id"):
        if values.get(name):
            stmt = stmt.where(getattr(ContentItem, name) == values[name])
    if values.get("type"):
        stmt = stmt.where(ContentItem.kind == values["type"])
    # the SQL filter above is exact (ids are matched quoted), so the count agrees with what is shown
    page = page_of(session, stmt, values["limit"], values["offset"])
    return dataclasses.replace(page, items=[shown(session, item) for item in page.items if can_read(actor, item)])
