"""Public feeds: published items as Atom and as a JSON list of ninjs documents."""
import re
from xml.etree import ElementTree as ET

from marshmallow import EXCLUDE
from sqlalchemy import or_, select

from services.distribution import schemas
from services.distribution.domain.access import PUBLIC_STATES, names_agency
from services.distribution.domain.documents import URI_PREFIX, agency_name, ninjs
from services.distribution.models import Agency, ContentItem
from shared.errors import NotFound
from shared.rules import load

FEED_SIZE = 50


def feed_items(session, agency_id, now):
    """Published items whose time has come; embargoed, withheld and withdrawn ones never."""
    stmt = (select(ContentItem).where(ContentItem.state.in_(PUBLIC_STATES), ContentItem.pub_status == "usable",
                                      ContentItem.published_at <= now,
                                      or_(ContentItem.embargo_until.is_(None), ContentItem.embargo_until <= now))
            .order_by(ContentItem.version_created.desc()).limit(FEED_SIZE))
    if agency_id:
        stmt = stmt.where(or_(ContentItem.agency_id == agency_id, names_agency(agency_id)))
    return [item for item in session.scalars(stmt)
            if not agency_id or agency_id in (item.agency_id, *item.co_issuers)]


ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def atom_feed(session, feed_url, agency_id, now):
    """The Atom feed of published items (of one agency, when named)."""
    title = "Bakohumas Hub"
    if agency_id:
        agency = session.get(Agency, agency_id)
        if agency is None:
            raise NotFound(f"no agency {agency_id}", {"agency_id": ["unknown agency"]})
        title = f"{agency.name} — Bakohumas Hub"
    items = feed_items(session, agency_id, now)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def add(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:  # control characters a JSON body may carry have no place in XML
            element.text = _NOT_XML.sub("", text)
        return element

    add(feed, "id", feed_url)
    add(feed, "title", title)
    updated = max((item.version_created for item in items), default=now)
    add(feed, "updated", updated.isoformat())
    add(feed, "link", rel="self", href=feed_url)
    for item in items:
        entry = add(feed, "entry")
        add(entry, "id", URI_PREFIX + item.id)
        add(entry, "title", item.headline)
        add(entry, "updated", item.version_created.isoformat())
        add(entry, "published", item.published_at.isoformat())
        author = add(entry, "author")
        add(author, "name", agency_name(session, item.agency_id))
        if item.summary:
            add(entry, "summary", item.summary)
        add(entry, "content", item.body_html, type="html")
        for code in item.subjects:
            add(entry, "category", term=code, label=schemas.SUBJECTS[code])
    return ET.tostring(feed, encoding="unicode", xml_declaration=True)


def json_feed(session, query, now):
    """Published items as ninjs documents; ``query`` as sent (strings)."""
    agency_id = load(schemas.FeedQuery, query, unknown=EXCLUDE).get("agency_id")
    return [ninjs(session, item) for item in feed_items(session, agency_id, now)]
