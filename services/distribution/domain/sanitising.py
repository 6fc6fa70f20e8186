"""Sanitising: what survives in a body of content, and a readable list of what was removed."""
from collections import Counter
from html.parser import HTMLParser

import nh3

# What survives in a body: text structure, links and images; never scripts, styles or handlers.
ALLOWED_TAGS = {"p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a",
                "blockquote", "figure", "figcaption", "img", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"},
                      "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}


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
