"""An item as an IPTC ninjs document: what webhooks carry and the JSON feed lists."""
from services.distribution import schemas
from services.distribution.models import Agency

URI_PREFIX = "urn:bakohumas:content:"


def content_ref(item):
    """The item as the content events name it."""
    return {"id": item.id, "agency_id": item.agency_id, "co_issuers": list(item.co_issuers),
            "type": item.kind, "version": item.version, "headline": item.headline,
            "calendar_item_id": item.calendar_item_id}


def agency_name(session, agency_id):
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
        "infoSources": [{"uri": f"urn:bakohumas:agency:{agency}", "name": agency_name(session, agency),
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
