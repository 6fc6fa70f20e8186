"""Charts drawn as SVG on the server: plain markup, no script, no style attribute (the pages' CSP
allows none), readable by a screen reader (``role="img"`` with a ``<title>`` and a ``<desc>``
that says every figure); the page shows the same figures in a table beside it."""
from markupsafe import Markup, escape

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 150
BAR_WIDTH = 260
VALUE_WIDTH = 60
WIDTH = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH


def _number(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def bar_chart(chart_id, title, rows):
    """A horizontal bar chart of ``rows`` (``[(label, value)]``, value a number or None for "no
    figure"), scaled to the largest value; ``chart_id`` is unique on the page."""
    largest = max([value for _, value in rows if value] or [1])
    height = max(1, len(rows)) * (BAR_HEIGHT + GAP) + GAP
    described = "; ".join(f"{label}: {'-' if value is None else _number(value)}" for label, value in rows)
    parts = [f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
             f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(described)}</desc>']
    for index, (label, value) in enumerate(rows):
        top = GAP + index * (BAR_HEIGHT + GAP)
        middle = top + BAR_HEIGHT / 2
        length = 0 if not value else max(2, round(BAR_WIDTH * value / largest))
        shown = "-" if value is None else _number(value)
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{middle}" text-anchor="end" dominant-baseline="middle" '
                     f'font-size="13" fill="#1b1b1b">{escape(_shorten(label))}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{top}" width="{length}" height="{BAR_HEIGHT}" fill="#0b4f8a"/>')
        parts.append(f'<text x="{LABEL_WIDTH + length + 6}" y="{middle}" dominant-baseline="middle" '
                     f'font-size="13" fill="#1b1b1b">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _shorten(label, most=22):
    label = str(label)
    return label if len(label) <= most else label[:most - 1] + "…"
