"""CPU-heavy work as an outsider meets it (issue 20): refused with 429 and Retry-After when the pool is
full (here a stack whose pool takes nothing: ``CPU_WORK_THREADS=0``), never a hang or a 500; a form in
too many parts answered 413 in the reader's language, what was typed kept."""
import base64
import io

import pytest
import requests
from PIL import Image

from bakohumas.harness import LocalStack, console_sign_in

pytestmark = pytest.mark.e2e

TYPED = "Lampu jalan di depan SD Negeri 3 padam sejak seminggu"
PARTS = 1500


@pytest.fixture(scope="module")
def stack():
    stack = LocalStack(extra_env={"CPU_WORK_THREADS": "0", "CPU_WORK_QUEUE": "0"}).start()
    try:
        yield stack
    finally:
        stack.stop()


def photo():
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 160, 20)).save(output, "JPEG")
    return output.getvalue()


def test_a_form_with_a_photo_is_given_back_with_what_was_typed_when_the_pool_is_full(stack):
    answer = requests.post(f"{stack.url}/lapor", data={"isi": TYPED}, timeout=30,
                           files=[("berkas", ("lampu.jpg", photo(), "image/jpeg"))])
    assert answer.status_code == 429 and answer.headers["Retry-After"].isdigit()
    assert TYPED in answer.text and "Terlalu banyak berkas sedang diproses" in answer.text
    # Without a file there is nothing heavy to do: it is filed.
    assert requests.post(f"{stack.url}/lapor", data={"isi": TYPED}, timeout=30).status_code == 200


def test_the_api_answers_429_with_retry_after_when_the_pool_is_full(stack):
    answer = requests.post(f"{stack.url}/api/v1/complaints", timeout=30, json={
        "channel": "web", "text": TYPED,
        "files": [{"filename": "lampu.jpg", "content_type": "image/jpeg", "data": base64.b64encode(photo()).decode()}]})
    assert answer.status_code == 429, answer.text
    assert answer.json()["error"]["code"] == "too_busy" and answer.headers["Retry-After"].isdigit()


def test_a_sign_in_is_refused_as_too_busy_when_no_password_can_be_checked(stack):
    answer = console_sign_in(stack.url, "siapa@example.go.id", "kata-sandi-salah")
    assert answer.status_code == 429 and answer.headers["Retry-After"].isdigit()
    assert "Sedang terlalu sibuk" in answer.text and "{" not in answer.text.split("<body", 1)[-1][:1]


def many_parts():
    """A multipart form of ``PARTS`` fields, the complaint's own first (as ``requests`` sends ``files``)."""
    return [(name, (None, value)) for name, value in [("isi", TYPED), ("nama", "Wayan")] +
            [(f"x{n}", "1") for n in range(PARTS)]]


def test_a_form_in_too_many_parts_is_a_413_page_keeping_what_was_typed(stack):
    answer = requests.post(f"{stack.url}/lapor", timeout=30, files=many_parts())
    assert answer.status_code == 413 and answer.headers["Content-Type"].startswith("text/html")
    assert "terlalu banyak bagian" in answer.text and TYPED in answer.text and 'value="Wayan"' in answer.text
    english = requests.post(f"{stack.url}/lapor?lang=en", timeout=30, files=many_parts())
    assert english.status_code == 413 and "too many parts" in english.text


def test_an_api_form_in_too_many_parts_is_a_json_413(stack):
    answer = requests.post(f"{stack.url}/open311/v2/requests.json", timeout=30, files=many_parts())
    assert answer.status_code == 413 and answer.headers["Content-Type"].startswith("application/json")
