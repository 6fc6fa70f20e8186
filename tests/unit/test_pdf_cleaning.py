"""A PDF a reporter attaches is rebuilt from its pages' content and resources only (shared/uploads.py):
no page or document actions, no annotation but a plain web link, no embedded file, no JavaScript
anywhere. Each PDF here is built by hand with what an attacker would hide in it; after cleaning, the
whole object graph of the result is walked and none of it is left, while the page still shows its text."""
import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, IndirectObject,
                           NameObject, NumberObject, StreamObject, TextStringObject)

from shared.uploads import FileRefused, cleaned_pdf

VISIBLE = "Jalan rusak di Soreang"
SCRIPT = "app.alert('pwned')"
# What may not survive, as a key or a name anywhere in the cleaned file.
FORBIDDEN = {"/JS", "/JavaScript", "/AA", "/OpenAction", "/EmbeddedFile", "/EmbeddedFiles", "/EF",
             "/FileAttachment", "/Launch", "/Names", "/AcroForm", "/URI#js"}


def name(text):
    return NameObject(text)


def action_js(writer):
    return writer._add_object(DictionaryObject({name("/S"): name("/JavaScript"),
                                                name("/JS"): TextStringObject(SCRIPT)}))


def annotation(writer, fields):
    rect = ArrayObject([FloatObject(v) for v in (50, 700, 250, 720)])
    return writer._add_object(DictionaryObject({name("/Type"): name("/Annot"), name("/Rect"): rect,
                                                **fields}))


def hostile_pdf():
    """One page of text carrying every way a PDF can run a script or smuggle a file."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = writer._add_object(DictionaryObject({name("/Type"): name("/Font"), name("/Subtype"): name("/Type1"),
                                                name("/BaseFont"): name("/Helvetica")}))
    page[name("/Resources")] = DictionaryObject({name("/Font"): DictionaryObject({name("/F1"): font})})
    text = DecodedStreamObject()
    text.set_data(f"BT /F1 18 Tf 72 760 Td ({VISIBLE}) Tj ET".encode())
    page[name("/Contents")] = writer._add_object(text)
    # A page-open script.
    page[name("/AA")] = DictionaryObject({name("/O"): action_js(writer)})
    attached = StreamObject()
    attached.set_data(b"MZ not a letter at all")
    attached.update({name("/Type"): name("/EmbeddedFile")})
    filespec = writer._add_object(DictionaryObject({
        name("/Type"): name("/Filespec"), name("/F"): TextStringObject("bukti.exe"),
        name("/EF"): DictionaryObject({name("/F"): writer._add_object(attached)})}))
    page[name("/Annots")] = ArrayObject([
        # A link whose click runs a script.
        annotation(writer, {name("/Subtype"): name("/Link"), name("/A"): action_js(writer)}),
        # A paperclip holding a file.
        annotation(writer, {name("/Subtype"): name("/FileAttachment"), name("/FS"): filespec}),
        # A plain web link, which is kept (without anything else it carried).
        annotation(writer, {name("/Subtype"): name("/Link"), name("/AA"): DictionaryObject(
            {name("/E"): action_js(writer)}), name("/A"): DictionaryObject(
            {name("/S"): name("/URI"), name("/URI"): TextStringObject("https://pu.example.go.id/jalan")})}),
        # A link opening another file (a launch action): gone.
        annotation(writer, {name("/Subtype"): name("/Link"), name("/A"): DictionaryObject(
            {name("/S"): name("/Launch"), name("/F"): TextStringObject("cmd.exe")})}),
    ])
    writer._root_object[name("/OpenAction")] = action_js(writer)
    writer.add_attachment("lampiran.exe", b"MZ another payload")
    names = writer._root_object["/Names"]
    names = names.get_object() if isinstance(names, IndirectObject) else names
    names[name("/JavaScript")] = DictionaryObject({name("/Names"): ArrayObject(
        [TextStringObject("buka"), action_js(writer)])})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def every_object(reader):
    """Every object the file holds, by its number (reachable or not, so nothing orphaned hides), and
    the trailer, each opened down to its plain values."""
    found = []
    for item in [reader.trailer] + [reader.get_object(number) for number in range(1, int(reader.trailer["/Size"]))]:
        opened = [item]
        while opened:
            value = opened.pop()
            found.append(value)
            if isinstance(value, dict):
                opened += [v for pair in value.items() for v in pair if not isinstance(v, IndirectObject)]
            elif isinstance(value, list):
                opened += [v for v in value if not isinstance(v, IndirectObject)]
    return found


def forbidden_in(content):
    reader = PdfReader(io.BytesIO(content))
    names = {str(item) for item in every_object(reader) if isinstance(item, NameObject)}
    return (names & FORBIDDEN) | ({"script text"} if any(SCRIPT in str(item) for item in every_object(reader))
                                 else set())


def test_the_hostile_pdf_really_carries_what_it_should_lose():
    assert forbidden_in(hostile_pdf()) >= {"/JS", "/JavaScript", "/AA", "/OpenAction", "/EmbeddedFile",
                                            "/EmbeddedFiles", "/EF", "/FileAttachment", "/Launch", "script text"}


def test_scripts_actions_and_attachments_are_gone_and_the_page_remains():
    cleaned = cleaned_pdf(hostile_pdf())
    assert forbidden_in(cleaned) == set()
    assert b"bukti" not in cleaned and b"MZ" not in cleaned
    page = PdfReader(io.BytesIO(cleaned)).pages[0]
    assert VISIBLE in page.extract_text()
    assert [float(v) for v in page.mediabox] == [0, 0, 595, 842]
    links = [a.get_object() for a in page.get("/Annots", [])]
    assert [(a["/Subtype"], a["/A"]["/S"], a["/A"]["/URI"]) for a in links] == [
        ("/Link", "/URI", "https://pu.example.go.id/jalan")]
    assert set(links[0]) <= {"/Type", "/Subtype", "/Rect", "/Border", "/A"}


def test_a_javascript_address_is_not_a_plain_link():
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    page[name("/Annots")] = ArrayObject([annotation(writer, {name("/Subtype"): name("/Link"), name("/A"):
                                                             DictionaryObject({name("/S"): name("/URI"),
                                                                               name("/URI"): TextStringObject(
                                                                                   "javascript:app.alert(1)")})})])
    output = io.BytesIO()
    writer.write(output)
    assert "/Annots" not in PdfReader(io.BytesIO(cleaned_pdf(output.getvalue()))).pages[0]


def test_a_script_hidden_in_a_page_s_resources_is_refused():
    """What cannot be cleaned is refused: a form XObject's dictionary carrying an action."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    form = StreamObject()
    form.set_data(b"0 0 m 10 10 l S")
    form.update({name("/Type"): name("/XObject"), name("/Subtype"): name("/Form"),
                 name("/BBox"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(10), NumberObject(10)]),
                 name("/AA"): DictionaryObject({name("/O"): action_js(writer)})})
    page[name("/Resources")] = DictionaryObject({name("/XObject"): DictionaryObject(
        {name("/X1"): writer._add_object(form)})})
    output = io.BytesIO()
    writer.write(output)
    with pytest.raises(FileRefused):
        cleaned_pdf(output.getvalue())
