"""A service's words about a bad field, in the reader's language wherever a page prints them: known
messages translated, marshmallow's with their numbers, any other as a plain "not right yet" in
Indonesian; the pages' own messages untouched; English as the service wrote it."""
import pytest

from gateway.pages.console import forms, posting
from gateway.pages.service_said import KNOWN, NOT_RIGHT_YET, PATTERNS, ServiceMessage
from gateway.pages.web import PAGES
from shared.errors import ValidationFailed


def shown(language, error):
    return PAGES.environments[language].from_string("<span>{{ error }}</span>").render(error=error)


@pytest.mark.parametrize("message, indonesian", [
    ("Missing data for required field.", "Wajib diisi."),
    ("must be after the start", "Harus sesudah waktu mulai."),
    ("Longer than maximum length 200.", "Paling banyak 200 karakter."),
    ("Length must be between 1 and 300.", "1 sampai 300 karakter."),
    ("Must be one of: press_conference, press_release, forum.", "Pilih salah satu pilihan yang tersedia."),
    ("a0b1 is unknown", "Tidak dikenal: a0b1."),
    ("a rule nobody wrote down yet", "Isian ini belum benar: periksa lalu coba lagi."),
])
def test_a_service_message_is_shown_in_indonesian(message, indonesian):
    assert shown("id", ServiceMessage(message)) == f"<span>{indonesian}</span>"
    assert shown("en", ServiceMessage(message)) == f"<span>{message}</span>"


def test_the_pages_own_words_and_other_values_are_printed_as_they_are():
    assert shown("id", "Masukkan nama lengkap") == "<span>Masukkan nama lengkap</span>"
    assert shown("id", 42) == "<span>42</span>"
    assert shown("id", ServiceMessage("<b>required</b>")) == "<span>Isian ini belum benar: periksa lalu coba lagi.</span>"
    assert shown("en", ServiceMessage("<b>x</b>")) == "<span>&lt;b&gt;x&lt;/b&gt;</span>"


def test_the_refusals_a_form_shows_are_the_services_words():
    refused = ValidationFailed("bad", {"start": ["must be after the start"], "title": ["Not a valid string."]})
    for errors in (forms.errors_of(refused), posting.field_errors(refused)):
        assert all(isinstance(message, ServiceMessage) for message in errors.values())
    assert isinstance(forms.errors_of(ValidationFailed("the item is too long"))["form"], ServiceMessage)
    assert isinstance(posting.field_errors(ValidationFailed("no"))["_form"], ServiceMessage)


def test_every_known_message_has_its_indonesian_translation():
    for message in (*KNOWN, NOT_RIGHT_YET, *(template for _, template in PATTERNS)):
        assert PAGES.gettext("id", message) != message, message
