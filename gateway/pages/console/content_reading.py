"""Turning the Konten editor's form into what distribution takes, and an item into the form
(no transport, no templates). The body is written in a textarea: HTML with a few tags, or plain
paragraphs separated by a blank line; distribution cleans it with nh3 either way."""
import re
from html import escape

from gateway.pages.console import forms
from gateway.pages.console.forms import local_parts, moment

TAG = re.compile(r"<[a-zA-Z/][^>]*>")
# The editor's fields that are sent as they were typed (a draft edit sends only what it shows).
TEXT_FIELDS = ("headline", "summary", "byline", "place", "language")


def body_html(text):
    """Typed HTML as it is; plain text as paragraphs (a blank line between them), line breaks kept."""
    text = text.strip()
    if not text or TAG.search(text):
        return text
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
    return "".join("<p>" + escape(part).replace("\n", "<br>") + "</p>" for part in paragraphs)


def attachments(text):
    """One attachment a line: ``URL media/type caption`` (the caption may have spaces)."""
    found = []
    for line in text.splitlines():
        parts = line.split(None, 2)
        if parts:
            found.append({"url": parts[0], "media_type": parts[1] if len(parts) > 1 else "",
                          "caption": parts[2] if len(parts) > 2 else ""})
    return found


def content_body(form, zone, creating):
    """The editor's form as distribution's JSON body; what cannot be read is left for it to name."""
    body = {field: form.get(field, "").strip() for field in TEXT_FIELDS}
    body["body_html"] = body_html(form.get("body", ""))
    body["subjects"] = form.getlist("subjects")
    body["co_issuers"] = form.getlist("co_issuers")
    body["attachments"] = attachments(form.get("attachments", ""))
    if form.get("embargo_date", "").strip():
        body["embargo_until"] = moment(form["embargo_date"].strip(), form.get("embargo_time", "").strip() or "00:00",
                                       form.get("embargo_zone") or zone)
    elif not creating:
        body["embargo_until"] = None
    if form.get("claim", "").strip():
        body["claim"] = {"text": form["claim"].strip(),
                         "circulated_on": [part.strip() for part in form.get("circulated_on", "").split(",") if part.strip()]}
    if creating:
        body["type"] = form.get("type", "")
    return body


def content_values(item, zone):
    """An item as the editor shows it (its embargo in ``zone``)."""
    embargo_date, embargo_time = local_parts(item.get("embargo_until"), zone)
    return {"type": item["type"], "headline": item["headline"], "summary": item["summary"], "body": item["body_html"],
            "language": item["language"], "byline": item["byline"], "place": item["place"],
            "subjects": item["subjects"], "co_issuers": item["co_issuers"],
            "attachments": "\n".join(f"{a['url']} {a['media_type']} {a.get('caption', '')}".strip()
                                     for a in item["attachments"]),
            "claim": (item.get("claim") or {}).get("text", ""),
            "circulated_on": ", ".join((item.get("claim") or {}).get("circulated_on", [])),
            "embargo_date": embargo_date, "embargo_time": embargo_time, "embargo_zone": zone}


def form_state(form):
    values = form.to_dict()
    for name in ("subjects", "co_issuers"):
        values[name] = form.getlist(name)
    return values


# Where the editor asks for what distribution names otherwise.
FORM_FIELDS = {"body_html": "body", "embargo_until": "embargo_date"}


def errors_of(exc):
    return forms.errors_of(exc, FORM_FIELDS)
