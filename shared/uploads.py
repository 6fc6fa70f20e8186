"""Files a reporter attaches (photos, documents), checked and cleaned before they travel with a complaint:
by the gateway (the web form, the JSON API) and by the notifications service (a photo sent on WhatsApp).

A file is accepted only if its content is what its name and declared type say (the first bytes
decide: JPEG, PNG, WebP or a PDF, which must start with ``%PDF-``), at most
``MAX_ATTACHMENT_BYTES``, at most ``MAX_ATTACHMENTS`` per complaint. Images are decoded and
re-encoded by Pillow into a fresh image that carries no metadata at all (EXIF with its GPS
position, XMP, ICC profiles, comments, text chunks): a photo taken at home must not tell where
home is. Re-encoding is also the real type check of an image: what Pillow cannot decode as the
type its first bytes claim is refused. A PDF's pages are written again by pypdf into a new document
without the old one's information (author, creator, dates), XMP metadata, attachments or scripts (a
scanned letter must not carry its writer's name or machine); a protected or broken PDF is refused.
Both run in the process's pool for CPU work (``shared.offload``), never on its event loop.
"""
import io
import re

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from shared.intake import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, attachment_payload
from shared.offload import offloaded

# A decoded image larger than this many pixels is refused (a small file can decode to gigabytes).
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 85
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
EXTENSIONS = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
              ".pdf": "application/pdf"}
# Declared types that say nothing (a client that does not know): the content decides alone.
UNSPECIFIC_TYPES = ("", "application/octet-stream")
MAX_FILENAME = 100


class FileRefused(ValueError):
    """A file that cannot be attached; ``code`` says why (the pages word it in the user's language)."""

    MESSAGES = {
        "too_many": f"at most {MAX_ATTACHMENTS} files",
        "too_large": f"each file may be at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB",
        "wrong_type": "only JPEG, PNG, WebP images and PDF documents",
        "mismatch": "the content does not match the file's name or type",
        "unreadable": "the file cannot be read (a protected PDF cannot be attached)",
    }

    def __init__(self, code, filename=None):
        super().__init__(f"{filename or 'file'}: {self.MESSAGES[code]}")
        self.code, self.filename = code, filename


def sniffed_type(content):
    """The type the first bytes say, or None."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def safe_filename(filename, content_type):
    """The name to keep: its last path part, plain characters only, the extension of its type."""
    stem = re.split(r"[\\/]", filename or "")[-1].rsplit(".", 1)[0]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:MAX_FILENAME - 5] or "lampiran"
    return stem + ATTACHMENT_TYPES[content_type]


def reencoded(content, content_type):
    """The image decoded and written again with nothing but its pixels (turned upright first)."""
    try:
        # Its size is checked from the header, before any pixel is decoded (a warning filter would not
        # do: filters are the whole process's, and this runs in the pool's threads).
        with Image.open(io.BytesIO(content)) as image:
            if image.format != PILLOW_FORMATS[content_type]:
                raise FileRefused("mismatch")
            if image.width * image.height > MAX_PIXELS:
                raise FileRefused("too_large")
            image.load()
            upright = ImageOps.exif_transpose(image)
    except FileRefused:
        raise
    except Image.DecompressionBombError:
        raise FileRefused("too_large") from None
    except (OSError, ValueError, SyntaxError):
        raise FileRefused("unreadable") from None
    transparency = upright.info.get("transparency")
    # A fresh image from the pixels alone: no EXIF, XMP, ICC profile, comment or text chunk can follow.
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    if upright.mode == "P":
        clean.putpalette(upright.getpalette())
    options = {}
    if content_type == "image/jpeg":
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        options = {"quality": JPEG_QUALITY}
    elif content_type == "image/webp":
        options = {"quality": JPEG_QUALITY}
    elif transparency is not None:
        options = {"transparency": transparency}
    output = io.BytesIO()
    clean.save(output, PILLOW_FORMATS[content_type], **options)
    return output.getvalue()


def cleaned_pdf(content):
    """The PDF's pages alone, in a new document with no document information or XMP metadata."""
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise FileRefused("unreadable")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        for page in writer.pages:
            page.pop("/Metadata", None)  # a page may carry XMP of its own
        writer.metadata = None
        output = io.BytesIO()
        writer.write(output)
    except FileRefused:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise FileRefused("unreadable") from None
    return output.getvalue()


def checked_file(content, filename, declared_type):
    """One file as it may travel with a complaint (``shared.intake.attachment_payload``), or FileRefused."""
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise FileRefused("too_large", filename)
    content_type = sniffed_type(content)
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    named_type = EXTENSIONS.get(extension)
    declared = (declared_type or "").split(";")[0].strip().lower()
    declared = "image/jpeg" if declared == "image/jpg" else declared
    if named_type is None and declared not in EXTENSIONS.values():
        raise FileRefused("wrong_type", filename)
    if content_type is None:
        raise FileRefused("mismatch" if content else "unreadable", filename)
    if (named_type and named_type != content_type) or (declared not in UNSPECIFIC_TYPES and declared != content_type):
        raise FileRefused("mismatch", filename)
    try:
        content = (offloaded(cleaned_pdf, content) if content_type == "application/pdf"
                   else offloaded(reencoded, content, content_type))
    except FileRefused as exc:
        raise FileRefused(exc.code, filename) from None
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise FileRefused("too_large", filename)
    return attachment_payload(content, content_type, safe_filename(filename, content_type))


def checked_files(files):
    """``[(content, filename, declared_type)]`` checked and cleaned, or FileRefused for the first bad one."""
    files = [f for f in files if f[0] or f[1]]
    if len(files) > MAX_ATTACHMENTS:
        raise FileRefused("too_many")
    return [checked_file(content, filename, declared) for content, filename, declared in files]
