"""QR posters for an office wall: an A4 SVG, print-ready, with the agency's name, a QR code that
opens the complaint form preset to that office and door, and the other doors (website, WhatsApp).

The directory has no notion of PTSP desks: every agency gets two posters, one for its wall
(door ``qr``) and one for its PTSP desk (door ``ptsp``). Pure rendering, in the gateway's pool for
CPU work (``shared.offload``: a forum's archive is hundreds of QR codes): the routes fetch the agency
and answer the file.
"""
import io
import textwrap
import zipfile
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import eventlet
import segno

from shared.offload import offloaded

DOORS = ("qr", "ptsp")
# A4 in millimetres; the QR code's side, with a quiet zone of 4 modules inside it.
WIDTH, HEIGHT = 210, 297
QR_SIDE = 100
HEADINGS = {
    "qr": ("Punya keluhan tentang layanan kami?", "A complaint about our service?"),
    "ptsp": ("Pengaduan di meja PTSP", "Complaints at the one-stop service desk"),
}


POSTERS_ARCHIVE = "poster-pengaduan.zip"


def form_url(public_url, agency_id, door):
    """The complaint form preset to the office and the door (what the QR code opens)."""
    return f"{public_url}/lapor?{urlencode({'instansi': agency_id, 'pintu': door})}"


def _text(x, y, text, size, weight="normal", fill="#1b1b1b"):
    return (f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
            f'text-anchor="middle">{escape(text)}</text>')


def _lines(x, y, text, size, width, weight="normal", fill="#1b1b1b", step=None):
    """``text`` wrapped to ``width`` characters, one <text> per line; the y after the last line."""
    parts = []
    for line in textwrap.wrap(text, width) or [""]:
        parts.append(_text(x, y, line, size, weight, fill))
        y += step or size * 1.25
    return parts, y


def _qr_code(url, x, y, side):
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(border=4, omitsize=True, dark="#000", light="#fff")
    return svg.replace("<svg ", f'<svg x="{x}" y="{y}" width="{side}" height="{side}" ', 1)


def poster_svg(agency, door, public_url):
    """The poster of ``agency`` (as the directory answers it, with its channels) for ``door``."""
    return offloaded(_drawn_poster, agency, door, public_url)


def _drawn_poster(agency, door, public_url):
    url = form_url(public_url, agency["id"], door)
    heading_id, heading_en = HEADINGS[door]
    middle = WIDTH / 2
    parts = [f'<rect x="0" y="0" width="{WIDTH}" height="38" fill="#0b3d6b"/>',
             _text(middle, 17, "LAYANAN PENGADUAN", 11, "bold", "#fff"),
             _text(middle, 29, "Complaints service · Forum Bakohumas", 6, fill="#fff")]
    name, y = _lines(middle, 54, agency["name"], 10, 34, "bold")
    parts += name
    parts.append(_text(middle, y, agency.get("short_name", ""), 6, fill="#4a4a4a"))
    parts += [_text(middle, y + 13, heading_id, 8, "bold"), _text(middle, y + 21, heading_en, 5.5, fill="#4a4a4a")]
    qr_top = y + 27
    parts.append(_qr_code(url, middle - QR_SIDE / 2, qr_top, QR_SIDE))
    y = qr_top + QR_SIDE + 9
    parts += [_text(middle, y, "Pindai dengan kamera ponsel, isi formulir, selesai.", 6, "bold"),
              _text(middle, y + 6, "Scan with your phone camera and fill in the form.", 4.5, fill="#4a4a4a")]
    link, y = _lines(middle, y + 14, url, 4, 70)
    parts += link
    doors = [("Lacak pengaduan / Track", f"{public_url}/lacak")]
    channels = agency.get("channels") or {}
    for platform, label in (("website", "Situs web / Website"), ("whatsapp", "WhatsApp")):
        if channels.get(platform):
            doors.append((label, channels[platform]))
    y += 4
    for label, address in doors:
        parts.append(_text(middle, y, f"{label}: {address}", 4.5))
        y += 7
    parts.append(_text(middle, HEIGHT - 12, "Gratis, tanpa pungutan. Identitas pelapor dapat dirahasiakan.", 5))
    parts.append(_text(middle, HEIGHT - 6, "Free of charge. The reporter's identity can be kept confidential.",
                       4, fill="#4a4a4a"))
    title = escape(f"{agency['name']}: pengaduan ({door})")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}mm" height="{HEIGHT}mm" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Noto Sans, DejaVu Sans, Arial, sans-serif" '
            f'role="img" aria-label="{title}"><title>{title}</title>'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>' + "".join(parts) + "</svg>\n")


def poster_filename(agency, door):
    short = "".join(c if c.isalnum() or c == "-" else "-" for c in agency.get("short_name") or agency["id"])
    return f"poster-{short.lower()}-{door}.svg"


def posters_zip(agencies, public_url):
    """Every agency's posters, both doors, in one ZIP archive."""
    return offloaded(_zipped_posters, agencies, public_url)


def _zipped_posters(agencies, public_url):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for agency in agencies:
            for door in DOORS:
                bundle.writestr(poster_filename(agency, door), _drawn_poster(agency, door, public_url))
    return archive.getvalue()


def every_active_agency(rpc, page_size=200, reads_at_once=10):
    """Every active agency with its channels (the list has none of its own: one read each, side by side)."""
    agencies, offset = [], 0
    while True:
        page = rpc("directory", "list_agencies", {"active": "true", "limit": str(page_size), "offset": str(offset)})
        agencies += page["items"]
        offset += page_size
        if offset >= page["total"]:
            break
    return list(eventlet.GreenPool(reads_at_once).imap(lambda agency: rpc("directory", "get_agency", agency["id"]),
                                                        agencies))
