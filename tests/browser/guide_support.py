"""The user guide's screenshots, listed in one place: the browser test that takes them
(``tests/browser/test_guide_screenshots.py``) and the unit test that builds the guide
(``tests/unit/test_guide.py``) both read this list.

To add a page to the guide: add its entry here, a step that opens it (and calls ``shoot``) in the test,
then name ``img/<name>-360.png`` or ``img/<name>-1280.png`` in the guide's Markdown.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide"
IMAGES = GUIDE / "img"
PHONE, DESKTOP = 360, 1280

# name: (the widths it is taken at, what the picture shows). Citizens mostly come by phone, officers
# work at a desk: each page is taken at the width its reader uses (both for the home page).
SHOTS = {
    "beranda": ((PHONE, DESKTOP), "the public home page"),
    "lapor": ((PHONE,), "the complaint form, filled in"),
    "tanda-terima": ((PHONE,), "the receipt: tracking number and secret code"),
    "lacak": ((PHONE,), "the tracking page as anyone with the number sees it"),
    "lacak-pelapor": ((PHONE,), "the tracking page with the answer, as the reporter sees it with the code"),
    "informasi-permohonan": ((PHONE,), "the information request form, filled in"),
    "informasi-terdaftar": ((PHONE,), "the information request's registration number and deadline"),
    "informasi-lacak": ((PHONE,), "an information request's tracking page with the decision"),
    "informasi-keberatan": ((PHONE,), "the objection form"),
    "konsol-masuk": ((DESKTOP,), "the console's sign-in page"),
    "konsol-beranda": ((DESKTOP,), "an officer's Beranda: what waits for the agency"),
    "konsol-pengaduan": ((DESKTOP,), "a complaint's page in the console, with its moves"),
    "konsol-pengaduan-dijawab": ((DESKTOP,), "a complaint answered publicly"),
    "konsol-pengaduan-daftar": ((DESKTOP,), "the list of complaints with its filters and downloads"),
    "konsol-konten-editor": ((DESKTOP,), "the content editor"),
    "konsol-konten-draf": ((DESKTOP,), "a draft release with its preview"),
    "konsol-kalender-usul": ((DESKTOP,), "proposing a calendar item, with clashes and free slots"),
    "konsol-kalender-agenda": ((DESKTOP,), "a proposed calendar item"),
    "konsol-informasi": ((DESKTOP,), "the PPID inbox with the working days left"),
    "konsol-informasi-permohonan": ((DESKTOP,), "an information request in the console, answered"),
    "konsol-informasi-dip": ((DESKTOP,), "the Daftar Informasi Publik editor"),
    "konsol-notifikasi": ((DESKTOP,), "choosing when and how to be told"),
    "koordinator-beranda": ((DESKTOP,), "the coordinator's Beranda"),
    "koordinator-direktori": ((DESKTOP,), "the forum's members as a tree"),
    "koordinator-instansi": ((DESKTOP,), "one member's page: officers, channels, posters"),
    "koordinator-akun": ((DESKTOP,), "inviting a person to the console"),
    "koordinator-kalender": ((DESKTOP,), "the forum's month"),
    "koordinator-kalender-dijadwalkan": ((DESKTOP,), "a calendar item scheduled by the coordinator"),
    "koordinator-aturan": ((DESKTOP,), "the complaint routing rules"),
    "koordinator-angka": ((DESKTOP,), "the complaint figures per agency and category"),
    "koordinator-laporan-informasi": ((DESKTOP,), "the PPID report with the forum compared"),
}


def image_names():
    """Every file the screenshot test writes: ``<name>-<width>.png``."""
    return {f"{name}-{width}.png" for name, (widths, _) in SHOTS.items() for width in widths}
