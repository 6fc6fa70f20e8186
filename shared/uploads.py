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
scanned letter must not carry its writer's name or machine): each page is rebuilt from its content
stream and resources alone, keeping only plain web links, so no page or document action, other
annotation, embedded file or script follows; a protected or broken PDF, or one whose resources still
hold any of these, is refused.
Both run in the process's pool for CPU work (``shared.offload``), never on its event loop.
"""
import io
import re
from urllib.parse import urlsplit

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, IndirectObject,
                           NameObject, NumberObject, TextStringObject)

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
# A link kept in a PDF opens one of these; the keys and names below may be nowhere in a cleaned PDF
# (what runs: scripts, actions, launches, forms, rich media; what carries a file: embedded files).
LINK_SCHEMES = ("http", "https", "mailto")
ACTIVE = {"/JS", "/JavaScript", "/AA", "/OpenAction", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/EF",
          "/FileAttachment", "/AcroForm", "/XFA", "/SubmitForm", "/ImportData", "/RichMedia", "/GoToE", "/GoToR",
          "/Sound", "/Movie", "/Rendition"}


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
    """A new document of the PDF's pages, each rebuilt from its content stream and resources alone
    (with its size and turn, and its plain web links): no document information, XMP, outline, forms,
    page or document actions, other annotations, embedded files or scripts. The result is read again
    and refused if anything that runs or carries a file is still in it (a resource can hide one)."""
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise FileRefused("unreadable")
        writer = PdfWriter()
        for page in reader.pages:
            rebuilt_page(writer, page)
        writer.metadata = None
        output = io.BytesIO()
        writer.write(output)
        cleaned = output.getvalue()
        if active_parts(PdfReader(io.BytesIO(cleaned))):
            raise FileRefused("unreadable")
    except FileRefused:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise FileRefused("unreadable") from None
    return cleaned


def rebuilt_page(writer, page):
    """``page`` again in ``writer``: its box, turn, content and resources, and its plain web links."""
    box = page.mediabox
    fresh = writer.add_blank_page(float(box.width), float(box.height))
    fresh[NameObject("/MediaBox")] = ArrayObject(FloatObject(float(v)) for v in box)
    if "/CropBox" in page:
        fresh[NameObject("/CropBox")] = ArrayObject(FloatObject(float(v)) for v in page.cropbox)
    if page.rotation:
        fresh[NameObject("/Rotate")] = NumberObject(page.rotation)
    resources = page.get("/Resources")
    if resources is not None:
        fresh[NameObject("/Resources")] = resources.get_object().clone(writer)
    contents = page.get_contents()
    if contents is not None:
        stream = DecodedStreamObject()
        stream.set_data(contents.get_data())
        fresh[NameObject("/Contents")] = writer._add_object(stream)
        fresh.compress_content_streams()
    links = [link for link in (plain_link(a.get_object()) for a in page.get("/Annots") or ()) if link]
    if links:
        fresh[NameObject("/Annots")] = ArrayObject(writer._add_object(link) for link in links)


def plain_link(annotation):
    """A fresh link annotation to the same web address, or None for anything else (scripts, files,
    launches, forms, another document, a ``javascript:`` address)."""
    action = annotation.get("/A")
    action = action.get_object() if action is not None else None
    if annotation.get("/Subtype") != "/Link" or not isinstance(action, dict) or action.get("/S") != "/URI":
        return None
    address = str(action.get("/URI") or "")
    if urlsplit(address).scheme.lower() not in LINK_SCHEMES:
        return None
    return DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject(FloatObject(float(v)) for v in annotation["/Rect"]),
        NameObject("/Border"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(0)]),
        NameObject("/A"): DictionaryObject({NameObject("/S"): NameObject("/URI"),
                                            NameObject("/URI"): TextStringObject(address)})})


def active_parts(reader):
    """The names of what runs or carries a file anywhere in the document (an empty set when clean)."""
    seen, waiting, found = set(), [reader.trailer], set()
    while waiting:
        item = waiting.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, dict):
            found |= ACTIVE & {str(key) for key in item} | ACTIVE & {str(v) for v in item.values()
                                                                      if isinstance(v, NameObject)}
            waiting.extend(item.values())
        elif isinstance(item, list):
            waiting.extend(item)
    return found


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
