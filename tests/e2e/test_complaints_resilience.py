"""A stack of our own: intake (with photos, by the API and by the form) while the complaints
service is down, and the public rate limit."""
import base64
import io

import pytest
import requests
from PIL import Image
from tests.e2e.complaints_e2e_support import REPORTER, complaint, eventually, file, tracked

from bakohumas.harness import Api, LocalStack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def own_stack():
    stack = LocalStack(extra_env={"COMPLAINTS_INTAKE_BURST": "5", "COMPLAINTS_INTAKE_PER_MINUTE": "6"}).start()
    # The runner treats a process that dies before it printed its ready line as a failed start
    # and stops everything: kill only after that line.
    try:
        eventually(lambda: "is running at" in stack.log(), timeout=60)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def coordinator(own_stack):
    return Api(own_stack.url, own_stack.bootstrap()["api_key"])


def photo_with_gps():
    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (4.0, 0.0, 48.6), 3: "E", 4: (119.0, 37.0, 33.1)}
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(output, "JPEG", exif=exif)
    return output.getvalue()


def test_intake_with_photos_succeeds_while_the_complaints_service_is_down(own_stack, coordinator):
    own_stack.kill("complaints")
    accepted = file(own_stack.url, complaint(reporter=REPORTER, files=[
        {"filename": "jalan.jpg", "content_type": "image/jpeg", "data": base64.b64encode(photo_with_gps()).decode()}]))
    number = accepted["tracking_number"]
    # Nothing processes it yet: tracking is unavailable (503), never a success that lies.
    assert requests.get(f"{own_stack.url}/api/v1/complaints/track/{number}", timeout=15).status_code == 503
    by_form = requests.post(own_stack.url + "/lapor", timeout=15, data={"isi": "Got mampet di depan sekolah"},
                            files=[("berkas", ("got.jpg", photo_with_gps(), "image/jpeg"))])
    assert by_form.status_code == 200, by_form.text
    form_number = by_form.text.split('id="nomor">', 1)[1].split("<", 1)[0]
    own_stack.start_process("complaints")
    page = tracked(own_stack.url, number)
    assert page["status"] == "received"
    assert page["history"][0]["note"]  # unrouted: waiting for the coordinator's triage
    tracked(own_stack.url, form_number)
    triage = coordinator.get("/api/v1/complaints", params={"triage": "true"}).json()["complaints"]
    for filed in (number, form_number):
        listed = next(c for c in triage if c["tracking_number"] == filed)
        [stored] = coordinator.get(f"/api/v1/complaints/{listed['id']}").json()["files"]
        content = coordinator.get(f"/api/v1/complaints/{listed['id']}/attachments/{stored['id']}").content
        assert Image.open(io.BytesIO(content)).getexif().get_ifd(0x8825) == {}


def test_a_keyed_intake_retried_while_the_complaints_service_is_down_files_once(own_stack, coordinator):
    own_stack.kill("complaints")
    body = complaint(reporter=REPORTER, text="Air PDAM keruh sejak kemarin")
    key = {"Idempotency-Key": "lost-answer-1"}
    first = file(own_stack.url, body, key)
    assert file(own_stack.url, body, key) == first
    own_stack.start_process("complaints")
    tracked(own_stack.url, first["tracking_number"])
    listed = coordinator.get("/api/v1/complaints", params={"triage": "true"}).json()["complaints"]
    assert [c["tracking_number"] for c in listed].count(first["tracking_number"]) == 1
    assert [c["text"] for c in listed].count(body["text"]) == 1


def test_public_intake_is_rate_limited_per_address(own_stack):
    statuses = []
    for _ in range(10):
        answer = requests.post(own_stack.url + "/api/v1/complaints", json=complaint(), timeout=15)
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {202}
    assert int(answer.headers["Retry-After"]) >= 1
    assert answer.json()["error"]["code"] == "too_many_requests"
    by_form = requests.post(own_stack.url + "/lapor", data={"isi": "Lampu jalan mati"}, timeout=15)
    assert by_form.status_code == 429 and int(by_form.headers["Retry-After"]) >= 1  # the page says when too
    assert "Lampu jalan mati" in by_form.text
